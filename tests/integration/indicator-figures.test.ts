/**
 * The staff, public service unit, budget and cross-system figure groups over
 * the hand-built province of tests/support/finance-fixture.ts. Every expected
 * figure is a literal worked out by hand from the fixture's tables (the
 * arithmetic is in the comments), never by the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computedGroup, selfFinancingBand } from '../../schema/finance.ts';
import type { AutonomyGroup } from '../../store/model.ts';
import { crossFigures } from '../../store/indicators/cross.ts';
import type { BudgetFigures, CrossFigures, PsuFigures, StaffFigures } from '../../store/indicators/figures.ts';
import { budgetFigures, psuFigures } from '../../store/indicators/finance.ts';
import { exactFigures, exactInteger } from '../../store/indicators/numbers.ts';
import type { DayRange } from '../../store/indicators/scope.ts';
import { staffFigures } from '../../store/indicators/staff.ts';
import { FIN, loadFinanceFixture } from '../support/finance-fixture.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

// Calendar periods, and the reporting half-year (15 December to 14 June).
const H1: DayRange = { first: '2023-01-01', last: '2023-06-30' };
const H2: DayRange = { first: '2023-07-01', last: '2023-12-31' };
const Q2: DayRange = { first: '2023-04-01', last: '2023-06-30' };
const Q4: DayRange = { first: '2023-10-01', last: '2023-12-31' };
const APRIL: DayRange = { first: '2023-04-01', last: '2023-04-30' };
const MAY: DayRange = { first: '2023-05-01', last: '2023-05-31' };
const REPORTING_H1: DayRange = { first: '2022-12-15', last: '2023-06-14' };
const H1_2022: DayRange = { first: '2022-01-01', last: '2022-06-30' };
const H2_2022: DayRange = { first: '2022-07-01', last: '2022-12-31' };
const H2_2021: DayRange = { first: '2021-07-01', last: '2021-12-31' };
const H1_2024: DayRange = { first: '2024-01-01', last: '2024-06-30' };

const NO_STAFF: StaffFigures = {
  serving: 0,
  servingCadres: 0,
  servingCivilServants: 0,
  servingPublicEmployees: 0,
  servingContractWorkers: 0,
  headcountQuota: 0,
  headcountFilled: 0,
  communeCadres: 0,
  communeCadresMeetingStandard: 0,
};
const NO_PSU: PsuFigures = {
  psuCount: 0,
  psuCount2021: 0,
  psuReduction: 0,
  psuSelfFinancing: 0,
  psuPartlySelfFinancing: 0,
  psuWithFinance: 0,
  psuOwnRevenue: 0,
  psuRecurrentExpenditure: 0,
  psuGroupMismatch: 0,
};
const NO_BUDGET: BudgetFigures = {
  revenueEstimate: 0,
  revenueExecuted: 0,
  spendingEstimate: 0,
  spendingExecuted: 0,
  investmentPlan: 0,
  investmentDisbursed: 0,
};
const NO_CROSS: CrossFigures = {
  civilServantsOfReceivingUnits: 0,
  spendingOfResolvingUnits: 0,
  resolvedByUnitsWithSpending: 0,
};

describe('exact figures from SQL', () => {
  it('converts int8 and numeric text, numbers and bigints exactly', () => {
    expect(exactInteger('0')).toBe(0);
    expect(exactInteger('-5')).toBe(-5);
    expect(exactInteger('4507464999996')).toBe(4_507_464_999_996);
    expect(exactInteger('12.000')).toBe(12);
    expect(exactInteger(42)).toBe(42);
    expect(exactInteger(42n)).toBe(42);
    expect(exactInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('throws on values that are not safe integers', () => {
    expect(() => exactInteger('9007199254740992')).toThrow(/not a safe integer/);
    expect(() => exactInteger('-9007199254740993')).toThrow(/not a safe integer/);
    expect(() => exactInteger(2n ** 53n + 1n)).toThrow(/not a safe integer/);
    expect(() => exactInteger('1.5')).toThrow(/expected an integer/);
    expect(() => exactInteger(null, 'psuCount')).toThrow(/psuCount/);
    expect(() => exactInteger('')).toThrow(/expected an integer/);
    expect(() => exactInteger(0.5)).toThrow(/not a safe integer/);
  });

  it('reads the named columns of a row, and zeros for a missing row', () => {
    expect(exactFigures({ a: '3', b: 4, c: 'ignored' }, ['a', 'b'])).toEqual({ a: 3, b: 4 });
    expect(exactFigures(undefined, ['a', 'b'])).toEqual({ a: 0, b: 0 });
  });
});

describe.each(testBackends)('indicator figures (staff, PSU, budget, cross) on %s', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await loadFinanceFixture(store.db);
  });
  afterAll(() => store?.dispose());

  // Several roots in one call, in a mixed order, overlapping (the province holds both districts), with an
  // unknown code and a repeated root: one entry per root, aligned with the list.
  const ROOTS = [FIN.province, FIN.yenThe, FIN.unknown, FIN.tanYen, FIN.cauGo, FIN.dongHuu, FIN.yenThe];

  describe('staff', () => {
    it('counts serving staff of the units valid at the end of 2023-H1, by category, quota and commune standard', async () => {
      const [province, yenThe, unknown, tanYen, cauGo, dongHuu, yenTheAgain] = await staffFigures(store.db, ROOTS, H1);
      expect(yenThe).toEqual({
        // cadres: yenThe 3 + cauGo 4 + dongHuu 2 + tanSoi 1 (retired ones not counted)
        servingCadres: 10,
        // civil servants: yenThe 6 + ytHomeAffairs 7 + ytEducation 5 + cauGo 5 + dongHuu 3 + tanSoi 2
        servingCivilServants: 28,
        // public employees: ytPsu(1) 20 + ytPsu(2) 12 + cauGo 1 (ytMerged(1)'s 4: unit gone since 2022-08-15)
        servingPublicEmployees: 33,
        // contract workers: yenThe 2 + ytPsu(1) 3 + cauGo 2 + dongHuu 1
        servingContractWorkers: 8,
        serving: 79, // 10 + 28 + 33 + 8
        // quotas: yenThe 30 + ytHomeAffairs 10 + ytEducation 8 + ytPsu(2) 15 + ytPsu(61) 5 + cauGo 23 + dongHuu 21
        // (tanSoi: none)
        headcountQuota: 112,
        // C + CS + PE of those units: yenThe 9 + ytHomeAffairs 7 + ytEducation 5 + ytPsu(2) 12 + cauGo 10 + dongHuu 5
        // (ytPsu(61) has nobody)
        headcountFilled: 48,
        // commune C + CS: cauGo 4 + 5, dongHuu 2 + 3, tanSoi 1 + 2
        communeCadres: 17,
        // meeting the standard: cauGo 3 + 4, dongHuu 2 + 1, tanSoi 1 + 0
        communeCadresMeetingStandard: 11,
      });
      expect(yenTheAgain).toEqual(yenThe);
      expect(tanYen).toEqual({
        servingCadres: 5, // tanYen 2 + vietLap 3
        servingCivilServants: 8, // tanYen 4 + vietLap 4
        servingPublicEmployees: 0,
        servingContractWorkers: 1, // vietLap 1
        serving: 14, // 5 + 8 + 0 + 1
        headcountQuota: 48, // tanYen 28 + vietLap 20
        headcountFilled: 13, // tanYen 2 + 4, vietLap 3 + 4
        communeCadres: 7, // vietLap 3 + 4
        communeCadresMeetingStandard: 6, // vietLap 2 + 4
      });
      expect(province).toEqual({
        servingCadres: 20, // province 5 + Yên Thế 10 + Tân Yên 5
        servingCivilServants: 61, // homeAffairs 25 + Yên Thế 28 + Tân Yên 8
        servingPublicEmployees: 63, // hospital 30 + Yên Thế 33
        servingContractWorkers: 21, // homeAffairs 2 + hospital 10 + Yên Thế 8 + Tân Yên 1
        serving: 165, // 20 + 61 + 63 + 21
        headcountQuota: 200, // homeAffairs 40 + Yên Thế 112 + Tân Yên 48
        headcountFilled: 86, // homeAffairs 25 + Yên Thế 48 + Tân Yên 13 (the hospital has no quota)
        communeCadres: 24, // 17 + 7
        communeCadresMeetingStandard: 17, // 11 + 6
      });
      expect(cauGo).toEqual({
        servingCadres: 4,
        servingCivilServants: 5,
        servingPublicEmployees: 1,
        servingContractWorkers: 2,
        serving: 12, // 4 + 5 + 1 + 2 (1 retired, 1 left, 1 transferred out not counted)
        headcountQuota: 23,
        headcountFilled: 10, // 4 + 5 + 1
        communeCadres: 9, // 4 + 5
        communeCadresMeetingStandard: 7, // 3 + 4
      });
      expect(dongHuu).toEqual({
        servingCadres: 2,
        servingCivilServants: 3,
        servingPublicEmployees: 0,
        servingContractWorkers: 1,
        serving: 6, // 2 + 3 + 1
        headcountQuota: 21,
        headcountFilled: 5, // 2 + 3
        communeCadres: 5,
        communeCadresMeetingStandard: 3, // 2 + 1
      });
      expect(unknown).toEqual(NO_STAFF);
    });

    it('leaves out a commune dissolved before the end of the period (2023-H2)', async () => {
      const [yenThe, tanSoi] = await staffFigures(store.db, [FIN.yenThe, FIN.tanSoi], H2);
      // tanSoi (valid to 2023-10-01) is not valid on 2023-12-31: its 1 cadre and 2 civil servants drop out
      expect(yenThe).toEqual({
        servingCadres: 9, // 10 − 1
        servingCivilServants: 26, // 28 − 2
        servingPublicEmployees: 33,
        servingContractWorkers: 8,
        serving: 76, // 79 − 3
        headcountQuota: 107, // 112 − ytPsu(61)'s 5 (dissolved on 2023-10-01 too); tanSoi had no quota
        headcountFilled: 48, // nor counted in the filled posts
        communeCadres: 14, // 17 − 3
        communeCadresMeetingStandard: 10, // 11 − 1
      });
      expect(tanSoi).toEqual(NO_STAFF);
    });

    it("counts today's staff of the units valid at a past period's end (no staff history)", async () => {
      const [yenThe] = await staffFigures(store.db, [FIN.yenThe], H2_2021);
      // on 2021-12-31 ytMerged(1) was still valid: its 4 serving public employees count; ytPsu(60) (from 2022) has no staff
      expect(yenThe).toEqual({
        servingCadres: 10,
        servingCivilServants: 28,
        servingPublicEmployees: 37, // 33 + 4
        servingContractWorkers: 8,
        serving: 83, // 79 + 4
        headcountQuota: 112, // as at the end of 2023-H1 (ytPsu(61) valid, ytPsu(60) had no quota)
        headcountFilled: 48, // ytMerged(1) has no quota
        communeCadres: 17,
        communeCadresMeetingStandard: 11,
      });
    });
  });

  describe('public service units', () => {
    it("has seed 001's district: 61 units, 1 self-financing, 2 partly, against 65 in 2021 (2023-H1)", async () => {
      const [province, yenThe, unknown, tanYen, cauGo, dongHuu, yenTheAgain] = await psuFigures(store.db, ROOTS, H1);
      expect(yenThe).toEqual({
        psuCount: 61, // ytPsu(1…61), ytPsu(61) is dissolved only on 2023-10-01
        // on 2021-12-31: ytPsu(1…58) + ytPsu(59) (from that day) + ytPsu(61) + ytMerged(1…5); not ytPsu(60)
        // (from 2022-01-01) nor ytEnded (valid to 2021-12-31)
        psuCount2021: 65, // 58 + 1 + 1 + 5
        psuReduction: 4, // 65 − 61
        psuSelfFinancing: 1, // ytPsu(1), group 2: the share is 1 / 61
        psuPartlySelfFinancing: 2, // ytPsu(2), ytPsu(3), group 3 (10 % and 29.9999999 %)
        psuWithFinance: 61, // every one has a 2023 row (ytMerged(1)'s 2023 row: not valid any more)
        // ytPsu(1…8): 1,200,000,000 + 150,000,000 + 299,999,999 + 99,999,999 + 0 + 0 + 700,000,000 + 300,000,000,
        // ytPsu(10): 5,000,000, ytPsu(9, 11…61): 52 × 10,000,000 = 520,000,000
        psuOwnRevenue: 3_274_999_998,
        // ytPsu(1…8): 1,200,000,000 + 1,500,000,000 + 1,000,000,000 + 1,000,000,000 + 800,000,000 + 0
        //   + 1,000,000,000 + 1,000,000,000 = 7,500,000,000; ytPsu(10): 0; ytPsu(9, 11…61): 52 × 1,000,000,000
        psuRecurrentExpenditure: 59_500_000_000,
        // group 4 at exactly 70 % (ytPsu(7)) and 30 % (8), and with no spending (10): all compute higher.
        // Not: exactly 100 % in group 2 (1), exactly 10 % in group 3 (2), just under 10 % in group 4 (4),
        // no revenue (5) and no revenue nor spending (6) in group 4
        psuGroupMismatch: 3,
      });
      expect(yenTheAgain).toEqual(yenThe);
      expect(tanYen).toEqual({
        psuCount: 8,
        psuCount2021: 8,
        psuReduction: 0,
        psuSelfFinancing: 4, // tyPsu(2) group 1, tyPsu(3), (4), (5) group 2
        psuPartlySelfFinancing: 2, // tyPsu(1), tyPsu(6)
        psuWithFinance: 7, // tyPsu(7) has only a 2022 row
        // 999,999,999 + 2,000,000,000 + 999,999,999 + 0 + 1 + 99,999,999 + 100,000,000
        psuOwnRevenue: 4_199_999_998,
        // 1,000,000,000 + 1,500,000,000 + 1,000,000,000 + 0 + 0 + 1,000,000,000 + 1,000,000,000
        psuRecurrentExpenditure: 5_500_000_000,
        // tyPsu(3): group 2 at just under 100 % computes 3; tyPsu(4): group 2 with no revenue (and no spending)
        // computes 4; tyPsu(6): group 3 just under 10 % computes 4; tyPsu(8): group 4 at exactly 10 % computes 3.
        // Not: just under 100 % in group 3 (1), group 1 over 100 % (2), revenue 1 and no spending in group 2 (5)
        psuGroupMismatch: 4,
      });
      expect(province).toEqual({
        psuCount: 70, // 61 + 8 + the hospital
        psuCount2021: 74, // 65 + 8 + 1
        psuReduction: 4, // 74 − 70
        psuSelfFinancing: 6, // 1 + 4 + the hospital (group 2)
        psuPartlySelfFinancing: 4, // 2 + 2
        psuWithFinance: 69, // 61 + 7 + 1
        psuOwnRevenue: 4_507_474_999_996, // 3,274,999,998 + 4,199,999,998 + 4,500,000,000,000
        psuRecurrentExpenditure: 4_065_000_000_000, // 59,500,000,000 + 5,500,000,000 + 4,000,000,000,000
        psuGroupMismatch: 7, // 3 + 4 (the hospital: 112.5 % in group 2)
      });
      // communes without public service units, and an unknown code
      expect(cauGo).toEqual(NO_PSU);
      expect(dongHuu).toEqual(NO_PSU);
      expect(unknown).toEqual(NO_PSU);
    });

    it('counts a unit dissolved mid-year at the end of the half before, not after', async () => {
      const [yenThe] = await psuFigures(store.db, [FIN.yenThe], H2);
      // ytPsu(61) (group 4, 10,000,000 / 1,000,000,000) is not valid on 2023-12-31
      expect(yenThe).toEqual({
        psuCount: 60, // 61 − 1
        psuCount2021: 65, // the baseline does not move
        psuReduction: 5, // 65 − 60
        psuSelfFinancing: 1,
        psuPartlySelfFinancing: 2,
        psuWithFinance: 60,
        psuOwnRevenue: 3_264_999_998, // 3,274,999,998 − 10,000,000
        psuRecurrentExpenditure: 58_500_000_000, // 59,500,000,000 − 1,000,000,000
        psuGroupMismatch: 3,
      });
    });

    it('reads the autonomy rows of the year the period ends in', async () => {
      const [tanYen, yenThe] = await psuFigures(store.db, [FIN.tanYen, FIN.yenThe], H2_2022);
      expect(tanYen).toEqual({
        psuCount: 8,
        psuCount2021: 8,
        psuReduction: 0,
        psuSelfFinancing: 1, // tyPsu(7), group 1 for 2022
        psuPartlySelfFinancing: 0,
        psuWithFinance: 1,
        psuOwnRevenue: 500_000_000,
        psuRecurrentExpenditure: 400_000_000,
        psuGroupMismatch: 0, // 125 % in group 1: computes 1
      });
      expect(yenThe).toEqual({
        psuCount: 61, // ytPsu(1…61) on 2022-12-31 (ytPsu(60) from 2022-01-01; the merged ones gone on 2022-08-15)
        psuCount2021: 65,
        psuReduction: 4,
        psuSelfFinancing: 0, // no 2022 rows in Yên Thế
        psuPartlySelfFinancing: 0,
        psuWithFinance: 0,
        psuOwnRevenue: 0,
        psuRecurrentExpenditure: 0,
        psuGroupMismatch: 0,
      });
    });

    it('flags the same units as the exact rule of the graph (schema/finance.ts), unit by unit', async () => {
      // One root per public service unit with a 2023 row: each root's mismatch is that unit's 0 or 1.
      const rows = await store.db.query<{ unit: string; assigned: AutonomyGroup; revenue: string; spending: string }>(
        `SELECT unit_code AS unit, autonomy_group AS assigned, own_revenue::text AS revenue,
                recurrent_expenditure::text AS spending
           FROM psu_finance WHERE year = 2023 ORDER BY unit_code`,
      );
      const figures = await psuFigures(
        store.db,
        rows.map((row) => row.unit),
        H1,
      );
      const flagged = rows.filter((_, i) => figures[i]!.psuGroupMismatch === 1).map((row) => row.unit);
      const expected = rows
        .filter((_, i) => figures[i]!.psuWithFinance === 1) // ytMerged(1) is not valid any more
        .filter((row) => computedGroup(selfFinancingBand(row.revenue, row.spending), row.assigned) !== row.assigned)
        .map((row) => row.unit);
      // the hand-worked list of the fixture's table, and the graph's rule, agree with the SQL
      expect(flagged).toEqual([
        FIN.ytPsu(7),
        FIN.ytPsu(8),
        FIN.ytPsu(10),
        FIN.tyPsu(3),
        FIN.tyPsu(4),
        FIN.tyPsu(6),
        FIN.tyPsu(8),
      ]);
      expect(flagged).toEqual(expected);
    });
  });

  describe('budget', () => {
    it('reads each unit as of its latest month up to June 2023 (2023-H1)', async () => {
      const [province, yenThe, unknown, tanYen, cauGo, dongHuu, yenTheAgain] = await budgetFigures(store.db, ROOTS, H1);
      expect(yenThe).toEqual({
        // yenThe's June lines (a + b), cauGo's May lines (it has not reported June), tanSoi's June lines
        revenueEstimate: 1_550_000_000, // 1,000,000,000 + 500,000,000 + 50,000,000
        revenueExecuted: 795_000_000, // 520,000,000 + 260,000,000 + 15,000,000
        spendingEstimate: 3_400_000_000, // 2,000,000,000 + 1,000,000,000 + 300,000,000 + 100,000,000
        spendingExecuted: 1_540_000_000, // 1,000,000,000 + 380,000,000 + 120,000,000 + 40,000,000
        // ytRoad as of June, cauGoSchool as of May
        investmentPlan: 14_000_000_000, // 12,000,000,000 + 2,000,000,000
        investmentDisbursed: 4_900_000_000, // 4,000,000,000 + 900,000,000
      });
      expect(yenTheAgain).toEqual(yenThe);
      expect(tanYen).toEqual({
        revenueEstimate: 700_000_000, // tanYen's June revenue line
        revenueExecuted: 350_000_000,
        // tanYen's latest spending is May's (its June report carries revenue only), vietLap's June
        spendingEstimate: 1_700_000_000, // 1,500,000,000 + 200,000,000
        spendingExecuted: 680_000_000, // 600,000,000 + 80,000,000
        // tyMarket has 2022's December and 2023's July: nothing up to June 2023
        investmentPlan: 0,
        investmentDisbursed: 0,
      });
      expect(province).toEqual({
        revenueEstimate: 2_250_000_000, // 1,550,000,000 + 700,000,000
        revenueExecuted: 1_145_000_000, // 795,000,000 + 350,000,000
        spendingEstimate: 5_100_000_000, // 3,400,000,000 + 1,700,000,000
        spendingExecuted: 2_220_000_000, // 1,540,000,000 + 680,000,000
        investmentPlan: 64_000_000_000, // 14,000,000,000 + 0 + hospitalWing 50,000,000,000
        investmentDisbursed: 18_455_000_000, // 4,900,000,000 + 0 + 13,555,000,000
      });
      expect(cauGo).toEqual({
        revenueEstimate: 50_000_000,
        revenueExecuted: 15_000_000, // May, not May + April + February
        spendingEstimate: 300_000_000,
        spendingExecuted: 120_000_000,
        investmentPlan: 2_000_000_000,
        investmentDisbursed: 900_000_000,
      });
      expect(dongHuu).toEqual(NO_BUDGET);
      expect(unknown).toEqual(NO_BUDGET);
    });

    it('reads an earlier month when the period ends before the latest report (April 2023)', async () => {
      const [yenThe] = await budgetFigures(store.db, [FIN.yenThe], APRIL);
      expect(yenThe).toEqual({
        // yenThe as of March, cauGo as of April, tanSoi (June only) nothing
        revenueEstimate: 1_550_000_000, // 1,500,000,000 + 50,000,000
        revenueExecuted: 310_000_000, // 200,000,000 + 100,000,000 + 10,000,000
        spendingEstimate: 3_300_000_000, // 3,000,000,000 + 300,000,000
        spendingExecuted: 640_000_000, // 400,000,000 + 150,000,000 + 90,000,000
        // ytRoad as of April, cauGoSchool as of March
        investmentPlan: 12_000_000_000, // 10,000,000,000 + 2,000,000,000
        investmentDisbursed: 2_800_000_000, // 2,500,000,000 + 300,000,000
      });
    });

    it('reads the whole year at December (2023-H2), a unit dissolved in October included', async () => {
      const [province] = await budgetFigures(store.db, [FIN.province], H2);
      expect(province).toEqual({
        // yenThe as of July, cauGo May, tanYen June; tanSoi (valid until 2023-10-01) still spent in the half
        revenueEstimate: 2_250_000_000, // 1,500,000,000 + 50,000,000 + 700,000,000
        revenueExecuted: 1_265_000_000, // 600,000,000 + 300,000,000 + 15,000,000 + 350,000,000
        // + tanSoi 100,000,000, tanYen 1,500,000,000, vietLap 200,000,000
        spendingEstimate: 5_100_000_000, // 3,000,000,000 + 300,000,000 + 100,000,000 + 1,500,000,000 + 200,000,000
        spendingExecuted: 2_490_000_000, // 1,200,000,000 + 450,000,000 + 120,000,000 + 40,000,000 + 600,000,000 + 80,000,000
        // ytRoad August, cauGoSchool May, tyMarket July, hospitalWing June
        investmentPlan: 69_000_000_000, // 12,000,000,000 + 2,000,000,000 + 5,000,000,000 + 50,000,000,000
        investmentDisbursed: 22_455_000_000, // 7,000,000,000 + 900,000,000 + 1,000,000,000 + 13,555,000,000
      });
    });

    it('leaves out a unit not valid on any day of the period (2023-Q4)', async () => {
      const [yenThe] = await budgetFigures(store.db, [FIN.yenThe], Q4);
      // tanSoi is valid to 2023-10-01 (exclusive): not in Q4, so its June lines drop out
      expect(yenThe).toEqual({
        revenueEstimate: 1_550_000_000, // yenThe July 1,500,000,000 + cauGo May 50,000,000
        revenueExecuted: 915_000_000, // 600,000,000 + 300,000,000 + 15,000,000
        spendingEstimate: 3_300_000_000, // 3,000,000,000 + 300,000,000
        spendingExecuted: 1_770_000_000, // 1,200,000,000 + 450,000,000 + 120,000,000
        investmentPlan: 14_000_000_000, // ytRoad August 12,000,000,000 + cauGoSchool May 2,000,000,000
        investmentDisbursed: 7_900_000_000, // 7,000,000,000 + 900,000,000
      });
    });

    it('reads only the lines of the year the period ends in', async () => {
      const [in2022] = await budgetFigures(store.db, [FIN.yenThe], H1_2022);
      // yenThe's one 2022 line (June, spending a); no 2022 disbursement for Yên Thế's projects
      expect(in2022).toEqual({ ...NO_BUDGET, spendingEstimate: 9_000_000_000, spendingExecuted: 9_000_000_000 });
      const [in2024] = await budgetFigures(store.db, [FIN.province], H1_2024);
      expect(in2024).toEqual(NO_BUDGET);
    });
  });

  describe('cross-system', () => {
    it('pairs receiving units with their civil servants, resolving units with their spending (2023-H1)', async () => {
      const [province, yenThe, unknown, tanYen, cauGo, dongHuu, yenTheAgain] = await crossFigures(store.db, ROOTS, H1);
      expect(yenThe).toEqual({
        // received in H1: yenThe (D01, D02 at 23:59:59 on 30 June, D04, D05, D15), cauGo (D06, D07), tanSoi (D11);
        // not dongHuu (D09 at 00:00 on 1 July) nor ytHomeAffairs (D10 received in 2022).
        // Their serving cadres and civil servants: yenThe 3 + 6, cauGo 4 + 5, tanSoi 1 + 2
        civilServantsOfReceivingUnits: 21,
        // resolving with spending lines up to June: yenThe (D01, D03 at 00:00 on 1 January, D15; not D04 withdrawn
        // nor D05 finished at 00:00 on 1 July), cauGo (D06, D07), tanSoi (D11); ytHomeAffairs resolved D10 but
        // has no lines. The period starts in January: nothing subtracted.
        // yenThe June 1,000,000,000 + 380,000,000, cauGo May 120,000,000, tanSoi June 40,000,000
        spendingOfResolvingUnits: 1_540_000_000,
        resolvedByUnitsWithSpending: 6, // 3 + 2 + 1
      });
      expect(yenTheAgain).toEqual(yenThe);
      expect(tanYen).toEqual({
        civilServantsOfReceivingUnits: 13, // tanYen (D14) 2 + 4, vietLap (D12, D13) 3 + 4
        spendingOfResolvingUnits: 680_000_000, // tanYen May 600,000,000 + vietLap June 80,000,000
        resolvedByUnitsWithSpending: 3, // D14, D12, D13
      });
      expect(province).toEqual({
        // + the hospital, which received D16 but has no cadres nor civil servants
        civilServantsOfReceivingUnits: 34, // 21 + 13
        // the hospital resolved D16 but has no spending lines: not counted
        spendingOfResolvingUnits: 2_220_000_000, // 1,540,000,000 + 680,000,000
        resolvedByUnitsWithSpending: 9, // 6 + 3
      });
      expect(cauGo).toEqual({
        civilServantsOfReceivingUnits: 9, // 4 + 5
        spendingOfResolvingUnits: 120_000_000, // May's cumulative
        resolvedByUnitsWithSpending: 2,
      });
      // dongHuu received D09 one second after the half and finished D08 one second before it
      expect(dongHuu).toEqual(NO_CROSS);
      expect(unknown).toEqual(NO_CROSS);
    });

    it('subtracts the spending before the period when it starts after January (2023-Q2)', async () => {
      const [yenThe, tanYen, province] = await crossFigures(store.db, [FIN.yenThe, FIN.tanYen, FIN.province], Q2);
      expect(yenThe).toEqual({
        // received in Q2: yenThe (D02, D05, D15), cauGo (D06, D07); tanSoi's D11 was in January
        civilServantsOfReceivingUnits: 18, // 9 + 9
        // resolved in Q2: yenThe D15, cauGo D06 and D07. Spending from April: to June minus to the latest month
        // before April. yenThe: (1,000,000,000 + 380,000,000) − March (400,000,000 + 150,000,000) = 830,000,000;
        // cauGo: May 120,000,000 − February 40,000,000 = 80,000,000
        spendingOfResolvingUnits: 910_000_000, // 830,000,000 + 80,000,000
        resolvedByUnitsWithSpending: 3, // 1 + 2
      });
      expect(tanYen).toEqual({
        civilServantsOfReceivingUnits: 13, // D14 in May, D12 and D13 in June
        // no line before April: nothing subtracted. tanYen May 600,000,000 + vietLap June 80,000,000
        spendingOfResolvingUnits: 680_000_000,
        resolvedByUnitsWithSpending: 3,
      });
      expect(province).toEqual({
        civilServantsOfReceivingUnits: 31, // 18 + 13 (the hospital's D16 was in March)
        spendingOfResolvingUnits: 1_590_000_000, // 910,000,000 + 680,000,000
        resolvedByUnitsWithSpending: 6, // 3 + 3
      });
    });

    it('reads one month as the month minus the month before (May 2023)', async () => {
      const [yenThe, tanYen] = await crossFigures(store.db, [FIN.yenThe, FIN.tanYen], MAY);
      expect(yenThe).toEqual({
        civilServantsOfReceivingUnits: 9, // yenThe received D05; cauGo's were in April
        // resolved in May: yenThe D15, cauGo D07.
        // yenThe: May (800,000,000 + 300,000,000) − March (400,000,000 + 150,000,000) = 550,000,000;
        // cauGo: May 120,000,000 − April 90,000,000 = 30,000,000
        spendingOfResolvingUnits: 580_000_000,
        resolvedByUnitsWithSpending: 2,
      });
      expect(tanYen).toEqual({
        civilServantsOfReceivingUnits: 6, // tanYen received D14 (2 + 4)
        spendingOfResolvingUnits: 600_000_000, // May 600,000,000 − nothing before May
        resolvedByUnitsWithSpending: 1, // D14
      });
    });

    it('subtracts nothing when the period starts in the year before (reporting 2023-H1)', async () => {
      const [yenThe] = await crossFigures(store.db, [FIN.yenThe], REPORTING_H1);
      expect(yenThe).toEqual({
        // from 15 December 2022 to 14 June 2023: yenThe (D03 of 20 December, D01, D04, D05, D15; not D02), cauGo,
        // tanSoi
        civilServantsOfReceivingUnits: 21, // 9 + 9 + 3
        // resolving: yenThe 3, cauGo 2, tanSoi 1 with lines; dongHuu (D08, 31 December) and ytHomeAffairs (D10)
        // without. The budget year is 2023 and the period starts in 2022: the whole year to June counts.
        spendingOfResolvingUnits: 1_540_000_000, // 1,380,000,000 + 120,000,000 + 40,000,000
        resolvedByUnitsWithSpending: 6,
      });
    });
  });

  it('asks each group in one statement, whatever the number of roots (none for no roots)', async () => {
    const figureGroups = [staffFigures, psuFigures, budgetFigures, crossFigures] as const;
    for (const roots of [[FIN.yenThe], ROOTS, []]) {
      for (const figures of figureGroups) {
        const counted = countingDb(store.db);
        const result = await figures(counted.db, roots, H1);
        expect(result).toHaveLength(roots.length);
        expect(counted.statements).toHaveLength(roots.length === 0 ? 0 : 1);
      }
    }
  });
});
