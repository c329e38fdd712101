/**
 * Targets and scores through the graph, over a real hub socket with an admin
 * token, on a small province built here. Every expected number is worked out
 * by hand from the fixture (the arithmetic is in the comments).
 *
 *   P    UBND tỉnh (province), no records of its own
 *   └─ D     UBND huyện (district), no dossiers of its own
 *      ├─ C1    UBND xã: 200 dossiers resolved in 2024, 197 on time, 3 late; 170 of them full-process online
 *      ├─ C2    UBND xã: 100 dossiers resolved in 2024, 90 on time, 10 late; 51 of them full-process online
 *      └─ S1 … S21  public service units: S1–S20 valid since 2019 (S19 and S20 dissolved on 2023-01-01),
 *                   S21 new on 2022-01-01; S1 assigned group 2 in 2024 with a level of 50 % (a mismatch)
 *
 * Every dossier is under a procedure offered as a full-process online service, without a fee.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertPsuFinance } from '../../store/finance.ts';
import type { Dossier, Procedure, Unit } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';
import type { Queryable } from '../../store/db.ts';
import { unit } from '../support/records.ts';
import { SCOPES } from '../../store/access.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.K97';
const D = '000.00.31.K97';
const C1 = '001.31.00.K97';
const C2 = '002.31.00.K97';
const S = (n: number) => `${String(n).padStart(3, '0')}.31.41.K97`;
const PF = '3.000001';
const ADMIN = 'an-admin-token-for-the-targets-test';
/** A consumer with every scope but admin. */
const READER = 'a-reader-token-for-the-targets-test';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const psu = (n: number, validFrom: string, validTo: string | null = null) =>
  unit(S(n), D, 'DISTRICT', { kind: 'PUBLIC_SERVICE_UNIT', sector: 'HEALTH', validFrom, validTo });

const UNITS: Unit[] = [
  unit(P, null, 'PROVINCE'),
  unit(D, P, 'DISTRICT'),
  unit(C1, D, 'COMMUNE'),
  unit(C2, D, 'COMMUNE'),
  ...Array.from({ length: 18 }, (_, i) => psu(i + 1, '2019-01-01')),
  psu(19, '2019-01-01', '2023-01-01'),
  psu(20, '2019-01-01', '2023-01-01'),
  psu(21, '2022-01-01'),
];

const PROCEDURE: Procedure = {
  code: PF,
  name: 'Thủ tục toàn trình',
  fieldCode: 'G09-HT',
  fieldName: 'Hộ tịch',
  levels: ['COMMUNE'],
  onlineService: 'FULL_PROCESS',
  hasFee: false,
};

/**
 * `count` dossiers of a unit, received from 2024-03-01 09:00 (Vietnam) an hour apart, due 5 days after
 * reception; the first `onTime` finished 2 days after reception, the others 7 days after (late); the first
 * `fullProcess` filed through the full-process online service.
 */
function dossiers(unitCode: string, count: number, onTime: number, fullProcess: number): Dossier[] {
  const start = new Date('2024-03-01T09:00:00+07:00').getTime();
  return Array.from({ length: count }, (_, i) => {
    const receivedAt = new Date(start + i * HOUR);
    const finishedAt = new Date(receivedAt.getTime() + (i < onTime ? 2 : 7) * DAY);
    return {
      code: `${unitCode}-${i}`,
      procedureCode: PF,
      unitCode,
      channel: 'ONLINE',
      status: 'RETURNED',
      applicantName: null,
      applicantPhone: null,
      receivedAt,
      dueAt: new Date(receivedAt.getTime() + 5 * DAY),
      finishedAt,
      returnedAt: finishedAt,
      fullProcessOnline: i < fullProcess,
      hasFee: false,
      onlinePayment: null,
      digitised: false,
      electronicResult: false,
      sourceUpdatedAt: finishedAt,
    } satisfies Dossier;
  });
}

async function buildFixture(db: Queryable) {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, [PROCEDURE]);
  await upsertDossiers(db, [...dossiers(C1, 200, 197, 170), ...dossiers(C2, 100, 90, 51)]);
  // S1: assigned group 2, own revenue 50 of 100 spent (50 %, group 3 by its figures): one mismatch.
  await upsertPsuFinance(db, [
    {
      unitCode: S(1),
      year: 2024,
      autonomyGroup: 2,
      decisionNo: null,
      ownRevenue: '50',
      recurrentExpenditure: '100',
    },
  ]);
}

const INDICATORS = `query ($unitCode: String!, $period: String!, $codes: [String!]) {
  indicators(unitCode: $unitCode, period: $period, codes: $codes) {
    code value target targetSource meetsTarget gap
    score { criterion points max rule }
  }
}`;

const SET = `mutation ($code: String!, $unitCode: String!, $year: Int!, $target: Float!) {
  setIndicatorTarget(code: $code, unitCode: $unitCode, year: $year, target: $target) {
    code unitCode year target setBy setAt
  }
}`;

const REMOVE = `mutation ($code: String!, $unitCode: String!, $year: Int!) {
  removeIndicatorTarget(code: $code, unitCode: $unitCode, year: $year) { code unitCode year target }
}`;

interface Value {
  code: string;
  value: number | null;
  target: number | null;
  targetSource: string | null;
  meetsTarget: boolean | null;
  gap: number | null;
  score: { criterion: string; points: number; max: number; rule: string } | null;
}

describe.each(testBackends)('indicator targets and scores on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;
  let counted: ReturnType<typeof countingDb>;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await buildFixture(store.db);
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db, {
      adminToken: ADMIN,
      viewers: {
        [READER]: testViewer(
          'reader',
          SCOPES.filter((scope) => scope !== 'admin'),
        ),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  async function value(unitCode: string, period: string, code: string): Promise<Value> {
    const { data, errors } = await hub.gql<{ indicators: Value[] }>(INDICATORS, { unitCode, period, codes: [code] });
    expect(errors).toBeUndefined();
    return data!.indicators[0]!;
  }

  async function set(code: string, unitCode: string, year: number, target: number) {
    const response = await hub.gql(SET, { code, unitCode, year, target }, ADMIN);
    expect(response.errors).toBeUndefined();
    return response.data.setIndicatorTarget;
  }

  async function remove(code: string, unitCode: string, year: number) {
    const response = await hub.gql(REMOVE, { code, unitCode, year }, ADMIN);
    expect(response.errors).toBeUndefined();
    return response.data.removeIndicatorTarget;
  }

  it('takes the catalog defaults when nothing is stored, meeting a target exactly at equality', async () => {
    // C1: 197 of 200 on time = 98.5 %, the default target exactly: met, gap 0.
    expect(await value(C1, '2024', 'ON_TIME_RATE')).toMatchObject({
      value: 98.5,
      target: 98.5,
      targetSource: 'DEFAULT',
      meetsTarget: true,
      gap: 0,
    });
    // C2: 90 of 100 = 90 %: missed by 8.5 points.
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({
      value: 90,
      target: 98.5,
      targetSource: 'DEFAULT',
      meetsTarget: false,
      gap: -8.5,
    });
    // C1: 170 of 200 full-process online = 85 %, the default 85: met at equality.
    expect(await value(C1, '2024', 'FULL_PROCESS_ONLINE_RATE')).toMatchObject({
      value: 85,
      target: 85,
      targetSource: 'DEFAULT',
      meetsTarget: true,
      gap: 0,
    });
    // No dossier has a fee: no value, so neither met nor missed, and no gap; the default target is still shown.
    expect(await value(C1, '2024', 'ONLINE_PAYMENT_RATE')).toMatchObject({
      value: null,
      target: 50,
      targetSource: 'DEFAULT',
      meetsTarget: null,
      gap: null,
      score: null,
    });
    // PSU reduction at D, 2024: 20 valid on 2021-12-31 (S1–S20); 19 on 2024-12-31 (S1–S18, S21):
    // (20 − 19) ÷ 20 × 100 = 5 %, against the default 10: missed by 5.
    expect(await value(D, '2024', 'PSU_REDUCTION_SINCE_2021')).toMatchObject({
      value: 5,
      target: 10,
      targetSource: 'DEFAULT',
      meetsTarget: false,
      gap: -5,
    });
    // A count without a default and nothing stored: no target at all.
    expect(await value(C1, '2024', 'DOSSIER_RECEIVED')).toMatchObject({
      value: 200,
      target: null,
      targetSource: null,
      meetsTarget: null,
      gap: null,
      score: null,
    });
  });

  it('sets a target for a unit, inherits it below, prefers the nearest, and falls back when removed', async () => {
    const stored = await set('ON_TIME_RATE', D, 2024, 95);
    // setBy is the consumer the admin token acts as (tests/support/hub.ts testAdmin).
    expect(stored).toMatchObject({ code: 'ON_TIME_RATE', unitCode: D, year: 2024, target: 95, setBy: 'test-admin' });
    expect(typeof stored.setAt).toBe('string');

    // D's own: 287 of 300 on time (197 + 90) = 95.666… % ≥ 95: met, gap 0.666… (= 287/3 − 95 = 2/3).
    const atD = await value(D, '2024', 'ON_TIME_RATE');
    expect(atD).toMatchObject({ target: 95, targetSource: 'STORED_FOR_UNIT', meetsTarget: true });
    expect(atD.gap).toBeCloseTo(2 / 3, 12);
    // The communes inherit it: C1 98.5 ≥ 95 (gap 3.5); C2 90 < 95 (gap −5).
    expect(await value(C1, '2024', 'ON_TIME_RATE')).toMatchObject({
      target: 95,
      targetSource: 'STORED_FOR_ANCESTOR',
      meetsTarget: true,
      gap: 3.5,
    });
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({
      target: 95,
      targetSource: 'STORED_FOR_ANCESTOR',
      meetsTarget: false,
      gap: -5,
    });
    // Another year is untouched: C2 in 2023 has no value (nothing resolved) and the default target.
    expect(await value(C2, '2023', 'ON_TIME_RATE')).toMatchObject({ target: 98.5, targetSource: 'DEFAULT' });

    // A target higher up does not override the nearer one: C1 keeps D's 95, not P's 97.
    await set('ON_TIME_RATE', P, 2024, 97);
    expect(await value(C1, '2024', 'ON_TIME_RATE')).toMatchObject({ target: 95, targetSource: 'STORED_FOR_ANCESTOR' });
    expect(await value(P, '2024', 'ON_TIME_RATE')).toMatchObject({
      target: 97,
      targetSource: 'STORED_FOR_UNIT',
      meetsTarget: false, // 95.666… < 97
    });

    // C2's own, equal to its value: met at equality; setting again replaces it.
    await set('ON_TIME_RATE', C2, 2024, 91);
    await set('ON_TIME_RATE', C2, 2024, 90);
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({
      target: 90,
      targetSource: 'STORED_FOR_UNIT',
      meetsTarget: true,
      gap: 0,
    });

    // Removing C2's falls back to D's; removing D's to P's; removing P's to the default.
    expect(await remove('ON_TIME_RATE', C2, 2024)).toMatchObject({ unitCode: C2, year: 2024, target: 90 });
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({ target: 95, targetSource: 'STORED_FOR_ANCESTOR' });
    await remove('ON_TIME_RATE', D, 2024);
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({ target: 97, targetSource: 'STORED_FOR_ANCESTOR' });
    await remove('ON_TIME_RATE', P, 2024);
    expect(await value(C2, '2024', 'ON_TIME_RATE')).toMatchObject({ target: 98.5, targetSource: 'DEFAULT' });
    // Nothing left to remove: null, not an error.
    expect(await remove('ON_TIME_RATE', P, 2024)).toBeNull();
  });

  it('judges a lower-is-better indicator the other way, equality included', async () => {
    // PSU_GROUP_MISMATCH at D, 2024: S1 only (assigned 2; 50 ÷ 100 = 50 % is group 3): value 1.
    await set('PSU_GROUP_MISMATCH', D, 2024, 1);
    expect(await value(D, '2024', 'PSU_GROUP_MISMATCH')).toMatchObject({ value: 1, meetsTarget: true, gap: 0 });
    await set('PSU_GROUP_MISMATCH', D, 2024, 0);
    expect(await value(D, '2024', 'PSU_GROUP_MISMATCH')).toMatchObject({ value: 1, meetsTarget: false, gap: 1 });
    await set('PSU_GROUP_MISMATCH', D, 2024, 2);
    expect(await value(D, '2024', 'PSU_GROUP_MISMATCH')).toMatchObject({ value: 1, meetsTarget: true, gap: -1 });
    await remove('PSU_GROUP_MISMATCH', D, 2024);
    expect(await value(D, '2024', 'PSU_GROUP_MISMATCH')).toMatchObject({ target: null, meetsTarget: null });
  });

  it('compares exactly, not in floating point', async () => {
    // D's full-process rate: (170 + 51) ÷ 300 × 100 = 73.666…, whose double prints as 73.66666666666667. As a
    // decimal target, 73.66666666666667 is above the exact value: missed, though the doubles are equal.
    const double = (221 * 100) / 300;
    expect(String(double)).toBe('73.66666666666667');
    await set('FULL_PROCESS_ONLINE_RATE', D, 2024, double);
    expect(await value(D, '2024', 'FULL_PROCESS_ONLINE_RATE')).toMatchObject({
      value: double,
      target: double,
      meetsTarget: false,
    });
    // 73.66666666666666 is below it: met.
    await set('FULL_PROCESS_ONLINE_RATE', D, 2024, 73.66666666666666);
    expect((await value(D, '2024', 'FULL_PROCESS_ONLINE_RATE')).meetsTarget).toBe(true);
    await remove('FULL_PROCESS_ONLINE_RATE', D, 2024);
  });

  it('scores the PAR INDEX criteria whose rule the seeds document, and no others', async () => {
    // 3.4.3 (commune), proportional, max 1: C1 1 × 98.5 ÷ 100 = 0.985; C2 1 × 90 ÷ 100 = 0.9.
    expect((await value(C1, '2024', 'ON_TIME_RATE')).score).toMatchObject({ criterion: '3.4.3', max: 1 });
    expect((await value(C1, '2024', 'ON_TIME_RATE')).score!.points).toBeCloseTo(0.985, 12);
    expect((await value(C2, '2024', 'ON_TIME_RATE')).score!.points).toBeCloseTo(0.9, 12);
    // 3.4.2 (district), max 1.5: 1.5 × 287 ÷ 300 = 1.435.
    const atD = (await value(D, '2024', 'ON_TIME_RATE')).score!;
    expect(atD).toMatchObject({ criterion: '3.4.2', max: 1.5 });
    expect(atD.points).toBeCloseTo(1.435, 12);
    expect(atD.rule).toMatch(/^PROPORTIONAL: .*seed 002/);
    // 3.4.1 (province), max 1.5: the same subtree, 1.435.
    const atP = (await value(P, '2024', 'ON_TIME_RATE')).score!;
    expect(atP).toMatchObject({ criterion: '3.4.1', max: 1.5 });
    expect(atP.points).toBeCloseTo(1.435, 12);

    // 7.3.6, max 1.5 from 85 % on: C1 85 % → 1.5; C2 51 % → 1.5 × 51 ÷ 85 = 0.9;
    // D 73.666… % → 1.5 × (221 ÷ 3) ÷ 85 = 1.5 × 221 ÷ 255 = 1.3.
    expect((await value(C1, '2024', 'FULL_PROCESS_ONLINE_RATE')).score).toMatchObject({
      criterion: '7.3.6',
      points: 1.5,
      max: 1.5,
    });
    expect((await value(C2, '2024', 'FULL_PROCESS_ONLINE_RATE')).score!.points).toBeCloseTo(0.9, 12);
    const fullProcessD = (await value(D, '2024', 'FULL_PROCESS_ONLINE_RATE')).score!;
    expect(fullProcessD.points).toBeCloseTo(1.3, 12);
    expect(fullProcessD.rule).toMatch(/^TO_THRESHOLD: .*85/);

    // 4.1.3, max 1 from 10 % on: 2024, 5 % → 1 × 5 ÷ 10 = 0.5. 2022: 20 on 2021-12-31, 21 on 2022-12-31
    // (S19 and S20 are still valid, S21 is new): (20 − 21) ÷ 20 = −5 %, a growth, 0 points.
    expect((await value(D, '2024', 'PSU_REDUCTION_SINCE_2021')).score).toMatchObject({
      criterion: '4.1.3',
      points: 0.5,
      max: 1,
    });
    expect(await value(D, '2022', 'PSU_REDUCTION_SINCE_2021')).toMatchObject({
      value: -5,
      gap: -15,
      meetsTarget: false,
      score: { criterion: '4.1.3', points: 0, max: 1 },
    });

    // Criteria without a documented rule, and indicators without a criterion: no score.
    expect((await value(C1, '2024', 'ONLINE_SUBMISSION_RATE')).score).toBeNull(); // SERVICE_INDEX
    expect((await value(D, '2024', 'PSU_SELF_FINANCING_SHARE')).score).toBeNull(); // 6.3.1: no rule in the seeds
    expect((await value(C1, '2024', 'DOSSIER_RESOLVED')).score).toBeNull();
    // No value (nothing resolved in 2023): no score.
    expect((await value(C1, '2023', 'ON_TIME_RATE')).score).toBeNull();
  });

  it('refuses the mutations without the admin scope (FORBIDDEN), and changes nothing', async () => {
    // The anonymous development consumer, and a consumer with every scope but admin.
    for (const token of [undefined, READER]) {
      const setting = await hub.gql(SET, { code: 'ON_TIME_RATE', unitCode: C1, year: 2024, target: 50 }, token);
      expect(setting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const removing = await hub.gql(REMOVE, { code: 'ON_TIME_RATE', unitCode: C1, year: 2024 }, token);
      expect(removing.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const [row] = await store.db.query<{ n: string }>('SELECT count(*) AS n FROM indicator_targets');
    expect(Number(row!.n)).toBe(0);
    expect(await value(C1, '2024', 'ON_TIME_RATE')).toMatchObject({ target: 98.5, targetSource: 'DEFAULT' });
  });

  it('validates the arguments (BAD_USER_INPUT on the faulty one)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ code: 'NO_SUCH_INDICATOR', unitCode: C1, year: 2024, target: 50 }, 'code'],
      [{ code: 'DOSSIER_RECEIVED', unitCode: C1, year: 2024, target: 50 }, 'code'], // NEUTRAL
      [{ code: 'ON_TIME_RATE', unitCode: '999.99.99.X00', year: 2024, target: 50 }, 'unitCode'],
      [{ code: 'ON_TIME_RATE', unitCode: C1, year: 1999, target: 50 }, 'year'],
      [{ code: 'ON_TIME_RATE', unitCode: C1, year: 2101, target: 50 }, 'year'],
      [{ code: 'ON_TIME_RATE', unitCode: C1, year: 2024, target: 100.5 }, 'target'],
      [{ code: 'ON_TIME_RATE', unitCode: C1, year: 2024, target: -0.5 }, 'target'],
      [{ code: 'PSU_GROUP_MISMATCH', unitCode: D, year: 2024, target: -1 }, 'target'], // a count
    ];
    for (const [variables, argument] of cases) {
      const { errors } = await hub.gql(SET, variables, ADMIN);
      expect(errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    // The bounds themselves are accepted: 0 and 100 for a percentage, 0 for a count.
    await set('ON_TIME_RATE', C1, 2024, 100);
    await set('ON_TIME_RATE', C1, 2024, 0);
    await set('PSU_GROUP_MISMATCH', D, 2024, 0);
    await remove('ON_TIME_RATE', C1, 2024);
    await remove('PSU_GROUP_MISMATCH', D, 2024);

    const removing = await hub.gql(REMOVE, { code: 'NO_SUCH_INDICATOR', unitCode: C1, year: 2024 }, ADMIN);
    expect(removing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'code' });
    const [row] = await store.db.query<{ n: string }>('SELECT count(*) AS n FROM indicator_targets');
    expect(Number(row!.n)).toBe(0);
  });

  it('reads the targets of a page of values in one statement', async () => {
    await set('ON_TIME_RATE', D, 2024, 95);
    // Count the statements that read targets while the indicators of three units resolve at once.
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(
      `query ($codes: [String!]) {
        a: indicators(unitCode: "${C1}", period: "2024", codes: $codes) { target targetSource }
        b: indicators(unitCode: "${C2}", period: "2024", codes: $codes) { target targetSource }
        c: indicators(unitCode: "${D}", period: "2024", codes: $codes) { target targetSource }
      }`,
      { codes: ['ON_TIME_RATE', 'FULL_PROCESS_ONLINE_RATE'] },
    );
    expect(errors).toBeUndefined();
    expect(data.a).toEqual([
      { target: 95, targetSource: 'STORED_FOR_ANCESTOR' },
      { target: 85, targetSource: 'DEFAULT' },
    ]);
    expect(data.c[0]).toEqual({ target: 95, targetSource: 'STORED_FOR_UNIT' });
    expect(counted.statements.filter((sql) => sql.includes('indicator_targets'))).toHaveLength(1);
    await remove('ON_TIME_RATE', D, 2024);
  });
});
