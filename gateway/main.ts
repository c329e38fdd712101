/**
 * The hub's entry point: configuration, store, migrations, upstreams, sync,
 * HTTP. Start-up failures print one line naming the cause and exit 1; no
 * stack traces.
 *
 * With no upstream URL configured (and DEMO_DATA=auto), the hub runs the mock
 * upstreams in this process over a simulated province and syncs from them
 * through the real connectors, so a bare `npm start` serves data; the
 * simulated clock follows the real one, so new dossiers keep arriving; moving
 * it on through the mocks' admin API (`npm run demo:tick`) syncs at once.
 */
import { createMockWorld } from '../connectors/mock/generator/world.ts';
import { startMockUpstreams, type MockUpstreams } from '../connectors/mock/server.ts';
import { openDb } from '../store/open-db.ts';
import { withoutStatementTimeout, type Db } from '../store/db.ts';
import { LIVE_TOPIC } from '../store/live-events.ts';
import { migrate } from '../store/migrate.ts';
import {
  DEVELOPMENT_CONSUMER,
  issueDevelopmentCredential,
  retireDevelopmentCredentials,
} from './policy/auth/development.ts';
import {
  ConfigError,
  describeStore,
  loadServerConfig,
  upstreamClientSettings,
  upstreamsConfigured,
  type Config,
} from './config.ts';
import { SOURCE_NAMES } from '../connectors/feed.ts';
import { circuitsOf, createLiveProducer, liveSettings } from '../live/producer.ts';
import { registerDashboardDocuments } from './policy/documents/dashboard.ts';
import { registerDocumentsCliDocument } from './policy/documents/registration.ts';
import { createLogger } from '../core/logger.ts';
import { createHubMetrics } from './observability/metrics.ts';
import { createHubPubSub, storeNamespace } from '../live/pubsub.ts';
import { responseCacheBus } from './response-cache/bus.ts';
import { checkRedis } from './redis-check.ts';
import { createHub } from './server.ts';
import { demoStatePath, removeDemoState, writeDemoState } from './demo-state.ts';
import { hubSettings } from './hub-settings.ts';
import { createSyncEngine, type PassResult, type SyncEngine } from '../connectors/sync/engine.ts';
import { createUpstreams, type UpstreamSettings, type UpstreamUrls } from '../connectors/sync/upstreams.ts';

let config: Config;
try {
  config = loadServerConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`lgsp-hub: ${error.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.LOG_LEVEL);

function fail(message: string): never {
  logger.fatal(message);
  process.stderr.write(`lgsp-hub: ${message}\n`);
  process.exit(1);
}

// A Redis that is reachable but refuses what the hub needs of it (a wrong database or password, an ACL) stops the
// start here, before anything is opened, rather than let live data and shared limits fail quietly later.
if (config.REDIS_URL) {
  await checkRedis(config.REDIS_URL, { rateLimit: config.RATE_LIMIT_PER_MINUTE > 0 }).catch((error: Error) =>
    fail(error.message),
  );
}

const storeName = describeStore(config);

let db: Db;
try {
  db = await openDb({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    poolMax: config.DATABASE_POOL_MAX,
    schema: config.DATABASE_SCHEMA,
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
  });
} catch (error) {
  fail(`cannot open the store (${storeName}): ${(error as Error).message}`);
}

try {
  // Migrations are never cut by STATEMENT_TIMEOUT_MS, which bounds the graph's statements only (store/db.ts).
  const applied = await migrate(withoutStatementTimeout(db));
  logger.info({ store: db.backend, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'store migrated');
  // The dashboard sends its documents as text: the missing ones are registered so that a production hub runs
  // them; one an operator removed stays removed (npm run documents -- register --dashboard brings it back). Limits
  // so low that they refuse one of them stop the start, naming it and the limit.
  const dashboard = await registerDashboardDocuments(db, { limits: hubSettings(config).limits });
  const added = dashboard.filter((r) => r.outcome === 'added');
  if (added.length > 0) {
    logger.info({ documents: added.map((r) => r.operationNames.join(',')) }, 'dashboard documents registered');
  }
  const removed = dashboard.filter((r) => r.outcome === 'left-removed');
  if (removed.length > 0) {
    logger.info(
      { documents: removed.map((r) => r.operationNames.join(',')) },
      'dashboard documents removed by an operator stay removed (npm run documents -- register --dashboard restores them)',
    );
  }
  // The document `npm run documents -- register --hub` sends, so that a hub running trusted documents only runs it.
  const cli = await registerDocumentsCliDocument(db, hubSettings(config).limits);
  if (cli.some((r) => r.outcome === 'added')) logger.info('the registration document of npm run documents registered');
} catch (error) {
  await db.close().catch(() => {});
  fail(`cannot prepare the store (${storeName}): ${(error as Error).message}`);
}

let urls: UpstreamUrls = {
  ONE_STOP_SHOP: config.ONE_STOP_SHOP_URL,
  CADRE_DB: config.CADRE_DB_URL,
  BUDGET: config.BUDGET_URL,
};
const settings: UpstreamSettings = { client: { ...upstreamClientSettings(config), logger } };
let mocks: MockUpstreams | undefined;
let clockTimer: NodeJS.Timeout | undefined;
if (config.DEMO_DATA === 'auto' && !upstreamsConfigured(config)) {
  const world = createMockWorld({ scale: config.DEMO_SCALE });
  mocks = await startMockUpstreams({
    world,
    ports: { oneStopShop: 0, cadreDb: 0, budget: 0 },
    // The engine is made below, before the hub listens and the state file tells anyone where the mocks are.
    syncOnClock: () => syncAfterClockMove(engine),
  });
  urls = { ONE_STOP_SHOP: mocks.urls.oneStopShop, CADRE_DB: mocks.urls.cadreDb, BUDGET: mocks.urls.budget };
  settings.now = () => world.now();
  let last = Date.now();
  clockTimer = setInterval(() => {
    const now = Date.now();
    world.advance(now - last);
    last = now;
  }, 10_000).unref();
  logger.info(
    { scale: world.scale, simulatedNow: world.now().toISOString(), urls: mocks.urls },
    'no upstream configured: syncing from mock upstreams over a simulated province (demo mode)',
  );
}

/**
 * A pass of every source that sees the moved clock: one already running (a scheduled one) began before the move, so
 * it is let end and a new one follows (the engine would otherwise join it).
 */
async function syncAfterClockMove(engine: SyncEngine): Promise<PassResult[]> {
  const results: PassResult[] = [];
  for (const source of engine.sources) {
    if (engine.isRunning(source)) await engine.run(source, { trigger: 'COMMAND' });
    results.push(await engine.run(source, { trigger: 'COMMAND' }));
  }
  return results;
}

// Where npm run demo:tick finds this demo hub and its mocks (gateway/demo-state.ts).
const demoState = mocks ? demoStatePath(config.PGLITE_DIR) : null;

if (!mocks) {
  // Real data: the every-scope key an earlier demo run printed must not open it, not even before the first request.
  try {
    const revoked = await retireDevelopmentCredentials(db);
    if (revoked > 0) {
      logger.warn(
        { consumer: DEVELOPMENT_CONSUMER, revokedKeys: revoked },
        `not in demo mode: revoked ${revoked} key(s) of the ${DEVELOPMENT_CONSUMER} consumer left by a demo run`,
      );
    }
  } catch (error) {
    await db.close().catch(() => {});
    fail(`cannot revoke the demo keys of the ${DEVELOPMENT_CONSUMER} consumer: ${(error as Error).message}`);
  }
}

const upstreams = createUpstreams(urls, settings);
// Live data: one pubsub for the hub, through Redis when REDIS_URL is set (so a subscriber on any instance gets
// what any instance's sync produced); the producer logs what each committed batch and pass changed and publishes it.
const pubsub = createHubPubSub({
  redisUrl: config.REDIS_URL,
  logger,
  namespace: storeNamespace(config.DATABASE_URL, config.DATABASE_SCHEMA),
});
try {
  await pubsub.ready;
} catch (error) {
  await Promise.allSettled([pubsub.close(), db.close(), upstreams.close(), mocks?.close()]);
  fail((error as Error).message);
}
// The hub's metrics, made here so that the sync's statements are timed too (lgsp_store_query_duration_seconds).
const metrics = createHubMetrics();
// Background work is never cut by STATEMENT_TIMEOUT_MS, which bounds the graph's statements only (store/db.ts).
const syncDb = metrics.instrumentDb(withoutStatementTimeout(db), 'sync');
const producer = createLiveProducer({
  db: syncDb,
  logger,
  publish: (event) => pubsub.publish(LIVE_TOPIC, event),
  circuit: circuitsOf(upstreams),
  now: settings.now,
  // Staleness is watched from the store's record of passes for every source, by every instance, syncing or not: a
  // gateway-only hub alerts when the separate sync process dies. The live state's record of the status told (under
  // the log's lock) makes it one SOURCE_STALE per staleness across instances; a source never synced is not alerted.
  sources: SOURCE_NAMES,
  ...liveSettings(config),
});
// What each committed batch and each pass's end are told to, in this order: the response caches, emptied here at once
// and on the other instances through the pubsub; then the live producer.
const engine = createSyncEngine({
  db: syncDb,
  connectors: upstreams.connectors,
  logger,
  observers: [responseCacheBus(pubsub).syncObserver, producer.syncObserver],
  waitedMs: (source) => upstreams.clients[source]?.waitedMs ?? 0,
});
producer.start();
// Every setting of the hub comes from the configuration (createHub derives them); here, what is made outside it.
const hub = createHub(config, { db, logger, sync: { engine, circuit: upstreams.circuit }, pubsub, metrics });
try {
  const address = await hub.listen(config.PORT, config.HOST);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info(
    {
      url: `${url}/graphql`,
      store: db.backend,
      pubsub: pubsub.transport,
      mode: config.HUB_MODE,
      tracing: config.OTEL_TRACES_EXPORTER,
    },
    'lgsp-hub listening',
  );
  await announceCredentials(url);
  if (mocks && demoState) {
    try {
      writeDemoState(demoState, { pid: process.pid, hub: url, upstreamAdmin: `${mocks.urls.oneStopShop}/__admin/` });
    } catch (error) {
      logger.warn(
        { err: error, path: demoState },
        'cannot write the demo state file: npm run demo:tick will not find this hub',
      );
    }
  }
} catch (error) {
  await producer.stop();
  // The hub's stop closes the store and, besides, the cache's invalidation bus, the rate limit's Redis connection and
  // tracing (spans flushed).
  await hub.stop().catch((stopError: unknown) => logger.warn({ err: stopError }, 'stopping the hub failed'));
  await Promise.allSettled([pubsub.close(), upstreams.close(), mocks?.close()]);
  fail(`cannot listen on HOST=${config.HOST} PORT=${config.PORT}: ${(error as Error).message}`);
}

/**
 * How a newcomer gets at the data. Development mode answers anonymous requests
 * (every read scope but personal data and admin); in demo mode the hub also
 * issues a key with every scope and prints it, as plain lines a person reads.
 */
async function announceCredentials(url: string) {
  if (config.HUB_MODE === 'production') {
    logger.info(
      'production mode: every request needs an API key or a JWT (npm run consumer -- add|key), and only trusted ' +
        'documents run (npm run documents -- register); introspection and GraphiQL are off',
    );
    return;
  }
  let lines = [
    `development mode: requests without credentials get every read scope but read:pii and admin.`,
    `For personal data or admin: npm run consumer -- add <name> --scopes read:aggregates,read:pii,admin, then npm run consumer -- key <name>.`,
  ];
  if (mocks) {
    try {
      const key = await issueDevelopmentCredential(db);
      lines = [
        `development mode: requests without credentials get every read scope but read:pii and admin.`,
        `Development credential (every scope; demo data only; a new one at each start):`,
        `  curl -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
        `    -d '{"query":"{ staff(first: 3) { edges { node { fullName unit { name } } } } }"}' ${url}/graphql`,
        `Live data on demand: npm run demo:tick -- --hours=24 moves the simulated clock on and syncs.`,
      ];
    } catch (error) {
      logger.warn({ err: error }, 'no development credential issued');
    }
  }
  logger.info({ mode: 'development' }, lines[0]!);
  process.stderr.write(lines.map((line) => `lgsp-hub: ${line}\n`).join(''));
}

if (engine.sources.length === 0) logger.warn('no upstream configured and DEMO_DATA=off: nothing to sync');
else if (config.SYNC_INTERVAL_SECONDS > 0) {
  engine.schedule(config.SYNC_INTERVAL_SECONDS * 1000);
  logger.info({ sources: engine.sources, intervalSeconds: config.SYNC_INTERVAL_SECONDS }, 'sync scheduled');
} else logger.info({ sources: engine.sources }, 'SYNC_INTERVAL_SECONDS=0: sync only on demand (syncNow, npm run sync)');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    clearInterval(clockTimer);
    if (demoState) removeDemoState(demoState);
    // The sync first, then the producer's last events (the store still open), then the hub, which closes the store.
    engine
      .stop()
      .then(() => producer.stop())
      .then(() => hub.stop())
      .then(() => Promise.all([pubsub.close(), upstreams.close(), mocks?.close()]))
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
