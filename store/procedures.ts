import type { Queryable } from './db.ts';
import { keysetClause, type KeysetPage } from './keyset.ts';
import type { OnlineServiceLevel, Procedure, UnitLevel } from './model.ts';
import { defineUpsert } from './upsert.ts';
import { matchesSearch, searchPatterns } from './search.ts';

/**
 * Inserts or updates procedures in one statement (the catalogue has no update
 * time upstream, so the latest read wins). Names are stored NFC-normalised,
 * whoever calls. Returns how many rows were written.
 */
export const upsertProcedures = defineUpsert<Procedure>({
  table: 'procedures',
  key: ['code'],
  versioned: false,
  columns: {
    code: ['text', (p) => p.code],
    name: ['text', (p) => p.name.normalize('NFC')],
    field_code: ['text', (p) => p.fieldCode],
    field_name: ['text', (p) => p.fieldName?.normalize('NFC') ?? null],
    levels: ['text[]', (p) => p.levels],
    online_service: ['text', (p) => p.onlineService],
    has_fee: ['boolean', (p) => p.hasFee],
  },
});

export interface ProcedureRow extends Procedure {
  syncedAt: Date;
}

const PROCEDURE_COLUMNS = `code, name, field_code AS "fieldCode", field_name AS "fieldName", levels,
  online_service AS "onlineService", has_fee AS "hasFee", synced_at AS "syncedAt"`;

/** Procedures by code, in no particular order; unknown codes are absent (for loaders). */
export function findProceduresByCodes(db: Queryable, codes: readonly string[]): Promise<ProcedureRow[]> {
  return db.query<ProcedureRow>(`SELECT ${PROCEDURE_COLUMNS} FROM procedures WHERE code = ANY($1::text[])`, [codes]);
}

export interface ProcedureFilter {
  /** Words that must all begin words of the name, ignoring case and diacritics. */
  search?: string | null;
  fieldCode?: string | null;
  /** Procedures carried out at this level (among others). */
  level?: UnitLevel | null;
  onlineService?: OnlineServiceLevel | null;
}

/**
 * The folded name with a space before every word: punctuation separates words
 * too, so "khai" finds "(khai sinh)" as well as "Đăng ký khai sinh".
 */
const WORD_STARTS = `' ' || translate(name_folded, '()[],.;:/"-', '           ')`;

/** The WHERE clause of a filter, on parameters $1 … $4 (the search as in store/units.ts). */
function filterClause(filter: ProcedureFilter): { where: string; params: unknown[] } {
  // each word must begin a word of the name: "tich" finds "Hộ tịch", "ich" does not
  const words = searchPatterns(filter.search);
  return {
    where: `${matchesSearch(WORD_STARTS, '$1')}
        AND ($2::text IS NULL OR field_code = $2)
        AND ($3::text IS NULL OR $3 = ANY(levels))
        AND ($4::text IS NULL OR online_service = $4)`,
    params: [words, filter.fieldCode ?? null, filter.level ?? null, filter.onlineService ?? null],
  };
}

/** Procedures matching the filter, ordered by code, one keyset page at a time. */
export function listProcedures(db: Queryable, filter: ProcedureFilter, page: KeysetPage): Promise<ProcedureRow[]> {
  const { where, params } = filterClause(filter);
  const keyset = keysetClause('code', page, params.length + 1);
  return db.query<ProcedureRow>(
    `SELECT ${PROCEDURE_COLUMNS} FROM procedures
      WHERE ${where}
        ${keyset.sql}`,
    [...params, ...keyset.params],
  );
}

/** How many procedures match the filter. */
export async function countProcedures(db: Queryable, filter: ProcedureFilter): Promise<number> {
  const { where, params } = filterClause(filter);
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM procedures WHERE ${where}`,
    params,
  );
  return row?.count ?? 0;
}
