import type { Procedure } from './model.ts';
import { defineUpsert } from './upsert.ts';

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
    field_name: ['text', (p) => p.fieldName.normalize('NFC')],
    levels: ['text[]', (p) => p.levels],
    online_service: ['text', (p) => p.onlineService],
    has_fee: ['boolean', (p) => p.hasFee],
  },
});
