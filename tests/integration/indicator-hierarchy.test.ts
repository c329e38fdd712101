/**
 * The hierarchy basis through the graph (issue 20), over a real hub socket: the
 * pair `hierarchy` / `hierarchyDate` on every field that evaluates indicators,
 * validated, echoed and passed down; and `previous` / `change`, the same
 * period a year before on the same basis, batched.
 *
 * The fixture has no reorganisation, so both bases give the same figures: the
 * literals below are worked out by hand and hold on both; where a figure is
 * checked against a basis, it is against the evaluator called directly with
 * that basis (so the test still holds once AS_IS restates).
 *
 *   P    UBND tỉnh
 *   ├─ D     UBND huyện
 *   │  ├─ C1    UBND xã
 *   │  └─ C2    UBND xã
 *   └─ D2    UBND huyện, without dossiers
 *      ├─ C3    UBND xã, ended 2025-07-01
 *      └─ C4    UBND xã, from 2025-07-01
 *
 * Dossiers (Vietnam time), each resolved within its month, none carried over:
 *
 * | dossier | unit | received   | due        | finished   | outcome |
 * |---------|------|------------|------------|------------|---------|
 * | a1      | C1   | 2024-02-05 | 2024-02-10 | 2024-02-08 | early   |
 * | a2      | C2   | 2024-03-03 | 2024-03-05 | 2024-03-07 | late    |
 * | a3      | C1   | 2024-08-01 | 2024-08-10 | 2024-08-05 | early   |
 * | a4      | C2   | 2024-07-02 | 2024-07-05 | 2024-07-04 | early   |
 * | b1      | C1   | 2025-01-10 | 2025-01-15 | 2025-01-12 | early   |
 * | b2      | C1   | 2025-02-03 | 2025-02-10 | 2025-02-09 | early   |
 * | b3      | C2   | 2025-02-20 | 2025-02-25 | 2025-02-26 | late    |
 * | b4      | C2   | 2025-07-10 | 2025-07-20 | 2025-07-15 | early   |
 * | b5      | C1   | 2025-07-20 | 2025-07-25 | 2025-07-28 | late    |
 * | b6      | C2   | 2025-09-01 | 2025-09-10 | 2025-09-09 | early   |
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupsOf, INDICATOR_CATALOG, INDICATORS_BY_CODE } from '../../indicators/catalog.ts';
import { evaluateIndicatorsOfUnits } from '../../indicators/evaluate.ts';
import { parsePeriod } from '../../indicators/period.ts';
import { vietnamToday, type HierarchyBasis } from '../../store/indicators/basis.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import type { Dossier, Procedure } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';
import { unit, vn } from '../support/records.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.K20';
const D = '000.00.41.K20';
const C1 = '001.41.00.K20';
const C2 = '002.41.00.K20';
const D2 = '000.00.42.K20';
const C3 = '003.42.00.K20';
const C4 = '004.42.00.K20';
const PN = '2.000420';

const PROCEDURE: Procedure = {
  code: PN,
  name: 'Thủ tục chứng thực',
  fieldCode: 'G09-CT',
  fieldName: 'Chứng thực',
  levels: ['DISTRICT', 'COMMUNE'],
  onlineService: 'NONE',
  hasFee: false,
};

const dossier = (code: string, unitCode: string, received: string, due: string, finished: string): Dossier => ({
  code,
  procedureCode: PN,
  unitCode,
  channel: 'IN_PERSON',
  status: 'RETURNED',
  applicantName: null,
  applicantPhone: null,
  receivedAt: vn(`${received} 09:00`),
  dueAt: vn(`${due} 17:00`),
  finishedAt: vn(`${finished} 10:00`),
  returnedAt: vn(`${finished} 10:00`),
  fullProcessOnline: false,
  hasFee: false,
  onlinePayment: null,
  digitised: false,
  electronicResult: false,
  sourceUpdatedAt: vn(`${finished} 10:00`),
});

const DOSSIERS: Dossier[] = [
  dossier('a1', C1, '2024-02-05', '2024-02-10', '2024-02-08'),
  dossier('a2', C2, '2024-03-03', '2024-03-05', '2024-03-07'),
  dossier('a3', C1, '2024-08-01', '2024-08-10', '2024-08-05'),
  dossier('a4', C2, '2024-07-02', '2024-07-05', '2024-07-04'),
  dossier('b1', C1, '2025-01-10', '2025-01-15', '2025-01-12'),
  dossier('b2', C1, '2025-02-03', '2025-02-10', '2025-02-09'),
  dossier('b3', C2, '2025-02-20', '2025-02-25', '2025-02-26'),
  dossier('b4', C2, '2025-07-10', '2025-07-20', '2025-07-15'),
  dossier('b5', C1, '2025-07-20', '2025-07-25', '2025-07-28'),
  dossier('b6', C2, '2025-09-01', '2025-09-10', '2025-09-09'),
];

const BASIS_FIELDS = 'hierarchy hierarchyDate unattributedRecords historyPartial foldedUnits { code }';
const FIGURES = 'code period numerator denominator value';

interface Figures {
  code: string;
  period: string;
  numerator: number;
  denominator: number | null;
  value: number | null;
}
interface Value extends Figures {
  hierarchy: string;
  hierarchyDate: string | null;
  unattributedRecords: number;
  historyPartial: boolean;
  foldedUnits: { code: string }[];
  change: number | null;
  previous: (Figures & { hierarchy: string; hierarchyDate: string | null }) | null;
}

const VALUE = `${FIGURES} ${BASIS_FIELDS} change previous { ${FIGURES} hierarchy hierarchyDate }`;

const INDICATORS = `query ($unitCode: String!, $period: String!, $codes: [String!], $hierarchy: Hierarchy, $hierarchyDate: Date) {
  indicators(unitCode: $unitCode, period: $period, codes: $codes, hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ${VALUE} }
}`;

/** Every field that evaluates indicators, asked with the same pair, with what each returns as IndicatorValues. */
const EVERY_FIELD = `query ($hierarchy: Hierarchy, $hierarchyDate: Date) {
  indicators(unitCode: "${D}", period: "2025-H1", codes: ["ON_TIME_RATE"], hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ${VALUE} }
  unit(code: "${D}") {
    indicators(period: "2025-H1", codes: ["ON_TIME_RATE"], hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ${VALUE} }
    indicator(code: "ON_TIME_RATE", period: "2025-H1", hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ${VALUE} }
  }
  indicatorBreakdown(code: "ON_TIME_RATE", unitCode: "${D}", period: "2025-H1", by: CHILD_UNIT, hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) {
    total { ${VALUE} }
    parts { key numerator denominator }
  }
  ranking(code: "ON_TIME_RATE", level: COMMUNE, period: "2025-H1", parentCode: "${D}", hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) {
    rank unit { code } value { ${VALUE} }
  }
  trend(code: "ON_TIME_RATE", unitCode: "${D}", from: "2025-H1", to: "2025-H2", step: HALF, hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ${VALUE} }
  dataQuality(unitCode: "${D}", period: "2025-H1", hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { ruleCode }
}`;

interface EveryField {
  indicators: Value[];
  unit: { indicators: Value[]; indicator: Value };
  indicatorBreakdown: { total: Value; parts: { key: string; numerator: number; denominator: number }[] };
  ranking: { rank: number; unit: { code: string }; value: Value }[];
  trend: Value[];
  dataQuality: { ruleCode: string }[];
}

/** The IndicatorValues of an EVERY_FIELD answer, each with where it came from. */
const valuesOf = (data: EveryField): [string, Value][] => [
  ['indicators', data.indicators[0]!],
  ['Unit.indicators', data.unit.indicators[0]!],
  ['Unit.indicator', data.unit.indicator],
  ['indicatorBreakdown.total', data.indicatorBreakdown.total],
  ...data.ranking.map((r): [string, Value] => [`ranking ${r.unit.code}`, r.value]),
  ...data.trend.map((v): [string, Value] => [`trend ${v.period}`, v]),
];

describe.each(testBackends)('the hierarchy basis and the year before on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await upsertUnits(store.db, [
      unit(P, null, 'PROVINCE'),
      unit(D, P, 'DISTRICT'),
      unit(C1, D, 'COMMUNE'),
      unit(C2, D, 'COMMUNE'),
      unit(D2, P, 'DISTRICT'),
      unit(C3, D2, 'COMMUNE', { validTo: '2025-07-01' }),
      unit(C4, D2, 'COMMUNE', { validFrom: '2025-07-01' }),
    ]);
    await upsertProcedures(store.db, [PROCEDURE]);
    await upsertDossiers(store.db, DOSSIERS);
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db);
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  async function values(
    unitCode: string,
    period: string,
    codes: string[],
    basis: { hierarchy?: string; hierarchyDate?: string } = {},
  ): Promise<Record<string, Value>> {
    const { data, errors } = await hub.gql<{ indicators: Value[] }>(INDICATORS, { unitCode, period, codes, ...basis });
    expect(errors).toBeUndefined();
    return Object.fromEntries(data!.indicators.map((v) => [v.code, v]));
  }

  /** The evaluator's figures, called directly with a basis: what the graph must pass through. */
  async function direct(
    unitCode: string,
    level: 'DISTRICT' | 'COMMUNE',
    period: string,
    code: string,
    basis: HierarchyBasis,
  ) {
    const [evaluations] = await evaluateIndicatorsOfUnits(
      store.db,
      [INDICATORS_BY_CODE.get(code)!],
      [{ code: unitCode, level }],
      parsePeriod(period),
      basis,
    );
    const evaluation = evaluations![0];
    return { numerator: evaluation!.numerator, denominator: evaluation!.denominator, value: evaluation!.value };
  }
  const figuresOf = (v: Figures) => ({ numerator: v.numerator, denominator: v.denominator, value: v.value });

  // ─── The pair on every field ──────────────────────────────────────────────────────────────────────────────────

  it('takes the pair on every field and echoes the basis on every value, previous included', async () => {
    for (const [basis, hierarchy, hierarchyDate] of [
      [{}, 'AS_WAS', null],
      [{ hierarchy: 'AS_WAS' }, 'AS_WAS', null],
      [{ hierarchy: 'AS_IS', hierarchyDate: '2025-12-31' }, 'AS_IS', '2025-12-31'],
    ] as const) {
      const { data, errors } = await hub.gql<EveryField>(EVERY_FIELD, basis);
      expect(errors).toBeUndefined();
      const all = valuesOf(data!);
      // indicators, Unit.indicators, Unit.indicator, the breakdown's total, 2 ranked communes, 2 trend points.
      expect(all).toHaveLength(8);
      for (const [where, v] of all) {
        expect({ where, hierarchy: v.hierarchy, hierarchyDate: v.hierarchyDate }).toEqual({
          where,
          hierarchy,
          hierarchyDate,
        });
        expect({ where, basis: [v.previous?.hierarchy, v.previous?.hierarchyDate] }).toEqual({
          where,
          basis: [hierarchy, hierarchyDate],
        });
        // No reorganisation in the fixture: nothing folded, nothing unattributed.
        expect(v.foldedUnits).toEqual([]);
        expect(v.unattributedRecords).toBe(0);
      }
      expect(data!.dataQuality).toEqual(expect.any(Array));
    }
  });

  it('defaults hierarchyDate to today in Vietnam under AS_IS', async () => {
    const before = vietnamToday();
    const v = (await values(D, '2025-H1', ['ON_TIME_RATE'], { hierarchy: 'AS_IS' })).ON_TIME_RATE!;
    const after = vietnamToday();
    expect(v.hierarchy).toBe('AS_IS');
    expect([before, after]).toContain(v.hierarchyDate);
    expect(v.previous?.hierarchyDate).toBe(v.hierarchyDate);
  });

  it('passes the basis down: each field’s figures are the evaluator’s on that basis', async () => {
    const basis = { hierarchy: 'AS_IS', hierarchyDate: '2025-12-31' } as const;
    const { data } = await hub.gql<EveryField>(EVERY_FIELD, basis);
    const d = data!;
    const dH1 = await direct(D, 'DISTRICT', '2025-H1', 'ON_TIME_RATE', basis);
    const dH1Before = await direct(D, 'DISTRICT', '2024-H1', 'ON_TIME_RATE', basis);
    for (const [where, v] of valuesOf(d).filter(
      ([where]) => !where.startsWith('ranking') && where !== 'trend 2025-H2',
    )) {
      expect({ where, ...figuresOf(v) }).toEqual({ where, ...dH1 });
      expect({ where, ...figuresOf(v.previous!) }).toEqual({ where, ...dH1Before });
    }
    expect(figuresOf(d.trend[1]!)).toEqual(await direct(D, 'DISTRICT', '2025-H2', 'ON_TIME_RATE', basis));
    for (const ranked of d.ranking) {
      expect(figuresOf(ranked.value)).toEqual(
        await direct(ranked.unit.code, 'COMMUNE', '2025-H1', 'ON_TIME_RATE', basis),
      );
    }
    // The CHILD_UNIT parts on the same basis: C1 and C2 over their subtrees, then D's own records.
    const c1 = await direct(C1, 'COMMUNE', '2025-H1', 'ON_TIME_RATE', basis);
    const c2 = await direct(C2, 'COMMUNE', '2025-H1', 'ON_TIME_RATE', basis);
    expect(d.indicatorBreakdown.parts).toEqual([
      { key: C1, numerator: c1.numerator, denominator: c1.denominator },
      { key: C2, numerator: c2.numerator, denominator: c2.denominator },
      { key: 'OWN', numerator: 0, denominator: 0 },
    ]);
    // And the hand count, which holds on both bases here: 2025-H1 resolved b1 b2 (early) b3 (late): 2 / 3.
    expect(dH1).toEqual({ numerator: 2, denominator: 3, value: 200 / 3 });
  });

  it('lists the units of the tree counted on: the period’s as it was, hierarchyDate’s restated', async () => {
    const query = `query ($hierarchy: Hierarchy, $hierarchyDate: Date) {
      ranking(code: "ON_TIME_RATE", level: COMMUNE, period: "2024-H1", parentCode: "${D2}", hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { unit { code } }
      indicatorBreakdown(code: "ON_TIME_RATE", unitCode: "${D2}", period: "2024-H1", by: CHILD_UNIT, hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) { parts { key } }
    }`;
    const listed = async (basis: Record<string, unknown>) => {
      const { data, errors } = await hub.gql<{
        ranking: { unit: { code: string } }[];
        indicatorBreakdown: { parts: { key: string }[] };
      }>(query, basis);
      expect(errors).toBeUndefined();
      return [data!.ranking.map((r) => r.unit.code), data!.indicatorBreakdown.parts.map((p) => p.key)];
    };
    // 2024-H1 as it was: C3 (ended 2025-07-01) stood, C4 (from 2025-07-01) did not.
    expect(await listed({})).toEqual([[C3], [C3, 'OWN']]);
    // Restated on 2025-12-31: C4 stands, C3 had ended (and counts nothing, so it is not listed).
    expect(await listed({ hierarchy: 'AS_IS', hierarchyDate: '2025-12-31' })).toEqual([[C4], [C4, 'OWN']]);
    // Restated on 2025-06-30, the day before: the tree of then.
    expect(await listed({ hierarchy: 'AS_IS', hierarchyDate: '2025-06-30' })).toEqual([[C3], [C3, 'OWN']]);
  });

  it('refuses a hierarchyDate with AS_WAS, on every field, naming the argument', async () => {
    for (const hierarchy of [undefined, 'AS_WAS']) {
      const { data, errors } = await hub.gql<EveryField>(EVERY_FIELD, { hierarchy, hierarchyDate: '2025-12-31' });
      // Unit.indicators is non-null: its error nulls the unit, so Unit.indicator is asked on its own below.
      expect(errors?.map((error) => error.path?.join('.')).sort()).toEqual([
        'dataQuality',
        'indicatorBreakdown',
        'indicators',
        'ranking',
        'trend',
        'unit.indicators',
      ]);
      for (const error of errors!) {
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'hierarchyDate' });
        expect(error.message).toMatch(/hierarchyDate \(2025-12-31\) is for hierarchy: AS_IS only/);
      }
      expect(data?.indicators ?? null).toBeNull();
      const single = await hub.gql(
        `query ($hierarchy: Hierarchy) { unit(code: "${D}") {
           indicator(code: "ON_TIME_RATE", period: "2025", hierarchy: $hierarchy, hierarchyDate: "2025-12-31") { value } } }`,
        { hierarchy },
      );
      expect(single.errors?.map((error) => [error.path?.join('.'), error.extensions])).toEqual([
        ['unit.indicator', expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'hierarchyDate' })],
      ]);
    }
  });

  it('refuses dates that are not days, and days out of range', async () => {
    const notADay = await hub.gql(INDICATORS, {
      unitCode: D,
      period: '2025',
      hierarchy: 'AS_IS',
      hierarchyDate: '2025-02-30',
    });
    expect(notADay.errors?.[0]?.message).toMatch(/Date must be a real day written YYYY-MM-DD/);
    for (const hierarchyDate of ['1999-12-31', '2101-01-01']) {
      const { errors } = await hub.gql(INDICATORS, { unitCode: D, period: '2025', hierarchy: 'AS_IS', hierarchyDate });
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'hierarchyDate' });
      expect(errors?.[0]?.message).toMatch(new RegExp(`hierarchyDate ${hierarchyDate} is out of range`));
    }
    const literal = await hub.gql(
      `{ indicators(unitCode: "${D}", period: "2025", hierarchy: AS_IS, hierarchyDate: "2025-13-01") { code } }`,
    );
    expect(literal.errors?.[0]?.message).toMatch(/Date must be a real day/);
  });

  it('says the history is partial while the cadre database’s history has not been synced', async () => {
    // A fresh store: no history feed has run, so every value says so.
    const v = await values(D, '2025', ['ON_TIME_RATE', 'DOSSIER_RECEIVED']);
    expect(Object.values(v).map((x) => x.historyPartial)).toEqual([true, true]);
  });

  // ─── previous and change ──────────────────────────────────────────────────────────────────────────────────────

  it('compares a half, a quarter, a month and a year with the same period a year before', async () => {
    for (const basis of [{}, { hierarchy: 'AS_IS', hierarchyDate: '2025-12-31' }]) {
      // 2025-H1: b1 b2 b3 resolved, on time b1 b2 = 2/3; 2024-H1: a1 a2, on time a1 = 1/2.
      // change = 66.67 − 50 = 16.67 points. Received 3 against 2: +1 dossier.
      let v = await values(D, '2025-H1', ['ON_TIME_RATE', 'DOSSIER_RECEIVED'], basis);
      expect(figuresOf(v.ON_TIME_RATE!)).toEqual({ numerator: 2, denominator: 3, value: 200 / 3 });
      expect(v.ON_TIME_RATE!.previous).toMatchObject({ period: '2024-H1', numerator: 1, denominator: 2, value: 50 });
      expect(v.ON_TIME_RATE!.change).toBeCloseTo(200 / 3 - 50, 10);
      expect(v.DOSSIER_RECEIVED!.previous).toMatchObject({ period: '2024-H1', numerator: 2, value: 2 });
      expect(v.DOSSIER_RECEIVED!.change).toBe(3 - 2);

      // 2025-Q3: b4 b5 b6, on time b4 b6 = 2/3; 2024-Q3: a3 a4, both on time = 2/2 = 100 %. change −33.33 points.
      v = await values(D, '2025-Q3', ['ON_TIME_RATE', 'DOSSIER_RECEIVED'], basis);
      expect(v.ON_TIME_RATE!.previous).toMatchObject({ period: '2024-Q3', numerator: 2, denominator: 2, value: 100 });
      expect(v.ON_TIME_RATE!.change).toBeCloseTo(200 / 3 - 100, 10);
      expect(v.DOSSIER_RECEIVED!.change).toBe(3 - 2);

      // 2025-07: b4 (early) b5 (late) = 1/2 = 50 %; 2024-07: a4 early = 1/1 = 100 %. change −50 points; 2 − 1 = +1.
      v = await values(D, '2025-07', ['ON_TIME_RATE', 'DOSSIER_RECEIVED'], basis);
      expect(figuresOf(v.ON_TIME_RATE!)).toEqual({ numerator: 1, denominator: 2, value: 50 });
      expect(v.ON_TIME_RATE!.previous).toMatchObject({ period: '2024-07', numerator: 1, denominator: 1, value: 100 });
      expect(v.ON_TIME_RATE!.change).toBe(-50);
      expect(v.DOSSIER_RECEIVED!.change).toBe(1);

      // 2025: 6 resolved, on time b1 b2 b4 b6 = 4/6; 2024: 4 resolved, on time a1 a3 a4 = 3/4 = 75 %.
      v = await values(D, '2025', ['ON_TIME_RATE', 'DOSSIER_RECEIVED'], basis);
      expect(figuresOf(v.ON_TIME_RATE!)).toEqual({ numerator: 4, denominator: 6, value: 400 / 6 });
      expect(v.ON_TIME_RATE!.previous).toMatchObject({ period: '2024', numerator: 3, denominator: 4, value: 75 });
      expect(v.ON_TIME_RATE!.change).toBeCloseTo(400 / 6 - 75, 10);
      expect(v.DOSSIER_RECEIVED!.change).toBe(6 - 4);

      // A commune, same unit a year before: C1 2025-H1 b1 b2 = 2/2; 2024-H1 a1 = 1/1. No change.
      v = await values(C1, '2025-H1', ['ON_TIME_RATE'], basis);
      expect(v.ON_TIME_RATE!.previous).toMatchObject({ period: '2024-H1', numerator: 1, denominator: 1, value: 100 });
      expect(v.ON_TIME_RATE!.change).toBe(0);
    }
  });

  it('keeps the convention a year before', async () => {
    // Reporting 2025-Q1 is 2024-12-15 … 2025-03-14: b1 b2 b3, 2 on time of 3. A year before, 2023-12-15 … 2024-03-14:
    // a1 (early) a2 (late): 1 of 2.
    const { data, errors } = await hub.gql<{ indicators: Value[] }>(
      `{ indicators(unitCode: "${D}", period: "2025-Q1", convention: REPORTING, codes: ["ON_TIME_RATE"]) {
           value previous { period convention firstDay lastDay numerator denominator } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data!.indicators[0]!.previous).toEqual({
      period: '2024-Q1',
      convention: 'REPORTING',
      firstDay: '2023-12-15',
      lastDay: '2024-03-14',
      numerator: 1,
      denominator: 2,
    });
  });

  it('has no previous before the first year the hub accepts, and no change without both values', async () => {
    // 2000-H1: a year before is 1999, which the hub does not accept.
    let v = await values(D, '2000-H1', ['ON_TIME_RATE', 'DOSSIER_RECEIVED']);
    expect(v.ON_TIME_RATE!.previous).toBeNull();
    expect(v.ON_TIME_RATE!.change).toBeNull();
    expect(v.DOSSIER_RECEIVED!.previous).toBeNull();
    expect(v.DOSSIER_RECEIVED!.change).toBeNull();
    // 2025-12: nothing resolved, the rate is null (0 / 0); its previous 2024-12 is null too: no change. The count
    // of received dossiers is 0 against 0: a change of 0.
    v = await values(D, '2025-12', ['ON_TIME_RATE', 'DOSSIER_RECEIVED']);
    expect(v.ON_TIME_RATE!.value).toBeNull();
    expect(v.ON_TIME_RATE!.change).toBeNull();
    expect(v.DOSSIER_RECEIVED!.change).toBe(0);
    // 2025-08: nothing resolved (null); 2024-08 had a3 (1/1): still no change.
    v = await values(D, '2025-08', ['ON_TIME_RATE']);
    expect(v.ON_TIME_RATE!.previous).toMatchObject({ value: 100 });
    expect(v.ON_TIME_RATE!.change).toBeNull();
  });

  // ─── Batching ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** The statements a query runs (only its own: the counting Db is the hub's). */
  async function statementsOf(query: string): Promise<string[]> {
    const before = counted.statements.length;
    const { errors } = await hub.gql(query);
    expect(errors).toBeUndefined();
    return counted.statements.slice(before);
  }

  it('asks the year before in one batch per figure group, whatever the number of values', async () => {
    const groups = new Set(INDICATOR_CATALOG.flatMap((definition) => [...groupsOf(definition)]));
    const plain = await statementsOf(`{ indicators(unitCode: "${D}", period: "2025-H1") { code value } }`);
    const withPrevious = await statementsOf(
      `{ indicators(unitCode: "${D}", period: "2025-H1") { code value change previous { value } } }`,
    );
    // previous: one statement per group for every value of the catalog at once (2024-H1); change reuses it.
    expect(withPrevious.length - plain.length).toBe(groups.size);
    expect(INDICATOR_CATALOG.length).toBeGreaterThan(groups.size);

    // A ranking of every commune: one more statement (ON_TIME_RATE reads the dossier group only), not one per commune.
    const ranking = (fields: string) =>
      statementsOf(`{ ranking(code: "ON_TIME_RATE", level: COMMUNE, period: "2025-H1") { rank value { ${fields} } } }`);
    expect((await ranking('value previous { value } change')).length - (await ranking('value')).length).toBe(1);
    // A trend of four halves, 2024-H1 … 2025-H2: their years before are 2023-H1 … 2024-H2, of which 2024-H1 and
    // 2024-H2 are points already read (the same loaders): two more statements, 2023-H1 and 2023-H2.
    const trend = (fields: string) =>
      statementsOf(
        `{ trend(code: "ON_TIME_RATE", unitCode: "${D}", from: "2024-H1", to: "2025-H2", step: HALF) { ${fields} } }`,
      );
    expect((await trend('value previous { value }')).length - (await trend('value')).length).toBe(2);
  });

  it('reads the history coverage once per request', async () => {
    const statements = await statementsOf(
      `{ indicators(unitCode: "${D}", period: "2025-H1") { historyPartial previous { historyPartial } } }`,
    );
    expect(statements.filter((sql) => sql.includes('FROM unit_versions WHERE observed'))).toHaveLength(1);
  });
});
