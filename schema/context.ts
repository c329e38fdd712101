import type { SourceName } from '../connectors/feed.ts';
import type { CircuitState } from '../connectors/http/client.ts';
import type { SyncEngine } from '../connectors/sync/engine.ts';
import type { Viewer } from '../store/access.ts';
import type { Queryable } from '../store/db.ts';
import type { NewTrustedDocument } from '../store/trusted-documents.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { LiveConnection } from '../live/subscribers.ts';
import type { UnitAccess } from './unit-access.ts';

/** What the graph may ask of the sync engine; absent on a hub that does not sync (some tests). */
export interface SyncAccess {
  engine: SyncEngine;
  circuit(source: SourceName): CircuitState | null;
}

/** A document to register as trusted, with the id its client knows it by ("sha256:<hex>" or "<hex>") when given. */
export interface DocumentToRegister {
  id?: string | null | undefined;
  text: string;
}

/** What the registerTrustedDocuments mutation asks of the hub (gateway/policy/documents/registration.ts). */
export interface TrustedDocumentRegistrar {
  /**
   * The documents checked as `npm run documents -- register` checks them (id, schema, the hub's limits); throws a
   * TrustedDocumentError naming the first that cannot run.
   */
  prepare(documents: readonly DocumentToRegister[]): NewTrustedDocument[];
  /** Told the ids just registered, the hub runs them at once (not after its cache of unknown ids expires). */
  registered(ids: readonly string[]): void;
}

/** What every resolver receives: one per request (loaders are cached per context object). */
export interface Context {
  db: Queryable;
  sync: SyncAccess | null;
  /** A feed's last pass above this share (percent) of rejected or flawed records is DEGRADED (FEED_DEGRADED_ABOVE_PERCENT). */
  degradedAbovePercent?: number | undefined;
  /** A source with no successful pass for longer is STALE (LIVE_STALE_AFTER_MINUTES, or derived). */
  staleAfterMinutes?: number | undefined;
  /**
   * The consumer the request acts as, its scopes and unit subtree (gateway/policy/auth resolves it from the
   * credential).
   */
  viewer: Viewer;
  /** The viewer's unit subtree: checks single units, narrows lists. */
  units: UnitAccess;
  /** What the request read of personal data and which admin operations it ran, for the audit log. */
  audit: AuditTrail;
  /**
   * Checks the request's credential again, as a new request would be checked
   * (revoked key or consumer, expired JWT); throws the same UNAUTHENTICATED
   * error. Long-lived subscriptions call it now and then, so a revocation
   * ends them too.
   */
  recheckCredential(): Promise<void>;
  /** AUDIT_KEY, to verify the audit log’s chain (auditChainStatus); set by the audit plugin every hub installs. */
  auditKey?: string | undefined;
  /** Registering trusted documents on this hub; absent on a hub without it (some tests). */
  documents?: TrustedDocumentRegistrar | undefined;
  /** Live data (subscriptions): the hub's subscribers and this connection's transport; absent on a hub without them. */
  live?: LiveConnection | null | undefined;
}
