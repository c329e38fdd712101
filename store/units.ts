import type { Queryable } from './db.ts';
import type { IsoDate, Unit, UnitKind, UnitLevel } from './model.ts';
import { defineUpsert } from './upsert.ts';

export interface UnitRow extends Unit {
  syncedAt: Date;
}

const UNIT_COLUMNS = `code, budget_code AS "budgetCode", name, parent_code AS "parentCode", level, kind, sector,
  headcount_quota AS "headcountQuota", valid_from AS "validFrom", valid_to AS "validTo",
  source_updated_at AS "sourceUpdatedAt", synced_at AS "syncedAt"`;

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

/** A unit is valid on day d when valid_from <= d < valid_to (either bound may be open). */
const validOn = (day: string) =>
  `(${day}::date IS NULL OR ((valid_from IS NULL OR valid_from <= ${day}) AND (valid_to IS NULL OR ${day} < valid_to)))`;

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
}

export interface KeysetPage {
  /** Exclusive bounds on the sort key (the unit code). */
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  /** Read backwards from `before` (for `last`). */
  inverted: boolean;
}

/** The WHERE clause of a filter, on parameters $1 … $5. */
function filterClause(filter: UnitFilter): { where: string; params: unknown[] } {
  const words = (filter.search ?? '')
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    // each word must begin a word of the name: "so" finds "Sở Nội vụ", not "Hồ sơ"
    .map((word) => `% ${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return {
    where: `($1::text IS NULL OR level = $1)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR parent_code = $3)
        AND (cardinality($4::text[]) = 0 OR ' ' || name_folded LIKE ALL (SELECT fold_vi(p) FROM unnest($4::text[]) AS p))
        AND ${validOn('$5')}`,
    params: [filter.level ?? null, filter.kind ?? null, filter.parentCode ?? null, words, filter.validOn ?? null],
  };
}

/** Units matching the filter, ordered by code, one keyset page at a time (no gaps or repeats as data changes). */
export function listUnits(db: Queryable, filter: UnitFilter, page: KeysetPage): Promise<UnitRow[]> {
  const { where, params } = filterClause(filter);
  return db.query<UnitRow>(
    `SELECT ${UNIT_COLUMNS} FROM units
      WHERE ${where}
        AND ($6::text IS NULL OR code > $6)
        AND ($7::text IS NULL OR code < $7)
      ORDER BY code ${page.inverted ? 'DESC' : 'ASC'}
      LIMIT $8`,
    [...params, page.after ?? null, page.before ?? null, page.limit],
  );
}

/** How many units match the filter. */
export async function countUnits(db: Queryable, filter: UnitFilter): Promise<number> {
  const { where, params } = filterClause(filter);
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM units WHERE ${where}`, params);
  return row?.count ?? 0;
}
