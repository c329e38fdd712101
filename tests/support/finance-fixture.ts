/**
 * A small, hand-built province for the staff, public service unit, budget and
 * cross-system figures (tests/integration/indicator-figures.test.ts), small
 * enough that every expected figure is worked out by hand from the tables
 * below. Names are real places of Bắc Giang, the province of seed 001's
 * district, Yên Thế; codes are made up.
 *
 * The tree (validity [valid_from, valid_to), all from 2019-01-01 unless said):
 *
 *   province     000.00.00.H06  UBND tỉnh Bắc Giang (PROVINCE, no quota)
 *   homeAffairs  000.01.00.H06  Sở Nội vụ (PROVINCE, quota 40)
 *   hospital     000.30.00.H06  Bệnh viện Đa khoa tỉnh (PROVINCE, public service unit)
 *   yenThe       000.00.12.H06  UBND huyện Yên Thế (DISTRICT, quota 30) — seed 001's district
 *     ytHomeAffairs 000.01.12.H06 Phòng Nội vụ (quota 10)
 *     ytEducation   000.02.12.H06 Phòng Giáo dục và Đào tạo (quota 8)
 *     ytPsu(1..10)  DVSN.12.01 … 10, directly under the district
 *     ytPsu(11..61) DVSN.12.11 … 61, schools under the education office;
 *                   ytPsu(59) from 2021-12-31, ytPsu(60) from 2022-01-01,
 *                   ytPsu(61) dissolved on 2023-10-01 (valid to 2023-09-30), quota 5
 *     ytMerged(1..5) DVSN.12.M1 … M5, schools merged away on 2022-08-15
 *     ytEnded        DVSN.12.E1, dissolved on 2021-12-31 (not valid that day)
 *     cauGo    000.21.12.H06 Thị trấn Cầu Gồ (COMMUNE, quota 23)
 *     dongHuu  000.22.12.H06 Xã Đồng Hưu (COMMUNE, quota 21)
 *     tanSoi   000.23.12.H06 Xã Tân Sỏi (COMMUNE, no quota), dissolved on 2023-10-01
 *   tanYen       000.00.13.H06  UBND huyện Tân Yên (DISTRICT, quota 28)
 *     tyPsu(1..8)  DVSN.13.1 … 8
 *     vietLap  000.21.13.H06 Xã Việt Lập (COMMUNE, quota 20)
 *
 * So at 2023-06-30 Yên Thế has 61 public service units (seed 001: 1 in group
 * 1–2, 2 in group 3 at 10–<30 %, 58 in group 4), 60 after ytPsu(61) is
 * dissolved, and on 2021-12-31 it had 65 (ytPsu(1..58), ytPsu(59), ytPsu(61),
 * the five merged; not ytPsu(60) nor ytEnded).
 */
import type { Queryable } from '../../store/db.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import {
  upsertBudgetExecutionLines,
  upsertInvestmentDisbursements,
  upsertInvestmentProjects,
  upsertPsuFinance,
} from '../../store/finance.ts';
import type {
  AutonomyGroup,
  BudgetDirection,
  BudgetExecutionLine,
  Dossier,
  DossierStatus,
  InvestmentDisbursement,
  PsuFinance,
  PsuSector,
  Staff,
  StaffCategory,
  StaffStatus,
  Unit,
} from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';

const SINCE = '2019-01-01';
const RECORDED_AT = new Date('2024-01-05T00:00:00+07:00');

const pad = (n: number) => String(n).padStart(2, '0');

export const FIN = {
  province: '000.00.00.H06',
  homeAffairs: '000.01.00.H06',
  hospital: '000.30.00.H06',
  yenThe: '000.00.12.H06',
  ytHomeAffairs: '000.01.12.H06',
  ytEducation: '000.02.12.H06',
  cauGo: '000.21.12.H06',
  dongHuu: '000.22.12.H06',
  tanSoi: '000.23.12.H06',
  tanYen: '000.00.13.H06',
  vietLap: '000.21.13.H06',
  ytEnded: 'DVSN.12.E1',
  /** A code no unit has. */
  unknown: '999.99.99.H06',
  ytPsu: (n: number) => `DVSN.12.${pad(n)}`,
  ytMerged: (n: number) => `DVSN.12.M${n}`,
  tyPsu: (n: number) => `DVSN.13.${n}`,
} as const;

// ─── Units ───────────────────────────────────────────────────────────────────────────────────────────────────────

function unit(
  code: string,
  name: string,
  parentCode: string | null,
  level: Unit['level'],
  kind: Unit['kind'],
  extra: Partial<Unit> = {},
): Unit {
  return {
    code,
    budgetCode: null,
    name,
    parentCode,
    level,
    kind,
    sector: null,
    headcountQuota: null,
    validFrom: SINCE,
    validTo: null,
    sourceUpdatedAt: RECORDED_AT,
    ...extra,
  };
}

const psu = (
  code: string,
  name: string,
  parentCode: string,
  level: Unit['level'],
  sector: PsuSector,
  extra: Partial<Unit> = {},
) => unit(code, name, parentCode, level, 'PUBLIC_SERVICE_UNIT', { sector, ...extra });

const YT_PSU_NAMES: Record<number, [string, PsuSector]> = {
  1: ['Trung tâm Y tế huyện Yên Thế', 'HEALTH'],
  2: ['Trung tâm Văn hóa - Thông tin và Thể thao huyện Yên Thế', 'CULTURE'],
  3: ['Ban Quản lý dự án đầu tư xây dựng huyện Yên Thế', 'ECONOMY'],
  4: ['Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện Yên Thế', 'EDUCATION'],
  5: ['Trung tâm Dịch vụ nông nghiệp huyện Yên Thế', 'ECONOMY'],
  6: ['Ban Quản lý di tích lịch sử Khởi nghĩa Yên Thế', 'CULTURE'],
  7: ['Trung tâm Phát triển quỹ đất huyện Yên Thế', 'ECONOMY'],
  8: ['Đài Truyền thanh huyện Yên Thế', 'CULTURE'],
  9: ['Ban Quản lý các công trình công cộng huyện Yên Thế', 'OTHER'],
  10: ['Trung tâm Chính trị huyện Yên Thế', 'EDUCATION'],
};
const SCHOOL_KINDS = ['Trường Mầm non', 'Trường Tiểu học', 'Trường Trung học cơ sở'];

function units(): Unit[] {
  const list: Unit[] = [
    unit(FIN.province, 'Ủy ban nhân dân tỉnh Bắc Giang', null, 'PROVINCE', 'PEOPLES_COMMITTEE'),
    unit(FIN.homeAffairs, 'Sở Nội vụ', FIN.province, 'PROVINCE', 'AGENCY', { headcountQuota: 40 }),
    psu(FIN.hospital, 'Bệnh viện Đa khoa tỉnh Bắc Giang', FIN.province, 'PROVINCE', 'HEALTH'),
    unit(FIN.yenThe, 'Ủy ban nhân dân huyện Yên Thế', FIN.province, 'DISTRICT', 'PEOPLES_COMMITTEE', {
      headcountQuota: 30,
    }),
    unit(FIN.ytHomeAffairs, 'Phòng Nội vụ huyện Yên Thế', FIN.yenThe, 'DISTRICT', 'AGENCY', { headcountQuota: 10 }),
    unit(FIN.ytEducation, 'Phòng Giáo dục và Đào tạo huyện Yên Thế', FIN.yenThe, 'DISTRICT', 'AGENCY', {
      headcountQuota: 8,
    }),
    unit(FIN.cauGo, 'Thị trấn Cầu Gồ', FIN.yenThe, 'COMMUNE', 'PEOPLES_COMMITTEE', { headcountQuota: 23 }),
    unit(FIN.dongHuu, 'Xã Đồng Hưu', FIN.yenThe, 'COMMUNE', 'PEOPLES_COMMITTEE', { headcountQuota: 21 }),
    unit(FIN.tanSoi, 'Xã Tân Sỏi', FIN.yenThe, 'COMMUNE', 'PEOPLES_COMMITTEE', { validTo: '2023-10-01' }),
    unit(FIN.tanYen, 'Ủy ban nhân dân huyện Tân Yên', FIN.province, 'DISTRICT', 'PEOPLES_COMMITTEE', {
      headcountQuota: 28,
    }),
    unit(FIN.vietLap, 'Xã Việt Lập', FIN.tanYen, 'COMMUNE', 'PEOPLES_COMMITTEE', { headcountQuota: 20 }),
    psu(FIN.ytEnded, 'Trung tâm Dân số - Kế hoạch hóa gia đình huyện Yên Thế', FIN.yenThe, 'DISTRICT', 'HEALTH', {
      validTo: '2021-12-31',
    }),
  ];
  // The exceptions; every other unit of Yên Thế is valid from SINCE, with no quota.
  const special: Record<number, Partial<Unit>> = {
    2: { headcountQuota: 15 },
    59: { validFrom: '2021-12-31' },
    60: { validFrom: '2022-01-01' },
    61: { validTo: '2023-10-01', headcountQuota: 5 },
  };
  for (let n = 1; n <= 61; n++) {
    const extra = special[n] ?? {};
    if (n <= 10) {
      const [name, sector] = YT_PSU_NAMES[n]!;
      list.push(psu(FIN.ytPsu(n), name, FIN.yenThe, 'DISTRICT', sector, extra));
    } else {
      const name = `${SCHOOL_KINDS[n % 3]} số ${n} huyện Yên Thế`;
      list.push(psu(FIN.ytPsu(n), name, FIN.ytEducation, 'DISTRICT', 'EDUCATION', extra));
    }
  }
  for (let n = 1; n <= 5; n++) {
    list.push(
      psu(FIN.ytMerged(n), `Trường Mầm non sáp nhập số ${n} huyện Yên Thế`, FIN.ytEducation, 'DISTRICT', 'EDUCATION', {
        validTo: '2022-08-15',
      }),
    );
  }
  for (let n = 1; n <= 8; n++) {
    list.push(psu(FIN.tyPsu(n), `Trường Tiểu học số ${n} huyện Tân Yên`, FIN.tanYen, 'DISTRICT', 'EDUCATION'));
  }
  return list;
}

// ─── Autonomy (psu_finance) ──────────────────────────────────────────────────────────────────────────────────────

const finance = (
  unitCode: string,
  year: number,
  autonomyGroup: AutonomyGroup,
  ownRevenue: string,
  recurrentExpenditure: string,
): PsuFinance => ({
  unitCode,
  year,
  autonomyGroup,
  decisionNo: `${unitCode}/QĐ-UBND`,
  ownRevenue,
  recurrentExpenditure,
});

/**
 * 2023 unless said. Computed group by the exact rule (schema/finance.ts):
 *
 * | unit        | group | own revenue       | recurrent spending | level            | computed | mismatch |
 * |-------------|-------|-------------------|--------------------|------------------|----------|----------|
 * | ytPsu(1)    | 2     | 1,200,000,000     | 1,200,000,000      | exactly 100 %    | 2        | no       |
 * | ytPsu(2)    | 3     | 150,000,000       | 1,500,000,000      | exactly 10 %     | 3        | no       |
 * | ytPsu(3)    | 3     | 299,999,999       | 1,000,000,000      | just under 30 %  | 3        | no       |
 * | ytPsu(4)    | 4     | 99,999,999        | 1,000,000,000      | just under 10 %  | 4        | no       |
 * | ytPsu(5)    | 4     | 0                 | 800,000,000        | no revenue       | 4        | no       |
 * | ytPsu(6)    | 4     | 0                 | 0                  | no revenue       | 4        | no       |
 * | ytPsu(7)    | 4     | 700,000,000       | 1,000,000,000      | exactly 70 %     | 3        | yes      |
 * | ytPsu(8)    | 4     | 300,000,000       | 1,000,000,000      | exactly 30 %     | 3        | yes      |
 * | ytPsu(10)   | 4     | 5,000,000         | 0                  | no spending      | 2        | yes      |
 * | ytPsu(9, 11…61) | 4 | 10,000,000 each   | 1,000,000,000 each | 1 %              | 4        | no       |
 * | ytMerged(1) | 1     | 1                 | 1                  | (not valid now)  |          |          |
 * | tyPsu(1)    | 3     | 999,999,999       | 1,000,000,000      | just under 100 % | 3        | no       |
 * | tyPsu(2)    | 1     | 2,000,000,000     | 1,500,000,000      | over 100 %       | 1        | no       |
 * | tyPsu(3)    | 2     | 999,999,999       | 1,000,000,000      | just under 100 % | 3        | yes      |
 * | tyPsu(4)    | 2     | 0                 | 0                  | no revenue       | 4        | yes      |
 * | tyPsu(5)    | 2     | 1                 | 0                  | no spending      | 2        | no       |
 * | tyPsu(6)    | 3     | 99,999,999        | 1,000,000,000      | just under 10 %  | 4        | yes      |
 * | tyPsu(7)    | 1     | 500,000,000       | 400,000,000        | 2022 only        | (2022) 1 | no       |
 * | tyPsu(8)    | 4     | 100,000,000       | 1,000,000,000      | exactly 10 %     | 3        | yes      |
 * | hospital    | 2     | 4,500,000,000,000 | 4,000,000,000,000  | over 100 %       | 2        | no       |
 */
function psuFinance(): PsuFinance[] {
  const list = [
    finance(FIN.ytPsu(1), 2023, 2, '1200000000', '1200000000'),
    finance(FIN.ytPsu(2), 2023, 3, '150000000', '1500000000'),
    finance(FIN.ytPsu(3), 2023, 3, '299999999', '1000000000'),
    finance(FIN.ytPsu(4), 2023, 4, '99999999', '1000000000'),
    finance(FIN.ytPsu(5), 2023, 4, '0', '800000000'),
    finance(FIN.ytPsu(6), 2023, 4, '0', '0'),
    finance(FIN.ytPsu(7), 2023, 4, '700000000', '1000000000'),
    finance(FIN.ytPsu(8), 2023, 4, '300000000', '1000000000'),
    finance(FIN.ytPsu(10), 2023, 4, '5000000', '0'),
    finance(FIN.ytMerged(1), 2023, 1, '1', '1'),
    finance(FIN.tyPsu(1), 2023, 3, '999999999', '1000000000'),
    finance(FIN.tyPsu(2), 2023, 1, '2000000000', '1500000000'),
    finance(FIN.tyPsu(3), 2023, 2, '999999999', '1000000000'),
    finance(FIN.tyPsu(4), 2023, 2, '0', '0'),
    finance(FIN.tyPsu(5), 2023, 2, '1', '0'),
    finance(FIN.tyPsu(6), 2023, 3, '99999999', '1000000000'),
    finance(FIN.tyPsu(7), 2022, 1, '500000000', '400000000'),
    finance(FIN.tyPsu(8), 2023, 4, '100000000', '1000000000'),
    finance(FIN.hospital, 2023, 2, '4500000000000', '4000000000000'),
  ];
  for (let n = 9; n <= 61; n++) if (n !== 10) list.push(finance(FIN.ytPsu(n), 2023, 4, '10000000', '1000000000'));
  return list;
}

// ─── Staff ───────────────────────────────────────────────────────────────────────────────────────────────────────

let serial = 0;

function people(
  unitCode: string,
  category: StaffCategory,
  count: number,
  { status = 'SERVING', meetsStandard = true }: { status?: StaffStatus; meetsStandard?: boolean } = {},
): Staff[] {
  return Array.from({ length: count }, () => {
    const n = ++serial;
    return {
      id: `CB${String(n).padStart(4, '0')}`,
      fullName: `Nguyễn Văn Số ${n}`,
      birthDate: '1985-05-01',
      gender: 'MALE',
      unitCode,
      category,
      rankCode: null,
      position: null,
      qualification: 'BACHELOR',
      meetsStandard,
      status,
      sourceUpdatedAt: RECORDED_AT,
    };
  });
}

/**
 * Serving staff by unit (C cadres, CS civil servants, PE public employees,
 * CW contract workers; "meet" = meets_standard among C and CS), and the
 * staff who are not serving (never counted):
 *
 * | unit          | level    | quota | C       | CS      | PE | CW | not serving                        |
 * |---------------|----------|-------|---------|---------|----|----|------------------------------------|
 * | province      | PROVINCE | —     | 5       |         |    |    |                                    |
 * | homeAffairs   | PROVINCE | 40    |         | 25      |    | 2  | 1 CS retired                       |
 * | hospital      | PROVINCE | —     |         |         | 30 | 10 |                                    |
 * | yenThe        | DISTRICT | 30    | 3       | 6       |    | 2  |                                    |
 * | ytHomeAffairs | DISTRICT | 10    |         | 7       |    |    | 1 CS retired                       |
 * | ytEducation   | DISTRICT | 8     |         | 5       |    |    |                                    |
 * | ytPsu(1)      | DISTRICT | —     |         |         | 20 | 3  | 2 PE left                          |
 * | ytPsu(2)      | DISTRICT | 15    |         |         | 12 |    |                                    |
 * | ytPsu(61)     | DISTRICT | 5     |         |         |    |    | (dissolved 2023-10-01)             |
 * | ytMerged(1)   | (gone)   | —     |         |         | 4  |    |                                    |
 * | cauGo         | COMMUNE  | 23    | 4 (3 meet) | 5 (4 meet) | 1 | 2 | 1 C retired, 1 CS left, 1 CS transferred out |
 * | dongHuu       | COMMUNE  | 21    | 2 (2 meet) | 3 (1 meets) |  | 1 | 1 C retired                     |
 * | tanSoi        | COMMUNE  | —     | 1 (1 meets) | 2 (0 meet) |  |   | (dissolved 2023-10-01)           |
 * | tanYen        | DISTRICT | 28    | 2       | 4       |    |    |                                    |
 * | vietLap       | COMMUNE  | 20    | 3 (2 meet) | 4 (4 meet) |  | 1 |                                  |
 */
function staff(): Staff[] {
  serial = 0;
  return [
    ...people(FIN.province, 'CADRE', 5),
    ...people(FIN.homeAffairs, 'CIVIL_SERVANT', 25),
    ...people(FIN.homeAffairs, 'CONTRACT_WORKER', 2),
    ...people(FIN.homeAffairs, 'CIVIL_SERVANT', 1, { status: 'RETIRED' }),
    ...people(FIN.hospital, 'PUBLIC_EMPLOYEE', 30),
    ...people(FIN.hospital, 'CONTRACT_WORKER', 10),
    ...people(FIN.yenThe, 'CADRE', 3),
    ...people(FIN.yenThe, 'CIVIL_SERVANT', 6),
    ...people(FIN.yenThe, 'CONTRACT_WORKER', 2),
    ...people(FIN.ytHomeAffairs, 'CIVIL_SERVANT', 7),
    ...people(FIN.ytHomeAffairs, 'CIVIL_SERVANT', 1, { status: 'RETIRED' }),
    ...people(FIN.ytEducation, 'CIVIL_SERVANT', 5),
    ...people(FIN.ytPsu(1), 'PUBLIC_EMPLOYEE', 20),
    ...people(FIN.ytPsu(1), 'CONTRACT_WORKER', 3),
    ...people(FIN.ytPsu(1), 'PUBLIC_EMPLOYEE', 2, { status: 'LEFT' }),
    ...people(FIN.ytPsu(2), 'PUBLIC_EMPLOYEE', 12),
    ...people(FIN.ytMerged(1), 'PUBLIC_EMPLOYEE', 4),
    ...people(FIN.cauGo, 'CADRE', 3),
    ...people(FIN.cauGo, 'CADRE', 1, { meetsStandard: false }),
    ...people(FIN.cauGo, 'CIVIL_SERVANT', 4),
    ...people(FIN.cauGo, 'CIVIL_SERVANT', 1, { meetsStandard: false }),
    ...people(FIN.cauGo, 'PUBLIC_EMPLOYEE', 1),
    ...people(FIN.cauGo, 'CONTRACT_WORKER', 2),
    ...people(FIN.cauGo, 'CADRE', 1, { status: 'RETIRED' }),
    ...people(FIN.cauGo, 'CIVIL_SERVANT', 1, { status: 'LEFT' }),
    ...people(FIN.cauGo, 'CIVIL_SERVANT', 1, { status: 'TRANSFERRED_OUT' }),
    ...people(FIN.dongHuu, 'CADRE', 2),
    ...people(FIN.dongHuu, 'CIVIL_SERVANT', 1),
    ...people(FIN.dongHuu, 'CIVIL_SERVANT', 2, { meetsStandard: false }),
    ...people(FIN.dongHuu, 'CONTRACT_WORKER', 1),
    ...people(FIN.dongHuu, 'CADRE', 1, { status: 'RETIRED' }),
    ...people(FIN.tanSoi, 'CADRE', 1),
    ...people(FIN.tanSoi, 'CIVIL_SERVANT', 2, { meetsStandard: false }),
    ...people(FIN.tanYen, 'CADRE', 2),
    ...people(FIN.tanYen, 'CIVIL_SERVANT', 4),
    ...people(FIN.vietLap, 'CADRE', 2),
    ...people(FIN.vietLap, 'CADRE', 1, { meetsStandard: false }),
    ...people(FIN.vietLap, 'CIVIL_SERVANT', 4),
    ...people(FIN.vietLap, 'CONTRACT_WORKER', 1),
  ];
}

// ─── Budget execution and investment ─────────────────────────────────────────────────────────────────────────────

const line = (
  unitCode: string,
  year: number,
  month: number,
  direction: BudgetDirection,
  subItemCode: string,
  estimate: string,
  executed: string,
): BudgetExecutionLine => ({
  unitCode,
  year,
  month,
  direction,
  chapterCode: '599',
  categoryCode: '340-341',
  itemCode: direction === 'REVENUE' ? '1000' : '6000',
  subItemCode,
  estimate,
  executed,
});

/**
 * Cumulative execution lines of 2023 (estimate / executed to the end of the month):
 *
 * yenThe, two lines a and b per direction:
 * | month | revenue a (est 1,000,000,000) | revenue b (est 500,000,000) | spending a (est 2,000,000,000) | spending b (est 1,000,000,000) |
 * | 3     | 200,000,000                   | 100,000,000                 | 400,000,000                    | 150,000,000                    |
 * | 5     | 450,000,000                   | 220,000,000                 | 800,000,000                    | 300,000,000                    |
 * | 6     | 520,000,000                   | 260,000,000                 | 1,000,000,000                  | 380,000,000                    |
 * | 7     | 600,000,000                   | 300,000,000                 | 1,200,000,000                  | 450,000,000                    |
 * and in 2022, month 6: spending a, estimate 9,000,000,000, executed 9,000,000,000.
 *
 * cauGo (has not reported month 6): revenue est 50,000,000, spending est 300,000,000;
 * executed revenue / spending: month 2 5,000,000 / 40,000,000; month 4 10,000,000 / 90,000,000;
 * month 5 15,000,000 / 120,000,000.
 * tanSoi: month 6 spending est 100,000,000, executed 40,000,000.
 * tanYen: month 5 spending est 1,500,000,000, executed 600,000,000; month 6 revenue only,
 * est 700,000,000, executed 350,000,000 (its latest spending is month 5's).
 * vietLap: month 6 spending only, est 200,000,000, executed 80,000,000.
 */
function budgetLines(): BudgetExecutionLine[] {
  const ytMonths: [month: number, ra: string, rb: string, sa: string, sb: string][] = [
    [3, '200000000', '100000000', '400000000', '150000000'],
    [5, '450000000', '220000000', '800000000', '300000000'],
    [6, '520000000', '260000000', '1000000000', '380000000'],
    [7, '600000000', '300000000', '1200000000', '450000000'],
  ];
  const cauGoMonths: [month: number, revenue: string, spending: string][] = [
    [2, '5000000', '40000000'],
    [4, '10000000', '90000000'],
    [5, '15000000', '120000000'],
  ];
  return [
    ...ytMonths.flatMap(([month, ra, rb, sa, sb]) => [
      line(FIN.yenThe, 2023, month, 'REVENUE', 'a', '1000000000', ra),
      line(FIN.yenThe, 2023, month, 'REVENUE', 'b', '500000000', rb),
      line(FIN.yenThe, 2023, month, 'SPENDING', 'a', '2000000000', sa),
      line(FIN.yenThe, 2023, month, 'SPENDING', 'b', '1000000000', sb),
    ]),
    line(FIN.yenThe, 2022, 6, 'SPENDING', 'a', '9000000000', '9000000000'),
    ...cauGoMonths.flatMap(([month, revenue, spending]) => [
      line(FIN.cauGo, 2023, month, 'REVENUE', 'a', '50000000', revenue),
      line(FIN.cauGo, 2023, month, 'SPENDING', 'a', '300000000', spending),
    ]),
    line(FIN.tanSoi, 2023, 6, 'SPENDING', 'a', '100000000', '40000000'),
    line(FIN.tanYen, 2023, 5, 'SPENDING', 'a', '1500000000', '600000000'),
    line(FIN.tanYen, 2023, 6, 'REVENUE', 'a', '700000000', '350000000'),
    line(FIN.vietLap, 2023, 6, 'SPENDING', 'a', '200000000', '80000000'),
  ];
}

export const PROJECTS = { ytRoad: 'DA.12.01', cauGoSchool: 'DA.12.02', tyMarket: 'DA.13.01', hospitalWing: 'DA.00.01' };

const disbursement = (
  projectCode: string,
  year: number,
  month: number,
  capitalPlan: string,
  disbursedToDate: string,
): InvestmentDisbursement => ({ projectCode, year, month, capitalPlan, disbursedToDate });

/**
 * Capital plan / disbursed to date:
 * - ytRoad (yenThe), 2023: month 2 10,000,000,000 / 1,000,000,000; month 4 10,000,000,000 / 2,500,000,000;
 *   month 6 12,000,000,000 / 4,000,000,000 (plan raised); month 8 12,000,000,000 / 7,000,000,000.
 * - cauGoSchool (cauGo), 2023: month 3 2,000,000,000 / 300,000,000; month 5 2,000,000,000 / 900,000,000.
 * - tyMarket (tanYen): 2022 month 12 3,000,000,000 / 3,000,000,000; 2023 month 7 5,000,000,000 / 1,000,000,000.
 * - hospitalWing (hospital), 2023: month 1 50,000,000,000 / 0; month 6 50,000,000,000 / 13,555,000,000.
 */
function disbursements(): InvestmentDisbursement[] {
  return [
    disbursement(PROJECTS.ytRoad, 2023, 2, '10000000000', '1000000000'),
    disbursement(PROJECTS.ytRoad, 2023, 4, '10000000000', '2500000000'),
    disbursement(PROJECTS.ytRoad, 2023, 6, '12000000000', '4000000000'),
    disbursement(PROJECTS.ytRoad, 2023, 8, '12000000000', '7000000000'),
    disbursement(PROJECTS.cauGoSchool, 2023, 3, '2000000000', '300000000'),
    disbursement(PROJECTS.cauGoSchool, 2023, 5, '2000000000', '900000000'),
    disbursement(PROJECTS.tyMarket, 2022, 12, '3000000000', '3000000000'),
    disbursement(PROJECTS.tyMarket, 2023, 7, '5000000000', '1000000000'),
    disbursement(PROJECTS.hospitalWing, 2023, 1, '50000000000', '0'),
    disbursement(PROJECTS.hospitalWing, 2023, 6, '50000000000', '13555000000'),
  ];
}

// ─── Dossiers (for the cross-system figures) ─────────────────────────────────────────────────────────────────────

const PROCEDURE = '1.001612';

/** An instant given in Vietnam time, 'YYYY-MM-DDTHH:MM:SS'. */
const vn = (local: string) => new Date(`${local}+07:00`);

function dossier(
  code: string,
  unitCode: string,
  receivedAt: string,
  status: DossierStatus,
  finishedAt: string | null = null,
): Dossier {
  const received = vn(receivedAt);
  return {
    code,
    procedureCode: PROCEDURE,
    unitCode,
    channel: 'ONLINE',
    status,
    applicantName: null,
    applicantPhone: null,
    receivedAt: received,
    dueAt: new Date(received.getTime() + 15 * 86_400_000),
    finishedAt: finishedAt ? vn(finishedAt) : null,
    returnedAt: null,
    fullProcessOnline: false,
    hasFee: false,
    onlinePayment: null,
    digitised: true,
    electronicResult: false,
    sourceUpdatedAt: finishedAt ? vn(finishedAt) : received,
  };
}

/**
 * | code | unit          | received (VN time)  | status     | finished (VN time)  |
 * |------|---------------|---------------------|------------|---------------------|
 * | D01  | yenThe        | 2023-02-10 09:00    | PROCESSED  | 2023-02-20 10:00    |
 * | D02  | yenThe        | 2023-06-30 23:59:59 | RECEIVED   |                     |
 * | D03  | yenThe        | 2022-12-20 09:00    | RETURNED   | 2023-01-01 00:00:00 |
 * | D04  | yenThe        | 2023-03-01 09:00    | WITHDRAWN  | 2023-03-05 09:00    |
 * | D05  | yenThe        | 2023-05-05 09:00    | PROCESSED  | 2023-07-01 00:00:00 |
 * | D15  | yenThe        | 2023-04-10 09:00    | PROCESSED  | 2023-05-20 09:00    |
 * | D06  | cauGo         | 2023-04-02 09:00    | PROCESSED  | 2023-04-03 09:00    |
 * | D07  | cauGo         | 2023-04-20 09:00    | RETURNED   | 2023-05-01 09:00    |
 * | D08  | dongHuu       | 2022-11-01 09:00    | PROCESSED  | 2022-12-31 23:59:59 |
 * | D09  | dongHuu       | 2023-07-01 00:00:00 | RECEIVED   |                     |
 * | D10  | ytHomeAffairs | 2022-12-01 09:00    | PROCESSED  | 2023-03-10 09:00    |
 * | D11  | tanSoi        | 2023-01-15 09:00    | PROCESSED  | 2023-01-20 09:00    |
 * | D12  | vietLap       | 2023-06-01 09:00    | PROCESSED  | 2023-06-10 09:00    |
 * | D13  | vietLap       | 2023-06-02 09:00    | RETURNED   | 2023-06-11 09:00    |
 * | D14  | tanYen        | 2023-05-01 09:00    | PROCESSED  | 2023-05-02 09:00    |
 * | D16  | hospital      | 2023-03-03 09:00    | PROCESSED  | 2023-03-04 09:00    |
 */
function dossiers(): Dossier[] {
  return [
    dossier('D01', FIN.yenThe, '2023-02-10T09:00:00', 'PROCESSED', '2023-02-20T10:00:00'),
    dossier('D02', FIN.yenThe, '2023-06-30T23:59:59', 'RECEIVED'),
    dossier('D03', FIN.yenThe, '2022-12-20T09:00:00', 'RETURNED', '2023-01-01T00:00:00'),
    dossier('D04', FIN.yenThe, '2023-03-01T09:00:00', 'WITHDRAWN', '2023-03-05T09:00:00'),
    dossier('D05', FIN.yenThe, '2023-05-05T09:00:00', 'PROCESSED', '2023-07-01T00:00:00'),
    dossier('D15', FIN.yenThe, '2023-04-10T09:00:00', 'PROCESSED', '2023-05-20T09:00:00'),
    dossier('D06', FIN.cauGo, '2023-04-02T09:00:00', 'PROCESSED', '2023-04-03T09:00:00'),
    dossier('D07', FIN.cauGo, '2023-04-20T09:00:00', 'RETURNED', '2023-05-01T09:00:00'),
    dossier('D08', FIN.dongHuu, '2022-11-01T09:00:00', 'PROCESSED', '2022-12-31T23:59:59'),
    dossier('D09', FIN.dongHuu, '2023-07-01T00:00:00', 'RECEIVED'),
    dossier('D10', FIN.ytHomeAffairs, '2022-12-01T09:00:00', 'PROCESSED', '2023-03-10T09:00:00'),
    dossier('D11', FIN.tanSoi, '2023-01-15T09:00:00', 'PROCESSED', '2023-01-20T09:00:00'),
    dossier('D12', FIN.vietLap, '2023-06-01T09:00:00', 'PROCESSED', '2023-06-10T09:00:00'),
    dossier('D13', FIN.vietLap, '2023-06-02T09:00:00', 'RETURNED', '2023-06-11T09:00:00'),
    dossier('D14', FIN.tanYen, '2023-05-01T09:00:00', 'PROCESSED', '2023-05-02T09:00:00'),
    dossier('D16', FIN.hospital, '2023-03-03T09:00:00', 'PROCESSED', '2023-03-04T09:00:00'),
  ];
}

/** Writes the whole fixture through the store's upserts. */
export async function loadFinanceFixture(db: Queryable): Promise<void> {
  await upsertUnits(db, units());
  await upsertStaff(db, staff());
  await upsertPsuFinance(db, psuFinance());
  await upsertBudgetExecutionLines(db, budgetLines());
  await upsertInvestmentProjects(db, [
    { code: PROJECTS.ytRoad, name: 'Đường giao thông liên xã Đồng Hưu - Tân Sỏi', unitCode: FIN.yenThe },
    { code: PROJECTS.cauGoSchool, name: 'Nhà lớp học Trường Tiểu học Cầu Gồ', unitCode: FIN.cauGo },
    { code: PROJECTS.tyMarket, name: 'Chợ trung tâm huyện Tân Yên', unitCode: FIN.tanYen },
    { code: PROJECTS.hospitalWing, name: 'Khu điều trị nội trú Bệnh viện Đa khoa tỉnh', unitCode: FIN.hospital },
  ]);
  await upsertInvestmentDisbursements(db, disbursements());
  await upsertProcedures(db, [
    {
      code: PROCEDURE,
      name: 'Đăng ký khai sinh',
      fieldCode: 'HTCT',
      fieldName: 'Hộ tịch',
      levels: ['COMMUNE', 'DISTRICT'],
      onlineService: 'FULL_PROCESS',
      hasFee: false,
    },
  ]);
  await upsertDossiers(db, dossiers());
}
