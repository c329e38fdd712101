/**
 * What every indicator query starts from: the units it counts (a root and
 * everything below it, as the tree stood in the period) and the period's
 * bounds as instants. Shared by the figure groups (dossiers, staff, finance,
 * cross-system) so that they all count over the same units.
 */
import type { HierarchyBasis } from './basis.ts';
import type { Queryable } from '../db.ts';
import type { IsoDate } from '../model.ts';
import { exactFigures } from './numbers.ts';

/** A period as Vietnam calendar days, both ends included (the reporting or calendar convention is already applied). */
export interface DayRange {
  first: IsoDate;
  last: IsoDate;
}

/** The instant a Vietnam calendar day begins, from a 'YYYY-MM-DD' expression (UTC+7, no time zone database). */
export const vnDayStart = (day: string) => `(${day}::date::timestamp AT TIME ZONE INTERVAL '+07:00')`;

/** The instant just after a Vietnam calendar day ends (the next day's start): ranges are [start, end). */
export const vnDayEnd = (day: string) => `((${day}::date + 1)::timestamp AT TIME ZONE INTERVAL '+07:00')`;

/**
 * A `WITH` item naming `scope (root, code, level, kind, headcount_quota,
 * in_period, at_end)`: for each root of a batch, the root and every unit below
 * it (from unit_tree, the closure of the parent links the store holds); a unit
 * below two roots of the batch appears once under each. Two flags judge its
 * validity (valid_from <= day < valid_to, either bound open):
 *
 * - `in_period`: valid on some day of the period. Flows (dossiers received or
 *   resolved, money spent) count over these: a unit dissolved mid-period still
 *   received its dossiers before it ended.
 * - `at_end`: valid on the period's last day. Stocks (public service units,
 *   serving staff, headcount quotas) count over these, as the tree stood when
 *   the period closed.
 *
 * unit_tree holds every unit below a root whatever its dates, so a unit valid
 * in the period is found below a parent that was not; each unit is then judged
 * by its own dates. Arguments are SQL expressions: `roots` a text[] (e.g. '$1'),
 * the range's days dates (e.g. '$2', '$3'). Callers may write `WITH RECURSIVE`
 * before it (their own items may recurse).
 *
 * With `own`, each root's scope is the root alone (its own records, none of
 * its subordinates'), judged by the same flags: summed over every unit of a
 * subtree, the own figures give the subtree's (a breakdown by level relies on it).
 */
// The roots are matched with `= ANY(array)`, not joined from unnest(): the planner then sees the
// values and estimates each root's subtree from unit_tree's statistics (3,369 units under the
// province, not the average of 3); with the average, per-unit aggregates were joined to a
// province-wide scope by nested loops (5 million comparisons, half a second).
export function scopeItems(roots: string, range: { first: string; last: string }, { own = false } = {}): string {
  const validOn = (day: string) =>
    `(u.valid_from IS NULL OR u.valid_from <= ${day}::date) AND (u.valid_to IS NULL OR ${day}::date < u.valid_to)`;
  return `scope AS (
       SELECT r.root, u.code, u.level, u.kind, u.headcount_quota,
              (u.valid_from IS NULL OR u.valid_from <= ${range.last}::date)
                AND (u.valid_to IS NULL OR ${range.first}::date < u.valid_to) AS in_period,
              ${validOn(range.last)} AS at_end
         FROM ${
           own
             ? `units u CROSS JOIN LATERAL (SELECT u.code AS root) AS r WHERE u.code = ANY(${roots}::text[])`
             : `unit_tree t JOIN units u ON u.code = t.unit_code CROSS JOIN LATERAL (SELECT t.ancestor_code AS root) AS r
                 WHERE t.ancestor_code = ANY(${roots}::text[])`
         }
     )`;
}

/** The options every figure function takes (store/indicators/index.ts `FigureFunction`). */
export interface FigureOptions {
  /** Count each root's own records only: its scope is the root alone, not its subtree. */
  own?: boolean;
  /** The tree the records are counted on (indicators/hierarchy.ts); AS_WAS when absent. */
  basis?: HierarchyBasis;
}

/** Rows grouped by root, as one entry per root in the order of `roots`; a root without a row gets `empty()`. */
export function alignByRoot<Row extends { root: string }, Out>(
  roots: readonly string[],
  rows: readonly Row[],
  toFigures: (row: Row | undefined) => Out,
): Out[] {
  const byRoot = new Map(rows.map((row) => [row.root, row]));
  return roots.map((root) => toFigures(byRoot.get(root)));
}

/**
 * A figure statement built once for each scope (subtree and own), picked by
 * the options of a call: the scope is part of the statement's text, so each
 * variant stays a fixed string the server can keep prepared.
 */
export function figureSql(build: (own: boolean) => string): (options?: FigureOptions) => string {
  const [subtree, own] = [build(false), build(true)];
  return (options) => (options?.own ? own : subtree);
}

/**
 * A figure function from its statement (as figureSql builds it; parameters $1
 * the roots, $2 and $3 the range's days) and the figure columns it returns:
 * one statement for the whole batch of roots, each figure an exact integer,
 * aligned with `roots` (an unknown root gets zeros; no roots, no statement).
 */
export function figureFunction<Figures extends { [Name in keyof Figures]: number }>(
  sql: (options?: FigureOptions) => string,
  names: readonly (keyof Figures & string)[],
): (db: Queryable, roots: readonly string[], range: DayRange, options?: FigureOptions) => Promise<Figures[]> {
  return async (db, roots, range, options) => {
    if (roots.length === 0) return [];
    const rows = await db.query<{ root: string } & Record<string, unknown>>(sql(options), [
      roots,
      range.first,
      range.last,
    ]);
    return alignByRoot(roots, rows, (row) => exactFigures(row, names) as Figures);
  };
}
