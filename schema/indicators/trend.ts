/**
 * An indicator of a unit period after period (TrendStep and the root field
 * `trend`): one point per month, quarter, half or year from `from` to `to`,
 * both included, each point exactly the value `indicators` gives for that
 * single period (the same evaluator; each period is its own batch).
 */
import { GraphQLError } from 'graphql';
import type { UnitRow } from '../../store/units.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { describedValues } from '../enum-values.ts';
import { UnitNode } from '../unit.ts';
import { indicatorByCode } from './breakdown.ts';
import { PeriodConventionEnum } from './enums.ts';
import { evaluateIndicators, type IndicatorEvaluation } from '../../indicators/evaluate.ts';
import { figureLoadersOf } from './figure-loaders.ts';
import { IndicatorValueRef } from './indicator-value.ts';
import { parsePeriod, type Period, type PeriodConvention, type PeriodKind } from '../../indicators/period.ts';
import { hierarchyArgs, hierarchyBasisOf, type HierarchyArgs } from './hierarchy.ts';

export const TREND_STEPS = ['MONTH', 'QUARTER', 'HALF', 'YEAR'] as const satisfies readonly PeriodKind[];
export type TrendStep = (typeof TREND_STEPS)[number];

/** At most this many points: ten years of months. */
export const MAX_TREND_POINTS = 120;

export const TrendStepEnum = builder.enumType('TrendStep', {
  description: 'The length of each point of a trend; `from` and `to` are periods of that kind.',
  values: describedValues(TREND_STEPS, {
    MONTH: 'Months: from and to are written 2024-01 … 2024-12.',
    QUARTER: 'Quarters: 2024-Q1 … 2024-Q4.',
    HALF: 'Halves: 2024-H1, 2024-H2.',
    YEAR: 'Years: 2024.',
  }),
});

/** Periods of each kind in a year, and how the n-th one (1-based) is written. */
const STEPS: Readonly<Record<TrendStep, { perYear: number; label: (year: number, n: number) => string }>> = {
  MONTH: { perYear: 12, label: (year, n) => `${year}-${String(n).padStart(2, '0')}` },
  QUARTER: { perYear: 4, label: (year, n) => `${year}-Q${n}` },
  HALF: { perYear: 2, label: (year, n) => `${year}-H${n}` },
  YEAR: { perYear: 1, label: (year) => String(year) },
};

const badRange = (argument: 'from' | 'to', message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });

/** A bound of the range, parsed; a malformed one is reported on its own argument. */
function parseBound(argument: 'from' | 'to', text: string, step: TrendStep, convention: PeriodConvention): Period {
  let period: Period;
  try {
    period = parsePeriod(text, convention);
  } catch (error) {
    throw error instanceof GraphQLError ? badRange(argument, error.message) : error;
  }
  if (period.kind !== step) {
    throw badRange(
      argument,
      `${argument} ${JSON.stringify(text)} is a ${period.kind.toLowerCase()}, not a ${step.toLowerCase()} as the step ${step} requires.`,
    );
  }
  return period;
}

/** The position of a period among those of its kind: year × periods per year + its number in the year. */
function indexOf(period: Period, step: TrendStep): number {
  const year = Number(period.label.slice(0, 4));
  const n = step === 'YEAR' ? 1 : Number(period.label.slice(5).replace(/^[HQ]/, ''));
  return year * STEPS[step].perYear + (n - 1);
}

/** The periods from `from` to `to`, both included; reversed bounds or more than MAX_TREND_POINTS are errors. */
export function trendPeriods(from: string, to: string, step: TrendStep, convention: PeriodConvention): Period[] {
  const [first, last] = [parseBound('from', from, step, convention), parseBound('to', to, step, convention)];
  const [start, end] = [indexOf(first, step), indexOf(last, step)];
  if (end < start) throw badRange('to', `to (${last.label}) comes before from (${first.label}).`);
  if (end - start + 1 > MAX_TREND_POINTS) {
    throw badRange(
      'to',
      `${first.label} to ${last.label} is ${end - start + 1} points; a trend has at most ${MAX_TREND_POINTS}.`,
    );
  }
  const { perYear, label } = STEPS[step];
  return Array.from({ length: end - start + 1 }, (_, i) =>
    parsePeriod(label(Math.floor((start + i) / perYear), ((start + i) % perYear) + 1), convention),
  );
}

export async function indicatorTrend(
  ctx: Context,
  args: HierarchyArgs & {
    code: string;
    unitCode: string;
    from: string;
    to: string;
    step: TrendStep;
    convention?: PeriodConvention | null;
  },
): Promise<IndicatorEvaluation[] | null> {
  const definition = indicatorByCode(args.code);
  const periods = trendPeriods(args.from, args.to, args.step, args.convention ?? 'CALENDAR');
  // One basis for every point (for AS_IS, one hierarchyDate): the restated series is comparable end to end.
  const basis = hierarchyBasisOf(args);
  await ctx.units.check(args.unitCode, 'unitCode');
  const unit = (await UnitNode.getDataloader(ctx).load(args.unitCode)) as UnitRow | null;
  if (!unit) return null;
  const points = await Promise.all(
    periods.map((period) => evaluateIndicators(figureLoadersOf(ctx), [definition], unit, period, basis)),
  );
  return points.map(([point]) => point!);
}

builder.queryFields((t) => ({
  trend: t.field({
    type: [IndicatorValueRef],
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description:
      'An indicator of a unit (over its subtree) period after period: one value per month, quarter, half or year from `from` to `to`, both included, in order, each the value `indicators` gives for that period. An unknown indicator code, bounds that are malformed, of another kind than the step or reversed, and more than 120 points are errors (BAD_USER_INPUT). A unit code no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both).',
    args: {
      code: t.arg.string({ required: true, description: 'The indicator’s code, e.g. ON_TIME_RATE.' }),
      unitCode: t.arg.string({ required: true, description: 'The unit’s national electronic identifier.' }),
      from: t.arg.string({
        required: true,
        description: 'The first period, of the step’s kind (e.g. 2024-01 for MONTH, 2024-Q1, 2024-H1, 2024).',
      }),
      to: t.arg.string({
        required: true,
        description: 'The last period, of the step’s kind, not before `from`; at most 120 points in all.',
      }),
      step: t.arg({ type: TrendStepEnum, required: true, description: 'The kind of period of each point.' }),
      convention: t.arg({
        type: PeriodConventionEnum,
        defaultValue: 'CALENDAR',
        description: 'How each period maps to days.',
      }),
      ...hierarchyArgs,
    },
    resolve: (_root, args, ctx) => indicatorTrend(ctx, args),
  }),
}));
