/**
 * The live producer: turns what a sync commits into LiveEvents, writes them to
 * the log (store/live-events.ts) and publishes each with the id the log gave
 * it, only once its transaction has committed, so a subscriber that reads the
 * store on receipt finds what the event describes: dossier events after each
 * batch (dossiers.ts); indicator changes, rules newly violated and the
 * source's status at a pass's end (indicators.ts, quality.ts, sources.ts);
 * CIRCUIT_OPEN when a breaker opens; what the clock alone changes, every tick.
 * Its work runs one task at a time, in order, so this instance's events are
 * published in id order; a failure is logged and never fails a sync pass.
 * Wire it with createSyncEngine({ …, observers: [producer.syncObserver] }).
 */
import { SOURCE_NAMES, type SourceName } from '../connectors/feed.ts';
import type { CircuitState } from '../connectors/http/client.ts';
import type { Db, Queryable } from '../store/db.ts';
import {
  appendLiveEvents,
  lockLiveLog,
  pruneLiveEvents,
  type LiveEvent,
  type LiveEventDraft,
} from '../store/live-events.ts';
import { dropExpiredLiveWatches } from '../store/live-watches.ts';
import type { Logger } from '../core/logger.ts';
import type { ChangeEvent } from '../connectors/sync/changes.ts';
import type { PassResult, SyncObserver } from '../connectors/sync/engine.ts';
import type { Upstreams } from '../connectors/sync/upstreams.ts';
import { dossierChangeDrafts, overdueScan } from './dossiers.ts';
import { indicatorChanges, seedBaselines } from './indicators.ts';
import { qualityDrafts } from './quality.ts';
import { DEFAULT_DEGRADED_ABOVE_PERCENT, sourceStatusDrafts, type StatusTrigger } from './sources.ts';

/** The breakers of the upstreams this instance syncs. */
export interface LiveCircuits {
  state(source: SourceName): CircuitState | null;
  /** Calls the listener on every change of a breaker's state; returns the unsubscribe function. */
  onChange?(listener: (source: SourceName, state: CircuitState) => void): () => void;
  /** The failure the breaker last counted (what opened it), for the CIRCUIT_OPEN alert; null when none. */
  lastError?(source: SourceName): string | null;
}

/** The breakers of the hub's configured upstreams (connectors/sync/upstreams.ts). */
export function circuitsOf(upstreams: Pick<Upstreams, 'circuit' | 'clients'>): LiveCircuits {
  return {
    state: (source) => upstreams.circuit(source),
    lastError: (source) => upstreams.clients[source]?.lastFailure ?? null,
    onChange(listener) {
      const stops = Object.values(upstreams.clients).map((client) =>
        client.onCircuitChange((state) => listener(client.source, state)),
      );
      return () => stops.forEach((stop) => stop());
    },
  };
}

export interface LiveSettings {
  /** How long the log keeps events (LIVE_EVENT_RETENTION_HOURS). */
  retentionHours: number;
  /** A source with no successful pass for longer is STALE (LIVE_STALE_AFTER_MINUTES). */
  staleAfterMinutes: number;
  /** A feed's last pass above this share (percent) of rejected or flawed records: DEGRADED (FEED_DEGRADED_ABOVE_PERCENT). */
  degradedAbovePercent: number;
}

/**
 * The settings from the configuration. Staleness by default: three sync
 * intervals (three passes in a row missed: not a blip any more), at least 15
 * minutes (short development intervals would otherwise alert on one slow
 * pass); 60 minutes when syncs run only on demand (SYNC_INTERVAL_SECONDS=0).
 */
export function liveSettings(config: {
  SYNC_INTERVAL_SECONDS: number;
  LIVE_EVENT_RETENTION_HOURS?: number | undefined;
  LIVE_STALE_AFTER_MINUTES?: number | undefined;
  FEED_DEGRADED_ABOVE_PERCENT?: number | undefined;
}): LiveSettings {
  const interval = config.SYNC_INTERVAL_SECONDS;
  const derived = interval > 0 ? Math.max(15, Math.ceil((3 * interval) / 60)) : 60;
  return {
    retentionHours: config.LIVE_EVENT_RETENTION_HOURS ?? 24,
    staleAfterMinutes: config.LIVE_STALE_AFTER_MINUTES ?? derived,
    degradedAbovePercent: config.FEED_DEGRADED_ABOVE_PERCENT ?? DEFAULT_DEGRADED_ABOVE_PERCENT,
  };
}

export interface LiveProducerOptions extends Partial<LiveSettings> {
  db: Db;
  /** Publishes a logged event (the hub's pubsub on LIVE_TOPIC); called after the commit, in id order. */
  publish: (event: LiveEvent) => void | Promise<void>;
  logger: Logger;
  /**
   * The data clock: when a dossier is overdue, how far back events are news
   * (the retention window), which year the data-quality checks cover. Default
   * the wall clock; demo mode passes the simulated province's.
   */
  now?: () => Date;
  /** The wall clock, which sync_runs' times follow (staleness); tests move it. Default: Date. */
  wallClock?: () => Date;
  /** This instance's breakers; absent on an instance that syncs nothing. */
  circuit?: LiveCircuits | undefined;
  /** The sources whose staleness the tick watches; default all three. */
  sources?: readonly SourceName[];
  /** How often the tick runs (ms); default 60,000; 0: never (tests call tick()). */
  tickMs?: number;
}

export interface LiveProducer {
  /** The producer as one of createSyncEngine's observers ('live producer'): changed, passStarted and passEnded. */
  readonly syncObserver: SyncObserver;
  /** A committed batch (the engine's ChangeEvent). */
  changed(event: ChangeEvent): void;
  passStarted(source: SourceName): Promise<void>;
  passEnded(result: PassResult): Promise<void>;
  /** Overdue dossiers by the clock, stale sources, pruning. Run every tickMs once started. */
  tick(): Promise<void>;
  /** Starts the tick and listens to the breakers. */
  start(): void;
  /** Resolves once every task queued so far is done. */
  idle(): Promise<void>;
  /** Stops the tick and the listeners and waits for the queued work. */
  stop(): Promise<void>;
}

/** Locks of their own for the evaluations (see indicators.ts); the log's lock covers the rest. */
const INDICATOR_LOCK = 4_201_700_015;
const QUALITY_LOCK = 4_201_700_016;
const LOG_LOCK = 'log';

/** The same connection, its statements run one after the other in the order asked. */
function oneAtATime(connection: Queryable): Queryable {
  let last: Promise<unknown> = Promise.resolve();
  const queue = <T>(run: () => Promise<T>): Promise<T> => {
    const next = last.then(run, run);
    last = next.catch(() => {});
    return next;
  };
  return {
    query: (sql, params) => queue(() => connection.query(sql, params)),
    exec: (sql) => queue(() => connection.exec(sql)),
  };
}

export function createLiveProducer(options: LiveProducerOptions): LiveProducer {
  const { db, publish, logger, circuit } = options;
  const now = options.now ?? (() => new Date());
  const wallClock = options.wallClock ?? (() => new Date());
  const retentionMs = (options.retentionHours ?? 24) * 3_600_000;
  const staleAfterMs = (options.staleAfterMinutes ?? 60) * 60_000;
  const sources = options.sources ?? SOURCE_NAMES;
  const tickMs = options.tickMs ?? 60_000;
  const log = logger.child({ component: 'live-producer' });

  let tail: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  /** Events older than this are history, not news (dossiers.ts). */
  const horizon = () => new Date(now().getTime() - retentionMs);

  function publishAll(events: readonly LiveEvent[]) {
    for (const event of events) {
      try {
        const published = publish(event);
        if (published instanceof Promise) {
          published.catch((error: unknown) => log.error({ err: error, id: event.id }, 'live event not published'));
        }
      } catch (error) {
        log.error({ err: error, id: event.id }, 'live event not published');
      }
    }
  }

  /**
   * One group: drafts built and logged in one transaction under `lock`, then published once committed. The
   * readers it calls may query in parallel (one statement per figure group); a transaction is one connection,
   * so their statements are queued here, one at a time, as the driver wants.
   */
  async function group(
    name: string,
    lock: typeof LOG_LOCK | number,
    build: (tx: Queryable) => Promise<LiveEventDraft[]>,
  ): Promise<void> {
    try {
      const events = await db.transaction(async (connection) => {
        const tx = oneAtATime(connection);
        if (lock === LOG_LOCK) await lockLiveLog(tx);
        else await tx.query('SELECT pg_advisory_xact_lock($1)', [lock]);
        // Under the log's lock already, the append does not take it again; the evaluations take it only now.
        return appendLiveEvents(tx, await build(tx), { lockHeld: lock === LOG_LOCK });
      });
      publishAll(events);
      if (events.length) log.debug({ group: name, events: events.length, lastId: events.at(-1)!.id }, 'live events');
    } catch (error) {
      log.error({ err: error, group: name }, 'live events could not be produced');
    }
  }

  /** Queues work after everything queued before it; it never rejects. */
  function enqueue(work: () => Promise<void>): Promise<void> {
    if (stopped) return Promise.resolve();
    const run = tail.then(work).catch((error: unknown) => log.error({ err: error }, 'live producer task failed'));
    tail = run;
    return run;
  }

  const status = (source: SourceName, trigger: StatusTrigger) =>
    group(`status ${source}`, LOG_LOCK, (tx) =>
      sourceStatusDrafts(tx, {
        source,
        trigger,
        circuit: circuit?.state(source) ?? null,
        circuitError: circuit?.lastError?.(source) ?? null,
        now: wallClock(),
        staleAfterMs,
        degradedAbovePercent: options.degradedAbovePercent ?? DEFAULT_DEGRADED_ABOVE_PERCENT,
      }),
    );

  const producer: LiveProducer = {
    syncObserver: {
      name: 'live producer',
      batchCommitted: (event) => producer.changed(event),
      passStarted: (source) => producer.passStarted(source),
      passEnded: (result) => producer.passEnded(result),
    },

    changed(event) {
      if (event.entity !== 'DOSSIERS' || event.dossiers.length === 0) return;
      void enqueue(() => group('dossiers', LOG_LOCK, (tx) => dossierChangeDrafts(tx, event, now(), horizon())));
    },

    passStarted(source) {
      return enqueue(() =>
        group(`baselines ${source}`, INDICATOR_LOCK, async (tx) => {
          await seedBaselines(tx, log);
          return [];
        }),
      );
    },

    passEnded(result) {
      return enqueue(async () => {
        const { source } = result;
        if (source === 'ONE_STOP_SHOP') await group('overdue', LOG_LOCK, (tx) => overdueScan(tx, now(), horizon()));
        // A pass that wrote nothing changed no figure.
        if (result.records > 0 || result.resolved > 0) {
          await group(`indicators ${source}`, INDICATOR_LOCK, (tx) => indicatorChanges(tx, source, log));
          await group('quality', QUALITY_LOCK, (tx) => qualityDrafts(tx, now()));
        }
        await status(source, 'PASS_END');
      });
    },

    tick() {
      return enqueue(async () => {
        await group('overdue', LOG_LOCK, (tx) => overdueScan(tx, now(), horizon()));
        for (const source of sources) await status(source, 'CLOCK');
        try {
          const pruned = await pruneLiveEvents(db, new Date(wallClock().getTime() - retentionMs));
          const expired = await dropExpiredLiveWatches(db);
          if (pruned || expired) log.debug({ pruned, expired }, 'live log pruned');
        } catch (error) {
          log.error({ err: error }, 'live log could not be pruned');
        }
      });
    },

    start() {
      if (stopped || timer) return;
      unsubscribe = circuit?.onChange?.((source, state) => {
        if (state === 'OPEN') void enqueue(() => status(source, 'CIRCUIT_OPENED'));
      });
      if (tickMs > 0) {
        const run = () => {
          void producer.tick().finally(() => {
            if (!stopped) timer = setTimeout(run, tickMs).unref();
          });
        };
        timer = setTimeout(run, 0).unref();
      }
    },

    async idle() {
      // Work queued while waiting joins the tail: wait until it stops moving.
      for (let seen: Promise<void> | undefined; seen !== tail;) {
        seen = tail;
        await seen;
      }
    },

    async stop() {
      clearTimeout(timer);
      unsubscribe?.();
      await producer.idle();
      stopped = true;
      clearTimeout(timer);
    },
  };
  return producer;
}
