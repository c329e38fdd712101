/**
 * What a committed batch changed, as the sync engine publishes it on the
 * hub's pubsub for subscriptions to build on. Published only after the
 * batch's transaction has committed, so a listener that reads the store sees
 * what the event describes.
 */
import type { SourceName } from '../feed.ts';
import { LIVE_TOPIC, type LiveEvent } from '../../store/live-events.ts';

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

export const CHANGE_TOPIC = 'sync:changes';

/** The hub's topics: what a committed batch changed, and the live events logged from it (gateway/live). */
export interface HubTopics {
  [CHANGE_TOPIC]: [ChangeEvent];
  [LIVE_TOPIC]: [LiveEvent];
  [topic: string]: [unknown] | [ChangeEvent] | [LiveEvent];
}

/** What the engine needs of a pubsub (graphql-yoga's createPubSub has it). */
export interface ChangePublisher {
  publish(topic: typeof CHANGE_TOPIC, event: ChangeEvent): void;
}
