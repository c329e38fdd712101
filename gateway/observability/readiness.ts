/**
 * Readiness (GET /ready): may this instance take traffic? 503 while it shuts down, while the store does not answer or
 * a migration this build expects is not applied: an orchestrator then keeps requests away. Otherwise 200, `ready` or
 * `degraded` (some source stale, failing, behind an open breaker or never synced; or the live pubsub's Redis down):
 * the hub still serves what it has, so neither takes it out of rotation (Redis down is down for every instance
 * alike), but an operator sees which and since when. The body is public
 * (probes carry no credential): no store error is shown, only a fixed phrase; the detail goes to the log.
 */
import type { Db } from '../../store/db.ts';
import type { Logger } from '../../core/logger.ts';
import type { HubPubSub } from '../../live/pubsub.ts';
import { pendingMigrations, type Migration } from '../../store/migrate.ts';
import { isHealthy, type SourceHealth } from './source-health.ts';

export type ReadinessBody =
  | { status: 'draining' }
  | {
      status: 'ready' | 'degraded' | 'not ready';
      store: { backend: Db['backend']; reachable: boolean; pendingMigrations?: number[]; error?: string };
      /** The sources reported (see source-health.ts); absent when there is none to report. */
      sources?: SourceHealth[];
      /** Present (and the status degraded) when the sources could not be read; the detail is in the log. */
      sourcesError?: string;
      /** Present (and the status degraded) while the live pubsub's Redis is down. */
      pubsub?: { reachable: false; since: string; error: string };
    };

/** What /ready says instead of a store error (the error itself may name hosts, schemas or statements). */
export const STORE_UNREACHABLE = 'the store did not answer';
export const SOURCES_UNREADABLE = 'the sources could not be read from the store';
export const PUBSUB_UNREACHABLE =
  'Redis (REDIS_URL) is unreachable: live events are logged but not delivered, and response caches do not answer, until it is back';

export interface ReadinessCheck {
  db: Db;
  /** The migrations this build expects. */
  migrations: Migration[];
  draining: boolean;
  /** The reported sources' health (read only once the store has answered). */
  sources(): Promise<SourceHealth[]>;
  /** The live pubsub (live/pubsub.ts): since when its Redis has been down, or null. */
  pubsub: Pick<HubPubSub, 'downSince'>;
  /** Where the errors the body does not show are logged. */
  logger: Pick<Logger, 'warn'>;
}

export async function checkReadiness({
  db,
  migrations,
  draining,
  sources,
  pubsub,
  logger,
}: ReadinessCheck): Promise<{ httpStatus: number; body: ReadinessBody }> {
  if (draining) return { httpStatus: 503, body: { status: 'draining' } };
  let pending: number[];
  try {
    pending = await pendingMigrations(db, migrations);
  } catch (error) {
    logger.warn({ err: error }, 'readiness: the store did not answer');
    return {
      httpStatus: 503,
      body: { status: 'not ready', store: { backend: db.backend, reachable: false, error: STORE_UNREACHABLE } },
    };
  }
  const store = { backend: db.backend, reachable: true, pendingMigrations: pending };
  if (pending.length > 0) return { httpStatus: 503, body: { status: 'not ready', store } };
  const since = pubsub.downSince;
  const pubsubDown = since
    ? { pubsub: { reachable: false as const, since: since.toISOString(), error: PUBSUB_UNREACHABLE } }
    : {};
  let reported: SourceHealth[];
  try {
    reported = await sources();
  } catch (error) {
    // The store answers but sync_runs/quarantine cannot be read: such a failure is the same on every instance, and
    // taking them all out of rotation together would turn a reporting problem into an outage.
    logger.warn({ err: error }, 'readiness: cannot read the sources from the store');
    return { httpStatus: 200, body: { status: 'degraded', store, sourcesError: SOURCES_UNREADABLE, ...pubsubDown } };
  }
  return {
    httpStatus: 200,
    body: {
      status: reported.every(isHealthy) && !since ? 'ready' : 'degraded',
      store,
      ...(reported.length > 0 ? { sources: reported } : {}),
      ...pubsubDown,
    },
  };
}
