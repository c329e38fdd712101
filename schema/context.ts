import type { SourceName } from '../connectors/feed.ts';
import type { CircuitState } from '../connectors/http/client.ts';
import type { SyncEngine } from '../gateway/sync/engine.ts';
import type { Queryable } from '../store/db.ts';

/** What the graph may ask of the sync engine; absent on a hub that does not sync (some tests). */
export interface SyncAccess {
  engine: SyncEngine;
  circuit(source: SourceName): CircuitState | null;
}

/** What every resolver receives: one per request (loaders are cached per context object). */
export interface Context {
  db: Queryable;
  sync: SyncAccess | null;
  /** The request carries the admin credential (ADMIN_TOKEN) until consumers and scopes arrive. */
  admin: boolean;
}
