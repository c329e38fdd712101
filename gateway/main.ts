/**
 * The hub's entry point: configuration, store, migrations, upstreams, sync,
 * HTTP. Start-up failures print one line naming the cause and exit 1; no
 * stack traces.
 *
 * With no upstream URL configured (and DEMO_DATA=auto), the hub runs the mock
 * upstreams in this process over a simulated province and syncs from them
 * through the real connectors, so a bare `npm start` serves data; the
 * simulated clock follows the real one, so new dossiers keep arriving.
 */
import { createPubSub } from 'graphql-yoga';
import { createMockWorld } from '../connectors/mock/generator/world.ts';
import { startMockUpstreams, type MockUpstreams } from '../connectors/mock/server.ts';
import { openDb, type Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { ConfigError, loadConfig, redactPassword, upstreamsConfigured, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { createHub } from './server.ts';
import type { HubTopics } from './sync/changes.ts';
import { createSyncEngine } from './sync/engine.ts';
import { createUpstreams, type UpstreamSettings, type UpstreamUrls } from './sync/upstreams.ts';

let config: Config;
try {
  config = loadConfig();
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

const storeName = config.DATABASE_URL
  ? `PostgreSQL at DATABASE_URL=${redactPassword(config.DATABASE_URL)}`
  : `embedded PGlite in PGLITE_DIR=${config.PGLITE_DIR}`;

let db: Db;
try {
  db = await openDb({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    poolMax: config.DATABASE_POOL_MAX,
    schema: config.DATABASE_SCHEMA,
  });
} catch (error) {
  fail(`cannot open the store (${storeName}): ${(error as Error).message}`);
}

try {
  const applied = await migrate(db);
  logger.info({ store: db.backend, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'store migrated');
} catch (error) {
  await db.close().catch(() => {});
  fail(`cannot prepare the store (${storeName}): ${(error as Error).message}`);
}

let urls: UpstreamUrls = {
  ONE_STOP_SHOP: config.ONE_STOP_SHOP_URL,
  CADRE_DB: config.CADRE_DB_URL,
  BUDGET: config.BUDGET_URL,
};
const settings: UpstreamSettings = {};
let mocks: MockUpstreams | undefined;
let clockTimer: NodeJS.Timeout | undefined;
if (config.DEMO_DATA === 'auto' && !upstreamsConfigured(config)) {
  const world = createMockWorld({ scale: config.DEMO_SCALE });
  mocks = await startMockUpstreams({ world, ports: { oneStopShop: 0, cadreDb: 0, budget: 0 } });
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

const upstreams = createUpstreams(urls, settings);
const pubsub = createPubSub<HubTopics>();
const engine = createSyncEngine({ db, connectors: upstreams.connectors, logger, publisher: pubsub });
const hub = createHub({
  db,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  sync: { engine, circuit: upstreams.circuit },
  adminToken: config.ADMIN_TOKEN,
});
try {
  const address = await hub.listen(config.PORT, config.HOST);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url: `${url}/graphql`, store: db.backend }, 'lgsp-hub listening');
} catch (error) {
  await Promise.allSettled([db.close(), upstreams.close(), mocks?.close()]);
  fail(`cannot listen on HOST=${config.HOST} PORT=${config.PORT}: ${(error as Error).message}`);
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
    hub
      .stop()
      .then(() => Promise.all([upstreams.close(), mocks?.close()]))
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
