/**
 * `npm run sync -- --source=all|<source> [--once] [--wait=600]`: syncs from
 * the configured upstreams without serving the graph, once (a source another
 * instance is syncing is waited for, up to --wait seconds) or every
 * SYNC_INTERVAL_SECONDS, with the hub's environment for the store and the
 * upstreams. Exit 0 when every pass succeeded; otherwise 1, each failure's
 * reason on stderr. It is a live producer too (live/producer.ts): what it
 * changes goes to the live event log, where the hub's subscribers catch up
 * from, and, with REDIS_URL, to the hub's Redis channel, which also empties
 * the hubs' response caches (gateway/response-cache/); without REDIS_URL the
 * hubs' cached answers last until their RESPONSE_CACHE_TTL_SECONDS.
 */
import { parseArgs } from 'node:util';
import { SOURCE_NAMES, type SourceName } from '../connectors/feed.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { openConfiguredStore } from './store.ts';
import { circuitsOf, createLiveProducer, liveSettings } from '../live/producer.ts';
import { createLogger } from '../core/logger.ts';
import { createHubPubSub, storeNamespace } from '../live/pubsub.ts';
import { responseCacheBus } from '../gateway/response-cache/bus.ts';
import { checkRedis } from '../gateway/redis-check.ts';
import { createSyncEngine, type PassResult } from '../connectors/sync/engine.ts';
import { createUpstreams } from '../connectors/sync/upstreams.ts';
import { LIVE_TOPIC } from '../store/live-events.ts';
import { migrate } from '../store/migrate.ts';

class UsageError extends Error {}

const USAGE = `usage: npm run sync -- [--source=all|${SOURCE_NAMES.join('|')}] [--once] [--wait=SECONDS]
  --source  the upstream to sync (default all configured: ONE_STOP_SHOP_URL, CADRE_DB_URL, BUDGET_URL)
  --once    one pass of each, then exit (0: every pass succeeded; 1: one failed, why on stderr)
  --wait    with --once, how long to wait for another instance's pass of a source (default 600)
without --once: a pass of every source every SYNC_INTERVAL_SECONDS until stopped`;

/** ONE_STOP_SHOP, one-stop-shop and one_stop_shop all name the same source. */
function sourcesOf(text: string): readonly SourceName[] | 'all' {
  if (text === 'all') return 'all';
  const name = text.toUpperCase().replaceAll('-', '_');
  if (!(SOURCE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`--source must be all or one of ${SOURCE_NAMES.join(', ')}, not ${JSON.stringify(text)}`);
  }
  return [name as SourceName];
}

function options() {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: 'all' },
      once: { type: 'boolean', default: false },
      wait: { type: 'string', default: '600' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!/^\d+$/.test(values.wait)) throw new UsageError('--wait must be a whole number of seconds');
  return { sources: sourcesOf(values.source), once: values.once, waitMs: Number(values.wait) * 1000 };
}

function exit(code: number, message?: string): never {
  if (message) process.stderr.write(`lgsp-hub sync: ${message}\n`);
  process.exit(code);
}

let args: ReturnType<typeof options>;
let config: ReturnType<typeof loadConfig>;
try {
  args = options();
  config = loadConfig();
} catch (error) {
  if (error instanceof UsageError) exit(2, `${error.message}\n${USAGE}`);
  if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    exit(2, (error as Error).message);
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
// Its events and the hubs' cache invalidations go through Redis: one that refuses the hub's commands stops it here.
if (config.REDIS_URL) {
  await checkRedis(config.REDIS_URL, { rateLimit: false }).catch((error: Error) => exit(1, error.message));
}
const upstreams = createUpstreams({
  ONE_STOP_SHOP: config.ONE_STOP_SHOP_URL,
  CADRE_DB: config.CADRE_DB_URL,
  BUDGET: config.BUDGET_URL,
});
// Without STATEMENT_TIMEOUT_MS (scripts/store.ts sets none): the sync is background work, never cut (store/db.ts).
const db = await openConfiguredStore(config, 4, (message) => exit(1, message));
await migrate(db).catch((error: Error) => exit(1, `cannot migrate the store: ${error.message}`));
// Events reach other processes through Redis only; without it they are still logged for catch-up.
const pubsub = createHubPubSub({
  redisUrl: config.REDIS_URL,
  logger,
  namespace: storeNamespace(config.DATABASE_URL, config.DATABASE_SCHEMA),
});
await pubsub.ready.catch(async (error: Error) => {
  await Promise.allSettled([db.close(), upstreams.close()]);
  exit(1, error.message);
});
const producer = createLiveProducer({
  db,
  logger,
  publish: (event) => pubsub.publish(LIVE_TOPIC, event),
  circuit: circuitsOf(upstreams),
  sources: upstreams.connectors.map((connector) => connector.source),
  // One pass and out: no periodic checks (the hub's instances run them).
  ...(args.once ? { tickMs: 0 } : {}),
  ...liveSettings(config),
});
// What each committed batch and each pass's end are told to, in this order: the hubs' response caches (through Redis:
// without it no hub hears of it), then the live producer.
const invalidations = responseCacheBus(pubsub);
const engine = createSyncEngine({
  db,
  connectors: upstreams.connectors,
  logger,
  observers: [invalidations.syncObserver, producer.syncObserver],
});
producer.start();

const wanted = args.sources === 'all' ? engine.sources : args.sources;
const missing = wanted.filter((source) => !engine.sources.includes(source));
if (wanted.length === 0 || missing.length > 0) {
  await producer.stop();
  await Promise.allSettled([db.close(), pubsub.close(), upstreams.close()]);
  exit(
    2,
    `no upstream URL configured for ${(missing.length ? missing : SOURCE_NAMES).join(', ')} ` +
      '(set ONE_STOP_SHOP_URL, CADRE_DB_URL or BUDGET_URL)',
  );
}

async function shutdown(code: number, message?: string): Promise<never> {
  await engine.stop();
  // The producer's last events are written while the store is still open.
  await producer.stop();
  invalidations.close(); // the last invalidation, if coalescing held it back, goes out before the pubsub closes
  await Promise.allSettled([upstreams.close(), pubsub.close(), db.close()]);
  exit(code, message);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void shutdown(signal === 'SIGINT' ? 130 : 143, `stopped by ${signal}`));
}

if (!args.once) {
  engine.schedule(config.SYNC_INTERVAL_SECONDS * 1000 || 300_000);
} else {
  const results: PassResult[] = [];
  try {
    for (const source of engine.sources.filter((s) => wanted.includes(s))) {
      results.push(await engine.run(source, { trigger: 'COMMAND', waitMs: args.waitMs }));
    }
  } catch (error) {
    await shutdown(1, (error as Error).message);
  }
  for (const result of results) {
    process.stdout.write(
      `${result.source}: ${result.error ? `FAILED (${result.error})` : 'ok'}, ${result.records} records written, ` +
        `${result.rejected} quarantined, ${result.resolved} resolved from quarantine\n`,
    );
  }
  const failed = results.filter((r) => r.error);
  await shutdown(failed.length ? 1 : 0, failed.map((r) => `${r.source} failed: ${r.error}`).join('; ') || undefined);
}
