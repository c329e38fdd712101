/**
 * An indicator of a unit over a period split into parts whose numerators and
 * denominators add up to the total's (IndicatorBreakdown, BreakdownPart,
 * BreakdownDimension and the root field `indicatorBreakdown`): by child unit,
 * by level, or, for indicators made of dossier figures only, by channel or
 * procedure field (store/indicators/dossiers-by.ts). The total is the
 * evaluator's (the same value as `indicators`); the parts are read beside it,
 * one statement per figure group for all the parts at once. Each part is
 * divided last, like the total (never an average of rates).
 */
import { GraphQLError } from 'graphql';
import { dossierFiguresBy, type DossierSplit } from '../../store/indicators/dossiers-by.ts';
import type { FigureGroup, FigureGroups } from '../../store/indicators/figures.ts';
import { FIGURE_GROUPS, type FigureOptions } from '../../store/indicators/index.ts';
import { unitsHeldBelow, type DayRange, type HeldUnit } from '../../store/indicators/scope.ts';
import { UNIT_LEVELS, type UnitLevel } from '../../store/model.ts';
import { findDescendantsOfUnits, findUnitsByParentCodes, type UnitRow } from '../../store/units.ts';
import { AGGREGATE_TYPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { describedValues } from '../enum-values.ts';
import { UnitNode } from '../unit.ts';
import { figuresOf, groupsOf, INDICATORS_BY_CODE, type IndicatorDefinition } from '../../indicators/catalog.ts';
import { PeriodConventionEnum } from './enums.ts';
import { enumLabel } from '../enum-labels.ts';
import { evaluateIndicators, indicatorValue, type IndicatorEvaluation } from '../../indicators/evaluate.ts';
import { figureLoadersOf } from './figure-loaders.ts';
import { IndicatorValueRef } from './indicator-value.ts';
import { parsePeriod, type Period, type PeriodConvention } from '../../indicators/period.ts';
import type { HierarchyBasis } from '../../store/indicators/basis.ts';
import { hierarchyArgs, hierarchyBasisOf, type HierarchyArgs } from './hierarchy.ts';

// ─── Shared with ranking.ts and trend.ts ─────────────────────────────────────────────────────────────────────────

/** The definition of one indicator code; an unknown code is BAD_USER_INPUT on the argument 'code'. */
export function indicatorByCode(code: string): IndicatorDefinition {
  const definition = INDICATORS_BY_CODE.get(code);
  if (!definition) {
    throw new GraphQLError(`Unknown indicator code: ${code} (the codes are listed by indicatorCatalog)`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'code', unknownCodes: [code] },
    });
  }
  return definition;
}

/** A unit valid on some day of the range (valid_from <= last, first < valid_to; either bound open). */
export const validInRange = (unit: Pick<UnitRow, 'validFrom' | 'validTo'>, range: DayRange) =>
  (unit.validFrom === null || unit.validFrom <= range.last) && (unit.validTo === null || range.first < unit.validTo);

/**
 * The units a breakdown considers: those the tree held on the basis (store/indicators/scope.ts unitsHeldBelow),
 * listed whatever their figures, and the ones the latest tree files there, listed only when their records still
 * count (public service units of 2021 for the reduction since then). Each with its level as held, else its own.
 */
async function unitsOfBreakdown(
  ctx: Context,
  held: readonly HeldUnit[],
  latest: readonly UnitRow[],
): Promise<{ unit: UnitRow; level: UnitLevel; held: boolean }[]> {
  const heldLevels = new Map(held.map((h) => [h.code, h.level]));
  const latestCodes = new Set(latest.map((u) => u.code));
  const heldRows = (
    await UnitNode.getDataloader(ctx).loadMany(held.map((h) => h.code).filter((c) => !latestCodes.has(c)))
  ).filter((row): row is UnitRow => row !== null && !(row instanceof Error));
  return [...latest, ...heldRows]
    .map((unit) => ({ unit, level: heldLevels.get(unit.code) ?? unit.level, held: heldLevels.has(unit.code) }))
    .sort((a, b) => (a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0));
}

// ─── Figures of parts ────────────────────────────────────────────────────────────────────────────────────────────

type AnyFigures = FigureGroups[FigureGroup];
type FigureSet = ReadonlyMap<FigureGroup, AnyFigures>;

/** The figures an indicator needs for each root (subtree, or own with `own`), one statement per group. */
async function figuresOfRoots(
  ctx: Context,
  definition: IndicatorDefinition,
  roots: readonly string[],
  range: DayRange,
  options?: FigureOptions,
): Promise<FigureSet[]> {
  if (roots.length === 0) return [];
  const groups = [...groupsOf(definition)];
  const byGroup = await Promise.all(
    groups.map((group) =>
      (FIGURE_GROUPS[group] as (...args: unknown[]) => Promise<AnyFigures[]>)(ctx.db, roots, range, options),
    ),
  );
  return roots.map((_root, i) => new Map(groups.map((group, g) => [group, byGroup[g]![i]!])));
}

export interface PartFigures {
  numerator: number;
  /** Null for counts. */
  denominator: number | null;
  /** Null when the denominator is 0. */
  value: number | null;
}

const sumOf = (figures: readonly FigureSet[], refs: IndicatorDefinition['numerator']['figures']) =>
  figures.reduce(
    (total, set) =>
      total + refs.reduce((t, [group, name]) => t + (set.get(group) as unknown as Record<string, number>)[name]!, 0),
    0,
  );

/** The indicator over the sum of some figure sets (a part made of several units is summed before dividing). */
function partFigures(definition: IndicatorDefinition, figures: readonly FigureSet[]): PartFigures {
  const numerator = sumOf(figures, definition.numerator.figures);
  const denominator = definition.denominator ? sumOf(figures, definition.denominator.figures) : null;
  return { numerator, denominator, value: indicatorValue(numerator, denominator, definition.factor) };
}

const counts = (part: PartFigures) => part.numerator !== 0 || (part.denominator ?? 0) !== 0;

// ─── The breakdown ───────────────────────────────────────────────────────────────────────────────────────────────

export const BREAKDOWN_DIMENSIONS = ['CHILD_UNIT', 'LEVEL', 'CHANNEL', 'PROCEDURE_FIELD'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export const BreakdownDimensionEnum = builder.enumType('BreakdownDimension', {
  description: 'What an indicator is broken down by (indicatorBreakdown).',
  values: describedValues(BREAKDOWN_DIMENSIONS, {
    CHILD_UNIT:
      'The unit’s direct children (đơn vị trực thuộc) valid in the period (AS_IS: on hierarchyDate), each over its own subtree, and a part OWN for the unit’s own records; a child not valid in the period is listed too when its subtree still counts in the numerator or denominator (e.g. public service units of 2021 for the reduction since then).',
    LEVEL:
      'Administrative levels (cấp tỉnh, cấp huyện, cấp xã): the own records of every unit of the subtree, summed per level.',
    CHANNEL:
      'The dossier’s channel (kênh tiếp nhận): in person, online, by public postal service. Dossier indicators only.',
    PROCEDURE_FIELD:
      'The field (lĩnh vực) of the dossier’s procedure, as the one-stop-shop names it. Dossier indicators only.',
  }),
});

export interface BreakdownPart extends PartFigures {
  key: string;
  label: string;
  labelEn: string;
  units: readonly UnitRow[];
}

export interface IndicatorBreakdown {
  by: BreakdownDimension;
  total: IndicatorEvaluation;
  parts: BreakdownPart[];
}

/** A level's or a channel's label, from the enums' one table of labels. */
function labelOf(type: 'UnitLevel' | 'DossierChannel', value: string): [string, string] {
  const { vi, en } = enumLabel(type, value)!;
  return [vi, en];
}

/** The key of the part that holds a unit’s own records in a CHILD_UNIT breakdown. */
export const OWN_PART_KEY = 'OWN';

/**
 * Each child over its subtree (those valid in the period, or counting), then
 * the unit's own records. The children go through the evaluator, so they share
 * one statement per group with the total (started in the same tick).
 */
async function byChildUnit(
  ctx: Context,
  definition: IndicatorDefinition,
  unit: UnitRow,
  candidates: readonly { unit: UnitRow; held: boolean }[],
  period: Period,
  basis: HierarchyBasis,
) {
  const children = candidates.map((c) => c.unit);
  const [childValues, [ownFigures]] = await Promise.all([
    Promise.all(children.map((child) => evaluateIndicators(figureLoadersOf(ctx), [definition], child, period, basis))),
    figuresOfRoots(ctx, definition, [unit.code], period.range, { own: true, basis }),
  ]);
  const parts: BreakdownPart[] = [];
  children.forEach((child, i) => {
    const { numerator, denominator, value } = childValues[i]![0]!;
    const figures = { numerator, denominator, value };
    if (candidates[i]!.held || counts(figures)) {
      parts.push({ key: child.code, label: child.name, labelEn: child.name, units: [child], ...figures });
    }
  });
  parts.push({
    key: OWN_PART_KEY,
    label: `${unit.name} (riêng đơn vị)`,
    labelEn: `${unit.name} (own records)`,
    units: [unit],
    ...partFigures(definition, [ownFigures!]),
  });
  return parts;
}

/** The own figures of every unit of the subtree (the unit included), summed per level. */
async function byLevel(
  ctx: Context,
  definition: IndicatorDefinition,
  unit: UnitRow,
  period: Period,
  basis: HierarchyBasis,
) {
  const [held, latest] = await Promise.all([
    unitsHeldBelow(ctx.db, unit.code, period.range, basis),
    findDescendantsOfUnits(ctx.db, [unit.code]),
  ]);
  const units = await unitsOfBreakdown(ctx, held, [unit, ...latest]);
  const figures = await figuresOfRoots(
    ctx,
    definition,
    units.map((u) => u.unit.code),
    period.range,
    { own: true, basis },
  );
  // A unit counts in its level (as it then stood) when held on the basis or when its own records still count.
  const kept = units
    .map((u, i) => ({ ...u, figures: figures[i]! }))
    .filter(({ held: h, figures: f }) => h || counts(partFigures(definition, [f])));
  return UNIT_LEVELS.flatMap((level): BreakdownPart[] => {
    const ofLevel = kept.filter((u) => u.level === level).sort((a, b) => (a.unit.code < b.unit.code ? -1 : 1));
    if (ofLevel.length === 0) return [];
    const [label, labelEn] = labelOf('UnitLevel', level);
    return [
      {
        key: level,
        label,
        labelEn,
        units: ofLevel.map(({ unit: u }) => u),
        ...partFigures(
          definition,
          ofLevel.map(({ figures: f }) => f),
        ),
      },
    ];
  });
}

/** The dossiers of the subtree split by channel (the three, zeros included) or by field (those that count). */
async function byDossierSplit(
  ctx: Context,
  definition: IndicatorDefinition,
  unit: UnitRow,
  period: Period,
  split: DossierSplit,
  basis: HierarchyBasis,
) {
  const [splitParts] = await dossierFiguresBy(ctx.db, [unit.code], period.range, split, { basis });
  return splitParts!.flatMap((part): BreakdownPart[] => {
    const figures = partFigures(definition, [new Map([['DOSSIERS', part.figures]])]);
    if (split === 'PROCEDURE_FIELD') {
      if (!counts(figures)) return [];
      // The one-stop-shop names fields in Vietnamese only.
      return [{ key: part.key, label: part.label, labelEn: part.label, units: [], ...figures }];
    }
    const [label, labelEn] = labelOf('DossierChannel', part.key);
    return [{ key: part.key, label, labelEn, units: [], ...figures }];
  });
}

/** Refuses a dossier split of an indicator that reads other figures, naming them. */
function checkDimension(definition: IndicatorDefinition, by: BreakdownDimension): void {
  if (by !== 'CHANNEL' && by !== 'PROCEDURE_FIELD') return;
  const others = figuresOf(definition).filter(([group]) => group !== 'DOSSIERS');
  if (others.length === 0) return;
  const names = [...new Set(others.map(([group, name]) => `${group}.${name}`))].join(', ');
  throw new GraphQLError(
    `Indicator ${definition.code} cannot be broken down by ${by}: only indicators made of dossier figures can, and it also reads ${names}, which are not dossiers and have no ${by === 'CHANNEL' ? 'channel' : 'procedure field'}.`,
    { extensions: { code: 'BAD_USER_INPUT', argument: 'by' } },
  );
}

export async function indicatorBreakdown(
  ctx: Context,
  args: HierarchyArgs & {
    code: string;
    unitCode: string;
    period: string;
    convention?: PeriodConvention | null;
    by: BreakdownDimension;
  },
): Promise<IndicatorBreakdown | null> {
  const definition = indicatorByCode(args.code);
  const period = parsePeriod(args.period, args.convention ?? 'CALENDAR');
  checkDimension(definition, args.by);
  const basis = hierarchyBasisOf(args);
  await ctx.units.check(args.unitCode, 'unitCode');
  const unit = (await UnitNode.getDataloader(ctx).load(args.unitCode)) as UnitRow | null;
  if (!unit) return null;
  // For CHILD_UNIT the total waits for the children to be listed, so that they share its statements.
  const children =
    args.by === 'CHILD_UNIT'
      ? await unitsOfBreakdown(
          ctx,
          await unitsHeldBelow(ctx.db, unit.code, period.range, basis, { childrenOnly: true }),
          await findUnitsByParentCodes(ctx.db, [unit.code]),
        )
      : [];
  const [[total], parts] = await Promise.all([
    evaluateIndicators(figureLoadersOf(ctx), [definition], unit, period, basis),
    args.by === 'CHILD_UNIT'
      ? byChildUnit(ctx, definition, unit, children, period, basis)
      : args.by === 'LEVEL'
        ? byLevel(ctx, definition, unit, period, basis)
        : byDossierSplit(ctx, definition, unit, period, args.by, basis),
  ]);
  return { by: args.by, total: total!, parts };
}

// ─── The graph ───────────────────────────────────────────────────────────────────────────────────────────────────

export const BreakdownPartRef = builder.objectRef<BreakdownPart>('BreakdownPart').implement({
  description:
    'One part of an indicator’s breakdown: the indicator over the part’s records alone. The parts’ numerators (and denominators) add up to the total’s.',
  fields: (t) => ({
    key: t.exposeString('key', {
      description:
        'The part: a child unit’s code or OWN (CHILD_UNIT), a level (LEVEL: PROVINCE, DISTRICT, COMMUNE), a channel (CHANNEL: IN_PERSON, ONLINE, POSTAL) or a field’s code (PROCEDURE_FIELD, MaLinhVuc).',
    }),
    label: t.exposeString('label', {
      description: 'Vietnamese label: the unit’s or the field’s name, the level’s or the channel’s name.',
    }),
    labelEn: t.exposeString('labelEn', {
      description:
        'English label; a unit’s or a field’s name stays as the source writes it (in Vietnamese: no English name is recorded).',
    }),
    numerator: t.exposeFloat('numerator', { description: 'The numerator’s figures over the part: a whole number.' }),
    denominator: t.exposeFloat('denominator', {
      nullable: true,
      description: 'The denominator’s figures over the part, a whole number; null for a count.',
    }),
    value: t.exposeFloat('value', {
      nullable: true,
      description:
        'numerator × factor ÷ denominator over the part (for a count, the numerator); null when the denominator is 0.',
    }),
    units: t.field({
      type: [UnitNode],
      description:
        'The units whose records the part counts: the child (counted over its subtree) or the unit itself for OWN (CHILD_UNIT); every unit of the level, by code (LEVEL); empty for CHANNEL and PROCEDURE_FIELD.',
      resolve: (part) => [...part.units],
    }),
  }),
});

export const IndicatorBreakdownRef = builder.objectRef<IndicatorBreakdown>('IndicatorBreakdown').implement({
  ...AGGREGATE_TYPE,
  description: 'An indicator of a unit over a period and its parts along one dimension.',
  fields: (t) => ({
    by: t.field({
      type: BreakdownDimensionEnum,
      description: 'What the parts split.',
      resolve: (b) => b.by,
    }),
    total: t.field({
      type: IndicatorValueRef,
      description: 'The indicator over the unit’s whole subtree: the same value as `indicators` gives.',
      resolve: (b) => b.total,
    }),
    parts: t.field({
      type: [BreakdownPartRef],
      description:
        'The parts: children by code then OWN (CHILD_UNIT); levels from province to commune, those with units (LEVEL); the three channels, zeros included (CHANNEL); the fields with a non-zero numerator or denominator, by code (PROCEDURE_FIELD).',
      resolve: (b) => b.parts,
    }),
  }),
});

builder.queryFields((t) => ({
  indicatorBreakdown: t.field({
    type: IndicatorBreakdownRef,
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description:
      'An indicator of a unit over a period, broken down by child unit, level, channel or procedure field; the parts add up to the total. An unknown indicator code, a malformed period or a dossier dimension for an indicator that reads other figures is an error (BAD_USER_INPUT). A unit code no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both). The parts of a unit lie in its subtree.',
    args: {
      code: t.arg.string({ required: true, description: 'The indicator’s code, e.g. ON_TIME_RATE.' }),
      unitCode: t.arg.string({ required: true, description: 'The unit’s national electronic identifier.' }),
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
      by: t.arg({ type: BreakdownDimensionEnum, required: true, description: 'What to break the indicator down by.' }),
      ...hierarchyArgs,
    },
    resolve: (_root, args, ctx) => indicatorBreakdown(ctx, args),
  }),
}));
