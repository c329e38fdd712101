import type { Dossier } from './model.ts';
import { defineUpsert } from './upsert.ts';

/**
 * Inserts or updates dossiers in one statement; an older version (by
 * source_updated_at) never overwrites a newer one. The procedure and unit must
 * exist: a batch with an unknown one fails whole (the sync checks references
 * first and quarantines what does not resolve). Returns how many rows were written.
 */
export const upsertDossiers = defineUpsert<Dossier>({
  table: 'dossiers',
  key: ['code'],
  versioned: true,
  columns: {
    code: ['text', (d) => d.code],
    procedure_code: ['text', (d) => d.procedureCode],
    unit_code: ['text', (d) => d.unitCode],
    channel: ['text', (d) => d.channel],
    status: ['text', (d) => d.status],
    applicant_name: ['text', (d) => d.applicantName?.normalize('NFC') ?? null],
    applicant_phone: ['text', (d) => d.applicantPhone],
    received_at: ['timestamptz', (d) => d.receivedAt],
    due_at: ['timestamptz', (d) => d.dueAt],
    finished_at: ['timestamptz', (d) => d.finishedAt],
    returned_at: ['timestamptz', (d) => d.returnedAt],
    full_process_online: ['boolean', (d) => d.fullProcessOnline],
    has_fee: ['boolean', (d) => d.hasFee],
    online_payment: ['text', (d) => d.onlinePayment],
    digitised: ['boolean', (d) => d.digitised],
    electronic_result: ['boolean', (d) => d.electronicResult],
    source_updated_at: ['timestamptz', (d) => d.sourceUpdatedAt],
  },
});
