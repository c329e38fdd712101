/**
 * The hub's entry point: configuration, store, migrations, demo data, HTTP.
 * Start-up failures print one line naming the cause and exit 1; no stack traces.
 */
import { openDb, type Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { ConfigError, loadConfig, redactPassword, upstreamsConfigured, type Config } from './config.ts';
import { loadDemoData } from './demo-data.ts';
import { createLogger } from './logger.ts';
import { createHub } from './server.ts';

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
  });
} catch (error) {
  fail(`cannot open the store (${storeName}): ${(error as Error).message}`);
}

try {
  const applied = await migrate(db);
  logger.info({ store: db.backend, applied: applied.map((m) => `${m.version}_${m.name}`) }, 'store migrated');
  if (config.DEMO_DATA === 'auto' && !upstreamsConfigured(config)) {
    logger.info(
      { scale: config.DEMO_SCALE },
      'no upstream configured: loading the simulated demo province if the store is empty',
    );
    const loaded = await loadDemoData(db, { scale: config.DEMO_SCALE });
    if (loaded) logger.info(loaded, 'empty store: loaded the demo province');
  }
} catch (error) {
  await db.close().catch(() => {});
  fail(`cannot prepare the store (${storeName}): ${(error as Error).message}`);
}

const hub = createHub({ db, logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
try {
  const address = await hub.listen(config.PORT, config.HOST);
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url: `${url}/graphql`, store: db.backend }, 'lgsp-hub listening');
} catch (error) {
  await db.close().catch(() => {});
  fail(`cannot listen on HOST=${config.HOST} PORT=${config.PORT}: ${(error as Error).message}`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    hub.stop().then(
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
