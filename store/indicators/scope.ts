/**
 * What every indicator query starts from: the units it counts (a root and
 * everything below it, on the tree of a basis: basis.ts) and the period's
 * bounds as instants. Shared by the figure groups (dossiers, staff, finance,
 * cross-system) so that they all count over the same units.
 */
import { HIERARCHIES, type Hierarchy, type HierarchyBasis } from './basis.ts';
import type { Queryable } from '../db.ts';
import type { IsoDate, UnitLevel } from '../model.ts';
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
 * The scope of per-unit checks rather than figures: the data-quality rules
 * (quality.ts, `heldOn`: the units whose records the root counts on the basis) and the flawed
 * records (flawed.ts: the records filed under a unit today).
 *
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
export function scopeItems(
  roots: string,
  range: { first: string; last: string },
  { own = false, heldOn }: { own?: boolean; heldOn?: 'PERIOD' | string } = {},
): string {
  // With `heldOn`, only the units whose records each root counts (rows of unit_ancestry, lineage included): on some
  // day of the period as it was ('PERIOD'), or on a date (an SQL expression: AS_IS's hierarchyDate).
  const held =
    heldOn === undefined
      ? ''
      : ` AND EXISTS (SELECT 1 FROM unit_ancestry a
                       WHERE a.ancestor_code = t.ancestor_code AND a.unit_code = t.unit_code
                         AND ${
                           heldOn === 'PERIOD'
                             ? `a.valid_during && daterange(${range.first}::date, ${range.last}::date, '[]')`
                             : `a.valid_during @> ${heldOn}::date`
                         })`;
  const tree =
    heldOn === undefined
      ? `unit_tree t`
      : `(SELECT DISTINCT ancestor_code, unit_code FROM unit_ancestry WHERE ancestor_code = ANY(${roots}::text[])) AS t`;
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
             : `${tree} JOIN units u ON u.code = t.unit_code CROSS JOIN LATERAL (SELECT t.ancestor_code AS root) AS r
                 WHERE t.ancestor_code = ANY(${roots}::text[])${held}`
         }
     )`;
}

/**
 * A variant of the dated scope: which rows of unit_ancestry a statement
 * reads. Each variant is its own fixed statement text (kept prepared).
 *
 * - `hierarchy`: the basis (basis.ts). AS_IS statements take the
 *   hierarchyDate as $4.
 * - `own`: each root's own records only: the depth-0 rows of the root, that
 *   is the root itself and, through lineage, the ended units whose records it
 *   holds as their heir (SUCCESSOR at depth 0) or, for the province, as
 *   nobody's (UNATTRIBUTED). Every row (R, U) of a subtree has exactly one
 *   depth-0 row (V, U) with V in the subtree, so own figures summed over a
 *   subtree's units give the subtree's (a breakdown relies on it).
 * - `lineage`: besides each root R, a pseudo-root `R UNATTRIBUTED` holding
 *   only R's UNATTRIBUTED rows, so that the same statement also counts the
 *   records placed at province level because their unit ended with no single
 *   heir (IndicatorEvaluation.unattributedRecords); figureFunction takes them
 *   apart from the figures.
 */
export interface ScopeVariant {
  hierarchy: Hierarchy;
  own: boolean;
  lineage: boolean;
}

const VARIANTS: readonly ScopeVariant[] = HIERARCHIES.flatMap((hierarchy) =>
  [false, true].flatMap((own) => [false, true].map((lineage) => ({ hierarchy, own, lineage }))),
);
const variantKey = (v: ScopeVariant) => `${v.hierarchy}|${v.own}|${v.lineage}`;

/** The variant a call's options select. */
export function variantOf(options?: FigureOptions): ScopeVariant {
  return {
    hierarchy: options?.basis?.hierarchy ?? 'AS_WAS',
    own: options?.own ?? false,
    lineage: options?.onLineage !== undefined,
  };
}

/** The suffix of the pseudo-root that counts a root's UNATTRIBUTED rows alone (ScopeVariant.lineage). */
const UNATTRIBUTED_ROOT = ' UNATTRIBUTED';

/** The rows of unit_ancestry a variant reads, as a FROM item `a`; the caller adds its day test. */
// The roots are matched with `= ANY(array)`, not joined from unnest(): the planner then sees the
// values and estimates each root's subtree from the index's statistics (3,369 units under the
// province, not the average of 3); with the average, per-unit aggregates were joined to a
// province-wide scope by nested loops (5 million comparisons, half a second).
function ancestry(v: ScopeVariant): string {
  const rows = `FROM unit_ancestry WHERE ancestor_code = ANY($1::text[])${v.own ? ' AND depth = 0' : ''}`;
  if (!v.lineage) return `(SELECT ancestor_code, unit_code, valid_during ${rows}) AS a`;
  return `(SELECT ancestor_code, unit_code, valid_during ${rows}
           UNION ALL
           SELECT ancestor_code || '${UNATTRIBUTED_ROOT}', unit_code, valid_during ${rows} AND link = 'UNATTRIBUTED') AS a`;
}

/**
 * A SELECT of `(root, code)`: the units whose records each root holds on
 * `day` (an SQL date expression) under the variant: AS_WAS the rows valid on
 * that day, AS_IS the rows valid on the hierarchyDate ($4) whatever `day`.
 * Each pair once.
 */
export function heldOn(day: string, v: ScopeVariant): string {
  const on = v.hierarchy === 'AS_IS' ? '$4::date' : day;
  return `SELECT DISTINCT a.ancestor_code AS root, a.unit_code AS code
            FROM ${ancestry(v)} WHERE a.valid_during @> ${on}`;
}

/**
 * The `WITH` items of the dated scope (unit_ancestry, migration 0018) over the
 * period [$2, $3], for the roots $1 (AS_IS: the hierarchyDate $4):
 *
 * - `pieces (root, code, lo, hi, carry, pend)`: the flows. A root counts the
 *   events of `code` (a reception, a resolution) whose Vietnam day falls in
 *   [lo, hi) (dates, hi excluded; a piece of the period), the dossiers open at
 *   the period's first instant (carried over) when `carry`, and those open
 *   after its last (pending) when `pend`. AS_WAS: the days of the period on
 *   which the root held the unit, as maximal pieces; `carry` on the piece that
 *   starts on the period's first day, `pend` on the one that ends on its last.
 *   A dossier carried over is placed by the tree of the first day, the
 *   instant it is open at: a unit that ended on that day hands its open
 *   dossiers to its heir (or the province) there, so a new commune's balance
 *   carried over + received = resolved + pending + left holds in its first
 *   period. Carried over of a period then equals pending of the previous one
 *   on the same basis wherever the tree did not change between the two days.
 *   AS_IS: every unit the root holds on the hierarchyDate, over the whole
 *   period, both flags set.
 * - `at_end (root, code)`: the units held on the period's last day (AS_IS:
 *   on the hierarchyDate), whatever their own dates: what budget lines, as of
 *   the period's end, are placed by.
 * - `stock (root, code, level, kind, headcount_quota)`: of those, the units in
 *   existence on the period's last day, with their version of that day: the
 *   stocks (public service units, quotas, the staff serving in them).
 */
export function datedScopeItems(v: ScopeVariant): string {
  const pieces =
    v.hierarchy === 'AS_IS'
      ? `pieces AS (
       SELECT DISTINCT a.ancestor_code AS root, a.unit_code AS code, $2::date AS lo, $3::date + 1 AS hi,
              true AS carry, true AS pend
         FROM ${ancestry(v)} WHERE a.valid_during @> $4::date
     )`
      : `pieces AS (
       SELECT h.root, h.code, lower(p.r) AS lo, upper(p.r) AS hi,
              lower(p.r) = $2::date AS carry, upper(p.r) = $3::date + 1 AS pend
         FROM (SELECT a.ancestor_code AS root, a.unit_code AS code,
                      range_agg(a.valid_during * daterange($2::date, $3::date + 1)) AS days
                 FROM ${ancestry(v)}
                WHERE a.valid_during && daterange($2::date, $3::date + 1)
                GROUP BY a.ancestor_code, a.unit_code) AS h
        CROSS JOIN LATERAL unnest(h.days) AS p (r)
     )`;
  return `${pieces},
     at_end AS (${heldOn('$3::date', v)}),
     -- Each unit's version of the day through the primary key (LATERAL; LIMIT 1, true as a unit has one version a
     -- day, keeps the planner from flattening it into a scan of every version): a commune reads its own units'.
     stock AS (
       SELECT e.root, e.code, u.level, u.kind, u.headcount_quota
         FROM at_end e
         CROSS JOIN LATERAL (SELECT * FROM unit_versions u WHERE u.code = e.code AND u.valid_during @> $3::date LIMIT 1) AS u
     )`;
}

/** The options every figure function takes (store/indicators/index.ts `FigureFunction`). */
export interface FigureOptions {
  /** Count each root's own records only: its depth-0 rows (ScopeVariant), not its subtree. */
  own?: boolean;
  /** The tree the records are counted on (basis.ts); AS_WAS when absent. */
  basis?: HierarchyBasis;
  /**
   * Told each root's lineage and the figures of its UNATTRIBUTED rows alone
   * (aligned with the roots), read by the same statement as the figures.
   */
  onLineage?: (lineage: RootLineage[], unattributed: Record<string, number>[]) => void;
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
 * A figure statement built once for each scope variant (basis, subtree or
 * own, all rows or the unattributed ones), picked by the options of a call:
 * the scope is part of the statement's text, so each variant stays a fixed
 * string the server can keep prepared.
 */
export function figureSql(build: (variant: ScopeVariant) => string): (options?: FigureOptions) => string {
  const built = new Map(
    VARIANTS.map((v) => [variantKey(v), v.lineage ? withLineage(build(v), v.hierarchy) : build(v)]),
  );
  return (options) => built.get(variantKey(variantOf(options)))!;
}

/**
 * A figure statement with each root's lineage beside its figures: one row per
 * root asked (`lineage_root`), its figures null where it has none, and the
 * figures of its pseudo-root (its UNATTRIBUTED rows alone) as `unattributed`.
 * The evaluator reads the lineage this way, in the statements it makes anyway.
 */
const withLineage = (sql: string, hierarchy: Hierarchy) =>
  `WITH f AS (${sql})
SELECT f.*, l.lineage_root, l."foldedUnitCodes", l."hasUnattributed", to_jsonb(u) AS unattributed
  FROM (${LINEAGE_SQL[hierarchy]}) AS l
  LEFT JOIN f ON f.root = l.lineage_root
  LEFT JOIN f AS u ON u.root = l.lineage_root || '${UNATTRIBUTED_ROOT}'`;

/** A figure statement's parameters: $1 the roots, $2 and $3 the range's days, AS_IS $4 the hierarchyDate. */
export function figureParams(roots: readonly string[], range: DayRange, options?: FigureOptions): unknown[] {
  const basis = options?.basis;
  return basis?.hierarchy === 'AS_IS'
    ? [roots, range.first, range.last, basis.hierarchyDate]
    : [roots, range.first, range.last];
}

/**
 * A figure function from its statement (as figureSql builds it; parameters as
 * figureParams gives them) and the figure columns it returns:
 * one statement for the whole batch of roots, each figure an exact integer,
 * aligned with `roots` (an unknown root gets zeros; no roots, no statement).
 */
export function figureFunction<Figures extends { [Name in keyof Figures]: number }>(
  sql: (options?: FigureOptions) => string,
  names: readonly (keyof Figures & string)[],
): (db: Queryable, roots: readonly string[], range: DayRange, options?: FigureOptions) => Promise<Figures[]> {
  return async (db, roots, range, options) => {
    if (roots.length === 0) return [];
    const rows = await db.query<{ root: string } & Record<string, unknown>>(
      sql(options),
      figureParams(roots, range, options),
    );
    if (!options?.onLineage) return alignByRoot(roots, rows, (row) => exactFigures(row, names) as Figures);
    const byRoot = new Map(rows.map((row) => [row.lineage_root as string, row]));
    const rowOf = (root: string) => byRoot.get(root) as (LineageRow & Record<string, unknown>) | undefined;
    options.onLineage(
      roots.map((root) => lineageOf(rowOf(root))),
      roots.map((root) => exactFigures(rowOf(root)?.unattributed ?? undefined, names)),
    );
    return roots.map((root) => {
      const row = rowOf(root);
      return exactFigures(row?.root == null ? undefined : row, names) as Figures;
    });
  };
}

/** What lineage brought into a root's scope (IndicatorEvaluation.foldedUnitCodes and unattributedRecords). */
export interface RootLineage {
  /** Units reached through SUCCESSOR rows: ended units whose records the root holds through their heir. */
  foldedUnitCodes: string[];
  /** Whether the scope has UNATTRIBUTED rows (then the records they reach are counted apart). */
  hasUnattributed: boolean;
}

interface LineageRow {
  root: string | null;
  foldedUnitCodes: string[];
  hasUnattributed: boolean;
  unattributed: Record<string, unknown> | null;
}

const lineageOf = (row: LineageRow | undefined): RootLineage => ({
  foldedUnitCodes: row?.foldedUnitCodes ?? [],
  hasUnattributed: row?.hasUnattributed ?? false,
});

/**
 * One row per root asked (`lineage_root`): the units reached through its
 * SUCCESSOR rows and whether it has UNATTRIBUTED rows, AS_IS among the rows
 * valid on the hierarchyDate ($4), AS_WAS among those overlapping the period.
 */
const LINEAGE_SQL = Object.fromEntries(
  HIERARCHIES.map((hierarchy) => [
    hierarchy,
    `SELECT r.root::text AS lineage_root, coalesce(x.folded, '{}'::text[]) AS "foldedUnitCodes",
            coalesce(x.unattributed, false) AS "hasUnattributed"
       FROM (SELECT DISTINCT unnest($1::text[]) AS root) AS r
       LEFT JOIN (
         SELECT a.ancestor_code,
                array_agg(DISTINCT a.unit_code::text ORDER BY a.unit_code::text) FILTER (WHERE a.link = 'SUCCESSOR')
                  AS folded,
                bool_or(a.link = 'UNATTRIBUTED') AS unattributed
           FROM unit_ancestry a
          WHERE a.ancestor_code = ANY($1::text[]) AND a.link <> 'TREE'
            AND ${hierarchy === 'AS_IS' ? 'a.valid_during @> $4::date' : 'a.valid_during && daterange($2::date, $3::date + 1)'}
          GROUP BY a.ancestor_code
       ) AS x ON x.ancestor_code = r.root`,
  ]),
) as Record<Hierarchy, string>;

/**
 * For each root, what lineage brought into its scope (as the figure
 * statements give it with `onLineage`), in a statement of its own. Aligned
 * with `roots`.
 */
export async function lineageOfRoots(
  db: Queryable,
  roots: readonly string[],
  range: DayRange,
  basis?: HierarchyBasis,
): Promise<RootLineage[]> {
  if (roots.length === 0) return [];
  // Alone, an AS_IS statement reads no range: the hierarchyDate becomes its $2.
  const rows = await db.query<LineageRow & { lineage_root: string }>(
    ...((basis?.hierarchy === 'AS_IS'
      ? [LINEAGE_SQL.AS_IS.replaceAll('$4', '$2'), [roots, basis.hierarchyDate]]
      : [LINEAGE_SQL.AS_WAS, [roots, range.first, range.last]]) as [string, unknown[]]),
  );
  const byRoot = new Map(rows.map((row) => [row.lineage_root, row]));
  return roots.map((root) => lineageOf(byRoot.get(root)));
}

/** A unit the tree held below a root on a basis, with its level as it then stood. */
export interface HeldUnit {
  code: string;
  level: UnitLevel;
}

/**
 * The units a root held in the tree (TREE rows of unit_ancestry, the root
 * itself included at depth 0) on a basis: on some day of the range as it was
 * (AS_WAS), or on hierarchyDate (AS_IS); with `childrenOnly`, its direct
 * children only. Each with its level on the last such day (a school passed
 * from a district to a commune is a district's unit in 2023). A breakdown
 * lists its parts from these, so its parts add up to the total counted on the
 * same tree: every record the root counts on a day is under exactly one child
 * held that day (or the root's own).
 */
export async function unitsHeldBelow(
  db: Queryable,
  root: string,
  range: DayRange,
  basis: HierarchyBasis = { hierarchy: 'AS_WAS' },
  { childrenOnly = false } = {},
): Promise<HeldUnit[]> {
  const [first, last] =
    basis.hierarchy === 'AS_IS' ? [basis.hierarchyDate, basis.hierarchyDate] : [range.first, range.last];
  return db.query<HeldUnit>(
    `SELECT DISTINCT ON (a.unit_code) a.unit_code AS code, v.level
       FROM unit_ancestry a
       JOIN unit_versions v ON v.code = a.unit_code AND v.valid_during && (a.valid_during * daterange($2::date, $3::date, '[]'))
      WHERE a.ancestor_code = $1 AND a.link = 'TREE' AND ($4::boolean IS FALSE OR a.depth = 1)
        AND a.valid_during && daterange($2::date, $3::date, '[]')
      ORDER BY a.unit_code, upper(v.valid_during * a.valid_during * daterange($2::date, $3::date, '[]')) DESC`,
    [root, first, last, childrenOnly],
  );
}
