/**
 * `npm run sync -- --source=all|<source> [--once] [--wait=600] [--reset <feed>]… [--confirm-upstream <feed>]…
 * [--record=DIR | --replay=DIR]`: syncs from
 * the configured upstreams without serving the graph, once (a source another
 * instance is syncing is waited for, up to --wait seconds) or every
 * SYNC_INTERVAL_SECONDS, with the hub's environment for the store and the
 * upstreams. Exit 0 when every pass succeeded; otherwise 1, each failure's
 * reason on stderr. It is a live producer too (live/producer.ts): what it
 * changes goes to the live event log, where the hub's subscribers catch up
 * from, and, with REDIS_URL, to the hub's Redis channel, which also empties
 * the hubs' response caches (gateway/response-cache/); without REDIS_URL the
 * hubs' cached answers last until their RESPONSE_CACHE_TTL_SECONDS.
 *
 * `--reset <feed>` starts a feed again from the beginning (its saved position cleared; the pass reconciles by key);
 * `--confirm-upstream <feed>` keeps its position against a changed upstream URL. `--record=DIR` keeps every
 * answer the pass reads, one file per request; `--replay=DIR` runs the pass from such a recording, with no network
 * (the upstream URLs come from the recording). docs/integrators.md tells when to use which.
 */
import { existsSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SOURCE_NAMES, sourceNamed, type SourceName } from '../connectors/feed.ts';
import { upstreamClientSettings } from '../gateway/config.ts';
import { exitWith, parseCommandLine, UsageError } from './admin-command.ts';
import { createRecorder, openRecording, type Player, type Recorder } from '../connectors/http/tape.ts';
import { ALL_FEEDS, confirmUpstream, resetPosition, sourceOfFeed } from '../connectors/sync/positions.ts';
import { openConfiguredStore } from './store.ts';
import { circuitsOf, createLiveProducer, liveSettings } from '../live/producer.ts';
import { createLogger } from '../core/logger.ts';
import { createHubPubSub, storeNamespace } from '../live/pubsub.ts';
import { responseCacheBus } from '../gateway/response-cache/bus.ts';
import { checkRedis } from '../gateway/redis-check.ts';
import { createSyncEngine, SyncBusyError, type PassResult } from '../connectors/sync/engine.ts';
import { redactPassword } from '../core/redact.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { createUpstreams } from '../connectors/sync/upstreams.ts';
import { LIVE_TOPIC } from '../store/live-events.ts';
import { migrate } from '../store/migrate.ts';
import { createHubMetrics } from '../gateway/observability/metrics.ts';
import { startSyncProbeServer, type SyncProbeServer } from '../gateway/observability/sync-server.ts';

const USAGE = `usage: npm run sync -- [--source=all|${SOURCE_NAMES.join('|')}] [--once] [--wait=SECONDS]
  --source  the upstream to sync (default all configured: ONE_STOP_SHOP_URL, CADRE_DB_URL, BUDGET_URL)
  --once    one pass of each, then exit (0: every pass succeeded; 1: one failed, why on stderr)
  --wait    with --once, how long to wait for another instance's pass of a source (default 600)
without --once: a pass of every source every SYNC_INTERVAL_SECONDS until stopped`;

function sourcesOf(text: string): readonly SourceName[] | 'all' {
  if (text === 'all') return 'all';
  const source = sourceNamed(text);
  if (!source) {
    throw new UsageError(`--source must be all or one of ${SOURCE_NAMES.join(', ')}, not ${JSON.stringify(text)}`);
  }
  return [source];
}

function options() {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: 'all' },
      once: { type: 'boolean', default: false },
      wait: { type: 'string', default: '600' },
      reset: { type: 'string', multiple: true, default: [] },
      'confirm-upstream': { type: 'string', multiple: true, default: [] },
      record: { type: 'string' },
      replay: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!/^\d+$/.test(values.wait)) throw new UsageError('--wait must be a whole number of seconds');
  const reset = values.reset;
  const confirm = values['confirm-upstream'];
  for (const feed of [...reset, ...confirm]) {
    if (!ALL_FEEDS.includes(feed)) {
      throw new UsageError(`no feed is named ${JSON.stringify(feed)}; the feeds are ${ALL_FEEDS.join(', ')}`);
    }
  }
  const both = reset.find((feed) => confirm.includes(feed));
  if (both) throw new UsageError(`${both} cannot be both reset and confirmed: choose one`);
  if (values.record && values.replay) throw new UsageError('--record and --replay cannot be used together');
  if (values.replay && !existsSync(values.replay)) throw new UsageError(`--replay: ${values.replay} does not exist`);
  if (values.record && existsSync(values.record) && readdirSync(values.record).length > 0) {
    throw new UsageError(`--record: ${values.record} is not empty (a recording is one pass's requests, in order)`);
  }
  return {
    sources: sourcesOf(values.source),
    once: values.once,
    waitMs: Number(values.wait) * 1000,
    reset,
    confirm,
    record: values.record,
    replay: values.replay,
  };
}

function exit(code: number, message?: string): never {
  return exitWith('sync', code, message);
}

const { command: args, config } = parseCommandLine('sync', USAGE, options);

const logger = createLogger(config.LOG_LEVEL);
// Its events and the hubs' cache invalidations go through Redis: one that refuses the hub's commands stops it here.
if (config.REDIS_URL) {
  await checkRedis(config.REDIS_URL, { rateLimit: false }).catch((error: Error) => exit(1, error.message));
}
let player: Player | undefined;
try {
  player = args.replay ? openRecording(args.replay) : undefined;
} catch (error) {
  exit(2, `--replay: ${(error as Error).message}`);
}
// A replay reads the upstreams it recorded (no network): their URLs, and the budget feeds' clock, from the recording.
const urls = player
  ? player.manifest.upstreams
  : { ONE_STOP_SHOP: config.ONE_STOP_SHOP_URL, CADRE_DB: config.CADRE_DB_URL, BUDGET: config.BUDGET_URL };
const recorder: Recorder | undefined = args.record ? createRecorder(args.record, urls) : undefined;
const tape = player ?? recorder;
const recordedAt = player ? new Date(player.manifest.recordedAt) : undefined;
const upstreams = createUpstreams(urls, {
  client: { ...upstreamClientSettings(config), logger },
  ...(tape ? { exchange: (source) => tape.exchange(source) } : {}),
  ...(recordedAt ? { now: () => recordedAt } : {}),
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
  waitedMs: (source) => upstreams.clients[source]?.waitedMs ?? 0,
});
producer.start();

// Positions are moved before any pass, under each source's sync lock (a pass elsewhere: waited for, up to --wait).
for (const [feeds, verb] of [
  [args.reset, 'reset'],
  [args.confirm, 'confirm'],
] as const) {
  for (const feed of feeds) {
    const url = urls[sourceOfFeed(feed)!];
    if (verb === 'confirm' && !url) exit(2, `--confirm-upstream ${feed}: no upstream URL is configured for it`);
    const deadline = Date.now() + args.waitMs;
    for (;;) {
      try {
        const found = await engine.withLock(sourceOfFeed(feed)!, () =>
          verb === 'reset' ? resetPosition(db, feed) : confirmUpstream(db, feed, url!),
        );
        logger.warn(
          { feed, upstream: url ? redactPassword(url) : null },
          !found
            ? `${feed} has no saved position: nothing to ${verb}`
            : verb === 'reset'
              ? `${feed} reset: the next pass reads it from the beginning`
              : `${feed}: its position is kept, now against the configured upstream`,
        );
        break;
      } catch (error) {
        if (!(error instanceof SyncBusyError) || Date.now() >= deadline) exit(1, (error as Error).message);
        await sleep(250);
      }
    }
  }
}

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

let probes: SyncProbeServer | undefined;

async function shutdown(code: number, message?: string): Promise<never> {
  await probes?.close();
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
  // A split deployment watches its sync process like a hub: /health, /ready and /metrics on SYNC_HTTP_PORT.
  if (config.SYNC_HTTP_PORT !== undefined) {
    try {
      probes = await startSyncProbeServer(config.SYNC_HTTP_PORT, config.HOST, {
        db,
        metrics: createHubMetrics(),
        sources: engine.sources,
        circuit: upstreams.circuit,
        staleAfterMs: liveSettings(config).staleAfterMinutes * 60_000,
        pubsub,
        logger,
      });
      logger.info(
        { port: probes.port, url: `http://${config.HOST}:${probes.port}` },
        'sync probes listening (/health, /ready, /metrics)',
      );
    } catch (error) {
      await shutdown(
        1,
        `cannot listen on HOST=${config.HOST} SYNC_HTTP_PORT=${config.SYNC_HTTP_PORT}: ${(error as Error).message}`,
      );
    }
  }
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
        `${result.rejected} quarantined, ${result.resolved} resolved from quarantine` +
        (result.waitedMs ? `, ${result.waitedMs} ms waiting on the upstream` : '') +
        '\n',
    );
  }
  if (recorder) process.stdout.write(`recorded ${recorder.count} requests in ${args.record}\n`);
  if (player?.remaining) process.stdout.write(`${player.remaining} recorded requests were not asked for again\n`);
  const failed = results.filter((r) => r.error);
  await shutdown(failed.length ? 1 : 0, failed.map((r) => `${r.source} failed: ${r.error}`).join('; ') || undefined);
}
