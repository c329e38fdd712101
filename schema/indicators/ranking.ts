/**
 * The units of a level ranked by an indicator (RankedUnit and the root field
 * `ranking`): every unit of the level valid on the period's last day (on
 * hierarchyDate when restated, AS_IS), below a parent or in the whole
 * province, each evaluated over its own subtree. All of
 * them go through the evaluator in the same tick, so each figure group is one
 * statement for every unit at once: a ranking costs the same few statements
 * for ten communes or a thousand. Values are compared exactly, as fractions
 * (compareValues), not as the rounded doubles: two units tie exactly when
 * their rates are equal fractions (2/3 and 4/6), and never because two close
 * rates round alike.
 */
import { GraphQLError } from 'graphql';
import type { UnitKind, UnitLevel } from '../../store/model.ts';
import { findDescendantsOfUnits, listUnits, type UnitRow } from '../../store/units.ts';
import { AGGREGATE_TYPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { UnitKind as UnitKindEnum, UnitLevel as UnitLevelEnum, UnitNode } from '../unit.ts';
import type { IndicatorDirection } from '../../indicators/catalog.ts';
import { PeriodConventionEnum } from './enums.ts';
import { evaluateIndicators, type IndicatorEvaluation } from '../../indicators/evaluate.ts';
import { figureLoadersOf } from './figure-loaders.ts';
import { indicatorByCode } from './breakdown.ts';
import { IndicatorValueRef } from './indicator-value.ts';
import { parsePeriod, type PeriodConvention } from '../../indicators/period.ts';
import { hierarchyArgs, hierarchyBasisOf, type HierarchyArgs } from './hierarchy.ts';

export interface RankedUnit {
  /** Null when the value is null. */
  rank: number | null;
  unit: UnitRow;
  value: IndicatorEvaluation;
}

/**
 * The exact order of two non-null values, ascending: negative when a < b.
 * A count compares its numerators; a rate a.n/a.d against b.n/b.d compares
 * a.n × b.d with b.n × a.d (the factor is the same on both sides), the sign
 * flipped when one denominator is negative.
 */
export function compareValues(a: IndicatorEvaluation, b: IndicatorEvaluation): number {
  if (a.denominator === null || b.denominator === null) return Math.sign(a.numerator - b.numerator);
  const left = BigInt(a.numerator) * BigInt(b.denominator);
  const right = BigInt(b.numerator) * BigInt(a.denominator);
  const sign = left < right ? -1 : left > right ? 1 : 0;
  return a.denominator * b.denominator < 0 ? -sign : sign;
}

/**
 * The values ranked best first in the indicator's direction (higher first for
 * HIGHER_IS_BETTER and NEUTRAL); ties share a rank, standard competition style
 * (1, 2, 2, 4), and are listed by unit code; units with a null value last,
 * unranked.
 */
export function rankValues(
  entries: readonly { unit: UnitRow; value: IndicatorEvaluation }[],
  direction: IndicatorDirection,
): RankedUnit[] {
  const better = direction === 'LOWER_IS_BETTER' ? 1 : -1;
  const byCode = (a: { unit: UnitRow }, b: { unit: UnitRow }) =>
    a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0;
  const rated = entries
    .filter((entry) => entry.value.value !== null)
    .sort((a, b) => better * compareValues(a.value, b.value) || byCode(a, b));
  const unrated = entries.filter((entry) => entry.value.value === null).sort(byCode);
  const ranked: RankedUnit[] = [];
  rated.forEach((entry, i) => {
    const previous = ranked[i - 1];
    const tied = previous !== undefined && compareValues(previous.value, entry.value) === 0;
    ranked.push({ ...entry, rank: tied ? previous.rank : i + 1 });
  });
  return [...ranked, ...unrated.map((entry) => ({ ...entry, rank: null }))];
}

/** No limit: LIMIT takes a bigint, and a province holds some thousands of units. */
const ALL = Number.MAX_SAFE_INTEGER;

export async function rankUnits(
  ctx: Context,
  args: HierarchyArgs & {
    code: string;
    level: UnitLevel;
    kind?: UnitKind | null;
    period: string;
    convention?: PeriodConvention | null;
    parentCode?: string | null;
    first?: number | null;
  },
): Promise<RankedUnit[] | null> {
  const definition = indicatorByCode(args.code);
  const period = parsePeriod(args.period, args.convention ?? 'CALENDAR');
  const basis = hierarchyBasisOf(args);
  if (args.first != null && args.first < 0) {
    throw new GraphQLError(`first must not be negative (got ${args.first})`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
  }
  // The units of the tree counted on: as it stood at the period's end, or restated on hierarchyDate (AS_IS).
  const validOn = basis.hierarchy === 'AS_IS' ? basis.hierarchyDate : period.range.last;
  if (args.parentCode != null) await ctx.units.check(args.parentCode, 'parentCode');
  let units: UnitRow[];
  if (args.parentCode != null) {
    const [parent, below] = await Promise.all([
      UnitNode.getDataloader(ctx).load(args.parentCode) as Promise<UnitRow | null>,
      findDescendantsOfUnits(ctx.db, [args.parentCode], { level: args.level, kind: args.kind ?? null, validOn }),
    ]);
    if (!parent) return null;
    units = below;
  } else {
    // The whole province, or the consumer's whole subtree (its root included) when it is bound to one.
    units = await listUnits(
      ctx.db,
      { level: args.level, kind: args.kind ?? null, validOn, within: ctx.units.root },
      { limit: ALL, inverted: false },
    );
  }
  // Every evaluation is started before the first await: one batch of all the units per figure group.
  const values = await Promise.all(
    units.map((unit) => evaluateIndicators(figureLoadersOf(ctx), [definition], unit, period, basis)),
  );
  const ranked = rankValues(
    units.map((unit, i) => ({ unit, value: values[i]![0]! })),
    definition.direction,
  );
  return args.first != null ? ranked.slice(0, args.first) : ranked;
}

export const RankedUnitRef = builder.objectRef<RankedUnit>('RankedUnit').implement({
  ...AGGREGATE_TYPE,
  description: 'A unit’s place in a ranking by an indicator, and the value it was ranked by.',
  fields: (t) => ({
    rank: t.exposeInt('rank', {
      nullable: true,
      description:
        'Its rank, best first in the indicator’s direction (NEUTRAL: highest first); equal values share a rank and the next rank skips (1, 2, 2, 4). Null when the value is null (nothing to rate): those units come last.',
    }),
    unit: t.field({ type: UnitNode, description: 'The unit ranked.', resolve: (r) => r.unit }),
    value: t.field({
      type: IndicatorValueRef,
      description: 'The indicator over the unit’s subtree for the period.',
      resolve: (r) => r.value,
    }),
  }),
});

builder.queryFields((t) => ({
  ranking: t.field({
    type: [RankedUnitRef],
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description:
      'The units of a level valid on the period’s last day (AS_IS: on hierarchyDate; below parentCode, or in the whole province), each evaluated over its subtree, ranked by an indicator: best first, ties sharing a rank, then by unit code; units with a null value last. An unknown indicator code or a malformed period is an error (BAD_USER_INPUT). For a consumer bound to a unit subtree, without parentCode it ranks the units of that subtree (its root included), A parentCode no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both).',
    args: {
      code: t.arg.string({ required: true, description: 'The indicator’s code, e.g. ON_TIME_RATE.' }),
      level: t.arg({ type: UnitLevelEnum, required: true, description: 'The level of the units ranked.' }),
      period: t.arg.string({
        required: true,
        description:
          'The period: a year (2024), a half (2024-H1), a quarter (2024-Q2) or a month (2024-06); H and Q may be lower case.',
      }),
      convention: t.arg({
        type: PeriodConventionEnum,
        defaultValue: 'CALENDAR',
        description: 'How the period maps to days.',
      }),
      kind: t.arg({
        type: UnitKindEnum,
        description:
          'Only units of this kind: PEOPLES_COMMITTEE ranks the communes (or districts) themselves, each over its subtree, leaving out the schools and stations of the same level.',
      }),
      parentCode: t.arg.string({
        description:
          'Rank only the units below this one (its whole subtree, not only its children); the whole province when omitted (for a consumer bound to a unit subtree, that subtree).',
      }),
      first: t.arg.int({
        description: 'Only the first this many units of the ranking (all when omitted); must not be negative.',
      }),
      ...hierarchyArgs,
    },
    resolve: (_root, args, ctx) => rankUnits(ctx, args),
  }),
}));
