/**
 * A small, fixed province for the unit-graph tests, small enough that every
 * expected answer (search hits, children on a day) can be checked by hand.
 * Places are real names of Bắc Giang (the province of seed 001's district, Yên
 * Thế); codes follow the shape of national electronic identifiers but are made up.
 * Three districts end on 2025-07-01, when the reorganisation abolished the
 * district level and merged their communes into new, larger ones.
 */
import type { Queryable } from '../../store/db.ts';
import type { PsuSector, Unit } from '../../store/model.ts';
import { upsertUnits } from '../../store/units.ts';

const SINCE = '2019-01-01';
const REORGANISATION = '2025-07-01';
const RECORDED_AT = new Date('2025-07-01T00:00:00+07:00');
const PROVINCE = '000.00.00.H06';

type Draft = Pick<Unit, 'code' | 'name' | 'parentCode' | 'level' | 'kind'> & Partial<Unit>;

const AGENCIES = ['Sở Nội vụ', 'Sở Tài chính', 'Sở Tư pháp', 'Sở Y tế', 'Sở Giáo dục và Đào tạo'];
const PROVINCE_PSUS: [agency: number, name: string, sector: PsuSector][] = [
  [4, 'Bệnh viện Đa khoa tỉnh Bắc Giang', 'HEALTH'],
  [5, 'Trường Trung học phổ thông Chuyên Bắc Giang', 'EDUCATION'],
];
const DISTRICT_OFFICES = ['Văn phòng HĐND và UBND', 'Phòng Nội vụ', 'Phòng Tài chính - Kế hoạch'];
const DISTRICT_PSUS: [prefix: string, sector: PsuSector][] = [
  ['Trung tâm Y tế huyện', 'HEALTH'],
  ['Trung tâm Văn hóa - Thông tin và Thể thao huyện', 'CULTURE'],
];
const DISTRICTS = [
  {
    no: 12,
    name: 'Yên Thế',
    communes: ['Thị trấn Cầu Gồ', 'Thị trấn Bố Hạ', 'Xã Đồng Hưu', 'Xã Tân Sỏi', 'Xã Đồng Kỳ', 'Xã Hồng Kỳ'],
  },
  {
    no: 13,
    name: 'Tân Yên',
    communes: ['Thị trấn Cao Thượng', 'Thị trấn Nhã Nam', 'Xã Việt Lập', 'Xã Liên Chung', 'Xã Ngọc Thiện'],
  },
  {
    no: 14,
    name: 'Lạng Giang',
    communes: ['Thị trấn Vôi', 'Thị trấn Kép', 'Xã Tân Dĩnh', 'Xã Xương Lâm', 'Xã Quang Thịnh'],
  },
];
// Communes formed on 2025-07-01 from the districts' communes, directly under the province.
const MERGED_COMMUNES = ['Xã Yên Thế', 'Xã Bố Hạ', 'Xã Tân Yên', 'Xã Nhã Nam', 'Xã Lạng Giang', 'Xã Kép'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function drafts(): Draft[] {
  const units: Draft[] = [];
  const add = (
    code: string,
    name: string,
    parentCode: string | null,
    level: Unit['level'],
    kind: Unit['kind'],
    extra: Partial<Unit> = {},
  ) => units.push({ code, name, parentCode, level, kind, ...extra });

  add(PROVINCE, 'UBND tỉnh Bắc Giang', null, 'PROVINCE', 'PEOPLES_COMMITTEE', { headcountQuota: 60 });
  AGENCIES.forEach((name, i) => {
    add(`000.${pad(i + 1)}.00.H06`, name, PROVINCE, 'PROVINCE', 'AGENCY', { headcountQuota: 45 + 5 * i });
  });
  PROVINCE_PSUS.forEach(([agency, name, sector], i) => {
    const agencyCode = `000.${pad(agency)}.00.H06`;
    add(`000.${pad(agency)}.${pad(50 + i)}.H06`, name, agencyCode, 'PROVINCE', 'PUBLIC_SERVICE_UNIT', { sector });
  });
  for (const { no, name, communes } of DISTRICTS) {
    const district = `000.00.${no}.H06`;
    const ended = { validTo: REORGANISATION };
    add(district, `UBND huyện ${name}`, PROVINCE, 'DISTRICT', 'PEOPLES_COMMITTEE', { headcountQuota: 20, ...ended });
    DISTRICT_OFFICES.forEach((office, i) => {
      const code = `000.${pad(30 + i)}.${no}.H06`;
      add(code, `${office} huyện ${name}`, district, 'DISTRICT', 'AGENCY', { headcountQuota: 8 + i, ...ended });
    });
    DISTRICT_PSUS.forEach(([prefix, sector], i) => {
      const code = `000.${pad(60 + i)}.${no}.H06`;
      add(code, `${prefix} ${name}`, district, 'DISTRICT', 'PUBLIC_SERVICE_UNIT', { sector, ...ended });
    });
    communes.forEach((commune, i) => {
      const code = `${pad(i + 1, 3)}.${no}.00.H06`;
      add(code, commune, district, 'COMMUNE', 'PEOPLES_COMMITTEE', { headcountQuota: 23, ...ended });
    });
  }
  MERGED_COMMUNES.forEach((name, i) => {
    const code = `${pad(101 + i, 3)}.00.00.H06`;
    add(code, name, PROVINCE, 'COMMUNE', 'PEOPLES_COMMITTEE', { headcountQuota: 40, validFrom: REORGANISATION });
  });
  return units;
}

/** The demo province's units, each with a budget-relation code of its own. */
export function demoUnits(): Unit[] {
  return drafts().map((draft, i) => ({
    budgetCode: String(1_040_001 + i),
    sector: null,
    headcountQuota: null,
    validFrom: SINCE,
    validTo: null,
    sourceUpdatedAt: RECORDED_AT,
    ...draft,
  }));
}

/** Fills an empty store with the demo province; a store that has units is left alone. Returns units written. */
export async function seedDemoProvince(db: Queryable): Promise<number> {
  const [row] = await db.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM units) AS present');
  if (row?.present) return 0;
  return upsertUnits(db, demoUnits());
}
