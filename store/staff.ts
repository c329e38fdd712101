import type { Staff } from './model.ts';
import { defineUpsert } from './upsert.ts';

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
