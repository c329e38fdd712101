/**
 * Evaluates catalog indicators for units over a period: works out the figure
 * groups the indicators need, asks each group once for every unit of the
 * request, sums the numerator's and the denominator's figures, and divides
 * last. A group is read through a per-request DataLoader keyed by group and
 * period (FigureLoaders), batching unit codes, so `Unit.indicators` over a
 * page of units costs one statement per group, whatever the page's length.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { FIGURE_GROUPS } from '../store/indicators/index.ts';
import type { FigureGroup, FigureGroups, FigureRef } from '../store/indicators/figures.ts';
import { type DayRange, type FigureOptions, type RootLineage } from '../store/indicators/scope.ts';
import type { Queryable } from '../store/db.ts';
import type { UnitLevel } from '../store/model.ts';
import { groupsOf, INDICATOR_CATALOG, INDICATORS_BY_CODE, type IndicatorDefinition } from './catalog.ts';
import { AS_WAS, basisKey, type HierarchyBasis } from '../store/indicators/basis.ts';
import type { Period } from './period.ts';

export interface EvaluatedPart {
  code: string;
  nameVi: string;
  nameEn: string;
  value: number;
}

export interface IndicatorEvaluation {
  definition: IndicatorDefinition;
  unitCode: string;
  unitLevel: UnitLevel;
  period: Period;
  numerator: number;
  /** Null for counts. */
  denominator: number | null;
  /** Null when the denominator is 0. */
  value: number | null;
  parts: EvaluatedPart[];
  /** When the figures had been read. */
  computedAt: Date;
  /** The tree the figures were counted on. */
  basis: HierarchyBasis;
  /**
   * Units that no longer existed on the basis's dates and whose records were
   * folded in through lineage (their heirs'): the units reached through
   * SUCCESSOR rows of the scope (AS_IS: rows valid on the hierarchyDate;
   * AS_WAS: rows overlapping the period), by code, whether or not they had
   * records.
   */
  foldedUnitCodes: string[];
  /**
   * Records counted only at province level because their unit had ended with
   * no single heir (a split, a dissolution without successor): the
   * indicator's denominator (its numerator for a count) computed over the
   * records reached through UNATTRIBUTED rows alone (so 0 below the province).
   * For a rate, the denominator's records are the ones it is "out of"
   * (dossiers resolved, units, staff); the numerator's are among them.
   */
  unattributedRecords: number;
}

/** The unit an indicator is evaluated for: its code roots the subtree, its level picks level-bound criteria. */
export interface EvaluatedUnit {
  code: string;
  level: UnitLevel;
}

/**
 * The definitions of the requested codes, in the order asked, each once; the
 * whole catalog when no codes are given. Unknown codes are a GraphQLError
 * (BAD_USER_INPUT on the argument 'codes') naming every one of them.
 */
export function definitionsOf(codes: readonly string[] | null | undefined): IndicatorDefinition[] {
  if (codes == null) return [...INDICATOR_CATALOG];
  const unknown = [...new Set(codes.filter((code) => !INDICATORS_BY_CODE.has(code)))];
  if (unknown.length > 0) {
    throw new GraphQLError(
      `Unknown indicator code${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (the codes are listed by indicatorCatalog)`,
      { extensions: { code: 'BAD_USER_INPUT', argument: 'codes', unknownCodes: unknown } },
    );
  }
  return [...new Set(codes)].map((code) => INDICATORS_BY_CODE.get(code)!);
}

type AnyFigures = FigureGroups[FigureGroup];

/**
 * The figure loaders of one request: one DataLoader per group and range,
 * batching roots (unit codes). The schema keeps one per request context
 * (schema/indicators/figure-loaders.ts).
 */
export type FigureLoaders = ((
  group: FigureGroup,
  range: DayRange,
  basis?: HierarchyBasis,
) => DataLoader<string, AnyFigures>) & {
  /**
   * What lineage brought into a root's scope, and the group's figures over
   * its UNATTRIBUTED rows alone, as the loaders' statements read them beside
   * the figures (no statement of their own): known once that group's figures
   * of the root, range and basis are loaded.
   */
  lineage: (group: FigureGroup, root: string, range: DayRange, basis: HierarchyBasis) => LoadedLineage;
};

/** A root's lineage and one group's figures over its UNATTRIBUTED rows. */
interface LoadedLineage extends RootLineage {
  unattributed: AnyFigures | null;
}

type GroupFunction = (
  db: Queryable,
  roots: readonly string[],
  range: DayRange,
  options: FigureOptions,
) => Promise<AnyFigures[]>;

const NO_LINEAGE: LoadedLineage = { foldedUnitCodes: [], hasUnattributed: false, unattributed: null };

export function createFigureLoaders(db: Queryable): FigureLoaders {
  const loaders = new Map<string, DataLoader<string, AnyFigures>>();
  const lineages = new Map<string, LoadedLineage>();
  const loaderKey = (group: FigureGroup, range: DayRange, basis: HierarchyBasis) =>
    `${group} ${range.first} ${range.last} ${basisKey(basis)}`;
  const figureLoader = (group: FigureGroup, range: DayRange, basis: HierarchyBasis = AS_WAS) => {
    const key = loaderKey(group, range, basis);
    let loader = loaders.get(key);
    if (!loader) {
      const figures = FIGURE_GROUPS[group] as GroupFunction;
      loader = new DataLoader<string, AnyFigures>((roots) =>
        figures(db, roots, range, {
          basis,
          onLineage: (found, unattributed) =>
            roots.forEach((root, i) =>
              lineages.set(`${root} ${key}`, {
                ...found[i]!,
                unattributed: unattributed[i] as unknown as AnyFigures,
              }),
            ),
        }),
      );
      loaders.set(key, loader);
    }
    return loader;
  };
  return Object.assign(figureLoader, {
    lineage: (group: FigureGroup, root: string, range: DayRange, basis: HierarchyBasis) =>
      lineages.get(`${root} ${loaderKey(group, range, basis)}`) ?? NO_LINEAGE,
  });
}

const sum = (figures: ReadonlyMap<FigureGroup, AnyFigures>, refs: readonly FigureRef[]) =>
  refs.reduce((total, [group, name]) => total + (figures.get(group) as unknown as Record<string, number>)[name]!, 0);

/**
 * numerator × factor ÷ denominator; null when the denominator is 0. Figures are
 * exact integers (below 2^53), the multiplication is exact and the division
 * rounds once, so the value is the double nearest the exact quotient. It is not
 * rounded further: display rounding is the client's.
 */
export function indicatorValue(numerator: number, denominator: number | null, factor: number): number | null {
  if (denominator === null) return numerator * factor;
  if (denominator === 0) return null;
  return (numerator * factor) / denominator;
}

/**
 * The indicators for one unit over a period. Every group is requested before
 * the first await, so the evaluations of a page of units started in the same
 * tick share one batch per group.
 */
export async function evaluateIndicators(
  loaders: FigureLoaders,
  definitions: readonly IndicatorDefinition[],
  unit: EvaluatedUnit,
  period: Period,
  basis: HierarchyBasis = AS_WAS,
): Promise<IndicatorEvaluation[]> {
  const groups = [...new Set(definitions.flatMap((definition) => [...groupsOf(definition)]))];
  const loaded = await Promise.all(
    groups.map(async (group) => [group, await loaders(group, period.range, basis).load(unit.code)] as const),
  );
  const lineages = groups.map((group) => [group, loaders.lineage(group, unit.code, period.range, basis)] as const);
  return evaluationsOf(
    definitions,
    unit,
    period,
    new Map<FigureGroup, AnyFigures>(loaded),
    new Date(),
    basis,
    lineageFrom(lineages),
  );
}

/** The lineage of a root from what each group's statement read (every group reads the same rows of unit_ancestry). */
function lineageFrom(lineages: readonly (readonly [FigureGroup, LoadedLineage])[]): EvaluationLineage {
  const hasUnattributed = lineages.some(([, lineage]) => lineage.hasUnattributed);
  return {
    foldedUnitCodes: lineages[0]?.[1].foldedUnitCodes ?? [],
    unattributed: hasUnattributed
      ? new Map(lineages.flatMap(([group, lineage]) => (lineage.unattributed ? [[group, lineage.unattributed]] : [])))
      : null,
  };
}

interface EvaluationLineage {
  foldedUnitCodes: string[];
  /** Each group's figures over the UNATTRIBUTED rows alone; null when the scope has none. */
  unattributed: ReadonlyMap<FigureGroup, AnyFigures> | null;
}

/** The figures an indicator's unattributed records are counted by: its denominator's, or its numerator's for a count. */
const unattributedRefs = (definition: IndicatorDefinition) => (definition.denominator ?? definition.numerator).figures;

/**
 * The same for several units without a request context (the live producer
 * evaluates the watched units after a sync pass, on its own connection or
 * transaction): one statement per figure group for all the units. Aligned
 * with `units`.
 */
export async function evaluateIndicatorsOfUnits(
  db: Queryable,
  definitions: readonly IndicatorDefinition[],
  units: readonly EvaluatedUnit[],
  period: Period,
  basis: HierarchyBasis = AS_WAS,
): Promise<IndicatorEvaluation[][]> {
  if (units.length === 0) return [];
  const groups = [...new Set(definitions.flatMap((definition) => [...groupsOf(definition)]))];
  const roots = units.map((unit) => unit.code);
  const lineages = new Map<FigureGroup, LoadedLineage[]>();
  const loaded = await Promise.all(
    groups.map(
      async (group) =>
        [
          group,
          await (FIGURE_GROUPS[group] as GroupFunction)(db, roots, period.range, {
            basis,
            onLineage: (found, unattributed) =>
              lineages.set(
                group,
                found.map((lineage, i) => ({ ...lineage, unattributed: unattributed[i] as unknown as AnyFigures })),
              ),
          }),
        ] as const,
    ),
  );
  const computedAt = new Date();
  return units.map((unit, i) =>
    evaluationsOf(
      definitions,
      unit,
      period,
      new Map(loaded.map(([group, all]) => [group, all[i]!])),
      computedAt,
      basis,
      lineageFrom(groups.map((group) => [group, lineages.get(group)?.[i] ?? NO_LINEAGE] as const)),
    ),
  );
}

/** Sums each definition's figures and divides last. */
function evaluationsOf(
  definitions: readonly IndicatorDefinition[],
  unit: EvaluatedUnit,
  period: Period,
  figures: ReadonlyMap<FigureGroup, AnyFigures>,
  computedAt: Date,
  basis: HierarchyBasis,
  lineage: EvaluationLineage,
): IndicatorEvaluation[] {
  return definitions.map((definition) => {
    const numerator = sum(figures, definition.numerator.figures);
    const denominator = definition.denominator ? sum(figures, definition.denominator.figures) : null;
    return {
      definition,
      unitCode: unit.code,
      unitLevel: unit.level,
      period,
      numerator,
      denominator,
      value: indicatorValue(numerator, denominator, definition.factor),
      parts: (definition.parts ?? []).map((part) => ({
        code: part.code,
        nameVi: part.nameVi,
        nameEn: part.nameEn,
        value: sum(figures, part.figures),
      })),
      computedAt,
      basis,
      foldedUnitCodes: lineage.foldedUnitCodes,
      unattributedRecords: lineage.unattributed ? sum(lineage.unattributed, unattributedRefs(definition)) : 0,
    };
  });
}
