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
import { IndicatorCodeEnum, IndicatorUnitEnum, PeriodConventionEnum } from './enums.ts';
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
import { parsePeriod, type PeriodConvention } from '../../indicators/period.ts';

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
    'An indicator evaluated for a unit and its whole subtree (as the tree stood in the period, by validity dates) over a period: numerator and denominator are summed over the subtree, then divided.',
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
  }),
});

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
}));

export interface IndicatorArgs {
  period: string;
  codes?: readonly string[] | null;
  convention?: PeriodConvention | null;
}

/** Checks the arguments (a GraphQLError on the faulty one) before anything is read. */
export function checkIndicatorArgs(args: IndicatorArgs) {
  return {
    period: parsePeriod(args.period, args.convention ?? 'CALENDAR'),
    definitions: definitionsOf(args.codes),
  };
}

/** The indicators of a unit, evaluated over its subtree (batched across the units of a request). */
export function indicatorsOfUnit(
  ctx: Context,
  unit: EvaluatedUnit,
  args: IndicatorArgs,
): Promise<IndicatorEvaluation[]> {
  const { period, definitions } = checkIndicatorArgs(args);
  return evaluateIndicators(figureLoadersOf(ctx), definitions, unit, period);
}
