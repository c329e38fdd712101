/**
 * Staff: every unit has posts (slots) by category; each post is held by a
 * chain of people over time. A person is recorded when hired (or at the
 * cadre database's import in 2019), moves with the post when the unit is
 * merged away, and leaves by retirement (60 for women, 62 for men),
 * resignation or transfer; the post is filled again some months later.
 */
import type { z } from 'zod';
import { qualification, staffCategory, staffStatus, type StaffWire } from '../../cadre-db/contract.ts';
import { at, dayNumber, isoDay } from './calendar.ts';
import { personName, type Gender } from './names.ts';
import type { Province } from './province.ts';
import { Random, STREAM, cumulative } from './random.ts';
import { SINCE, isoLocal, type GenUnit, type Role } from './units.ts';

type Category = z.infer<typeof staffCategory>;
type Qualification = z.infer<typeof qualification>;
type Status = z.infer<typeof staffStatus>;

interface StaffVersion {
  at: number;
  unit: string;
  status: Status;
}

export interface GenStaff {
  id: string;
  name: string;
  gender: Gender;
  birthDay: number;
  category: Category;
  rank: string | null;
  position: string;
  qualification: Qualification;
  meetsStandard: boolean;
  versions: StaffVersion[];
}

/** From the highest degree down, as the contract lists them. */
const QUALIFICATIONS = qualification.options;
/** Weights over QUALIFICATIONS, by category. */
const QUALIFICATION_WEIGHTS: Record<Category, number[]> = {
  CAN_BO: cumulative([0, 8, 70, 7, 12, 3, 0]),
  CONG_CHUC: cumulative([0, 12, 78, 4, 5, 1, 0]),
  VIEN_CHUC: cumulative([1, 6, 70, 13, 10, 0, 0]),
  HOP_DONG: cumulative([0, 0, 10, 15, 25, 20, 30]),
};
/** The least qualification that meets the standard of the category's posts (index into QUALIFICATIONS). */
const STANDARD: Record<Category, number> = { CAN_BO: 4, CONG_CHUC: 2, VIEN_CHUC: 3, HOP_DONG: 6 };

interface Post {
  category: Category;
  position: string;
  ranks: (string | null)[];
}
const post = (category: Category, position: string, ...ranks: (string | null)[]): Post => ({
  category,
  position,
  ranks: ranks.length ? ranks : [null],
});

const COMMUNE_CADRES = [
  'Bí thư Đảng ủy',
  'Phó Bí thư Đảng ủy',
  'Chủ tịch HĐND xã',
  'Phó Chủ tịch HĐND xã',
  'Chủ tịch UBND xã',
  'Phó Chủ tịch UBND xã',
  'Chủ tịch Ủy ban MTTQ Việt Nam xã',
  'Bí thư Đoàn TNCS Hồ Chí Minh xã',
  'Chủ tịch Hội Liên hiệp Phụ nữ xã',
  'Chủ tịch Hội Nông dân xã',
  'Chủ tịch Hội Cựu chiến binh xã',
];
const COMMUNE_CIVIL_SERVANTS = [
  'Công chức Văn phòng - Thống kê',
  'Công chức Văn phòng - Thống kê',
  'Công chức Tư pháp - Hộ tịch',
  'Công chức Tư pháp - Hộ tịch',
  'Công chức Địa chính - Xây dựng',
  'Công chức Địa chính - Xây dựng',
  'Công chức Tài chính - Kế toán',
  'Công chức Văn hóa - Xã hội',
  'Công chức Văn hóa - Xã hội',
  'Chỉ huy trưởng Ban Chỉ huy Quân sự',
];

/** The posts of a unit; the count for large units varies with the unit. */
function postsOf(unit: GenUnit, random: Random): Post[] {
  const many = (n: number, p: Post) => Array.from({ length: n }, () => p);
  const contract = (n: number) => many(n, post('HOP_DONG', 'Nhân viên hợp đồng'));
  const roles: Record<Role, () => Post[]> = {
    province: () =>
      ['Chủ tịch UBND tỉnh', 'Phó Chủ tịch UBND tỉnh', 'Phó Chủ tịch UBND tỉnh', 'Phó Chủ tịch UBND tỉnh'].map((p) =>
        post('CAN_BO', p),
      ),
    agency: () => [
      post('CONG_CHUC', 'Giám đốc', '01.002'),
      ...many(2, post('CONG_CHUC', 'Phó Giám đốc', '01.002')),
      ...many(random.int(25, 60), post('CONG_CHUC', 'Chuyên viên', '01.003', '01.003', '01.002', '06.031')),
      ...contract(3),
    ],
    district: () =>
      ['Chủ tịch UBND huyện', 'Phó Chủ tịch UBND huyện', 'Phó Chủ tịch UBND huyện'].map((p) => post('CAN_BO', p)),
    office: () => [
      post('CONG_CHUC', 'Trưởng phòng', '01.002', '01.003'),
      ...many(random.int(5, 10), post('CONG_CHUC', 'Chuyên viên', '01.003', '01.003', '06.031')),
      ...contract(1),
    ],
    commune: () => [
      ...COMMUNE_CADRES.map((p) => post('CAN_BO', p)),
      ...COMMUNE_CIVIL_SERVANTS.map((p) => post('CONG_CHUC', p, '01.003')),
      ...contract(2),
    ],
    'merged-commune': () => [],
    school: () => {
      const rank = unit.name.startsWith('Trường Mầm non')
        ? 'V.07.02.26'
        : unit.name.startsWith('Trường Tiểu học')
          ? 'V.07.03.29'
          : 'V.07.04.32';
      return [
        post('VIEN_CHUC', 'Hiệu trưởng', rank),
        post('VIEN_CHUC', 'Phó Hiệu trưởng', rank),
        ...many(random.int(16, 32), post('VIEN_CHUC', 'Giáo viên', rank)),
        post('VIEN_CHUC', 'Kế toán', 'V.06.031'),
        ...contract(2),
      ];
    },
    'district-centre': () => [
      post('VIEN_CHUC', 'Giám đốc', 'V.11.06.12'),
      ...many(random.int(7, 14), post('VIEN_CHUC', 'Viên chức', 'V.11.06.12', 'V.06.031')),
      ...contract(2),
    ],
    'province-psu': () =>
      unit.sector === 'Y_TE' && unit.tag !== null
        ? [
            post('VIEN_CHUC', 'Giám đốc', 'V.08.01.02'),
            ...many(random.int(60, 160), post('VIEN_CHUC', 'Bác sĩ', 'V.08.01.03')),
            ...many(random.int(90, 240), post('VIEN_CHUC', 'Điều dưỡng', 'V.08.05.12')),
            ...contract(random.int(10, 30)),
          ]
        : [
            post('VIEN_CHUC', 'Giám đốc', 'V.11.06.12'),
            ...many(random.int(15, 60), post('VIEN_CHUC', 'Viên chức', 'V.07.04.32', 'V.11.06.12', 'V.06.031')),
            ...contract(random.int(2, 6)),
          ],
  };
  return roles[unit.role]();
}

const YEAR = 365.25;
const PREFIX: Record<Category, string> = { CAN_BO: 'CB', CONG_CHUC: 'CC', VIEN_CHUC: 'VC', HOP_DONG: 'HD' };
/** Retirement ages, simplified from the Labour Code's schedule. */
const RETIREMENT_YEARS: Record<Gender, number> = { NAM: 62, NU: 60 };
/** People are generated up to this far past the simulated start, so the clock can run for years. */
const HORIZON = dayNumber('2036-01-01');

/** The unit a post is in on a day, following merged-away units to their successors. */
function unitOn(unit: GenUnit, day: number, slot: number): { unit: GenUnit; moves: [number, GenUnit][] } {
  const moves: [number, GenUnit][] = [];
  let current = unit;
  while (current.validTo !== null && current.validTo <= day && current.successors.length) {
    const next = current.successors[slot % current.successors.length]!;
    moves.push([current.validTo, next]);
    current = next;
  }
  return { unit: current, moves };
}

/** Every person who has held or will hold a post in the province, unit by unit (streamed). */
export function* staffOf(province: Province): Generator<GenStaff> {
  const serial: Record<Category, number> = { CAN_BO: 0, CONG_CHUC: 0, VIEN_CHUC: 0, HOP_DONG: 0 };
  for (const unit of province.units) {
    const random = new Random(province.seed, STREAM.staff, unit.index);
    const posts = postsOf(unit, random);
    for (let slot = 0; slot < posts.length; slot++) {
      const p = posts[slot]!;
      let hireDay = unit.validFrom;
      let first = true;
      while (hireDay < HORIZON) {
        const female = random.chance(p.category === 'VIEN_CHUC' && unit.sector === 'GIAO_DUC' ? 0.75 : 0.45);
        const gender: Gender = female ? 'NU' : 'NAM';
        const age = first ? random.int(24, 58) : random.int(23, 35);
        const birthDay = hireDay - Math.floor(age * YEAR) - random.int(0, 364);
        const qualification = random.weighted(QUALIFICATION_WEIGHTS[p.category]);
        const recordedAt =
          first && hireDay === SINCE ? at(SINCE + random.int(0, 60), 8) + random.int(0, 9 * 3600) : at(hireDay, 8);
        // Leaving: retirement, unless a resignation or a transfer comes first (about 1.5 % a year each).
        const retirement = birthDay + Math.floor(RETIREMENT_YEARS[gender] * YEAR);
        const otherExit = hireDay + Math.floor(random.exponential(YEAR / 0.03));
        const leaveDay = Math.min(retirement, otherExit);
        const leaveStatus: Status =
          leaveDay === retirement ? 'NGHI_HUU' : random.chance(0.5) ? 'THOI_VIEC' : 'CHUYEN_CONG_TAC';
        const { unit: startUnit } = unitOn(unit, hireDay, slot);
        const versions: StaffVersion[] = [{ at: recordedAt, unit: startUnit.code, status: 'DANG_CONG_TAC' }];
        for (const [day, next] of unitOn(startUnit, leaveDay, slot).moves) {
          versions.push({ at: at(day, 8), unit: next.code, status: 'DANG_CONG_TAC' });
        }
        const leftUnit = versions[versions.length - 1]!.unit;
        if (leaveDay < HORIZON) versions.push({ at: at(leaveDay, 9), unit: leftUnit, status: leaveStatus });
        serial[p.category]++;
        yield {
          id: `${PREFIX[p.category]}-${String(serial[p.category]).padStart(7, '0')}`,
          name: personName(random, gender),
          gender,
          birthDay,
          category: p.category,
          rank: random.pick(p.ranks),
          position: p.position,
          qualification: QUALIFICATIONS[qualification]!,
          meetsStandard: qualification <= STANDARD[p.category],
          versions,
        };
        first = false;
        hireDay = leaveDay + random.int(30, 180);
        // A post of a unit that has ended without a successor is not filled again.
        const holder = unitOn(unit, hireDay, slot).unit;
        if (holder.validTo !== null && holder.validTo <= hireDay) break;
      }
    }
  }
}

/** A person as the cadre database shows them at `now`; null before they were recorded. */
export function staffWireAt(person: GenStaff, now: number): StaffWire | null {
  let version: StaffVersion | undefined;
  for (const v of person.versions) if (v.at <= now) version = v;
  if (!version) return null;
  return {
    soHieu: person.id,
    hoTen: person.name,
    ngaySinh: isoDay(person.birthDay),
    gioiTinh: person.gender,
    maDinhDanhDonVi: version.unit,
    phanLoai: person.category,
    maNgach: person.rank,
    chucVu: person.position,
    trinhDoChuyenMon: person.qualification,
    datChuan: person.meetsStandard,
    trangThai: version.status,
    ngayCapNhat: isoLocal(version.at),
  };
}
