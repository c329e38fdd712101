/**
 * What a committed batch changed, as the sync engine tells its observers in
 * its own process (the live producer, the response cache's invalidation).
 * Told only after the batch's transaction has committed, so an observer that
 * reads the store sees what the event describes.
 */
import type { SourceName } from '../feed.ts';

/** How a dossier changed, as far as the hub can tell from two consecutive versions. */
export const DOSSIER_CHANGES = ['RECEIVED', 'FINISHED', 'RETURNED', 'OVERDUE'] as const;
export type DossierChangeKind = (typeof DOSSIER_CHANGES)[number];

export interface DossierChange {
  code: string;
  unitCode: string;
  /** RECEIVED: new to the hub; FINISHED / RETURNED: that date newly set; OVERDUE: open, and past due since it was last synced. */
  kinds: DossierChangeKind[];
}

export type ChangedEntity = 'UNITS' | 'STAFF' | 'PROCEDURES' | 'DOSSIERS' | 'FINANCE';

export interface ChangeEvent {
  source: SourceName;
  feed: string;
  entity: ChangedEntity;
  /** When the batch committed. */
  at: Date;
  /** Rows written (records older than the stored version are not counted). */
  written: number;
  /** The units whose data the batch touched (the receiving unit of a dossier, the unit of a staff record …). */
  unitCodes: string[];
  /** Dossier batches only: the dossiers that changed in a way subscribers watch. */
  dossiers: DossierChange[];
}
