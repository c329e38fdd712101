/**
 * An indicator evaluated for a unit over a period (IndicatorValue), its
 * breakdown (IndicatorPart), and the arguments every field that evaluates
 * indicators takes. The value's links to its Unit and its Indicator are added
 * where those types are known (query.ts, indicator.ts), so that schema/unit.ts
 * can import this file without a cycle; so are its target, targetSource,
 * meetsTarget, gap and score (target.ts).
 */
import { AGGREGATE_TYPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { criterionAt, groupsOf } from '../../indicators/catalog.ts';
import { HierarchyEnum, IndicatorCodeEnum, IndicatorUnitEnum, PeriodConventionEnum } from './enums.ts';
import {
  definitionsOf,
  evaluateIndicators,
  type EvaluatedPart,
  type EvaluatedUnit,
  type IndicatorEvaluation,
} from '../../indicators/evaluate.ts';
import { figureLoadersOf, flawedLoaderOf } from './figure-loaders.ts';
import { LocalizedTextRef } from '../localized-text.ts';
import { freshnessOf, SourceFreshnessRef } from './freshness.ts';
import { parsePeriod, samePeriodYearBefore, type PeriodConvention } from '../../indicators/period.ts';
import { hierarchyArgs, hierarchyBasisOf, historyCoverageOf, type HierarchyArgs } from './hierarchy.ts';

export const IndicatorPartRef = builder.objectRef<EvaluatedPart>('IndicatorPart').implement({
  description:
    'One part of an indicator’s breakdown (e.g. dossiers received online); the parts add up to the numerator.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The part’s code within the indicator, e.g. ONLINE.' }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'Its name in Vietnamese and English.',
      resolve: (p) => ({ vi: p.nameVi, en: p.nameEn }),
    }),
    name: t.exposeString('nameVi', {
      description: 'Vietnamese name, e.g. "Trực tuyến".',
      deprecationReason: 'Use label.vi.',
    }),
    nameEn: t.exposeString('nameEn', { description: 'English name.', deprecationReason: 'Use label.en.' }),
    value: t.exposeFloat('value', { description: 'The part’s figure over the unit’s subtree: a whole number.' }),
  }),
});

export const IndicatorValueRef = builder.objectRef<IndicatorEvaluation>('IndicatorValue').implement({
  ...AGGREGATE_TYPE,
  description:
    'An indicator evaluated for a unit and its whole subtree over a period, on the tree its hierarchy says (as it stood in the period, or restated on hierarchyDate): numerator and denominator are summed over the subtree, then divided.',
  fields: (t) => ({
    code: t.field({
      type: IndicatorCodeEnum,
      description: 'The indicator’s code, e.g. ON_TIME_RATE.',
      resolve: (v) => v.definition.code,
    }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'The indicator’s name in Vietnamese and English.',
      resolve: (v) => ({ vi: v.definition.nameVi, en: v.definition.nameEn }),
    }),
    name: t.string({
      description: 'Vietnamese name.',
      deprecationReason: 'Use label.vi.',
      resolve: (v) => v.definition.nameVi,
    }),
    nameEn: t.string({
      description: 'English name.',
      deprecationReason: 'Use label.en.',
      resolve: (v) => v.definition.nameEn,
    }),
    value: t.exposeFloat('value', {
      nullable: true,
      description:
        'numerator × factor ÷ denominator, the full double (not rounded); for a count, the numerator. Null when the denominator is 0 (nothing to rate), which is not an error.',
    }),
    numerator: t.exposeFloat('numerator', {
      description: 'The numerator’s figures summed over the subtree: a whole number (exact; figures stay below 2^53).',
    }),
    denominator: t.exposeFloat('denominator', {
      nullable: true,
      description: 'The denominator’s figures summed over the subtree, a whole number; null for a count.',
    }),
    factor: t.int({ description: '100 for percentages, 1 otherwise.', resolve: (v) => v.definition.factor }),
    measureUnit: t.field({
      type: IndicatorUnitEnum,
      description:
        'The unit of measure of the value (a percentage, dossiers, đồng …); the administrative unit is orgUnit.',
      resolve: (v) => v.definition.unit,
    }),
    unit: t.field({
      type: IndicatorUnitEnum,
      deprecationReason: 'Use measureUnit (the same value): "unit" reads as the administrative unit, which is orgUnit.',
      description: 'What the value measures.',
      resolve: (v) => v.definition.unit,
    }),
    period: t.string({
      description: 'The period in canonical form: 2024, 2024-H1, 2024-Q2 or 2024-06.',
      resolve: (v) => v.period.label,
    }),
    convention: t.field({
      type: PeriodConventionEnum,
      description: 'How the period maps to days.',
      resolve: (v) => v.period.convention,
    }),
    firstDay: t.field({
      type: 'Date',
      description: 'The period’s first day (Vietnam time), included.',
      resolve: (v) => v.period.range.first,
    }),
    lastDay: t.field({
      type: 'Date',
      description:
        'The period’s last day (Vietnam time), included. Budget and public service unit figures are read for its calendar year and month.',
      resolve: (v) => v.period.range.last,
    }),
    unitCode: t.exposeString('unitCode', { description: 'The unit whose subtree is counted.' }),
    criterion: t.string({
      nullable: true,
      description:
        'The national criterion it feeds at this unit’s level: a PAR INDEX criterion code (e.g. 3.4.2) or SERVICE_INDEX; null when none.',
      resolve: (v) => criterionAt(v.definition, v.unitLevel),
    }),
    computedAt: t.expose('computedAt', {
      type: 'DateTime',
      description: 'When the figures were read from the hub’s store (the values are computed on request, not cached).',
    }),
    freshness: t.field({
      type: [SourceFreshnessRef],
      description:
        'For each upstream system whose records the indicator counts, its last successful sync and the lag to computedAt.',
      resolve: (v, _args, ctx) => freshnessOf(ctx, v.definition.sources, v.computedAt),
    }),
    flawedRecords: t.int({
      description:
        'How many of the records its figures read carry flaws (rules of their upstream contract they break without losing their place in the counts, see `dataQuality`): they are counted by the rules their sound fields meet. Over the same subtree and period as the value.',
      resolve: (v, _args, ctx) =>
        flawedLoaderOf(ctx).load({ unitCode: v.unitCode, range: v.period.range, groups: groupsOf(v.definition) }),
    }),
    parts: t.field({
      type: [IndicatorPartRef],
      description: 'The breakdown of the numerator, in the catalog’s order; empty when the indicator has none.',
      resolve: (v) => v.parts,
    }),
    hierarchy: t.field({
      type: HierarchyEnum,
      description:
        'The tree the figures were counted on: AS_WAS (each record on the tree of its own date) or AS_IS (restated on the tree of hierarchyDate).',
      resolve: (v) => v.basis.hierarchy,
    }),
    hierarchyDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'The day whose tree restated the figures (AS_IS); null for AS_WAS, which has no single date.',
      resolve: (v) => (v.basis.hierarchy === 'AS_IS' ? v.basis.hierarchyDate : null),
    }),
    unattributedRecords: t.int({
      description:
        'Records of the period whose unit had ended, on the basis’s dates, with no single successor (a split, a dissolution): they count toward the province only, in no unit below it. A count of records, like flawedRecords (never a sum of đồng, so it fits an Int). 0 when every record found its unit.',
      resolve: (v) => v.unattributedRecords,
    }),
    historyPartial: t.boolean({
      description:
        'True when the hub holds only part of the units’ and staff’s history (the cadre database does not serve its history, or has not been synced yet, or some versions were observed by the hub itself): the tree of a past date may then be the one the hub last saw, and the figures with it.',
      resolve: async (_v, _args, ctx) => (await historyCoverageOf(ctx)).partial,
    }),
  }),
});

// Added apart: a field of IndicatorValue that returns an IndicatorValue would make the type's initializer refer to itself.
builder.objectFields(IndicatorValueRef, (t) => ({
  previous: t.field({
    type: IndicatorValueRef,
    nullable: true,
    description:
      'The same indicator for the same unit over the same period one year earlier (so với cùng kỳ: 2025-H1 → 2024-H1, 2025-Q3 → 2024-Q3, 2025 → 2024, 2025-07 → 2024-07), in the same convention and on the same basis: for AS_IS the same hierarchyDate, so a merged commune’s previous is its predecessors’ figures restated. Null when that period is before 2000, the first year the hub accepts. The values of a page share one read per figure group.',
    resolve: (v, _args, ctx) => previousOf(ctx, v),
  }),
  change: t.float({
    nullable: true,
    description:
      'value − previous.value, in the value’s own unit of measure (measureUnit): for a percentage, the difference in percentage points (98.5 % after 96 % is 2.5); for any other measure, the difference in its own unit (dossiers, people, units, đồng, dossiers per person …). Null when either value is null (a denominator of 0, or no previous period).',
    resolve: async (v, _args, ctx) => {
      if (v.value === null) return null;
      const previous = await previousOf(ctx, v);
      return previous?.value == null ? null : v.value - previous.value;
    },
  }),
}));

/**
 * The same period one year earlier for the same unit, definition and basis
 * (IndicatorValue.previous and change). Through the request's figure loaders:
 * the previous values of a page are one batch per figure group, and `change`
 * asking again reads nothing more.
 */
export async function previousOf(ctx: Context, v: IndicatorEvaluation): Promise<IndicatorEvaluation | null> {
  const period = samePeriodYearBefore(v.period);
  if (!period) return null;
  const unit = { code: v.unitCode, level: v.unitLevel };
  const [previous] = await evaluateIndicators(figureLoadersOf(ctx), [v.definition], unit, period, v.basis);
  return previous!;
}

/** The arguments of every field that evaluates indicators (the unit comes from the field itself). */
export const indicatorArgs = builder.args((t) => ({
  period: t.string({
    required: true,
    description:
      'The period: a year (2024), a half (2024-H1), a quarter (2024-Q2) or a month (2024-06); H and Q may be lower case.',
  }),
  codes: t.stringList({
    description:
      'The indicators to evaluate, by code, in the order wanted (a code repeated is evaluated once); every indicator of the catalog, in its order, when omitted. An unknown code is an error (BAD_USER_INPUT).',
  }),
  convention: t.field({
    type: PeriodConventionEnum,
    defaultValue: 'CALENDAR',
    description:
      'How the period maps to days; dossier figures follow it, budget and public service unit figures are calendar whatever it is.',
  }),
  ...hierarchyArgs,
}));

export interface IndicatorArgs extends HierarchyArgs {
  period: string;
  codes?: readonly string[] | null;
  convention?: PeriodConvention | null;
}

/** Checks the arguments (a GraphQLError on the faulty one) before anything is read. */
export function checkIndicatorArgs(args: IndicatorArgs) {
  return {
    period: parsePeriod(args.period, args.convention ?? 'CALENDAR'),
    definitions: definitionsOf(args.codes),
    basis: hierarchyBasisOf(args),
  };
}

/** The indicators of a unit, evaluated over its subtree (batched across the units of a request). */
export function indicatorsOfUnit(
  ctx: Context,
  unit: EvaluatedUnit,
  args: IndicatorArgs,
): Promise<IndicatorEvaluation[]> {
  const { period, definitions, basis } = checkIndicatorArgs(args);
  return evaluateIndicators(figureLoadersOf(ctx), definitions, unit, period, basis);
}
