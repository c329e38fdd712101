/**
 * The sync access a hub is given (HubDeps.sync) without a sync engine: the
 * sources an instance syncs and its breakers, as /ready and /metrics read
 * them. Nothing is ever synced; stop does nothing.
 */
import type { SourceName } from '../../connectors/feed.ts';
import type { CircuitState } from '../../connectors/http/client.ts';
import type { SyncEngine } from '../../connectors/sync/engine.ts';
import type { SyncAccess } from '../../schema/index.ts';

/** `circuits` is read at each call: a test may open and close breakers while the hub runs. */
export const syncing = (
  sources: SourceName[],
  circuits: Partial<Record<SourceName, CircuitState>> = {},
): SyncAccess => ({
  engine: { sources, stop: async () => {}, isRunning: () => false } as unknown as SyncEngine,
  circuit: (source) => circuits[source] ?? 'CLOSED',
});
