/**
 * The sync engine: pulls every feed of a source through its connector and
 * writes what it yields to the store, one batch per transaction together
 * with the feed's cursor, so a pass cut off at any point (a crash, a kill, a
 * failing upstream) resumes where the last commit left it, losing and
 * repeating nothing. Rejected records go to quarantine with their reason and
 * payload; the retryable ones (an unknown unit or procedure) are read again
 * on every later pass until they resolve. One pass per source at a time:
 * within a process by sharing the running pass, across hub instances by a
 * PostgreSQL advisory lock held for the whole pass (freed with its
 * connection if the holder dies).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PathMissingError,
  type Batch,
  type Connector,
  type Feed,
  type Lookups,
  type Reject,
  type SourceName,
} from '../feed.ts';
import type { RecordFlaw } from '../common/flaws.ts';
import type { Mapped } from '../common/mapped.ts';
import { UpstreamError } from '../http/client.ts';
import { hasOpenFlaws, recordFlaws } from '../../store/flaws.ts';
import type { Db } from '../../store/db.ts';
import {
  advanceFeed,
  countOpenQuarantine,
  finishRun,
  markFeedFinished,
  markFeedPathMissing,
  markFeedStarted,
  openRetryable,
  quarantine,
  readFeedState,
  recordFeedPassHealth,
  referenceKeys,
  resolveQuarantined,
  startRun,
  DEFAULT_RETRY_LIMIT,
  type FeedPassHealth,
  type SyncTrigger,
} from '../../store/sync.ts';
import { requestScope, type Logger } from '../../core/logger.ts';
import { redactPassword } from '../../core/redact.ts';
import type { ChangeEvent } from './changes.ts';
import { FEED_WRITERS, type FeedWriter, type Written } from './writers.ts';

/** Units first: staff, dossiers and finance refer to them; the budget system's codes resolve through them. */
export const SYNC_ORDER: readonly SourceName[] = ['CADRE_DB', 'ONE_STOP_SHOP', 'BUDGET'];

/** Quarantined records read again per statement when retrying. */
const RETRY_PAGE = 500;
const LOCK_POLL_MS = 250;

export interface PassResult {
  source: SourceName;
  /** Records written (new or newer versions). */
  records: number;
  /** Records quarantined in this pass (a record rejected again counts again). */
  rejected: number;
  /** Quarantined records that a retry or a valid new version resolved. */
  resolved: number;
  error: string | null;
  /** Milliseconds of the pass spent waiting on the upstream (backoff, Retry-After, timed-out attempts). */
  waitedMs?: number;
}

/** A base URL as kept with a saved position: password redacted, no trailing slash. */
export const positionUrl = (url: string) => redactPassword(url)!.replace(/\/+$/, '');

/** A feed's position was saved against another upstream URL than the configured one. */
export class UpstreamChangedError extends Error {
  override name = 'UpstreamChangedError';
  constructor(
    readonly feed: string,
    readonly savedUrl: string,
    readonly configuredUrl: string,
  ) {
    super(
      `the position of ${feed} was saved against ${savedUrl}; the upstream is now ${configuredUrl}: ` +
        `run npm run sync -- --reset ${feed} (or --confirm-upstream ${feed} to keep the position), ` +
        'or the resetFeed mutation, before it is read again',
    );
  }
}

/** Another hub instance is syncing the source now. */
export class SyncBusyError extends Error {
  override name = 'SyncBusyError';
  constructor(readonly source: SourceName) {
    super(`another hub instance is syncing ${source} now`);
  }
}

export interface RunOptions {
  trigger: SyncTrigger;
  /** How long to wait for another instance's pass to end; 0 (default): fail at once with SyncBusyError. */
  waitMs?: number;
}

export interface SyncEngine {
  /** The sources this instance has connectors for, in sync order. */
  readonly sources: readonly SourceName[];
  connector(source: SourceName): Connector | undefined;
  /** One pass over every feed of the source. Resolves with the outcome; a failed pass resolves with its error. */
  run(source: SourceName, options: RunOptions): Promise<PassResult>;
  /** One pass over every configured source, in sync order. */
  runAll(options: RunOptions): Promise<PassResult[]>;
  isRunning(source: SourceName): boolean;
  /**
   * Runs `work` holding the source's sync lock (the one a pass holds, across instances), so that a feed's position
   * is never moved under a running pass; throws SyncBusyError when a pass is running. Any source, configured here
   * or not.
   */
  withLock<T>(source: SourceName, work: () => Promise<T>): Promise<T>;
  /** Runs every source now and then every `intervalMs` after each pass ends. */
  schedule(intervalMs: number): void;
  /** Stops the schedule, aborts running passes (their last commit stands) and waits for them. */
  stop(): Promise<void>;
}

/**
 * What hears of the engine's work, after the fact (the live producer, the
 * response caches' invalidation): each one named, and all of them given to
 * createSyncEngine as one list, told in its order.
 *
 * - `batchCommitted`: a batch (or a retry of quarantined records) has
 *   committed and written something; its ChangeEvent says what. Called
 *   synchronously, not awaited: an observer queues its own work. One that
 *   throws fails the pass (the observers after it are not told).
 * - `passStarted`: the pass's lock is taken, nothing pulled yet.
 * - `passEnded`: the last batch committed and the pass's sync_runs row
 *   finished, the lock still held.
 *
 * The pass hooks are awaited, one observer after the other, so what an
 * observer reads belongs to this pass; one that throws is logged (with the
 * observer's name) and fails neither the pass nor the observers after it.
 */
export interface SyncObserver {
  /** Names it in the log when one of its hooks fails. */
  readonly name: string;
  batchCommitted?(event: ChangeEvent): void;
  passStarted?(source: SourceName): Promise<void> | void;
  passEnded?(result: PassResult): Promise<void> | void;
}

export interface SyncEngineOptions {
  db: Db;
  connectors: readonly Connector[];
  logger: Logger;
  /** Told of every committed batch and of every pass's start and end, in this order (see SyncObserver). */
  observers?: readonly SyncObserver[] | undefined;
  /** Names this process in sync_runs. */
  instance?: string;
  /** The running total of ms an upstream's client has spent waiting (UpstreamClient.waitedMs). */
  waitedMs?: (source: SourceName) => number;
  /** Attempts after which a retryable quarantined record is retried no more (store/sync.ts DEFAULT_RETRY_LIMIT). */
  retryLimit?: number;
}

async function lookupsFrom(db: Db): Promise<Lookups> {
  const { units, procedures } = await referenceKeys(db);
  const unitCodes = new Set(units.map((u) => u.code));
  const byBudgetCode = new Map(units.flatMap((u) => (u.budgetCode ? [[u.budgetCode, u.code] as const] : [])));
  const procedureCodes = new Set(procedures);
  return {
    hasUnit: (code) => unitCodes.has(code),
    hasProcedure: (code) => procedureCodes.has(code),
    unitOfBudgetCode: (budgetCode) => byBudgetCode.get(budgetCode),
  };
}

/**
 * Starts fetching the next batch while the caller writes this one: the
 * upstream and the store then work at the same time. Order is kept, and a
 * batch is only handed over once the one before it has been consumed.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // Handled when awaited on the next turn; this only stops it counting as unhandled meanwhile.
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}

const isReject = <T>(result: Mapped<T> | Reject): result is Reject => 'raw' in result;

/**
 * A failure that says the upstream as a whole is down (unreachable, timing out, 503 or 429, its breaker open), not
 * one of its paths: the other feeds would only fail the same way, spending attempts (and opening the breaker).
 */
function upstreamDown(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  return (
    error.kind === 'NETWORK' ||
    error.kind === 'TIMEOUT' ||
    error.kind === 'CIRCUIT_OPEN' ||
    error.status === 503 ||
    error.status === 429
  );
}

interface RetriedBatch {
  records: unknown[];
  keys: string[];
  raws: string[];
  flaws: RecordFlaw[];
  rejects: Reject[];
}

/**
 * The batch's keys, flaws and rejects once the writer's refusals are taken
 * out: a refused record is quarantined (retryable: what it collided with may
 * move) with its payload, and neither resolves its key nor keeps flaws.
 */
function withRefused(
  batch: Pick<RetriedBatch, 'keys' | 'flaws' | 'rejects'> & { raws?: string[] | undefined },
  written: Written,
): { keys: string[]; flaws: RecordFlaw[]; rejects: Reject[] } {
  if (!written.refused?.length) return batch;
  const refused = new Map(written.refused.map((r) => [batch.keys[r.index]!, r]));
  return {
    keys: batch.keys.filter((key) => !refused.has(key)),
    flaws: batch.flaws.filter((flaw) => !refused.has(flaw.key)),
    rejects: [
      ...batch.rejects,
      ...written.refused.map(({ index, reason }) => ({
        key: batch.keys[index]!,
        reason,
        raw: batch.raws?.[index] ?? JSON.stringify(null),
        retryable: true,
      })),
    ],
  };
}

export function createSyncEngine({
  db,
  connectors,
  logger,
  observers = [],
  instance = `${hostname()}:${process.pid}`,
  waitedMs = () => 0,
  retryLimit = DEFAULT_RETRY_LIMIT,
}: SyncEngineOptions): SyncEngine {
  const bySource = new Map(connectors.map((c) => [c.source, c]));
  const sources = SYNC_ORDER.filter((source) => bySource.has(source));
  const active = new Map<SourceName, Promise<PassResult>>();
  const aborts = new Set<AbortController>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  /** Tells the observers what a committed batch changed; a batch that changed nothing says nothing. */
  function announce(source: SourceName, feed: Feed<unknown>, writer: FeedWriter<unknown>, written: Written) {
    if (written.written === 0 || observers.length === 0) return;
    const { refused: _refused, ...change } = written;
    const event: ChangeEvent = { source, feed: feed.name, entity: writer.entity, at: new Date(), ...change };
    for (const observer of observers) observer.batchCommitted?.(event);
  }

  /**
   * Syncs one feed; a feed whose path the upstream does not have (404, an
   * older upstream) is skipped and marked, not failed: what was committed
   * before the 404 stands, and the pass goes on.
   */
  async function syncFeed(source: SourceName, feed: Feed<unknown>, signal: AbortSignal, totals: PassResult) {
    try {
      await pullFeed(source, feed, signal, totals);
    } catch (error) {
      if (!(error instanceof PathMissingError)) throw error;
      await markFeedPathMissing(db, feed.name);
      logger.info({ source, feed: feed.name, path: error.path }, 'feed skipped: the upstream does not serve its path');
    }
  }

  async function pullFeed(source: SourceName, feed: Feed<unknown>, signal: AbortSignal, totals: PassResult) {
    const found = FEED_WRITERS[feed.name] as FeedWriter<unknown> | undefined;
    if (!found) throw new Error(`no writer for feed ${feed.name}`);
    const writer = found;
    const baseUrl = bySource.get(source)?.baseUrl;
    const configured = baseUrl ? positionUrl(baseUrl) : null;
    const saved = await readFeedState(db, feed.name);
    // A position is only meaningful against the upstream that gave it (a watermark of another system skips records).
    if (configured && saved?.upstreamUrl && saved.upstreamUrl !== configured) {
      throw new UpstreamChangedError(feed.name, saved.upstreamUrl, configured);
    }
    // Marking it started keeps its cursor: the state read above is the one to read from.
    await markFeedStarted(db, feed.name, configured);
    const lookups = await lookupsFrom(db);
    // Resolving quarantined keys costs a statement per batch: only worth it when something can be resolved.
    let mayResolve = (await countOpenQuarantine(db, [feed.name])) > 0;
    // Likewise the flaws: a page of sound records whose earlier versions had none writes nothing.
    let mayHaveFlaws = await hasOpenFlaws(db, feed.name);
    const health: FeedPassHealth = { read: 0, rejected: 0, flawed: 0, unknownFields: {} };
    try {
      for await (const batch of readAhead(feed.pull(saved?.cursor ?? null, lookups, signal))) {
        await syncBatch(batch);
      }
    } finally {
      // What was read before a failure is still what the upstream's data is like; a pass that read nothing (no
      // record changed) says nothing about it, and leaves the last pass that did read as it was.
      if (health.read > 0) {
        await recordFeedPassHealth(db, feed.name, health).catch((error: unknown) =>
          logger.warn({ feed: feed.name, err: error }, 'cannot record the feed pass health'),
        );
      }
      const unknown = Object.keys(health.unknownFields);
      if (unknown.length) {
        logger.warn(
          { feed: feed.name, unknownFields: health.unknownFields },
          `records carry fields the contract does not know: ${unknown.join(', ')}`,
        );
      }
    }
    await retryQuarantined(source, feed, writer, signal, totals);
    await markFeedFinished(db, feed.name, null);

    async function syncBatch(batch: Batch<unknown>) {
      health.read += batch.records.length + batch.rejects.length;
      health.rejected += batch.rejects.length;
      health.flawed += new Set(batch.flaws.map((flaw) => flaw.key)).size;
      for (const [field, count] of Object.entries(batch.unknownFields ?? {})) {
        health.unknownFields[field] = (health.unknownFields[field] ?? 0) + count;
      }
      if (batch.rejects.length) mayResolve = true;
      if (batch.flaws.length) mayHaveFlaws = true;
      const { written, resolved, rejects } = await db.transaction(async (tx) => {
        const written = await writer.write(tx, batch.records);
        const { keys, flaws, rejects } = withRefused(batch, written);
        if (rejects.length) mayResolve = true;
        if (mayHaveFlaws) await recordFlaws(tx, feed.name, keys, flaws);
        await quarantine(tx, feed.name, rejects, retryLimit);
        const resolved = mayResolve ? await resolveQuarantined(tx, feed.name, keys) : 0;
        await advanceFeed(tx, feed.name, batch.cursor, written.written);
        return { written, resolved, rejects };
      });
      totals.records += written.written;
      totals.rejected += rejects.length;
      totals.resolved += resolved;
      if (rejects.length) {
        const sample = rejects.slice(0, 3).map(({ key, reason }) => ({ key, reason }));
        // Records waiting for a unit or procedure usually resolve within the pass: not worth a warning.
        const level = rejects.every((r) => r.retryable) ? 'info' : 'warn';
        logger[level]({ feed: feed.name, count: rejects.length, sample }, 'records quarantined');
      }
      announce(source, feed, writer, written);
    }
  }

  /** Reads the feed's retryable quarantined records again, with lookups as they are now. */
  async function retryQuarantined(
    source: SourceName,
    feed: Feed<unknown>,
    writer: FeedWriter<unknown>,
    signal: AbortSignal,
    totals: PassResult,
  ) {
    const lookups = await lookupsFrom(db);
    for (let afterId: string | null = null; ;) {
      signal.throwIfAborted();
      const entries = await openRetryable(db, feed.name, afterId, RETRY_PAGE);
      if (entries.length === 0) return;
      afterId = entries.at(-1)!.id;
      const retried: RetriedBatch = { records: [], keys: [], raws: [], flaws: [], rejects: [] };
      for (const entry of entries) {
        const result = feed.retry(entry, lookups);
        if (isReject(result)) retried.rejects.push(result);
        else if (result.ok) {
          retried.records.push(result.value);
          retried.keys.push(entry.key);
          retried.raws.push(entry.raw);
          retried.flaws.push(...(result.flaws ?? []));
        } else retried.rejects.push({ key: entry.key, raw: entry.raw, reason: result.reason, retryable: true });
      }
      const { written, keys } = await db.transaction(async (tx) => {
        const written = await writer.write(tx, retried.records);
        const { keys, flaws, rejects } = withRefused(retried, written);
        await recordFlaws(tx, feed.name, keys, flaws);
        await resolveQuarantined(tx, feed.name, keys);
        await quarantine(tx, feed.name, rejects, retryLimit);
        return { written, keys };
      });
      totals.records += written.written;
      totals.resolved += keys.length;
      if (keys.length) logger.info({ feed: feed.name, resolved: keys.length }, 'quarantined records resolved');
      announce(source, feed, writer, written);
    }
  }

  /** Runs a pass hook of every observer, in order; a failure is that observer's, never the pass's. */
  async function hook(
    name: 'passStarted' | 'passEnded',
    run: (observer: SyncObserver) => Promise<void> | void,
    source: SourceName,
  ) {
    for (const observer of observers) {
      if (!observer[name]) continue;
      try {
        await run(observer);
      } catch (error) {
        logger.error({ source, observer: observer.name, err: error }, `sync ${name} hook failed`);
      }
    }
  }

  async function pass(source: SourceName, connector: Connector, trigger: SyncTrigger, waitMs: number) {
    let release = await db.tryLock(`sync:${source}`);
    for (const deadline = Date.now() + waitMs; !release && Date.now() < deadline;) {
      await sleep(LOCK_POLL_MS);
      release = await db.tryLock(`sync:${source}`);
    }
    if (!release) throw new SyncBusyError(source);

    const abort = new AbortController();
    aborts.add(abort);
    const totals: PassResult = { source, records: 0, rejected: 0, resolved: 0, error: null };
    const started = Date.now();
    const waitedBefore = waitedMs(source);
    try {
      await hook('passStarted', (observer) => observer.passStarted?.(source), source);
      const runId = await startRun(db, source, instance, trigger);
      logger.info({ source, trigger }, 'sync pass started');
      const errors: string[] = [];
      for (const feed of connector.feeds) {
        try {
          // Every line logged while the feed is read (the HTTP client's retries among them) names it.
          const scope = { requestId: requestScope.getStore()?.requestId ?? '', feed: feed.name };
          await requestScope.run(scope, () => syncFeed(source, feed, abort.signal, totals));
        } catch (error) {
          const message = `${feed.name}: ${(error as Error).message}`;
          errors.push(message);
          await markFeedFinished(db, feed.name, message).catch(() => {});
          // Later feeds may refer to this one's records (dossiers to procedures), unless the connector says not;
          // a stopping hub, or an upstream that is down as a whole, stops the pass here either way.
          if (!connector.independentFeeds || abort.signal.aborted || upstreamDown(error)) break;
        }
      }
      totals.error = errors.length ? errors.join('; ') : null;
      const ms = Date.now() - started;
      totals.waitedMs = Math.round(waitedMs(source) - waitedBefore);
      await finishRun(db, runId, totals);
      // A pass that mostly waited (a hanging or throttling upstream) must not read like a normal one.
      const waiting =
        totals.waitedMs > ms / 2 ? `, mostly waiting on the upstream (${totals.waitedMs} of ${ms} ms)` : '';
      if (totals.error) logger.error({ ...totals, ms }, `sync pass failed${waiting}`);
      else if (waiting) logger.warn({ ...totals, ms }, `sync pass succeeded${waiting}`);
      else logger.info({ ...totals, ms }, 'sync pass succeeded');
      await hook('passEnded', (observer) => observer.passEnded?.({ ...totals }), source);
      return totals;
    } finally {
      aborts.delete(abort);
      await release();
    }
  }

  const engine: SyncEngine = {
    sources,
    connector: (source) => bySource.get(source),
    run(source, { trigger, waitMs = 0 }) {
      const connector = bySource.get(source);
      if (!connector) return Promise.reject(new Error(`${source} is not configured on this hub`));
      // A pass already running in this process is shared, not repeated.
      const running = active.get(source);
      if (running) return running;
      // A pass is a unit of work of its own: every log line written during it (engine, connectors, hooks) carries
      // its id, as a request's carry the request's.
      const passId = `sync-${source.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      const started = requestScope
        .run({ requestId: passId }, () => pass(source, connector, trigger, waitMs))
        .finally(() => active.delete(source));
      active.set(source, started);
      return started;
    },
    async runAll(options) {
      const results: PassResult[] = [];
      for (const source of sources) results.push(await engine.run(source, options));
      return results;
    },
    isRunning: (source) => active.has(source),
    async withLock(source, work) {
      const release = await db.tryLock(`sync:${source}`);
      if (!release) throw new SyncBusyError(source);
      try {
        return await work();
      } finally {
        await release();
      }
    },
    schedule(intervalMs) {
      const tick = async () => {
        for (const source of sources) {
          if (stopped) return;
          await engine.run(source, { trigger: 'SCHEDULE' }).catch((error: Error) => {
            // Another instance has it: it is that instance's turn, not a failure.
            if (error instanceof SyncBusyError) logger.debug({ source }, error.message);
            else logger.error({ source, err: error }, 'sync pass could not run');
          });
        }
        if (stopped) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          void tick();
        }, intervalMs);
        timers.add(timer);
      };
      void tick();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const abort of aborts) abort.abort(new Error('the hub is stopping'));
      await Promise.allSettled([...active.values()]);
    },
  };
  return engine;
}
