/**
 * A sync engine wired to mock upstreams on real sockets, with an HTTP client
 * tuned for tests (short timeouts and backoff, so that fault runs are quick),
 * and every change event it publishes collected.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeEach } from 'vitest';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { startMockUpstreams, type MockUpstreams } from '../../connectors/mock/server.ts';
import type { Db } from '../../store/db.ts';
import type { LiveEvent } from '../../store/live-events.ts';
import { createLiveProducer, type LiveProducer } from '../../live/producer.ts';
import type { ChangeEvent } from '../../connectors/sync/changes.ts';
import { createSyncEngine, type SyncEngine, type SyncObserver } from '../../connectors/sync/engine.ts';
import { createUpstreams, type Upstreams, type UpstreamUrls } from '../../connectors/sync/upstreams.ts';

/** Client settings for tests: a hung upstream fails in a fraction of a second, retries come quickly. */
export const TEST_CLIENT = {
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 1_500,
  bodyTimeoutMs: 1_500,
  maxAttempts: 6,
  backoffInitialMs: 5,
  backoffMaxMs: 50,
  maxRetryAfterMs: 5_000,
  breakerThreshold: 50,
  breakerHalfOpenAfterMs: 200,
};

export interface SyncRig {
  engine: SyncEngine;
  upstreams: Upstreams;
  events: ChangeEvent[];
  close(): Promise<void>;
}

export const mockUrls = (mocks: MockUpstreams): UpstreamUrls => ({
  ONE_STOP_SHOP: mocks.urls.oneStopShop,
  CADRE_DB: mocks.urls.cadreDb,
  BUDGET: mocks.urls.budget,
});

/** Starts the three mock upstreams on free ports. */
export const startMocks = (world: MockWorld) =>
  startMockUpstreams({ world, ports: { oneStopShop: 0, cadreDb: 0, budget: 0 } });

/** An engine over `db` syncing from the mocks, on the world's clock. */
export function syncRig(db: Db, world: MockWorld, mocks: MockUpstreams): SyncRig {
  const upstreams = createUpstreams(mockUrls(mocks), {
    client: { ...TEST_CLIENT, registry: new Registry() },
    now: () => world.now(),
  });
  const events: ChangeEvent[] = [];
  const engine = createSyncEngine({
    db,
    connectors: upstreams.connectors,
    logger: pino({ level: 'silent' }),
    observers: [{ name: 'test collector', batchCommitted: (event) => void events.push(event) }],
    instance: 'test',
  });
  return {
    engine,
    upstreams,
    events,
    async close() {
      await engine.stop();
      await upstreams.close();
    },
  };
}

/**
 * A fresh engine for each test of the enclosing describe block (its own clients, breakers and backoff), closed
 * before the next test and after the last. Call it after the hooks that open the store and start the mocks: it
 * reads them through the getters when each test starts, and its afterAll runs before theirs.
 */
export function syncRigEachTest(db: () => Db, world: () => MockWorld, mocks: () => MockUpstreams): () => SyncRig {
  let rig: SyncRig | undefined;
  beforeEach(async () => {
    await rig?.close();
    rig = syncRig(db(), world(), mocks());
  });
  afterAll(async () => {
    await rig?.close();
  });
  return () => rig!;
}

export interface LiveSyncRig {
  engine: SyncEngine;
  upstreams: Upstreams;
  producer: LiveProducer;
  /** Stops the engine, then the producer (its last events), then the upstream clients. */
  close(): Promise<void>;
}

/**
 * An engine over `db` syncing from the mocks with the live producer attached,
 * as gateway/main.ts wires them: the producer logs what each commit changed
 * and hands the events to `publish` (a hub's pubsub). On the world's clock.
 */
export function liveSyncRig(
  db: Db,
  world: MockWorld,
  mocks: MockUpstreams,
  publish: (event: LiveEvent) => void,
  /** Who else hears of the engine's changes, before the producer, as main.ts lists them (the response cache's bus). */
  before: readonly SyncObserver[] = [],
): LiveSyncRig {
  const silent = pino({ level: 'silent' });
  const producer = createLiveProducer({ db, publish, logger: silent, now: () => world.now(), tickMs: 0 });
  const upstreams = createUpstreams(mockUrls(mocks), {
    client: { ...TEST_CLIENT, registry: new Registry() },
    now: () => world.now(),
  });
  const engine = createSyncEngine({
    db,
    connectors: upstreams.connectors,
    logger: silent,
    instance: 'test',
    observers: [...before, producer.syncObserver],
  });
  return {
    engine,
    upstreams,
    producer,
    async close() {
      await engine.stop();
      await producer.stop();
      await upstreams.close();
    },
  };
}
