/**
 * Indicators through the graph, over a real hub socket, on a small province
 * built here with the store's upserts. Every expected number is worked out by
 * hand from the fixture below (the arithmetic is in the comments); nothing is
 * computed by the code under test.
 *
 *   P    UBND tỉnh (province)
 *   ├─ D     UBND huyện (district): dossiers d4, d5; staff; budget; project J1
 *   │  ├─ C1    UBND xã (commune): dossiers d1, d2, d6, d9; staff; spending lines
 *   │  ├─ C2    UBND xã (commune): dossiers d3, d7, d8, d10; staff; project J2
 *   │  └─ S0 … S4  public service units (S0 dissolved 2023-01-01, S2 on 2024-07-01, S4 on 2024-03-01; S3 new in 2023)
 *   └─ Y     UBND huyện Yên Thế: seed 001's district half-year (2,395 resolved: 2,283 early, 101 on time, 11 late)
 *      └─ Y01 … Y61  its 61 public service units (1 self-financing, 2 partly, 58 state-funded)
 *
 * Times are Vietnam time (UTC+7). d5 and d6 straddle the 14th/15th boundary of
 * the reporting month: 2024-06-14 23:30 and 2024-06-15 00:10, the same UTC day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import {
  upsertBudgetExecutionLines,
  upsertInvestmentDisbursements,
  upsertInvestmentProjects,
  upsertPsuFinance,
} from '../../store/finance.ts';
import type {
  BudgetExecutionLine,
  Dossier,
  DossierChannel,
  DossierStatus,
  OnlinePaymentChannel,
  Procedure,
  PsuFinance,
  Staff,
  StaffCategory,
  Unit,
} from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import type { Queryable } from '../../store/db.ts';
import { RECORDED_AT, unit, vn } from '../support/records.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

// ─── The fixture ─────────────────────────────────────────────────────────────────────────────────────────────────

const P = '000.00.00.H98';
const D = '000.00.21.H98';
const C1 = '001.21.00.H98';
const C2 = '002.21.00.H98';
const S = (n: number) => `00${n}.21.31.H98`;
const Y = '000.00.22.H98';
const YP = (n: number) => `${String(n).padStart(3, '0')}.22.31.H98`;

const psu = (code: string, parentCode: string, validFrom: string, validTo: string | null = null, quota?: number) =>
  unit(code, parentCode, 'DISTRICT', {
    kind: 'PUBLIC_SERVICE_UNIT',
    sector: 'EDUCATION',
    validFrom,
    validTo,
    headcountQuota: quota ?? null,
  });

const UNITS: Unit[] = [
  unit(P, null, 'PROVINCE'),
  unit(D, P, 'DISTRICT', { headcountQuota: 10 }),
  unit(C1, D, 'COMMUNE', { headcountQuota: 5 }),
  unit(C2, D, 'COMMUNE'),
  psu(S(0), D, '2018-01-01', '2023-01-01'),
  psu(S(1), D, '2019-01-01', null, 6),
  psu(S(2), D, '2019-01-01', '2024-07-01'),
  psu(S(3), D, '2023-01-01'),
  psu(S(4), D, '2019-01-01', '2024-03-01'),
  unit(Y, P, 'DISTRICT'),
  ...Array.from({ length: 61 }, (_, i) => psu(YP(i + 1), Y, '2020-01-01')),
];

const PF = '2.000001'; // offered as a full-process online service
const PN = '2.000002'; // offline only
const procedure = (code: string, onlineService: Procedure['onlineService']): Procedure => ({
  code,
  name: `Thủ tục ${code}`,
  fieldCode: 'G09-HT',
  fieldName: 'Hộ tịch',
  levels: ['DISTRICT', 'COMMUNE'],
  onlineService,
  hasFee: false,
});

interface Draft {
  unitCode: string;
  procedureCode: string;
  channel: DossierChannel;
  status: DossierStatus;
  receivedAt: Date;
  dueAt: Date | null;
  finishedAt?: Date;
  updatedAt?: Date;
  fullProcessOnline?: boolean;
  hasFee?: boolean;
  onlinePayment?: OnlinePaymentChannel;
  digitised?: boolean;
  electronicResult?: boolean;
}
const dossier = (code: string, d: Draft): Dossier => ({
  code,
  procedureCode: d.procedureCode,
  unitCode: d.unitCode,
  channel: d.channel,
  status: d.status,
  applicantName: null,
  applicantPhone: null,
  receivedAt: d.receivedAt,
  dueAt: d.dueAt,
  finishedAt: d.finishedAt ?? null,
  returnedAt: d.status === 'RETURNED' ? (d.finishedAt ?? null) : null,
  fullProcessOnline: d.fullProcessOnline ?? false,
  hasFee: d.hasFee ?? false,
  onlinePayment: d.onlinePayment ?? null,
  digitised: d.digitised ?? false,
  electronicResult: d.electronicResult ?? false,
  sourceUpdatedAt: d.updatedAt ?? d.finishedAt ?? d.receivedAt,
});

/**
 * The district's dossiers (d1 … d10). In 2024-H1 (calendar, 2024-01-01 … 06-30):
 *
 * | dossier | unit | channel   | received         | due              | finished         | outcome in H1          |
 * |---------|------|-----------|------------------|------------------|------------------|------------------------|
 * | d1      | C1   | ONLINE    | 2024-03-01 09:00 | 2024-03-05 17:00 | 2024-03-04 10:00 | resolved EARLY         |
 * | d2      | C1   | IN_PERSON | 2024-03-02 09:00 | 2024-03-06 17:00 | 2024-03-06 20:00 | resolved ON_TIME (due day) |
 * | d3      | C2   | POSTAL    | 2024-04-01 09:00 | 2024-04-03 17:00 | 2024-04-04 08:00 | resolved LATE          |
 * | d4      | D    | ONLINE    | 2024-05-10 09:00 | none             | 2024-05-12 09:00 | resolved, no due date: ON_TIME |
 * | d5      | D    | ONLINE    | 2024-06-14 23:30 | 2024-06-20 17:00 | open             | pending, overdue at 06-30 |
 * | d6      | C1   | IN_PERSON | 2024-06-15 00:10 | 2024-07-10 17:00 | open             | pending within deadline |
 * | d7      | C2   | ONLINE    | 2023-12-20 09:00 | 2024-01-05 17:00 | 2024-01-10 09:00 | carried over; resolved LATE |
 * | d8      | C2   | IN_PERSON | 2024-02-01 09:00 | 2024-02-10 17:00 | WITHDRAWN 02-03  | received; left, not pending |
 * | d9      | C1   | IN_PERSON | 2023-11-01 09:00 | 2023-11-10 17:00 | 2023-11-05 09:00 | nothing (finished before) |
 * | d10     | C2   | IN_PERSON | 2024-05-01 09:00 | 2024-05-20 17:00 | open             | pending, overdue       |
 *
 * Flags: full-process eligible (procedure PF): d1, d2, d5; of those filed full-process online: d1, d5.
 * Fee: d1, d3, d5, d6; paid online: d1 (national portal), d5 (province gateway). Digitised: d1, d2, d4,
 * d5, d10. Electronic result: d1, d3.
 */
const DISTRICT_DOSSIERS: Dossier[] = [
  dossier('d1', {
    unitCode: C1,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'RETURNED',
    receivedAt: vn('2024-03-01 09:00'),
    dueAt: vn('2024-03-05 17:00'),
    finishedAt: vn('2024-03-04 10:00'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'NATIONAL_PORTAL',
    digitised: true,
    electronicResult: true,
  }),
  dossier('d2', {
    unitCode: C1,
    procedureCode: PF,
    channel: 'IN_PERSON',
    status: 'PROCESSED',
    receivedAt: vn('2024-03-02 09:00'),
    dueAt: vn('2024-03-06 17:00'),
    finishedAt: vn('2024-03-06 20:00'),
    digitised: true,
  }),
  dossier('d3', {
    unitCode: C2,
    procedureCode: PN,
    channel: 'POSTAL',
    status: 'RETURNED',
    receivedAt: vn('2024-04-01 09:00'),
    dueAt: vn('2024-04-03 17:00'),
    finishedAt: vn('2024-04-04 08:00'),
    hasFee: true,
    electronicResult: true,
  }),
  dossier('d4', {
    unitCode: D,
    procedureCode: PN,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2024-05-10 09:00'),
    dueAt: null,
    finishedAt: vn('2024-05-12 09:00'),
    digitised: true,
  }),
  dossier('d5', {
    unitCode: D,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'PROCESSING',
    receivedAt: vn('2024-06-14 23:30'),
    dueAt: vn('2024-06-20 17:00'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'PROVINCE_GATEWAY',
    digitised: true,
  }),
  dossier('d6', {
    unitCode: C1,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'RECEIVED',
    receivedAt: vn('2024-06-15 00:10'),
    dueAt: vn('2024-07-10 17:00'),
    hasFee: true,
  }),
  dossier('d7', {
    unitCode: C2,
    procedureCode: PN,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2023-12-20 09:00'),
    dueAt: vn('2024-01-05 17:00'),
    finishedAt: vn('2024-01-10 09:00'),
  }),
  dossier('d8', {
    unitCode: C2,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'WITHDRAWN',
    receivedAt: vn('2024-02-01 09:00'),
    dueAt: vn('2024-02-10 17:00'),
    updatedAt: vn('2024-02-03 09:00'),
  }),
  dossier('d9', {
    unitCode: C1,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'RETURNED',
    receivedAt: vn('2023-11-01 09:00'),
    dueAt: vn('2023-11-10 17:00'),
    finishedAt: vn('2023-11-05 09:00'),
  }),
  dossier('d10', {
    unitCode: C2,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'PROCESSING',
    receivedAt: vn('2024-05-01 09:00'),
    dueAt: vn('2024-05-20 17:00'),
    digitised: true,
  }),
];

/**
 * Seed 001's district half-year (2024-H1): 2,395 resolved, 2,283 early, 101 on time, 11 late. All
 * received 2024-02-01 08:00, due 2024-02-10 17:00; finished 02-05 (early), 02-10 10:00 (on time),
 * 02-12 (late).
 */
const SEED_DOSSIERS: Dossier[] = Array.from({ length: 2_395 }, (_, i) =>
  dossier(`y${i}`, {
    unitCode: Y,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'RETURNED',
    receivedAt: vn('2024-02-01 08:00'),
    dueAt: vn('2024-02-10 17:00'),
    finishedAt: vn(i < 2_283 ? '2024-02-05 10:00' : i < 2_283 + 101 ? '2024-02-10 10:00' : '2024-02-12 10:00'),
  }),
);

let staffSeq = 0;
const people = (
  unitCode: string,
  category: StaffCategory,
  n: number,
  { meetsStandard = true, status = 'SERVING' }: { meetsStandard?: boolean; status?: Staff['status'] } = {},
): Staff[] =>
  Array.from({ length: n }, () => ({
    id: `NV${String((staffSeq += 1)).padStart(4, '0')}`,
    fullName: 'Trần Thị Bình',
    birthDate: null,
    gender: null,
    unitCode,
    category,
    rankCode: null,
    position: null,
    qualification: null,
    meetsStandard,
    status,
    sourceUpdatedAt: RECORDED_AT,
  }));

/**
 * Staff (serving unless said):
 *   D:  1 cadre, 4 civil servants, 1 contract worker; 1 retired civil servant (not counted)
 *   C1: 2 cadres (1 meets the standard), 2 civil servants (both meet), 1 contract worker
 *   C2: 1 cadre (does not meet), 1 civil servant (meets)
 *   S1: 4 public employees, 1 contract worker;   S2: 2 public employees
 * Quotas: D 10, C1 5, S1 6 (the others none).
 */
const STAFF: Staff[] = [
  ...people(D, 'CADRE', 1),
  ...people(D, 'CIVIL_SERVANT', 4),
  ...people(D, 'CONTRACT_WORKER', 1),
  ...people(D, 'CIVIL_SERVANT', 1, { status: 'RETIRED' }),
  ...people(C1, 'CADRE', 1),
  ...people(C1, 'CADRE', 1, { meetsStandard: false }),
  ...people(C1, 'CIVIL_SERVANT', 2),
  ...people(C1, 'CONTRACT_WORKER', 1),
  ...people(C2, 'CADRE', 1, { meetsStandard: false }),
  ...people(C2, 'CIVIL_SERVANT', 1),
  ...people(S(1), 'PUBLIC_EMPLOYEE', 4),
  ...people(S(1), 'CONTRACT_WORKER', 1),
  ...people(S(2), 'PUBLIC_EMPLOYEE', 2),
];

const finance = (unitCode: string, group: 1 | 2 | 3 | 4, ownRevenue: number, recurrent: number): PsuFinance => ({
  unitCode,
  year: 2024,
  autonomyGroup: group,
  decisionNo: null,
  ownRevenue: String(ownRevenue),
  recurrentExpenditure: String(recurrent),
});

/**
 * Autonomy in 2024: S1 group 3 at 300 / 1,000 (30 %: group 3, agrees); S2 group 2 at 500 / 1,000
 * (50 %: computes as group 3, a mismatch); S4 group 1 at 2,000 / 1,000 (dissolved 2024-03-01, so never
 * at a 2024 period's end after February). Seed district: Y01 group 2 at 1,000 / 1,000; Y02, Y03 group
 * 3 at 150 / 1,000 (15 %); Y04 … Y61 (58) group 4 at 0 / 1,000.
 */
const FINANCE: PsuFinance[] = [
  finance(S(1), 3, 300, 1_000),
  finance(S(2), 2, 500, 1_000),
  finance(S(4), 1, 2_000, 1_000),
  finance(YP(1), 2, 1_000, 1_000),
  finance(YP(2), 3, 150, 1_000),
  finance(YP(3), 3, 150, 1_000),
  ...Array.from({ length: 58 }, (_, i) => finance(YP(i + 4), 4, 0, 1_000)),
];

const line = (
  unitCode: string,
  month: number,
  direction: BudgetExecutionLine['direction'],
  itemCode: string,
  estimate: number,
  executed: number,
): BudgetExecutionLine => ({
  unitCode,
  year: 2024,
  month,
  direction,
  chapterCode: '422',
  categoryCode: '341',
  itemCode,
  subItemCode: `${itemCode}1`,
  estimate: String(estimate),
  executed: String(executed),
});

/**
 * Budget lines of 2024 (cumulative from January):
 *   D  month 3: revenue 1,000 estimated / 200 executed; spending 2,000 / 500
 *   D  month 6: revenue 700 / 400 and 300 / 200 (two items: 1,000 / 600); spending 2,000 / 1,100
 *   C1 month 2: spending 400 / 50;  month 5: spending 400 / 150
 * Investment: J1 (D) month 3: plan 1,000, disbursed 100; month 6: plan 1,200, disbursed 300.
 *             J2 (C2) month 4: plan 800, disbursed 400.
 */
const LINES: BudgetExecutionLine[] = [
  line(D, 3, 'REVENUE', '1000', 1_000, 200),
  line(D, 3, 'SPENDING', '6000', 2_000, 500),
  line(D, 6, 'REVENUE', '1000', 700, 400),
  line(D, 6, 'REVENUE', '1050', 300, 200),
  line(D, 6, 'SPENDING', '6000', 2_000, 1_100),
  line(C1, 2, 'SPENDING', '6000', 400, 50),
  line(C1, 5, 'SPENDING', '6000', 400, 150),
];

async function buildFixture(db: Queryable): Promise<void> {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, [procedure(PF, 'FULL_PROCESS'), procedure(PN, 'NONE')]);
  await upsertDossiers(db, DISTRICT_DOSSIERS);
  await upsertDossiers(db, SEED_DOSSIERS);
  await upsertStaff(db, STAFF);
  await upsertPsuFinance(db, FINANCE);
  await upsertBudgetExecutionLines(db, LINES);
  await upsertInvestmentProjects(db, [
    { code: 'J1', name: 'Đường liên xã', unitCode: D },
    { code: 'J2', name: 'Trường mầm non', unitCode: C2 },
  ]);
  const disbursement = (projectCode: string, month: number, capitalPlan: number, disbursedToDate: number) => ({
    projectCode,
    year: 2024,
    month,
    capitalPlan: String(capitalPlan),
    disbursedToDate: String(disbursedToDate),
  });
  await upsertInvestmentDisbursements(db, [
    disbursement('J1', 3, 1_000, 100),
    disbursement('J1', 6, 1_200, 300),
    disbursement('J2', 4, 800, 400),
  ]);
}

// ─── The queries ─────────────────────────────────────────────────────────────────────────────────────────────────

const VALUE_FIELDS = `code name nameEn value numerator denominator factor unit period convention firstDay lastDay
  unitCode criterion target meetsTarget computedAt parts { code name nameEn value }`;

const INDICATORS = `query Indicators($unitCode: String!, $period: String!, $codes: [String!], $convention: PeriodConvention) {
  indicators(unitCode: $unitCode, period: $period, codes: $codes, convention: $convention) { ${VALUE_FIELDS} }
}`;

interface Part {
  code: string;
  name: string;
  nameEn: string;
  value: number;
}
interface Value {
  code: string;
  name: string;
  nameEn: string;
  value: number | null;
  numerator: number;
  denominator: number | null;
  factor: number;
  unit: string;
  period: string;
  convention: string;
  firstDay: string;
  lastDay: string;
  unitCode: string;
  criterion: string | null;
  target: number | null;
  meetsTarget: boolean | null;
  computedAt: string;
  parts: Part[];
}

describe.each(testBackends)('indicators in the graph on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await buildFixture(store.db);
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db);
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  /** The indicators of a unit by code; fails on any error. */
  async function indicators(
    unitCode: string,
    period: string,
    codes?: string[],
    convention?: 'CALENDAR' | 'REPORTING',
  ): Promise<Record<string, Value>> {
    const { data, errors } = await hub.gql<{ indicators: Value[] }>(INDICATORS, {
      unitCode,
      period,
      codes,
      convention,
    });
    expect(errors).toBeUndefined();
    return Object.fromEntries(data!.indicators.map((v) => [v.code, v]));
  }

  /** numerator, denominator, value and (when given) the parts' values by code. */
  const figures = (v: Value) => ({
    numerator: v.numerator,
    denominator: v.denominator,
    value: v.value,
    ...(v.parts.length > 0 ? { parts: Object.fromEntries(v.parts.map((p) => [p.code, p.value])) } : {}),
  });

  // ─── One-stop-shop ──────────────────────────────────────────────────────────────────────────────────────────────

  it('counts the district’s dossiers in 2024-H1 as form 06 does', async () => {
    const v = await indicators(D, '2024-H1', ['DOSSIER_RECEIVED', 'DOSSIER_RESOLVED', 'DOSSIER_PENDING']);
    // Received in H1: d1 d2 d3 d4 d5 d6 d8 d10 = 8 (online d1 d4 d5 = 3; in person d2 d6 d8 d10 = 4; postal d3 = 1);
    // carried over: d7 (received 2023-12-20, finished 2024-01-10) = 1; d9 finished before the period. 8 + 1 = 9.
    expect(figures(v.DOSSIER_RECEIVED!)).toEqual({
      numerator: 9,
      denominator: null,
      value: 9,
      parts: { ONLINE: 3, IN_PERSON: 4, POSTAL: 1, CARRIED_OVER: 1 },
    });
    // Resolved in H1: d1 early; d2 on the due day and d4 without a due date: on time; d3 and d7 late. 1 + 2 + 2 = 5.
    expect(figures(v.DOSSIER_RESOLVED!)).toEqual({
      numerator: 5,
      denominator: null,
      value: 5,
      parts: { EARLY: 1, ON_TIME: 2, LATE: 2 },
    });
    // Pending at 2024-07-01 00:00: d5 (due 06-20: overdue), d6 (due 07-10: within), d10 (due 05-20: overdue);
    // d8 was withdrawn. 1 + 2 = 3. (Balance: 1 carried + 8 received = 5 resolved + 3 pending + 1 withdrawn.)
    expect(figures(v.DOSSIER_PENDING!)).toEqual({
      numerator: 3,
      denominator: null,
      value: 3,
      parts: { WITHIN_DEADLINE: 1, OVERDUE: 2 },
    });
    expect(v.DOSSIER_RECEIVED!.parts.map((p) => [p.code, p.name, p.nameEn])).toEqual([
      ['ONLINE', 'Trực tuyến', 'Online'],
      ['IN_PERSON', 'Trực tiếp', 'In person'],
      ['POSTAL', 'Qua dịch vụ bưu chính công ích', 'By public postal service'],
      ['CARRIED_OVER', 'Từ kỳ trước chuyển qua', 'Carried over'],
    ]);
  });

  it('divides the dossier rates over the district’s subtree in 2024-H1', async () => {
    const v = await indicators(D, '2024-H1');
    // (early 1 + on time 2) / resolved 5
    expect(figures(v.ON_TIME_RATE!)).toEqual({ numerator: 3, denominator: 5, value: 60 });
    // online 3 / received 8 (carried over excluded) = 37.5 %
    expect(figures(v.ONLINE_SUBMISSION_RATE!)).toEqual({ numerator: 3, denominator: 8, value: 37.5 });
    // full-process online d1 d5 = 2 / eligible d1 d2 d5 = 3
    expect(figures(v.FULL_PROCESS_ONLINE_RATE!)).toEqual({ numerator: 2, denominator: 3, value: (2 * 100) / 3 });
    // paid online d1 d5 = 2 / with a fee d1 d3 d5 d6 = 4
    expect(figures(v.ONLINE_PAYMENT_RATE!)).toEqual({ numerator: 2, denominator: 4, value: 50 });
    // digitised d1 d2 d4 d5 d10 = 5 / received 8
    expect(figures(v.DIGITISATION_RATE!)).toEqual({ numerator: 5, denominator: 8, value: 62.5 });
    // electronic result d1 d3 = 2 / resolved 5
    expect(figures(v.ELECTRONIC_RESULT_RATE!)).toEqual({ numerator: 2, denominator: 5, value: 40 });
    expect(v.ON_TIME_RATE).toMatchObject({
      name: 'Tỷ lệ hồ sơ giải quyết đúng hạn',
      nameEn: 'On-time rate',
      factor: 100,
      unit: 'PERCENT',
      period: '2024-H1',
      convention: 'CALENDAR',
      firstDay: '2024-01-01',
      lastDay: '2024-06-30',
      unitCode: D,
    });
  });

  it('gives seed 001’s district its on-time rate (2,283 + 101) / 2,395 and self-financing share 1 / 61', async () => {
    const v = await indicators(Y, '2024-H1', [
      'ON_TIME_RATE',
      'DOSSIER_RESOLVED',
      'PSU_SELF_FINANCING_SHARE',
      'PSU_PARTIAL_SELF_FINANCING_SHARE',
    ]);
    expect(figures(v.ON_TIME_RATE!)).toEqual({ numerator: 2_384, denominator: 2_395, value: (2_384 * 100) / 2_395 });
    expect(v.ON_TIME_RATE!.value).toBeCloseTo(99.54, 2);
    expect(v.DOSSIER_RESOLVED!.parts.map((p) => p.value)).toEqual([2_283, 101, 11]);
    // 61 units: Y01 group 2; Y02, Y03 group 3; 58 group 4
    expect(figures(v.PSU_SELF_FINANCING_SHARE!)).toEqual({ numerator: 1, denominator: 61, value: 100 / 61 });
    expect(figures(v.PSU_PARTIAL_SELF_FINANCING_SHARE!)).toEqual({ numerator: 2, denominator: 61, value: 200 / 61 });
    // A district: PAR INDEX 3.4.2.
    expect(v.ON_TIME_RATE!.criterion).toBe('3.4.2');
  });

  it('sums numerators and denominators over the whole province before dividing', async () => {
    const v = await indicators(P, '2024-H1', ['ON_TIME_RATE', 'PSU_COUNT']);
    // (3 + 2,384) / (5 + 2,395): the rate of the totals, not an average of the districts' rates
    expect(figures(v.ON_TIME_RATE!)).toEqual({ numerator: 2_387, denominator: 2_400, value: (2_387 * 100) / 2_400 });
    // At 2024-06-30: S1 S2 S3 + Y01 … Y61 = 64
    expect(figures(v.PSU_COUNT!)).toEqual({ numerator: 64, denominator: null, value: 64 });
    expect(v.ON_TIME_RATE!.criterion).toBe('3.4.1');
  });

  // ─── Cadre database ─────────────────────────────────────────────────────────────────────────────────────────────

  it('counts the district’s staff at the period’s end', async () => {
    const h1 = await indicators(D, '2024-H1', ['STAFF_COUNT', 'HEADCOUNT_FILL_RATE', 'COMMUNE_CADRE_STANDARD_RATE']);
    // D 6 + C1 5 + C2 2 + S1 5 + S2 2 = 20 serving (the retired one excluded):
    // cadres 1 + 2 + 1 = 4; civil servants 4 + 2 + 1 = 7; public employees 4 + 2 = 6; contract 1 + 1 + 1 = 3
    expect(figures(h1.STAFF_COUNT!)).toEqual({
      numerator: 20,
      denominator: null,
      value: 20,
      parts: { CADRE: 4, CIVIL_SERVANT: 7, PUBLIC_EMPLOYEE: 6, CONTRACT_WORKER: 3 },
    });
    // Units with a quota: D 10 + C1 5 + S1 6 = 21; filled by their cadres, civil servants and public
    // employees: D 5 + C1 4 + S1 4 = 13
    expect(figures(h1.HEADCOUNT_FILL_RATE!)).toEqual({ numerator: 13, denominator: 21, value: (13 * 100) / 21 });
    // Commune cadres and civil servants: C1 4 + C2 2 = 6; meeting the standard: C1 3 + C2 1 = 4
    expect(figures(h1.COMMUNE_CADRE_STANDARD_RATE!)).toEqual({ numerator: 4, denominator: 6, value: (4 * 100) / 6 });
    expect(h1.COMMUNE_CADRE_STANDARD_RATE!.criterion).toBe('5.6');
    // At 2024-12-31, S2 (dissolved 2024-07-01) and its 2 public employees are gone: 20 - 2 = 18
    const year = await indicators(D, '2024', ['STAFF_COUNT']);
    expect(year.STAFF_COUNT!.numerator).toBe(18);
    expect(year.STAFF_COUNT!.parts.find((p) => p.code === 'PUBLIC_EMPLOYEE')!.value).toBe(4);
  });

  // ─── Budget system ──────────────────────────────────────────────────────────────────────────────────────────────

  it('counts public service units and their autonomy, before and after a dissolution', async () => {
    const codes = [
      'PSU_COUNT',
      'PSU_SELF_FINANCING_SHARE',
      'PSU_PARTIAL_SELF_FINANCING_SHARE',
      'PSU_SELF_FINANCING_LEVEL',
      'PSU_REDUCTION_SINCE_2021',
      'PSU_GROUP_MISMATCH',
    ];
    const h1 = await indicators(D, '2024-H1', codes);
    // At 2024-06-30: S1 S2 S3 (S0 and S4 dissolved) = 3
    expect(figures(h1.PSU_COUNT!)).toEqual({ numerator: 3, denominator: null, value: 3 });
    // Group 1 or 2 among them: S2 = 1; group 3: S1 = 1
    expect(figures(h1.PSU_SELF_FINANCING_SHARE!)).toEqual({ numerator: 1, denominator: 3, value: 100 / 3 });
    expect(figures(h1.PSU_PARTIAL_SELF_FINANCING_SHARE!)).toEqual({ numerator: 1, denominator: 3, value: 100 / 3 });
    // S1 + S2: revenue 300 + 500 = 800, recurrent 1,000 + 1,000 = 2,000 (S4's record is not counted)
    expect(figures(h1.PSU_SELF_FINANCING_LEVEL!)).toEqual({ numerator: 800, denominator: 2_000, value: 40 });
    // On 2021-12-31: S0 S1 S2 S4 = 4; now 3; reduction 1 / 4
    expect(figures(h1.PSU_REDUCTION_SINCE_2021!)).toEqual({ numerator: 1, denominator: 4, value: 25 });
    expect(h1.PSU_REDUCTION_SINCE_2021!.criterion).toBe('4.1.3');
    // S2: 50 % computes as group 3, assigned 2
    expect(figures(h1.PSU_GROUP_MISMATCH!)).toEqual({ numerator: 1, denominator: null, value: 1 });

    const year = await indicators(D, '2024', codes);
    // At 2024-12-31: S1 S3 = 2 (S2 dissolved on 2024-07-01)
    expect(figures(year.PSU_COUNT!)).toEqual({ numerator: 2, denominator: null, value: 2 });
    // None in group 1 or 2 any more: 0 / 2 is 0, not null
    expect(figures(year.PSU_SELF_FINANCING_SHARE!)).toEqual({ numerator: 0, denominator: 2, value: 0 });
    expect(figures(year.PSU_PARTIAL_SELF_FINANCING_SHARE!)).toEqual({ numerator: 1, denominator: 2, value: 50 });
    expect(figures(year.PSU_SELF_FINANCING_LEVEL!)).toEqual({ numerator: 300, denominator: 1_000, value: 30 });
    // 4 - 2 = 2 of 4
    expect(figures(year.PSU_REDUCTION_SINCE_2021!)).toEqual({ numerator: 2, denominator: 4, value: 50 });
    expect(figures(year.PSU_GROUP_MISMATCH!)).toEqual({ numerator: 0, denominator: null, value: 0 });
  });

  it('reads the budget as of the period’s last calendar month, whatever the convention', async () => {
    const codes = ['BUDGET_REVENUE_EXECUTION_RATE', 'BUDGET_SPENDING_EXECUTION_RATE', 'INVESTMENT_DISBURSEMENT_RATE'];
    const h1 = await indicators(D, '2024-H1', codes);
    // Month 6: D revenue 400 + 200 = 600 of 700 + 300 = 1,000
    expect(figures(h1.BUDGET_REVENUE_EXECUTION_RATE!)).toEqual({ numerator: 600, denominator: 1_000, value: 60 });
    // D month 6: 1,100 of 2,000; C1's latest month <= 6 is 5: 150 of 400 → 1,250 of 2,400
    expect(figures(h1.BUDGET_SPENDING_EXECUTION_RATE!)).toEqual({
      numerator: 1_250,
      denominator: 2_400,
      value: (1_250 * 100) / 2_400,
    });
    // J1 as of month 6: 300 of 1,200; J2 as of month 4: 400 of 800 → 700 of 2,000
    expect(figures(h1.INVESTMENT_DISBURSEMENT_RATE!)).toEqual({ numerator: 700, denominator: 2_000, value: 35 });
    expect(h1.INVESTMENT_DISBURSEMENT_RATE!.criterion).toBe('6.1.1');

    const march = await indicators(D, '2024-03', codes);
    // Month 3: D revenue 200 of 1,000; spending D 500 of 2,000 + C1 (month 2) 50 of 400 = 550 of 2,400;
    // J1 as of month 3: 100 of 1,000; J2 has nothing before month 4
    expect(figures(march.BUDGET_REVENUE_EXECUTION_RATE!)).toEqual({ numerator: 200, denominator: 1_000, value: 20 });
    expect(figures(march.BUDGET_SPENDING_EXECUTION_RATE!)).toEqual({
      numerator: 550,
      denominator: 2_400,
      value: (550 * 100) / 2_400,
    });
    expect(figures(march.INVESTMENT_DISBURSEMENT_RATE!)).toEqual({ numerator: 100, denominator: 1_000, value: 10 });

    // Reporting H1 ends 2024-06-14: still month 6 of 2024, as in the calendar H1
    const reporting = await indicators(D, '2024-H1', codes, 'REPORTING');
    expect(figures(reporting.BUDGET_REVENUE_EXECUTION_RATE!)).toEqual(figures(h1.BUDGET_REVENUE_EXECUTION_RATE!));
    expect(reporting.BUDGET_REVENUE_EXECUTION_RATE!.firstDay).toBe('2023-12-15');
  });

  // ─── Across systems ─────────────────────────────────────────────────────────────────────────────────────────────

  it('relates dossiers to the staff and spending of the units that handled them', async () => {
    const codes = ['DOSSIERS_PER_CIVIL_SERVANT', 'RECURRENT_COST_PER_DOSSIER'];
    const h1 = await indicators(D, '2024-H1', codes);
    // Resolved 5 / cadres and civil servants of the units that received dossiers in H1 (D, C1, C2): 5 + 4 + 2 = 11
    expect(figures(h1.DOSSIERS_PER_CIVIL_SERVANT!)).toEqual({ numerator: 5, denominator: 11, value: 5 / 11 });
    // Units that resolved in H1 and report spending in 2024: D (d4) and C1 (d1, d2), not C2 → 1 + 2 = 3 dossiers;
    // their spending since January: D 1,100 (month 6) + C1 150 (month 5) = 1,250
    expect(figures(h1.RECURRENT_COST_PER_DOSSIER!)).toEqual({ numerator: 1_250, denominator: 3, value: 1_250 / 3 });

    const q2 = await indicators(D, '2024-Q2', codes);
    // Q2 resolved: d3 (C2), d4 (D) = 2; received in Q2 by D (d4, d5), C1 (d6), C2 (d3, d10): 5 + 4 + 2 = 11
    expect(figures(q2.DOSSIERS_PER_CIVIL_SERVANT!)).toEqual({ numerator: 2, denominator: 11, value: 2 / 11 });
    // Only D resolved in Q2 and reports spending: 1 dossier; spent within Q2: 1,100 (month 6) - 500 (month 3) = 600
    expect(figures(q2.RECURRENT_COST_PER_DOSSIER!)).toEqual({ numerator: 600, denominator: 1, value: 600 });
  });

  // ─── Zero denominators, periods, criteria, targets ──────────────────────────────────────────────────────────────

  it('gives a null value, not an error, when the denominator is 0', async () => {
    // June 2024: nothing resolved in the district
    const june = await indicators(D, '2024-06', [
      'ON_TIME_RATE',
      'ELECTRONIC_RESULT_RATE',
      'RECURRENT_COST_PER_DOSSIER',
    ]);
    for (const code of ['ON_TIME_RATE', 'ELECTRONIC_RESULT_RATE', 'RECURRENT_COST_PER_DOSSIER']) {
      expect(figures(june[code]!)).toEqual({ numerator: 0, denominator: 0, value: null });
    }
    // C2 has no quota, no budget lines and no public service units
    const c2 = await indicators(C2, '2024-H1', [
      'HEADCOUNT_FILL_RATE',
      'BUDGET_SPENDING_EXECUTION_RATE',
      'PSU_SELF_FINANCING_SHARE',
    ]);
    expect(figures(c2.HEADCOUNT_FILL_RATE!)).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(figures(c2.BUDGET_SPENDING_EXECUTION_RATE!)).toEqual({ numerator: 0, denominator: 0, value: null });
    expect(figures(c2.PSU_SELF_FINANCING_SHARE!)).toEqual({ numerator: 0, denominator: 0, value: null });
  });

  it('cuts calendar and reporting months at the 14th/15th boundary in Vietnam time', async () => {
    const codes = ['DOSSIER_RECEIVED', 'DOSSIER_PENDING'];
    const calendar = await indicators(D, '2024-06', codes, 'CALENDAR');
    // 1 … 30 June: received d5 (14th 23:30) and d6 (15th 00:10); carried over d10 (open since 05-01)
    expect(figures(calendar.DOSSIER_RECEIVED!)).toEqual({
      numerator: 3,
      denominator: null,
      value: 3,
      parts: { ONLINE: 1, IN_PERSON: 1, POSTAL: 0, CARRIED_OVER: 1 },
    });
    expect(calendar.DOSSIER_RECEIVED).toMatchObject({ firstDay: '2024-06-01', lastDay: '2024-06-30' });
    const reporting = await indicators(D, '2024-06', codes, 'REPORTING');
    // 15 May … 14 June: received d5 only (d6 came 40 minutes later, on the 15th); carried over d10
    expect(figures(reporting.DOSSIER_RECEIVED!)).toEqual({
      numerator: 2,
      denominator: null,
      value: 2,
      parts: { ONLINE: 1, IN_PERSON: 0, POSTAL: 0, CARRIED_OVER: 1 },
    });
    // Pending at 15 June 00:00: d5 (due 06-20: within the deadline), d10 (due 05-20: overdue)
    expect(figures(reporting.DOSSIER_PENDING!)).toEqual({
      numerator: 2,
      denominator: null,
      value: 2,
      parts: { WITHIN_DEADLINE: 1, OVERDUE: 1 },
    });
    expect(reporting.DOSSIER_RECEIVED).toMatchObject({
      period: '2024-06',
      convention: 'REPORTING',
      firstDay: '2024-05-15',
      lastDay: '2024-06-14',
    });
    const july = await indicators(D, '2024-07', codes, 'REPORTING');
    // 15 June … 14 July: received d6; carried over d5 and d10
    expect(figures(july.DOSSIER_RECEIVED!)).toEqual({
      numerator: 3,
      denominator: null,
      value: 3,
      parts: { ONLINE: 0, IN_PERSON: 1, POSTAL: 0, CARRIED_OVER: 2 },
    });
    expect(july.DOSSIER_RECEIVED).toMatchObject({ firstDay: '2024-06-15', lastDay: '2024-07-14' });
  });

  it('picks the criterion by the unit’s level, with the catalog’s default targets when none is stored', async () => {
    const c1 = await indicators(C1, '2024-h1');
    expect(c1.ON_TIME_RATE!.criterion).toBe('3.4.3');
    expect(c1.ON_TIME_RATE!.period).toBe('2024-H1');
    expect(c1.FULL_PROCESS_ONLINE_RATE!.criterion).toBe('7.3.6');
    expect(c1.ONLINE_PAYMENT_RATE!.criterion).toBe('7.3.7');
    expect(c1.ONLINE_SUBMISSION_RATE!.criterion).toBe('SERVICE_INDEX');
    expect(c1.DOSSIER_RECEIVED!.criterion).toBeNull();
    // Nothing is stored: the four defaults of the catalog (seeds 002 and 004), no target elsewhere.
    const defaults: Record<string, number> = {
      ON_TIME_RATE: 98.5,
      FULL_PROCESS_ONLINE_RATE: 85,
      ONLINE_PAYMENT_RATE: 50,
      PSU_REDUCTION_SINCE_2021: 10,
    };
    for (const [code, v] of Object.entries(c1)) {
      expect(v.target, code).toBe(defaults[code] ?? null);
      if (v.target === null) expect(v.meetsTarget, code).toBeNull();
    }
  });

  it('evaluates the whole catalog by default, in its order, and the codes asked in theirs', async () => {
    const { data } = await hub.gql<{ indicatorCatalog: { code: string }[] }>(`{ indicatorCatalog { code } }`);
    const catalog = data!.indicatorCatalog.map((i) => i.code);
    expect(catalog).toHaveLength(23);
    expect(Object.keys(await indicators(D, '2024'))).toEqual(catalog);
    const asked = await hub.gql<{ indicators: { code: string }[] }>(INDICATORS, {
      unitCode: D,
      period: '2024',
      codes: ['PSU_COUNT', 'ON_TIME_RATE', 'PSU_COUNT'],
    });
    expect(asked.data!.indicators.map((v) => v.code)).toEqual(['PSU_COUNT', 'ON_TIME_RATE']);
  });

  it('keeps every breakdown equal to its numerator', async () => {
    for (const [unitCode, period, convention] of [
      [P, '2024-H1', 'CALENDAR'],
      [D, '2024-06', 'REPORTING'],
      [C2, '2024-Q1', 'CALENDAR'],
      [D, '2024', 'CALENDAR'],
    ] as const) {
      for (const v of Object.values(await indicators(unitCode, period, undefined, convention))) {
        if (v.parts.length === 0) continue;
        expect({ code: v.code, sum: v.parts.reduce((s, p) => s + p.value, 0) }).toEqual({
          code: v.code,
          sum: v.numerator,
        });
      }
    }
  });

  it('explains each indicator through indicatorCatalog and IndicatorValue.indicator', async () => {
    const { data, errors } = await hub.gql(`{
      indicatorCatalog { code name nameEn description factor unit sources criterion direction
        criterionByLevel { level criterion } numerator { description figures } denominator { description figures }
        parts { code name nameEn figures } }
      indicators(unitCode: "${C1}", period: "2024", codes: ["ON_TIME_RATE"]) { indicator { code } orgUnit { code level } }
    }`);
    expect(errors).toBeUndefined();
    const onTime = data.indicatorCatalog.find((i: { code: string }) => i.code === 'ON_TIME_RATE');
    expect(onTime).toMatchObject({
      name: 'Tỷ lệ hồ sơ giải quyết đúng hạn',
      factor: 100,
      unit: 'PERCENT',
      sources: ['ONE_STOP_SHOP'],
      criterion: null,
      direction: 'HIGHER_IS_BETTER',
      criterionByLevel: [
        { level: 'PROVINCE', criterion: '3.4.1' },
        { level: 'DISTRICT', criterion: '3.4.2' },
        { level: 'COMMUNE', criterion: '3.4.3' },
      ],
      numerator: { figures: ['DOSSIERS.resolvedEarly', 'DOSSIERS.resolvedOnTime'] },
      denominator: { figures: ['DOSSIERS.resolved'] },
      parts: [],
    });
    const received = data.indicatorCatalog.find((i: { code: string }) => i.code === 'DOSSIER_RECEIVED');
    expect(received).toMatchObject({ denominator: null, factor: 1, unit: 'DOSSIERS', criterionByLevel: [] });
    expect(received.parts.map((p: { code: string }) => p.code)).toEqual([
      'ONLINE',
      'IN_PERSON',
      'POSTAL',
      'CARRIED_OVER',
    ]);
    expect(data.indicators).toEqual([{ indicator: { code: 'ON_TIME_RATE' }, orgUnit: { code: C1, level: 'COMMUNE' } }]);
  });

  // ─── Freshness ──────────────────────────────────────────────────────────────────────────────────────────────────

  it('reports each needed source’s last successful sync and the lag to computedAt', async () => {
    await store.db.query(
      `INSERT INTO sync_runs (source, instance, trigger, started_at, finished_at, status) VALUES
         ('ONE_STOP_SHOP', 'test:1', 'COMMAND', '2024-07-01T00:00:00Z', '2024-07-01T00:10:00Z', 'SUCCEEDED'),
         ('ONE_STOP_SHOP', 'test:1', 'COMMAND', '2024-07-02T00:00:00Z', '2024-07-02T00:05:00Z', 'FAILED'),
         ('BUDGET', 'test:1', 'COMMAND', '2024-06-01T00:00:00Z', '2024-06-01T00:01:00Z', 'SUCCEEDED')`,
    );
    const { data, errors } = await hub.gql(`{
      indicators(unitCode: "${D}", period: "2024-H1", codes: ["ON_TIME_RATE", "RECURRENT_COST_PER_DOSSIER", "STAFF_COUNT"]) {
        code computedAt freshness { source lastSuccessAt lagSeconds } }
    }`);
    expect(errors).toBeUndefined();
    const [onTime, cost, staff] = data.indicators;
    // The failed pass after the success does not count
    expect(onTime.freshness).toEqual([
      {
        source: 'ONE_STOP_SHOP',
        lastSuccessAt: '2024-07-01T00:10:00.000Z',
        lagSeconds: Math.round((Date.parse(onTime.computedAt) - Date.parse('2024-07-01T00:10:00Z')) / 1000),
      },
    ]);
    expect(cost.freshness.map((f: { source: string; lastSuccessAt: string }) => [f.source, f.lastSuccessAt])).toEqual([
      ['ONE_STOP_SHOP', '2024-07-01T00:10:00.000Z'],
      ['BUDGET', '2024-06-01T00:01:00.000Z'],
    ]);
    // Never synced: no instant, no lag
    expect(staff.freshness).toEqual([{ source: 'CADRE_DB', lastSuccessAt: null, lagSeconds: null }]);
    expect(Date.parse(onTime.computedAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(onTime.computedAt)).toBeLessThan(60_000);
  });

  // ─── Errors and unknowns ────────────────────────────────────────────────────────────────────────────────────────

  it('answers BAD_USER_INPUT naming an unknown unit', async () => {
    const { data, errors } = await hub.gql(INDICATORS, { unitCode: 'no.such.unit', period: '2024' });
    expect(data?.indicators ?? null).toBeNull();
    expect(errors?.map((e) => e.extensions)).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'unitCode', unitCode: 'no.such.unit' }),
    ]);
  });

  it.each(['2024-13', '2024-Q5', '2024-H3', '24', 'garbage'])('refuses the period %j as bad input', async (period) => {
    const root = await hub.gql(INDICATORS, { unitCode: D, period });
    expect(root.data?.indicators ?? null).toBeNull();
    expect(root.errors).toHaveLength(1);
    expect(root.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'period' } });
    expect(root.errors![0]!.message).toContain(`Invalid period ${JSON.stringify(period)}`);
    // An unknown unit does not hide a malformed period
    const unknownUnit = await hub.gql(INDICATORS, { unitCode: 'no.such.unit', period });
    expect(unknownUnit.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'period' } });
    const nested = await hub.gql(`query($p: String!) { unit(code: "${D}") { indicators(period: $p) { code } } }`, {
      p: period,
    });
    expect(nested.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'period' } });
  });

  it('refuses unknown indicator codes, naming them', async () => {
    const { data, errors } = await hub.gql(INDICATORS, {
      unitCode: D,
      period: '2024',
      codes: ['ON_TIME_RATE', 'ON_TIME', 'on_time_rate', 'ON_TIME'],
    });
    expect(data?.indicators ?? null).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({
      message: 'Unknown indicator codes: ON_TIME, on_time_rate (the codes are listed by indicatorCatalog)',
      extensions: { code: 'BAD_USER_INPUT', argument: 'codes' },
    });
    const nested = await hub.gql(`{ unit(code: "${C1}") { indicators(period: "2024", codes: ["NOPE"]) { code } } }`);
    expect(nested.errors![0]).toMatchObject({
      message: 'Unknown indicator code: NOPE (the codes are listed by indicatorCatalog)',
      extensions: { code: 'BAD_USER_INPUT', argument: 'codes' },
    });
  });

  // ─── Batching ───────────────────────────────────────────────────────────────────────────────────────────────────

  it.each([2, 40])('evaluates Unit.indicators for a page of %i units in one statement per group', async (first) => {
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(`{
      units(first: ${first}) { edges { node { code indicators(period: "2024-H1") { code value freshness { source } } } } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.units.edges).toHaveLength(first);
    for (const edge of data.units.edges) expect(edge.node.indicators).toHaveLength(23);
    // The page; DOSSIERS, STAFF, PSU, BUDGET, CROSS once each for every unit; the sources' freshness once.
    expect(counted.statements).toHaveLength(1 + 5 + 1);
  });

  it('gives each unit of a page its own figures', async () => {
    const { data, errors } = await hub.gql(`{
      units(first: 4, filter: { parentCode: "${D}" }) {
        edges { node { code indicators(period: "2024-H1", codes: ["DOSSIER_RESOLVED", "STAFF_COUNT"]) { code numerator } } }
      }
    }`);
    expect(errors).toBeUndefined();
    const byUnit = Object.fromEntries(
      data.units.edges.map((e: { node: { code: string; indicators: { numerator: number }[] } }) => [
        e.node.code,
        e.node.indicators.map((v) => v.numerator),
      ]),
    );
    // The first four children by code: S0 (dissolved: nothing), C1 (d1, d2 resolved; 5 staff), S1 (5 staff), C2 (d3, d7; 2 staff)
    expect(byUnit).toEqual({ [C1]: [2, 5], [C2]: [2, 2], [S(0)]: [0, 0], [S(1)]: [0, 5] });
  });
});
