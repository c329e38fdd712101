/**
 * The catalog's integrity: codes, figure references, factors and units,
 * breakdowns that add up, sources, criteria, and each indicator's formula
 * against the one issue 6 pins down (written out here by hand).
 */
import { describe, expect, it } from 'vitest';
import {
  criterionAt,
  FIGURE_IDENTITIES,
  figuresOf,
  groupsOf,
  INDICATOR_CATALOG,
  INDICATORS_BY_CODE,
} from '../../indicators/catalog.ts';
import { FIGURE_GROUP_SOURCES, FIGURE_GROUPS } from '../../store/indicators/index.ts';
import type { FigureGroup, FigureGroups, FigureRef } from '../../store/indicators/figures.ts';

/**
 * Every figure of every group: the type makes the compiler demand each figure
 * of store/indicators/figures.ts and refuse any other, so the names below are
 * exactly the store's.
 */
const EVERY_FIGURE: { [G in FigureGroup]: Record<keyof FigureGroups[G], true> } = {
  DOSSIERS: {
    received: true,
    receivedOnline: true,
    receivedInPerson: true,
    receivedPostal: true,
    carriedOver: true,
    receivedFullProcessEligible: true,
    receivedFullProcessOnline: true,
    receivedWithFee: true,
    receivedPaidOnline: true,
    receivedDigitised: true,
    resolved: true,
    resolvedEarly: true,
    resolvedOnTime: true,
    resolvedLate: true,
    resolvedElectronicResult: true,
    pending: true,
    pendingWithinDeadline: true,
    pendingOverdue: true,
  },
  STAFF: {
    serving: true,
    servingCadres: true,
    servingCivilServants: true,
    servingPublicEmployees: true,
    servingContractWorkers: true,
    headcountQuota: true,
    headcountFilled: true,
    communeCadres: true,
    communeCadresMeetingStandard: true,
  },
  PSU: {
    psuCount: true,
    psuCount2021: true,
    psuReduction: true,
    psuSelfFinancing: true,
    psuPartlySelfFinancing: true,
    psuWithFinance: true,
    psuOwnRevenue: true,
    psuRecurrentExpenditure: true,
    psuGroupMismatch: true,
  },
  BUDGET: {
    revenueEstimate: true,
    revenueExecuted: true,
    spendingEstimate: true,
    spendingExecuted: true,
    investmentPlan: true,
    investmentDisbursed: true,
  },
  CROSS: { civilServantsOfReceivingUnits: true, spendingOfResolvingUnits: true, resolvedByUnitsWithSpending: true },
};

const name = ([group, figure]: FigureRef) => `${group}.${figure}`;
const names = (refs: readonly FigureRef[]) => refs.map(name).sort();

/** A sum of figures with every figure that is a sum of others (FIGURE_IDENTITIES) replaced by its terms. */
function expand(refs: readonly FigureRef[]): string[] {
  return refs
    .flatMap((ref) => {
      const identity = FIGURE_IDENTITIES.find((i) => name(i.figure) === name(ref));
      return identity ? expand(identity.sumOf) : [name(ref)];
    })
    .sort();
}

/**
 * The formulas of issue 6 and the shared definitions, by hand: numerator and
 * denominator figures, factor and unit.
 */
const FORMULAS: Record<string, [numerator: string[], denominator: string[] | null, factor: number, unit: string]> = {
  DOSSIER_RECEIVED: [['DOSSIERS.received', 'DOSSIERS.carriedOver'], null, 1, 'DOSSIERS'],
  DOSSIER_RESOLVED: [['DOSSIERS.resolved'], null, 1, 'DOSSIERS'],
  DOSSIER_PENDING: [['DOSSIERS.pending'], null, 1, 'DOSSIERS'],
  ON_TIME_RATE: [['DOSSIERS.resolvedEarly', 'DOSSIERS.resolvedOnTime'], ['DOSSIERS.resolved'], 100, 'PERCENT'],
  ONLINE_SUBMISSION_RATE: [['DOSSIERS.receivedOnline'], ['DOSSIERS.received'], 100, 'PERCENT'],
  FULL_PROCESS_ONLINE_RATE: [
    ['DOSSIERS.receivedFullProcessOnline'],
    ['DOSSIERS.receivedFullProcessEligible'],
    100,
    'PERCENT',
  ],
  ONLINE_PAYMENT_RATE: [['DOSSIERS.receivedPaidOnline'], ['DOSSIERS.receivedWithFee'], 100, 'PERCENT'],
  DIGITISATION_RATE: [['DOSSIERS.receivedDigitised'], ['DOSSIERS.received'], 100, 'PERCENT'],
  ELECTRONIC_RESULT_RATE: [['DOSSIERS.resolvedElectronicResult'], ['DOSSIERS.resolved'], 100, 'PERCENT'],
  STAFF_COUNT: [['STAFF.serving'], null, 1, 'PEOPLE'],
  HEADCOUNT_FILL_RATE: [['STAFF.headcountFilled'], ['STAFF.headcountQuota'], 100, 'PERCENT'],
  COMMUNE_CADRE_STANDARD_RATE: [['STAFF.communeCadresMeetingStandard'], ['STAFF.communeCadres'], 100, 'PERCENT'],
  PSU_COUNT: [['PSU.psuCount'], null, 1, 'UNITS'],
  PSU_SELF_FINANCING_SHARE: [['PSU.psuSelfFinancing'], ['PSU.psuCount'], 100, 'PERCENT'],
  PSU_PARTIAL_SELF_FINANCING_SHARE: [['PSU.psuPartlySelfFinancing'], ['PSU.psuCount'], 100, 'PERCENT'],
  PSU_SELF_FINANCING_LEVEL: [['PSU.psuOwnRevenue'], ['PSU.psuRecurrentExpenditure'], 100, 'PERCENT'],
  PSU_REDUCTION_SINCE_2021: [['PSU.psuReduction'], ['PSU.psuCount2021'], 100, 'PERCENT'],
  BUDGET_REVENUE_EXECUTION_RATE: [['BUDGET.revenueExecuted'], ['BUDGET.revenueEstimate'], 100, 'PERCENT'],
  BUDGET_SPENDING_EXECUTION_RATE: [['BUDGET.spendingExecuted'], ['BUDGET.spendingEstimate'], 100, 'PERCENT'],
  INVESTMENT_DISBURSEMENT_RATE: [['BUDGET.investmentDisbursed'], ['BUDGET.investmentPlan'], 100, 'PERCENT'],
  DOSSIERS_PER_CIVIL_SERVANT: [
    ['DOSSIERS.resolved'],
    ['CROSS.civilServantsOfReceivingUnits'],
    1,
    'DOSSIERS_PER_PERSON',
  ],
  RECURRENT_COST_PER_DOSSIER: [
    ['CROSS.spendingOfResolvingUnits'],
    ['CROSS.resolvedByUnitsWithSpending'],
    1,
    'VND_PER_DOSSIER',
  ],
  PSU_GROUP_MISMATCH: [['PSU.psuGroupMismatch'], null, 1, 'UNITS'],
};

describe('the indicator catalog', () => {
  it('holds every indicator of issue 6, each code once', () => {
    const codes = INDICATOR_CATALOG.map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(FORMULAS).sort());
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*[A-Z0-9]$/);
    expect(INDICATORS_BY_CODE.size).toBe(codes.length);
  });

  it('computes each indicator by the formula the issue pins down', () => {
    for (const d of INDICATOR_CATALOG) {
      const [numerator, denominator, factor, unit] = FORMULAS[d.code]!;
      expect({ code: d.code, numerator: names(d.numerator.figures) }).toEqual({
        code: d.code,
        numerator: [...numerator].sort(),
      });
      expect({ code: d.code, denominator: d.denominator && names(d.denominator.figures) }).toEqual({
        code: d.code,
        denominator: denominator && [...denominator].sort(),
      });
      expect({ code: d.code, factor: d.factor, unit: d.unit }).toEqual({ code: d.code, factor, unit });
    }
  });

  it('refers only to figures the store computes, each at most once per sum', () => {
    for (const d of INDICATOR_CATALOG) {
      for (const [group, figure] of figuresOf(d)) {
        expect(Object.keys(EVERY_FIGURE[group]), `${d.code}: ${group}.${figure}`).toContain(figure);
        expect(FIGURE_GROUPS[group], group).toBeTypeOf('function');
      }
      for (const sum of [d.numerator, d.denominator, ...(d.parts ?? [])]) {
        if (!sum) continue;
        const refs = names(sum.figures);
        expect(refs.length, d.code).toBeGreaterThan(0);
        expect(new Set(refs).size, d.code).toBe(refs.length);
      }
    }
    for (const { figure, sumOf } of FIGURE_IDENTITIES) {
      for (const [group, f] of [figure, ...sumOf]) expect(Object.keys(EVERY_FIGURE[group])).toContain(f);
    }
  });

  it('gives percentages a factor of 100 and everything else 1; counts have no denominator', () => {
    for (const d of INDICATOR_CATALOG) {
      expect({ code: d.code, factor: d.factor }).toEqual({ code: d.code, factor: d.unit === 'PERCENT' ? 100 : 1 });
      if (d.denominator === null) expect(['DOSSIERS', 'PEOPLE', 'UNITS', 'VND'], d.code).toContain(d.unit);
      else expect(['DOSSIERS', 'PEOPLE', 'UNITS', 'VND'], d.code).not.toContain(d.unit);
    }
  });

  it('has breakdowns whose parts add up to the numerator', () => {
    const withParts = INDICATOR_CATALOG.filter((d) => d.parts);
    expect(withParts.map((d) => d.code)).toEqual([
      'DOSSIER_RECEIVED',
      'DOSSIER_RESOLVED',
      'DOSSIER_PENDING',
      'STAFF_COUNT',
    ]);
    for (const d of withParts) {
      const codes = d.parts!.map((p) => p.code);
      expect(new Set(codes).size, d.code).toBe(codes.length);
      expect({ code: d.code, parts: expand(d.parts!.flatMap((p) => p.figures)) }).toEqual({
        code: d.code,
        parts: expand(d.numerator.figures),
      });
    }
    expect(INDICATORS_BY_CODE.get('DOSSIER_RECEIVED')!.parts!.map((p) => p.code)).toEqual([
      'ONLINE',
      'IN_PERSON',
      'POSTAL',
      'CARRIED_OVER',
    ]);
    expect(INDICATORS_BY_CODE.get('DOSSIER_RESOLVED')!.parts!.map((p) => p.code)).toEqual(['EARLY', 'ON_TIME', 'LATE']);
    expect(INDICATORS_BY_CODE.get('DOSSIER_PENDING')!.parts!.map((p) => p.code)).toEqual([
      'WITHIN_DEADLINE',
      'OVERDUE',
    ]);
  });

  it('names sources among those of the figure groups it reads', () => {
    for (const d of INDICATOR_CATALOG) {
      const available = new Set([...groupsOf(d)].flatMap((group) => FIGURE_GROUP_SOURCES[group]));
      expect(d.sources.length, d.code).toBeGreaterThan(0);
      expect(new Set(d.sources).size, d.code).toBe(d.sources.length);
      for (const source of d.sources) expect([...available], d.code).toContain(source);
    }
    // Every group a cross-system indicator reads contributes a source of its own.
    expect(INDICATORS_BY_CODE.get('DOSSIERS_PER_CIVIL_SERVANT')!.sources).toEqual(['ONE_STOP_SHOP', 'CADRE_DB']);
    expect(INDICATORS_BY_CODE.get('RECURRENT_COST_PER_DOSSIER')!.sources).toEqual(['ONE_STOP_SHOP', 'BUDGET']);
  });

  it('feeds well-formed criteria; the on-time rate’s follows the unit’s level', () => {
    for (const d of INDICATOR_CATALOG) {
      for (const level of ['PROVINCE', 'DISTRICT', 'COMMUNE'] as const) {
        const criterion = criterionAt(d, level);
        if (criterion !== null) expect(criterion, d.code).toMatch(/^(\d+(\.\d+)+|SERVICE_INDEX)$/);
      }
    }
    const onTime = INDICATORS_BY_CODE.get('ON_TIME_RATE')!;
    expect(criterionAt(onTime, 'PROVINCE')).toBe('3.4.1');
    expect(criterionAt(onTime, 'DISTRICT')).toBe('3.4.2');
    expect(criterionAt(onTime, 'COMMUNE')).toBe('3.4.3');
    const fixed = (code: string) => criterionAt(INDICATORS_BY_CODE.get(code)!, 'DISTRICT');
    expect(fixed('FULL_PROCESS_ONLINE_RATE')).toBe('7.3.6');
    expect(fixed('ONLINE_PAYMENT_RATE')).toBe('7.3.7');
    expect(fixed('COMMUNE_CADRE_STANDARD_RATE')).toBe('5.6');
    expect(fixed('PSU_SELF_FINANCING_SHARE')).toBe('6.3.1');
    expect(fixed('PSU_PARTIAL_SELF_FINANCING_SHARE')).toBe('6.3.2');
    expect(fixed('PSU_REDUCTION_SINCE_2021')).toBe('4.1.3');
    expect(fixed('INVESTMENT_DISBURSEMENT_RATE')).toBe('6.1.1');
  });

  it('describes each indicator, with Vietnamese names in NFC', () => {
    for (const d of INDICATOR_CATALOG) {
      for (const text of [d.nameVi, d.nameEn, d.description, d.numerator.description, d.denominator?.description]) {
        if (text === undefined) continue;
        expect(text.trim().length, d.code).toBeGreaterThan(0);
        expect(text, d.code).toBe(text.normalize('NFC'));
      }
      expect(['HIGHER_IS_BETTER', 'LOWER_IS_BETTER', 'NEUTRAL']).toContain(d.direction);
    }
    expect(INDICATORS_BY_CODE.get('PSU_GROUP_MISMATCH')!.direction).toBe('LOWER_IS_BETTER');
    expect(INDICATORS_BY_CODE.get('ON_TIME_RATE')!.direction).toBe('HIGHER_IS_BETTER');
  });
});
