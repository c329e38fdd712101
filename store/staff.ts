import type { Queryable } from './db.ts';
import { keysetClause, type KeysetPage } from './keyset.ts';
import type { Qualification, Staff, StaffCategory, StaffStatus } from './model.ts';
import { defineUpsert } from './upsert.ts';
import { matchesSearch, searchPatterns } from './search.ts';
import { insideSubtree } from './units.ts';

/**
 * Inserts or updates staff in one statement; an older version (by
 * source_updated_at) never overwrites a newer one. The unit must exist.
 * Returns how many rows were written.
 */
export const upsertStaff = defineUpsert<Staff>({
  table: 'staff',
  key: ['id'],
  versioned: true,
  columns: {
    id: ['text', (s) => s.id],
    full_name: ['text', (s) => s.fullName.normalize('NFC')],
    birth_date: ['date', (s) => s.birthDate],
    gender: ['text', (s) => s.gender],
    unit_code: ['text', (s) => s.unitCode],
    category: ['text', (s) => s.category],
    rank_code: ['text', (s) => s.rankCode],
    position: ['text', (s) => s.position?.normalize('NFC') ?? null],
    qualification: ['text', (s) => s.qualification],
    meets_standard: ['boolean', (s) => s.meetsStandard],
    status: ['text', (s) => s.status],
    source_updated_at: ['timestamptz', (s) => s.sourceUpdatedAt],
  },
});

export interface StaffRow extends Staff {
  syncedAt: Date;
}

const STAFF_COLUMNS = `id, full_name AS "fullName", birth_date AS "birthDate", gender, unit_code AS "unitCode", category,
  rank_code AS "rankCode", position, qualification, meets_standard AS "meetsStandard", status,
  source_updated_at AS "sourceUpdatedAt", synced_at AS "syncedAt"`;

/** Staff by id (soHieu), in no particular order; unknown ids are absent (for loaders). */
export function findStaffByIds(db: Queryable, ids: readonly string[]): Promise<StaffRow[]> {
  return db.query<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = ANY($1::text[])`, [ids]);
}

export interface StaffFilter {
  /** Staff of this unit and of every unit below it in the tree. */
  unitCode?: string | null;
  category?: StaffCategory | null;
  qualification?: Qualification | null;
  status?: StaffStatus | null;
  meetsStandard?: boolean | null;
  /** Words that must each begin a word of the full name, in any order, ignoring case and diacritics. */
  search?: string | null;
}

/**
 * The WHERE clause of a filter, on parameters $1 … $6. The unit's subtree comes
 * from unit_tree, whatever the validity dates (staff stay filed under dissolved units).
 */
function staffFilterClause(
  filter: StaffFilter,
  /** The caller joins the subtree itself (on $1), so the clause leaves the unit out. */
  subtreeJoined = false,
): { where: string; params: unknown[] } {
  const words = searchPatterns(filter.search);
  return {
    where: `${subtreeJoined ? 'TRUE' : insideSubtree('unit_code', '$1')}
        AND ($2::text IS NULL OR category = $2)
        AND ($3::text IS NULL OR qualification = $3)
        AND ($4::text IS NULL OR status = $4)
        AND ($5::boolean IS NULL OR meets_standard = $5)
        AND ${matchesSearch(`' ' || full_name_folded`, '$6')}`,
    params: [
      filter.unitCode ?? null,
      filter.category ?? null,
      filter.qualification ?? null,
      filter.status ?? null,
      filter.meetsStandard ?? null,
      words,
    ],
  };
}

/**
 * Staff matching the filter, ordered by id, one keyset page at a time. With a
 * unit, the page's worth is taken from each unit of the subtree through
 * staff_unit_id_idx and merged: walking the whole staff list by id and
 * filtering on the unit read 28,000 rows for a page of a large hospital.
 */
export function listStaff(db: Queryable, filter: StaffFilter, page: KeysetPage): Promise<StaffRow[]> {
  const { where, params } = staffFilterClause(filter, filter.unitCode != null);
  const keyset = keysetClause('id', page, params.length + 1);
  if (filter.unitCode == null) {
    return db.query<StaffRow>(
      `SELECT ${STAFF_COLUMNS} FROM staff
        WHERE ${where}
          ${keyset.sql}`,
      [...params, ...keyset.params],
    );
  }
  return db.query<StaffRow>(
    `SELECT s.* FROM unit_tree t CROSS JOIN LATERAL (
       SELECT ${STAFF_COLUMNS} FROM staff
        WHERE unit_code = t.unit_code AND ${where}
          ${keyset.sql}
     ) s
     WHERE t.ancestor_code = $1
     ORDER BY s.id ${page.inverted ? 'DESC' : 'ASC'} LIMIT $${params.length + 3}`,
    [...params, ...keyset.params],
  );
}

/** How many staff match the filter. */
export async function countStaff(db: Queryable, filter: StaffFilter): Promise<number> {
  const { where, params } = staffFilterClause(filter);
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM staff WHERE ${where}`, params);
  return row?.count ?? 0;
}
