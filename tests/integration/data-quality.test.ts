/**
 * Data-quality rules through the graph: each rule fires on records built to
 * break it and stays silent on clean ones. Two subtrees under one province:
 *
 *   P    UBND tỉnh
 *   ├─ CL    clean district: every kind of dossier life (carried over, left, pending across the end, no due
 *   │        date), a consistent public service unit, a dissolved unit without serving staff, spending that
 *   │        only grows (above its estimate), revenue that falls (refunds are allowed)
 *   │  ├─ CLC   UBND xã (dossiers k1 … k8, serving staff)
 *   │  ├─ CLX   xã dissolved on 2024-05-01 (a retired member of staff only)
 *   │  └─ CLP   public service unit, group 3 at 50 %
 *   └─ BR    broken district: its own spending lines fall
 *      ├─ B1    dossiers that do not balance (b1) and one due before it was received (b2)
 *      ├─ B2    dossiers closed before they were received (c1, c2), balanced
 *      ├─ B3    two dossiers whose count rollup is then corrupted (+2)
 *      ├─ BX    xã dissolved on 2024-05-01, two serving staff
 *      └─ BP1 … BP4  public service units; BP1 (assigned 2, 50 %) and BP4 (assigned 3, 5 %) contradict
 *
 * Times are Vietnam time (UTC+7). Expected violations are worked out by hand beside each case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertBudgetExecutionLines, upsertPsuFinance } from '../../store/finance.ts';
import type { BudgetExecutionLine, Dossier, DossierChannel, DossierStatus, Staff, Unit } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import type { Queryable } from '../../store/db.ts';
import { RECORDED_AT, unit, vn } from '../support/records.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.Q96';
const CL = '000.00.41.Q96';
const CLC = '001.41.00.Q96';
const CLX = '002.41.00.Q96';
const CLP = '003.41.51.Q96';
const BR = '000.00.42.Q96';
const B1 = '001.42.00.Q96';
const B2 = '002.42.00.Q96';
const B3 = '003.42.00.Q96';
const BX = '004.42.00.Q96';
const BP = (n: number) => `00${n}.42.51.Q96`;
const PROC = '4.000001';

const psu = (code: string, parentCode: string) =>
  unit(code, parentCode, 'DISTRICT', { kind: 'PUBLIC_SERVICE_UNIT', sector: 'EDUCATION' });

const UNITS: Unit[] = [
  unit(P, null, 'PROVINCE'),
  unit(CL, P, 'DISTRICT'),
  unit(CLC, CL, 'COMMUNE'),
  unit(CLX, CL, 'COMMUNE', { validTo: '2024-05-01' }),
  psu(CLP, CL),
  unit(BR, P, 'DISTRICT'),
  unit(B1, BR, 'COMMUNE'),
  unit(B2, BR, 'COMMUNE'),
  unit(B3, BR, 'COMMUNE'),
  unit(BX, BR, 'COMMUNE', { validTo: '2024-05-01' }),
  ...[1, 2, 3, 4].map((n) => psu(BP(n), BR)),
];

interface Draft {
  unit: string;
  channel?: DossierChannel;
  status: DossierStatus;
  received: string;
  due?: string | null;
  finished?: string;
  /** NgayCapNhat; the finish, else the reception, when not given. */
  updated?: string;
}
const dossier = (code: string, d: Draft): Dossier => {
  const receivedAt = vn(d.received);
  const finishedAt = d.finished ? vn(d.finished) : null;
  return {
    code,
    procedureCode: PROC,
    unitCode: d.unit,
    channel: d.channel ?? 'IN_PERSON',
    status: d.status,
    applicantName: null,
    applicantPhone: null,
    receivedAt,
    dueAt: d.due === null ? null : vn(d.due ?? '2025-06-30 17:00'),
    finishedAt,
    returnedAt: d.status === 'RETURNED' ? finishedAt : null,
    fullProcessOnline: false,
    hasFee: false,
    onlinePayment: null,
    digitised: false,
    electronicResult: false,
    sourceUpdatedAt: d.updated ? vn(d.updated) : (finishedAt ?? receivedAt),
  };
};

/**
 * Clean, in 2024 (S = 2024-01-01, E = 2025-01-01):
 *   carried over k1, k5 (2) + received k2, k3, k6, k7, k8 (5) = 7
 *   resolved k1, k7, k8 (3) + pending k2, k6 (2) + left k3, k5 (2) = 7
 * and in 2024-Q1 (E = 2024-04-01): carried over k1, k5 + received k2, k3 = 4 = resolved k1 + pending k2 + left k3, k5.
 */
const CLEAN_DOSSIERS: Dossier[] = [
  dossier('k1', { unit: CLC, status: 'RETURNED', received: '2023-12-20 09:00', finished: '2024-01-05 10:00' }),
  dossier('k2', { unit: CLC, status: 'PROCESSING', received: '2024-02-01 09:00' }),
  dossier('k3', {
    unit: CLC,
    channel: 'POSTAL',
    status: 'WITHDRAWN',
    received: '2024-03-01 09:00',
    updated: '2024-03-02 09:00',
  }),
  dossier('k4', { unit: CLC, status: 'REFUSED', received: '2023-11-01 09:00', updated: '2023-11-05 09:00' }),
  dossier('k5', { unit: CLC, status: 'STOPPED', received: '2023-12-01 09:00', updated: '2024-02-01 09:00' }),
  dossier('k6', { unit: CLC, status: 'RETURNED', received: '2024-12-30 09:00', finished: '2025-01-03 09:00' }),
  dossier('k7', {
    unit: CLC,
    channel: 'ONLINE',
    status: 'RETURNED',
    received: '2024-06-01 09:00',
    due: '2024-06-05 17:00',
    finished: '2024-06-03 09:00',
  }),
  dossier('k8', {
    unit: CLC,
    status: 'PROCESSED',
    received: '2024-06-20 09:00',
    due: null,
    finished: '2024-07-01 09:00',
  }),
];

const BROKEN_DOSSIERS: Dossier[] = [
  // B1: b1 is still PROCESSING but has a finish date: neither resolved, pending nor left.
  // Received 3 (b1, b2, b3) ≠ resolved 1 (b2) + pending 1 (b3) + left 0 = 2.
  dossier('b1', { unit: B1, status: 'PROCESSING', received: '2024-03-01 09:00', finished: '2024-03-05 09:00' }),
  // b2 is due on 2024-03-01, the day before it was received (balanced: received and resolved).
  dossier('b2', {
    unit: B1,
    status: 'RETURNED',
    received: '2024-03-02 09:00',
    due: '2024-03-01 17:00',
    finished: '2024-03-04 09:00',
  }),
  dossier('b3', { unit: B1, status: 'PROCESSING', received: '2024-03-03 09:00' }),
  // B2: finished (c1) or withdrawn (c2) before reception; each still balances (received, and resolved or left).
  dossier('c1', { unit: B2, status: 'RETURNED', received: '2024-03-10 09:00', finished: '2024-03-05 09:00' }),
  dossier('c2', { unit: B2, status: 'WITHDRAWN', received: '2024-03-10 09:00', updated: '2024-03-01 09:00' }),
  // B3: one online and one postal, both open; the rollup is corrupted afterwards.
  dossier('d1', { unit: B3, channel: 'ONLINE', status: 'PROCESSING', received: '2024-04-01 09:00' }),
  dossier('d2', { unit: B3, channel: 'POSTAL', status: 'PROCESSING', received: '2024-04-02 09:00' }),
];

const person = (id: string, unitCode: string, status: Staff['status']): Staff => ({
  id,
  fullName: `Cán bộ ${id}`,
  birthDate: null,
  gender: null,
  unitCode,
  category: 'CIVIL_SERVANT',
  rankCode: null,
  position: null,
  qualification: null,
  meetsStandard: true,
  status,
  sourceUpdatedAt: RECORDED_AT,
});
const STAFF: Staff[] = [
  person('s-clc-1', CLC, 'SERVING'),
  person('s-clx-1', CLX, 'RETIRED'),
  person('s-bx-2', BX, 'SERVING'),
  person('s-bx-1', BX, 'SERVING'),
  person('s-bx-3', BX, 'TRANSFERRED_OUT'),
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
  chapterCode: '418',
  categoryCode: '341',
  itemCode,
  subItemCode: `${itemCode.slice(0, 3)}1`,
  estimate: String(estimate),
  executed: String(executed),
});
const LINES: BudgetExecutionLine[] = [
  // Clean: spending 10, 20, 20 (flat is fine) above its estimate of 15; revenue 50 then 40 (a refund).
  line(CL, 1, 'SPENDING', '6000', 15, 10),
  line(CL, 2, 'SPENDING', '6000', 15, 20),
  line(CL, 3, 'SPENDING', '6000', 15, 20),
  line(CL, 1, 'REVENUE', '1000', 100, 50),
  line(CL, 2, 'REVENUE', '1000', 100, 40),
  // Broken: 6100 falls from 100 (January) to 80 (February), then 120; 6200 from 5 (January) to 4 (March, the next
  // month it reports).
  line(BR, 1, 'SPENDING', '6100', 500, 100),
  line(BR, 2, 'SPENDING', '6100', 500, 80),
  line(BR, 3, 'SPENDING', '6100', 500, 120),
  line(BR, 1, 'SPENDING', '6200', 50, 5),
  line(BR, 3, 'SPENDING', '6200', 50, 4),
];

const finance = (unitCode: string, autonomyGroup: 1 | 2 | 3 | 4, ownRevenue: number, recurrentExpenditure: number) => ({
  unitCode,
  year: 2024,
  autonomyGroup,
  decisionNo: null,
  ownRevenue: String(ownRevenue),
  recurrentExpenditure: String(recurrentExpenditure),
});

async function buildFixture(db: Queryable) {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, [
    {
      code: PROC,
      name: 'Thủ tục',
      fieldCode: 'G09-HT',
      fieldName: 'Hộ tịch',
      levels: ['COMMUNE'],
      onlineService: 'NONE',
      hasFee: false,
    },
  ]);
  await upsertDossiers(db, [...CLEAN_DOSSIERS, ...BROKEN_DOSSIERS]);
  await upsertStaff(db, STAFF);
  await upsertBudgetExecutionLines(db, LINES);
  await upsertPsuFinance(db, [
    finance(CLP, 3, 50, 100), // 50 %: group 3, as assigned
    finance(BP(1), 2, 50, 100), // 50 % is group 3, assigned 2
    finance(BP(2), 4, 0, 100), // no revenue: group 4, as assigned
    finance(BP(3), 1, 200, 100), // ≥ 100 %, assigned 1: group 1
    finance(BP(4), 3, 5, 100), // 5 % is group 4, assigned 3
  ]);
  // The count rollup of B3 no longer matches its dossiers: 2 more on 2024-04-01 than there are.
  await db.query(`UPDATE dossier_day_counts SET count = count + 2 WHERE unit_code = $1 AND day = '2024-04-01'`, [B3]);
}

const QUALITY = `query ($unitCode: String!, $period: String!, $convention: PeriodConvention) {
  dataQuality(unitCode: $unitCode, period: $period, convention: $convention) {
    ruleCode severity unitCode left right record records message messageEn
    rule { code group severity operator }
    unit { code }
  }
}`;

interface Violation {
  ruleCode: string;
  severity: string;
  unitCode: string;
  left: number;
  right: number;
  record: string | null;
  records: string[];
  message: string;
  messageEn: string;
  rule: { code: string; group: string; severity: string; operator: string };
  unit: { code: string };
}

/** The broken subtree's violations in 2024, in the order listed (rule, then unit, then record). */
const BROKEN_2024 = [
  { ruleCode: 'DOSSIER_BALANCE', unitCode: B1, left: 3, right: 2, record: null, records: [] },
  { ruleCode: 'DOSSIER_CLOSED_BEFORE_RECEIVED', unitCode: B2, left: 2, right: 0, record: null, records: ['c1', 'c2'] },
  { ruleCode: 'DOSSIER_DUE_BEFORE_RECEIVED', unitCode: B1, left: 1, right: 0, record: null, records: ['b2'] },
  // B3: the rollup says 2 + 2 = 4 received; online 1 + in person 0 + postal 1 = 2.
  { ruleCode: 'RECEIVED_BY_CHANNEL', unitCode: B3, left: 4, right: 2, record: null, records: [] },
  { ruleCode: 'PSU_GROUP_MISMATCH', unitCode: BP(1), left: 2, right: 3, record: null, records: [] },
  { ruleCode: 'PSU_GROUP_MISMATCH', unitCode: BP(4), left: 3, right: 4, record: null, records: [] },
  { ruleCode: 'STAFF_IN_DISSOLVED_UNIT', unitCode: BX, left: 2, right: 0, record: null, records: ['s-bx-1', 's-bx-2'] },
  {
    ruleCode: 'SPENDING_EXECUTION_DECREASE',
    unitCode: BR,
    left: 100,
    right: 80,
    record: '2024/01→02/418/341/6100/6101',
    records: [],
  },
  {
    ruleCode: 'SPENDING_EXECUTION_DECREASE',
    unitCode: BR,
    left: 5,
    right: 4,
    record: '2024/01→03/418/341/6200/6201',
    records: [],
  },
];

describe.each(testBackends)('data quality on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await buildFixture(store.db);
    hub = await startTestHub(store.db);
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  async function quality(unitCode: string, period: string, convention = 'CALENDAR'): Promise<Violation[] | null> {
    const { data, errors } = await hub.gql<{ dataQuality: Violation[] | null }>(QUALITY, {
      unitCode,
      period,
      convention,
    });
    expect(errors).toBeUndefined();
    return data!.dataQuality;
  }
  const essentials = (violations: Violation[]) =>
    violations.map(({ ruleCode, unitCode, left, right, record, records }) => ({
      ruleCode,
      unitCode,
      left,
      right,
      record,
      records,
    }));

  it('stays silent on clean records, whatever the period or convention', async () => {
    for (const period of ['2024', '2024-Q1', '2024-H2', '2024-02', '2023']) {
      for (const convention of ['CALENDAR', 'REPORTING']) {
        expect(await quality(CL, period, convention), `${period} ${convention}`).toEqual([]);
      }
    }
  });

  it('fires each rule on the records built to break it, and only there', async () => {
    const violations = (await quality(BR, '2024'))!;
    expect(essentials(violations)).toEqual(BROKEN_2024);
    // The province sees the same: the clean subtree adds nothing.
    expect(essentials((await quality(P, '2024'))!)).toEqual(BROKEN_2024);
    // A commune sees its own.
    expect(essentials((await quality(B2, '2024'))!)).toEqual([BROKEN_2024[1]]);
  });

  it('describes each violation: severity, rule, unit and messages in both languages', async () => {
    const violations = (await quality(BR, '2024'))!;
    const balance = violations[0]!;
    expect(balance).toMatchObject({
      severity: 'ERROR',
      rule: { code: 'DOSSIER_BALANCE', group: 'DOSSIERS', severity: 'ERROR', operator: 'EQUAL_TO' },
      unit: { code: B1 },
    });
    expect(balance.message).toBe(
      'Hồ sơ không cân đối: kỳ trước chuyển qua và tiếp nhận mới 3, nhưng đã giải quyết, đang giải quyết và rút, từ chối, dừng 2.',
    );
    expect(balance.messageEn).toBe(
      'Dossiers do not balance: 3 carried over and received, but 2 resolved, pending and left.',
    );
    const mismatch = violations.find((v) => v.ruleCode === 'PSU_GROUP_MISMATCH')!;
    expect(mismatch).toMatchObject({ severity: 'WARNING', rule: { group: 'PSU' } });
    expect(mismatch.messageEn).toBe('Assigned autonomy group 2, but its self-financing level places it in group 3.');
    const decrease = violations.find((v) => v.ruleCode === 'SPENDING_EXECUTION_DECREASE')!;
    expect(decrease.rule.operator).toBe('LESS_THAN_OR_EQUAL_TO');
    expect(decrease.message.normalize('NFC')).toBe(decrease.message);
  });

  it('follows the period: what is outside it does not count', async () => {
    // 2024-Q1 (to 2024-03-31): BX is still valid on its last day; B3's dossiers (April) are outside; spending up
    // to March reads both decreases. B1, B2 as in the year.
    expect(essentials((await quality(BR, '2024-Q1'))!)).toEqual([
      BROKEN_2024[0],
      BROKEN_2024[1],
      BROKEN_2024[2],
      BROKEN_2024[4],
      BROKEN_2024[5],
      BROKEN_2024[7],
      BROKEN_2024[8],
    ]);
    // 2024-02: months up to February: only 6100's fall from January to February.
    expect(
      essentials((await quality(BR, '2024-02'))!).filter((v) => v.ruleCode === 'SPENDING_EXECUTION_DECREASE'),
    ).toEqual([BROKEN_2024[7]]);
    // 2023: nothing of the broken subtree happened yet (no finance record for 2023, no dossier, BX valid).
    expect(await quality(BR, '2023')).toEqual([]);
  });

  it('answers BAD_USER_INPUT for an unknown unit and for a malformed period', async () => {
    const unknown = await hub.gql(QUALITY, { unitCode: '999.99.99.X00', period: '2024' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'unitCode' });
    const { errors } = await hub.gql(QUALITY, { unitCode: BR, period: '2024-13' });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'period' });
  });

  it('lists its rules, each with a code, a severity and both sides', async () => {
    const { data, errors } = await hub.gql(
      `{ dataQualityRules { code name severity group leftSide operator rightSide } }`,
    );
    expect(errors).toBeUndefined();
    const codes: string[] = data.dataQualityRules.map((rule: { code: string }) => rule.code);
    expect(codes.slice(0, 7)).toEqual([
      'DOSSIER_BALANCE',
      'DOSSIER_CLOSED_BEFORE_RECEIVED',
      'DOSSIER_DUE_BEFORE_RECEIVED',
      'RECEIVED_BY_CHANNEL',
      'PSU_GROUP_MISMATCH',
      'STAFF_IN_DISSOLVED_UNIT',
      'SPENDING_EXECUTION_DECREASE',
    ]);
    // Then one rule per contract rule that stores and flags a record (connectors/README.md), e.g.:
    expect(codes.slice(7).every((code) => code.startsWith('FLAW_'))).toBe(true);
    expect(codes).toContain('FLAW_DOSSIERS_NGAYTRA_RETURNED_WITHOUT_RETURN_TIME');
    expect(codes).toContain('FLAW_STAFF_MANGACH_GRADE_MISSING');
    expect(codes).toContain('FLAW_INVESTMENT_GIAINGANLUYKE_INVALID_VALUE');
    expect(codes).not.toContain('FLAW_DOSSIERS_NGAYTIEPNHAN_INVALID_VALUE'); // a dossier without it is quarantined
  });
});
