import type { Queryable } from './db.ts';
import type { Dossier } from './model.ts';
import { defineReportingUpsert, defineUpsert, type UpsertSpec } from './upsert.ts';

/**
 * Inserts or updates dossiers in one statement; an older version (by
 * source_updated_at) never overwrites a newer one. The procedure and unit must
 * exist: a batch with an unknown one fails whole (the sync checks references
 * first and quarantines what does not resolve). Returns how many rows were written.
 */
const DOSSIERS: UpsertSpec<Dossier> = {
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
};

export const upsertDossiers = defineUpsert(DOSSIERS);

/** The dates that tell how a dossier moved on, as stored before an upsert. */
export interface StoredDossierDates {
  code: string;
  finishedAt: Date | null;
  returnedAt: Date | null;
  dueAt: Date | null;
  syncedAt: Date;
}

const upsertReportingDates = defineReportingUpsert(DOSSIERS, ['finished_at', 'returned_at', 'due_at', 'synced_at']);
const instant = (value: unknown) => (value == null ? null : new Date(value as string));

/** Upserts like upsertDossiers, and says what the store held for each dossier before (absent: it was new). */
export async function upsertDossiersReportingChanges(
  db: Queryable,
  dossiers: readonly Dossier[],
): Promise<{ written: number; before: StoredDossierDates[] }> {
  const { written, before } = await upsertReportingDates(db, dossiers);
  return {
    written,
    before: before.map((row) => ({
      code: row.code as string,
      finishedAt: instant(row.finished_at),
      returnedAt: instant(row.returned_at),
      dueAt: instant(row.due_at),
      syncedAt: instant(row.synced_at)!,
    })),
  };
}
