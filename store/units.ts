import type { Queryable } from './db.ts';
import { keysetClause, type KeysetPage } from './keyset.ts';
import type { IsoDate, Unit, UnitKind, UnitLevel } from './model.ts';
import { DOSSIER_COUNT_OUTCOMES, type DossierCountOutcome } from './dossiers.ts';
import { defineUpsert } from './upsert.ts';
import { matchesSearch, searchPatterns } from './search.ts';

export interface UnitRow extends Unit {
  syncedAt: Date;
}

/** The columns of a UnitRow, each qualified by `alias` when given. */
const unitColumns = (alias = '') => {
  const a = alias ? `${alias}.` : '';
  return `${a}code, ${a}budget_code AS "budgetCode", ${a}name, ${a}parent_code AS "parentCode", ${a}level, ${a}kind,
  ${a}sector, ${a}headcount_quota AS "headcountQuota", ${a}valid_from AS "validFrom", ${a}valid_to AS "validTo",
  ${a}source_updated_at AS "sourceUpdatedAt", ${a}synced_at AS "syncedAt"`;
};
const UNIT_COLUMNS = unitColumns();

/**
 * Inserts or updates units in one statement. Idempotent, and an older version
 * of a unit (by source_updated_at) never overwrites a newer one, so a replayed
 * or out-of-order page is harmless. Returns how many rows were written.
 */
export const upsertUnits = defineUpsert<Unit>({
  table: 'units',
  key: ['code'],
  versioned: true,
  columns: {
    code: ['text', (u) => u.code],
    budget_code: ['text', (u) => u.budgetCode],
    name: ['text', (u) => u.name.normalize('NFC')],
    parent_code: ['text', (u) => u.parentCode],
    level: ['text', (u) => u.level],
    kind: ['text', (u) => u.kind],
    sector: ['text', (u) => u.sector],
    headcount_quota: ['integer', (u) => u.headcountQuota],
    valid_from: ['date', (u) => u.validFrom],
    valid_to: ['date', (u) => u.validTo],
    source_updated_at: ['timestamptz', (u) => u.sourceUpdatedAt],
  },
});

/** Units by code, in no particular order; unknown codes are absent (for loaders). */
export function findUnitsByCodes(db: Queryable, codes: readonly string[]): Promise<UnitRow[]> {
  return db.query<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM units WHERE code = ANY($1::text[])`, [codes]);
}

/** A unit is valid on day d when valid_from <= d < valid_to (either bound may be open); a null day keeps every unit. */
const validOn = (day: string, alias = '') => {
  const a = alias ? `${alias}.` : '';
  return `(${day}::date IS NULL OR ((${a}valid_from IS NULL OR ${a}valid_from <= ${day}) AND (${a}valid_to IS NULL OR ${day} < ${a}valid_to)))`;
};

/** Direct children of each parent, ordered by code, optionally only those valid on a day (for loaders). */
export function findUnitsByParentCodes(
  db: Queryable,
  parentCodes: readonly string[],
  day: IsoDate | null = null,
): Promise<UnitRow[]> {
  return db.query<UnitRow>(
    `SELECT ${UNIT_COLUMNS} FROM units WHERE parent_code = ANY($1::text[]) AND ${validOn('$2')} ORDER BY code`,
    [parentCodes, day],
  );
}

export interface UnitFilter {
  level?: UnitLevel | null;
  kind?: UnitKind | null;
  parentCode?: string | null;
  /** Words that must all begin words of the name, ignoring case and diacritics. */
  search?: string | null;
  /** Only units valid on this day. */
  validOn?: IsoDate | null;
  /** Only this unit and the units below it (a consumer's subtree); null: the whole province. */
  within?: string | null;
}

/** Whether a unit code `column` lies in the subtree of `within` (an SQL parameter: every unit when it is null). */
export const insideSubtree = (column: string, within: string) =>
  `(${within}::text IS NULL OR ${column} IN (SELECT unit_code FROM unit_tree WHERE ancestor_code = ${within}))`;

/** The WHERE clause of a filter, on parameters $1 … $6. */
function filterClause(filter: UnitFilter): { where: string; params: unknown[] } {
  // each word must begin a word of the name: "so" finds "Sở Nội vụ", not "Hồ sơ"
  const words = searchPatterns(filter.search);
  return {
    where: `($1::text IS NULL OR level = $1)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR parent_code = $3)
        AND ${matchesSearch(`' ' || name_folded`, '$4')}
        AND ${validOn('$5')}
        AND ${insideSubtree('code', '$6')}`,
    params: [
      filter.level ?? null,
      filter.kind ?? null,
      filter.parentCode ?? null,
      words,
      filter.validOn ?? null,
      filter.within ?? null,
    ],
  };
}

/** Units matching the filter, ordered by code, one keyset page at a time (no gaps or repeats as data changes). */
export function listUnits(db: Queryable, filter: UnitFilter, page: KeysetPage): Promise<UnitRow[]> {
  const { where, params } = filterClause(filter);
  const keyset = keysetClause('code', page, params.length + 1);
  return db.query<UnitRow>(
    `SELECT ${UNIT_COLUMNS} FROM units
      WHERE ${where}
        ${keyset.sql}`,
    [...params, ...keyset.params],
  );
}

/** How many units match the filter. */
export async function countUnits(db: Queryable, filter: UnitFilter): Promise<number> {
  const { where, params } = filterClause(filter);
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM units WHERE ${where}`, params);
  return row?.count ?? 0;
}

// ---------------------------------------------------------------------------
// The tree and the dashboard counts, each read for a whole page of units in one statement (for loaders).

/**
 * The ancestors of each unit, from its parent up to the root (nearest first),
 * read from unit_tree in one statement for all the units; a unit without a
 * parent, or an unknown code, gets an empty list. Aligned with `codes`.
 */
export async function findAncestorsOfUnits(db: Queryable, codes: readonly string[]): Promise<UnitRow[][]> {
  const rows = await db.query<UnitRow & { start: string }>(
    `SELECT t.unit_code AS start, ${unitColumns('u')}
       FROM unit_tree t JOIN units u ON u.code = t.ancestor_code
      WHERE t.unit_code = ANY($1::text[]) AND t.depth > 0
      ORDER BY t.unit_code, t.depth`,
    [codes],
  );
  const byStart = new Map<string, UnitRow[]>();
  for (const { start, ...unit } of rows) {
    const list = byStart.get(start) ?? [];
    list.push(unit);
    byStart.set(start, list);
  }
  return codes.map((code) => byStart.get(code) ?? []);
}

export interface SubtreeFilter {
  kind?: UnitKind | null;
  level?: UnitLevel | null;
  /** Only descendants valid on this day (the units between them and the root may not be). */
  validOn?: IsoDate | null;
}

/** A descendant, with the root it was found under (a unit may lie below several roots of a batch). */
export interface DescendantRow extends UnitRow {
  root: string;
}

/**
 * Every unit below each root (the whole subtree, not only children), ordered
 * by code, that matches the filter; unit_tree holds every unit below the root
 * whatever the filter, so a matching unit below a non-matching one is still found.
 */
export function findDescendantsOfUnits(
  db: Queryable,
  roots: readonly string[],
  filter: SubtreeFilter = {},
): Promise<DescendantRow[]> {
  return db.query<DescendantRow>(
    `SELECT t.ancestor_code AS root, ${unitColumns('u')}
       FROM unit_tree t JOIN units u ON u.code = t.unit_code
      WHERE t.ancestor_code = ANY($1::text[]) AND t.depth > 0
        AND ($2::text IS NULL OR u.kind = $2) AND ($3::text IS NULL OR u.level = $3) AND ${validOn('$4', 'u')}
      ORDER BY t.ancestor_code, u.code`,
    [roots, filter.kind ?? null, filter.level ?? null, filter.validOn ?? null],
  );
}

/** How many direct children each unit has (optionally only those valid on a day). Aligned with `codes`. */
export async function countChildrenOfUnits(
  db: Queryable,
  codes: readonly string[],
  day: IsoDate | null = null,
): Promise<number[]> {
  const rows = await db.query<{ code: string; count: number }>(
    `SELECT parent_code AS code, count(*)::int AS count FROM units
      WHERE parent_code = ANY($1::text[]) AND ${validOn('$2')} GROUP BY parent_code`,
    [codes, day],
  );
  const counts = new Map(rows.map((row) => [row.code, row.count]));
  return codes.map((code) => counts.get(code) ?? 0);
}

/** The staff categories, in the order counts are listed. */
export const STAFF_COUNT_CATEGORIES = ['CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER'] as const;

export interface UnitStaffCountRow {
  category: (typeof STAFF_COUNT_CATEGORIES)[number];
  count: number;
}

/**
 * Serving staff of each unit itself (not of its subordinate units) by
 * category, every category listed (zero included), in one grouped statement.
 * Aligned with `codes`.
 */
export async function countServingStaffOfUnits(
  db: Queryable,
  codes: readonly string[],
): Promise<UnitStaffCountRow[][]> {
  const rows = await db.query<{ code: string; label: string; count: number }>(
    `SELECT unit_code AS code, category AS label, count(*)::int AS count FROM staff
      WHERE unit_code = ANY($1::text[]) AND status = 'SERVING' GROUP BY unit_code, category`,
    [codes],
  );
  return staffCountsByUnit(codes, rows);
}

/** Staff counted per unit and category as one list per code (in the order of `codes`), every category listed. */
export function staffCountsByUnit(
  codes: readonly string[],
  rows: readonly { code: string; label: string; count: number }[],
): UnitStaffCountRow[][] {
  return spread(codes, STAFF_COUNT_CATEGORIES, rows).map((list) =>
    list.map(({ label, count }) => ({ category: label, count })),
  );
}

export interface UnitDossierCountRow {
  outcome: DossierCountOutcome;
  count: number;
}

export interface ReceivedRange {
  /** First Vietnam day of reception, inclusive; null: from the beginning. */
  from?: IsoDate | null;
  /** Last Vietnam day of reception, inclusive; null: up to now. */
  to?: IsoDate | null;
}

/** The instant a Vietnam calendar day begins, from a 'YYYY-MM-DD' parameter (no time zone database needed). */
const vnDayStart = (param: string) => `(${param}::date::timestamp AT TIME ZONE INTERVAL '+07:00')`;

/** A day `n` days after an ISO day (UTC arithmetic on the calendar date only). */
const addDays = (day: IsoDate, n: number): IsoDate =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The first day of the month after the month of an ISO day. */
function nextMonthStart(day: IsoDate): IsoDate {
  const [year, month] = day.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/**
 * A range of days as the rollups read it: the whole calendar months inside it
 * (from dossier_month_counts, `monthsFrom` inclusive to `monthsTo` exclusive,
 * either open) and the days of its partial months at either end (from
 * dossier_day_counts, each [start, end)). A year is then 12 monthly rows per
 * unit and outcome instead of 365 daily ones.
 */
export function splitDayRange(range: ReceivedRange): {
  months: { from: IsoDate | null; to: IsoDate | null } | null;
  days: [IsoDate, IsoDate][];
} {
  const from = range.from ?? null;
  const to = range.to ?? null;
  // The first month that starts on or after `from`, and the first day after the last month that ends by `to`.
  const monthsFrom = from === null ? null : from.endsWith('-01') ? from : nextMonthStart(from);
  const monthsTo = to === null ? null : `${addDays(to, 1).slice(0, 7)}-01`;
  if (monthsFrom !== null && monthsTo !== null && monthsFrom >= monthsTo) {
    // No whole month inside: the days alone.
    return { months: null, days: [[from!, addDays(to!, 1)]] };
  }
  const days: [IsoDate, IsoDate][] = [];
  if (from !== null && monthsFrom !== null && from < monthsFrom) days.push([from, monthsFrom]);
  if (to !== null && monthsTo !== null && monthsTo <= to) days.push([monthsTo, addDays(to, 1)]);
  return { months: { from: monthsFrom, to: monthsTo }, days };
}

/**
 * Dossiers received by each unit (in the range of Vietnam days, both ends
 * included) by outcome, every outcome listed (zero included), in one
 * statement. Resolved and withdrawn dossiers come from the rollups
 * (dossier_month_counts for whole months, dossier_day_counts for the days of
 * partial ones); open dossiers from the dossiers table itself, where they are
 * few, because whether one is overdue depends on the database's clock.
 * Aligned with `codes`.
 */
export async function countDossiersOfUnits(
  db: Queryable,
  codes: readonly string[],
  range: ReceivedRange = {},
): Promise<UnitDossierCountRow[][]> {
  const { months, days } = splitDayRange(range);
  const rows = await db.query<{ code: string; label: string; count: number }>(
    `SELECT unit_code AS code, outcome AS label, sum(count)::int AS count FROM (
         SELECT unit_code, outcome, count FROM dossier_month_counts
          WHERE $4::boolean AND unit_code = ANY($1::text[])
            AND ($5::date IS NULL OR month >= $5) AND ($6::date IS NULL OR month < $6)
         UNION ALL
         SELECT c.unit_code, c.outcome, c.count
           FROM unnest($7::date[], $8::date[]) AS r (first_day, end_day)
           JOIN dossier_day_counts c ON c.unit_code = ANY($1::text[]) AND c.day >= r.first_day AND c.day < r.end_day
       ) AS rolled
      WHERE outcome <> 'OPEN'
      GROUP BY unit_code, outcome
     UNION ALL
     SELECT unit_code, CASE WHEN due_at < now() THEN 'OPEN_OVERDUE' ELSE 'OPEN' END, count(*)::int
       FROM dossiers
      WHERE unit_code = ANY($1::text[]) AND dossier_count_outcome(status, finished_at, finish_outcome) = 'OPEN'
        AND ($2::date IS NULL OR received_at >= ${vnDayStart('$2')})
        AND ($3::date IS NULL OR received_at < ${vnDayStart('$3')} + INTERVAL '1 day')
      GROUP BY 1, 2`,
    [
      codes,
      range.from ?? null,
      range.to ?? null,
      months !== null,
      months?.from ?? null,
      months?.to ?? null,
      days.map(([first]) => first),
      days.map(([, end]) => end),
    ],
  );
  return spread(codes, DOSSIER_COUNT_OUTCOMES, rows).map((list) =>
    list.map(({ label, count }) => ({ outcome: label, count })),
  );
}

/** Grouped counts as one list per code (in the order of `codes`), each listing every label, zero for absent ones. */
function spread<L extends string>(
  codes: readonly string[],
  labels: readonly L[],
  rows: readonly { code: string; label: string; count: number }[],
): { label: L; count: number }[][] {
  const counts = new Map(rows.map((row) => [`${row.code}\u0000${row.label}`, row.count]));
  return codes.map((code) => labels.map((label) => ({ label, count: counts.get(`${code}\u0000${label}`) ?? 0 })));
}
