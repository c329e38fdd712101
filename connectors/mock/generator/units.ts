/**
 * The unit tree over time: the province, its agencies (several merged on
 * 1 March 2025), districts with their offices, communes and public service
 * units until the reorganisation of 1 July 2025, when districts end, communes
 * merge three or four into one, and schools pass to the new communes.
 *
 * Codes follow the shape of national electronic identifiers, `AAA.BB.CC.H40`:
 * CC the district (00 at province level), BB the agency or office, AAA the
 * sub-unit. They are made up; the place names are real where few are needed.
 */
import type { z } from 'zod';
import type { UnitWire, unitKind, unitLevel, unitSector } from '../../cadre-db/contract.ts';
import { at, dayNumber, isoDay } from './calendar.ts';
import { DISTRICT_NAMES, PROVINCE_NAME, YEN_THE_COMMUNES, placeName, placeOf } from './names.ts';
import { Random, STREAM } from './random.ts';
import type { Scale } from './scales.ts';

export type Level = z.infer<typeof unitLevel>;
export type Kind = z.infer<typeof unitKind>;
export type Sector = z.infer<typeof unitSector>;

export const SUFFIX = 'H40';
export const SINCE = dayNumber('2019-01-01');
export const AGENCY_MERGER = dayNumber('2025-03-01');
export const REORGANISATION = dayNumber('2025-07-01');
/** Schools merged away in the 2022 rearrangement of the school network. */
export const SCHOOL_MERGER = dayNumber('2022-08-15');

/** What a unit is in the simulation; finance and staffing depend on it. */
export type Role =
  | 'province'
  | 'agency'
  | 'district'
  | 'office'
  | 'commune'
  | 'merged-commune'
  | 'school'
  | 'district-centre'
  | 'province-psu';

export interface Version {
  /** When the record took this form (ngayCapNhat), seconds. */
  at: number;
  /** The day it takes effect (the day after `at`, or the unit's first day). */
  from: number;
  parent: string | null;
  level: Level;
  validTo: number | null;
}

export interface GenUnit {
  index: number;
  code: string;
  name: string;
  kind: Kind;
  sector: Sector | null;
  budgetCode: string;
  quota: number | null;
  validFrom: number;
  validTo: number | null;
  role: Role;
  /** The former district it belongs to (0 is Yên Thế); null at province level. */
  district: number | null;
  /** The level of dossiers it receives at its one-stop desk, if it has one. */
  desk: 'PROVINCE' | 'DISTRICT' | 'COMMUNE' | null;
  /** Its share of its level's dossiers: agencies by their weight, merged communes by how many they merged. */
  deskWeight: number;
  /** Named units whose figures the calibration fixes (see finance.ts). */
  tag: string | null;
  /** Its forms over time, oldest first. */
  versions: Version[];
  /** Where its staff go when it ends, chosen by slot. */
  successors: GenUnit[];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** Decisions are recorded in the cadre database the afternoon before they take effect. */
const recordedBefore = (day: number) => at(day - 1, 16);

interface AgencyDef {
  name: string;
  /** Ends on AGENCY_MERGER, merged into the agency at this position (1-based). */
  mergedInto?: number;
  /** Created on AGENCY_MERGER. */
  created?: boolean;
  /** Relative share of province-level dossiers; 0: no one-stop desk. */
  dossiers: number;
}

const AGENCIES: AgencyDef[] = [
  { name: 'Văn phòng UBND tỉnh', dossiers: 0 },
  { name: 'Sở Nội vụ', dossiers: 3 },
  { name: 'Sở Tư pháp', dossiers: 8 },
  { name: 'Sở Kế hoạch và Đầu tư', mergedInto: 5, dossiers: 12 },
  { name: 'Sở Tài chính', dossiers: 3 },
  { name: 'Sở Công Thương', dossiers: 6 },
  { name: 'Sở Nông nghiệp và Phát triển nông thôn', mergedInto: 19, dossiers: 4 },
  { name: 'Sở Giao thông vận tải', mergedInto: 9, dossiers: 14 },
  { name: 'Sở Xây dựng', dossiers: 5 },
  { name: 'Sở Tài nguyên và Môi trường', mergedInto: 19, dossiers: 10 },
  { name: 'Sở Thông tin và Truyền thông', mergedInto: 14, dossiers: 2 },
  { name: 'Sở Lao động - Thương binh và Xã hội', mergedInto: 2, dossiers: 9 },
  { name: 'Sở Văn hóa, Thể thao và Du lịch', dossiers: 3 },
  { name: 'Sở Khoa học và Công nghệ', dossiers: 2 },
  { name: 'Sở Giáo dục và Đào tạo', dossiers: 6 },
  { name: 'Sở Y tế', dossiers: 9 },
  { name: 'Thanh tra tỉnh', dossiers: 0 },
  { name: 'Ban Dân tộc', mergedInto: 20, dossiers: 1 },
  { name: 'Sở Nông nghiệp và Môi trường', created: true, dossiers: 14 },
  { name: 'Sở Dân tộc và Tôn giáo', created: true, dossiers: 1 },
];

/** Province public service units: [agency position, name, sector, tag]. */
const PROVINCE_PSUS: [number, string, Sector, string | null][] = [
  [16, 'Bệnh viện Đa khoa tỉnh Bắc Giang', 'Y_TE', 'hospital-self-financing'],
  [16, 'Bệnh viện Sản Nhi Bắc Giang', 'Y_TE', 'hospital'],
  [16, 'Bệnh viện Y học cổ truyền Bắc Giang', 'Y_TE', 'hospital'],
  [16, 'Bệnh viện Phổi Bắc Giang', 'Y_TE', 'hospital-mismatch'],
  [16, 'Trung tâm Kiểm soát bệnh tật tỉnh Bắc Giang', 'Y_TE', null],
  [15, 'Trường THPT Chuyên Bắc Giang', 'GIAO_DUC', null],
  [15, 'Trường THPT Ngô Sĩ Liên', 'GIAO_DUC', null],
  [15, 'Trường THPT Giáp Hải', 'GIAO_DUC', null],
  [12, 'Trường Cao đẳng Kỹ thuật Công nghiệp Bắc Giang', 'GIAO_DUC', 'college'],
  [12, 'Trung tâm Dịch vụ việc làm tỉnh Bắc Giang', 'LAO_DONG', null],
  [12, 'Cơ sở Bảo trợ xã hội tổng hợp tỉnh Bắc Giang', 'LAO_DONG', null],
  [13, 'Bảo tàng tỉnh Bắc Giang', 'VAN_HOA', null],
  [13, 'Thư viện tỉnh Bắc Giang', 'VAN_HOA', null],
  [13, 'Trung tâm Văn hóa - Điện ảnh tỉnh Bắc Giang', 'VAN_HOA', null],
  [14, 'Trung tâm Ứng dụng tiến bộ khoa học và công nghệ tỉnh Bắc Giang', 'KHOA_HOC', null],
  [7, 'Trung tâm Khuyến nông tỉnh Bắc Giang', 'KINH_TE', null],
  [10, 'Văn phòng Đăng ký đất đai tỉnh Bắc Giang', 'KINH_TE', 'self-financing'],
  [10, 'Trung tâm Quan trắc tài nguyên và môi trường tỉnh Bắc Giang', 'KHOA_HOC', null],
  [8, 'Trung tâm Đăng kiểm xe cơ giới Bắc Giang', 'KINH_TE', 'fully-autonomous'],
  [3, 'Trung tâm Trợ giúp pháp lý nhà nước tỉnh Bắc Giang', 'KHAC', null],
  [3, 'Trung tâm Dịch vụ đấu giá tài sản tỉnh Bắc Giang', 'KHAC', 'self-financing'],
  [11, 'Trung tâm Công nghệ thông tin và Truyền thông tỉnh Bắc Giang', 'KHOA_HOC', null],
];

const DISTRICT_OFFICES = [
  'Văn phòng HĐND và UBND',
  'Phòng Nội vụ',
  'Phòng Tư pháp',
  'Phòng Tài chính - Kế hoạch',
  'Phòng Tài nguyên và Môi trường',
  'Phòng Lao động - Thương binh và Xã hội',
  'Phòng Văn hóa và Thông tin',
  'Phòng Giáo dục và Đào tạo',
  'Phòng Y tế',
  'Phòng Kinh tế - Hạ tầng',
  'Phòng Nông nghiệp và Phát triển nông thôn',
  'Thanh tra',
];

const SCHOOLS = ['Trường Mầm non', 'Trường Tiểu học', 'Trường THCS'] as const;

/** District public service units besides schools: [name prefix, sector, tag, fate in 2025]. */
const DISTRICT_CENTRES: [string, Sector, string, 'dissolved' | 'to-province'][] = [
  ['Trung tâm Văn hóa - Thông tin và Thể thao', 'VAN_HOA', 'culture-centre', 'dissolved'],
  [
    'Trung tâm Phát triển quỹ đất và Quản lý trật tự giao thông, xây dựng, môi trường',
    'KINH_TE',
    'land-fund',
    'dissolved',
  ],
  ['Ban Quản lý dự án đầu tư xây dựng', 'KINH_TE', 'project-board', 'dissolved'],
  ['Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên', 'GIAO_DUC', 'vocational-centre', 'to-province'],
];

/** Commune UBNDs grouped for the 2025 merger: groups of three, the last taking the rest. */
function mergerGroups<T>(communes: T[]): T[][] {
  const groups: T[][] = [];
  const count = Math.max(1, Math.floor(communes.length / 3));
  for (let g = 0; g < count; g++) groups.push(communes.slice(g * 3, g === count - 1 ? undefined : g * 3 + 3));
  return groups;
}

export function buildUnits(scale: Scale, seed: number): GenUnit[] {
  const random = new Random(seed, STREAM.units);
  const units: GenUnit[] = [];

  function add(
    code: string,
    name: string,
    parent: string | null,
    level: Level,
    kind: Kind,
    role: Role,
    extra: Partial<Pick<GenUnit, 'sector' | 'quota' | 'validFrom' | 'district' | 'desk' | 'deskWeight' | 'tag'>> = {},
  ): GenUnit {
    const validFrom = extra.validFrom ?? SINCE;
    const unit: GenUnit = {
      index: units.length,
      code,
      name,
      kind,
      sector: extra.sector ?? null,
      budgetCode: String(1_040_001 + units.length),
      quota: extra.quota ?? null,
      validFrom,
      validTo: null,
      role,
      district: extra.district ?? null,
      desk: extra.desk ?? null,
      deskWeight: extra.deskWeight ?? 1,
      tag: extra.tag ?? null,
      versions: [
        {
          at: validFrom === SINCE ? at(SINCE, 8) : recordedBefore(validFrom),
          from: validFrom,
          parent,
          level,
          validTo: null,
        },
      ],
      successors: [],
    };
    units.push(unit);
    return unit;
  }
  /** A later form of a unit, from `day` on. */
  function change(unit: GenUnit, day: number, form: Partial<Omit<Version, 'at' | 'from'>>) {
    const last = unit.versions[unit.versions.length - 1]!;
    unit.versions.push({ ...last, ...form, at: recordedBefore(day), from: day });
  }
  function end(unit: GenUnit, day: number, successors: GenUnit[]) {
    unit.validTo = day;
    unit.successors = successors;
    change(unit, day, { validTo: day });
  }

  const province = add(`000.00.00.${SUFFIX}`, `UBND tỉnh ${PROVINCE_NAME}`, null, 'TINH', 'UBND', 'province', {
    quota: 70,
  });
  const agencies = AGENCIES.map((def, i) =>
    add(`000.${pad(i + 1)}.00.${SUFFIX}`, def.name, province.code, 'TINH', 'CQCM', 'agency', {
      quota: 30 + ((i * 7) % 40),
      validFrom: def.created ? AGENCY_MERGER : SINCE,
      desk: def.dossiers > 0 ? 'PROVINCE' : null,
      deskWeight: def.dossiers,
    }),
  );
  AGENCIES.forEach((def, i) => {
    if (def.mergedInto) end(agencies[i]!, AGENCY_MERGER, [agencies[def.mergedInto - 1]!]);
  });
  const psuNumber = new Map<number, number>();
  const addProvincePsu = (agency: number, name: string, sector: Sector, tag: string | null) => {
    const n = (psuNumber.get(agency) ?? 0) + 1;
    psuNumber.set(agency, n);
    const unit = add(
      `${pad(n, 3)}.${pad(agency)}.00.${SUFFIX}`,
      name,
      agencies[agency - 1]!.code,
      'TINH',
      'DVSNCL',
      'province-psu',
      {
        sector,
        tag,
      },
    );
    const merged = AGENCIES[agency - 1]!.mergedInto;
    if (merged) change(unit, AGENCY_MERGER, { parent: agencies[merged - 1]!.code });
    return unit;
  };
  for (const [agency, name, sector, tag] of PROVINCE_PSUS) addProvincePsu(agency, name, sector, tag);

  const placesTaken = new Set<string>(YEN_THE_COMMUNES.map(placeOf));
  const mergedCommunes: GenUnit[] = [];
  for (let d = 0; d < scale.districts; d++) {
    const no = 12 + d;
    const districtName = DISTRICT_NAMES[d] ?? placeName(random, placesTaken);
    const district = add(
      `000.00.${pad(no)}.${SUFFIX}`,
      `UBND huyện ${districtName}`,
      province.code,
      'HUYEN',
      'UBND',
      'district',
      {
        quota: 24,
        district: d,
        desk: 'DISTRICT',
      },
    );
    const offices = DISTRICT_OFFICES.map((office, i) =>
      add(
        `000.${pad(i + 1)}.${pad(no)}.${SUFFIX}`,
        `${office} huyện ${districtName}`,
        district.code,
        'HUYEN',
        'CQCM',
        'office',
        {
          quota: 6 + ((i * 5) % 7),
          district: d,
        },
      ),
    );
    // Province-level units that serve the district: its health centre and upper-secondary schools.
    addProvincePsu(16, `Trung tâm Y tế huyện ${districtName}`, 'Y_TE', 'hospital');
    addProvincePsu(15, `Trường THPT ${districtName}`, 'GIAO_DUC', null);
    addProvincePsu(15, `Trường THPT ${districtName} số 2`, 'GIAO_DUC', null);

    const communeNames =
      d === 0
        ? YEN_THE_COMMUNES.slice(0, scale.communesPerDistrict) // all 19 whenever the scale allows
        : Array.from({ length: scale.communesPerDistrict }, (_, i) =>
            i === 0 ? `Thị trấn ${placeName(random, placesTaken)}` : `Xã ${placeName(random, placesTaken)}`,
          );
    const communes = communeNames.map((name, i) =>
      add(`${pad(i + 1, 3)}.00.${pad(no)}.${SUFFIX}`, name, district.code, 'XA', 'UBND', 'commune', {
        quota: 20 + (i % 4),
        district: d,
        desk: 'COMMUNE',
      }),
    );

    let psu = 100;
    const schools: GenUnit[][] = communes.map((commune, i) =>
      SCHOOLS.map((kind) => {
        const place = placeOf(commune.name);
        const name = commune.name.startsWith('Thị trấn') ? `${kind} thị trấn ${place}` : `${kind} ${place}`;
        // Seed 001 names one of its two partly self-financing units: the kindergarten of Bố Hạ.
        // And each district has one school whose figures contradict its assigned group.
        const tag =
          name === 'Trường Mầm non thị trấn Bố Hạ'
            ? 'partial-kindergarten'
            : i === 2 && kind === 'Trường THCS'
              ? 'mismatch'
              : null;
        return add(`${pad(psu++, 3)}.00.${pad(no)}.${SUFFIX}`, name, district.code, 'HUYEN', 'DVSNCL', 'school', {
          sector: 'GIAO_DUC',
          district: d,
          tag,
        });
      }),
    );
    const centres = DISTRICT_CENTRES.map(([prefix, sector, tag]) =>
      add(
        `${pad(psu++, 3)}.00.${pad(no)}.${SUFFIX}`,
        `${prefix} huyện ${districtName}`,
        district.code,
        'HUYEN',
        'DVSNCL',
        'district-centre',
        {
          sector,
          district: d,
          tag,
        },
      ),
    );
    // The 2022 school-network rearrangement: second primary schools merged into the first.
    communes.slice(0, Math.min(5, communes.length)).forEach((commune, i) => {
      const school = add(
        `${pad(psu++, 3)}.00.${pad(no)}.${SUFFIX}`,
        `Trường Tiểu học ${placeOf(commune.name)} số 2`,
        district.code,
        'HUYEN',
        'DVSNCL',
        'school',
        { sector: 'GIAO_DUC', district: d },
      );
      end(school, SCHOOL_MERGER, [schools[i]![1]!]);
    });

    // 1 July 2025: the district ends; its communes merge into new ones directly under the province.
    const groups = mergerGroups(communes.map((commune, i) => ({ commune, schools: schools[i]! })));
    const merged = groups.map((group, g) => {
      const first = placeOf(group[0]!.commune.name);
      const name = g === 0 ? `Xã ${districtName}` : `Xã ${first}`;
      const unit = add(
        `${pad(201 + mergedCommunes.length, 3)}.00.00.${SUFFIX}`,
        name,
        province.code,
        'XA',
        'UBND',
        'merged-commune',
        {
          quota: 36 + 4 * group.length,
          validFrom: REORGANISATION,
          district: d,
          desk: 'COMMUNE',
          deskWeight: group.length,
        },
      );
      mergedCommunes.push(unit);
      for (const member of group) {
        end(member.commune, REORGANISATION, [unit]);
        for (const school of member.schools) change(school, REORGANISATION, { parent: unit.code, level: 'XA' });
      }
      return unit;
    });
    end(district, REORGANISATION, merged);
    // Office staff go to the new communes, or to the province's agencies.
    for (const office of offices) end(office, REORGANISATION, [...merged, agencies[1]!, agencies[4]!]);
    DISTRICT_CENTRES.forEach(([, , , fate], i) => {
      const centre = centres[i]!;
      if (fate === 'dissolved') end(centre, REORGANISATION, merged);
      else change(centre, REORGANISATION, { parent: agencies[14]!.code, level: 'TINH' });
    });
  }
  return units;
}

/** A unit as the cadre database shows it at `now` (seconds); null before it was recorded. */
export function unitWireAt(unit: GenUnit, now: number): UnitWire | null {
  let version: Version | undefined;
  for (const v of unit.versions) if (v.at <= now) version = v;
  if (!version) return null;
  return {
    maDinhDanh: unit.code,
    tenDonVi: unit.name,
    maDinhDanhCha: version.parent,
    cap: version.level,
    loaiDonVi: unit.kind,
    linhVuc: unit.sector,
    maQHNS: unit.budgetCode,
    bienChe: unit.quota,
    hieuLucTu: isoDay(unit.validFrom),
    hieuLucDen: version.validTo === null ? null : isoDay(version.validTo),
    ngayCapNhat: isoLocal(version.at),
  };
}

/** Seconds as ISO local time (Vietnam). */
export const isoLocal = (seconds: number) => new Date((seconds + 7 * 3600) * 1000).toISOString().slice(0, 19);

/** Is the unit valid on a day? */
export const validOn = (unit: GenUnit, day: number) =>
  unit.validFrom <= day && (unit.validTo === null || day < unit.validTo);
