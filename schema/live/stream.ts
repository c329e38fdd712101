/**
 * One subscription's stream of live events: a bounded queue between the
 * hub's router and the transport, and the catch-up from the event log.
 *
 * Bounded: the transports read the stream only as fast as the client reads
 * its socket (graphql-ws awaits each send, Yoga's SSE waits for the socket
 * to drain), so a client that stops reading lets events pile up here. At
 * LIVE_QUEUE_MAX the subscriber is dropped: its queue is freed, it stops
 * receiving, the stream ends with a SLOW_CONSUMER error naming the last event
 * id it was given (to resubscribe with), and the transport cuts the
 * connection. Memory per subscriber never grows past the bound.
 *
 * Catch-up: the stream listens first, then reads the log after lastEventId
 * page by page (a page at a time, as the client reads), then hands over what
 * arrived live meanwhile. An event both read from the log and received live
 * is given once; one committed before the stream listened is in the log;
 * one published after is in the queue: no gap, no duplicate.
 */
import { GraphQLError } from 'graphql';
import type { Queryable } from '../../store/db.ts';
import {
  liveEventsAfter,
  liveEventsLostAfter,
  oldestLiveEventId,
  type LiveEvent,
  type LiveEventKind,
} from '../../store/live-events.ts';
import type { Context } from '../context.ts';
import type { LiveConnection, RoutedSubscriber } from './subscribers.ts';

export interface LiveStreamOptions {
  /** What the subscription is, for logs: "indicatorChanged 000.00.12.H40 2024". */
  label: string;
  /** The index the router files it under (see RoutedSubscriber). */
  kind: LiveEventKind;
  key: string;
  /** The finer filter: indicator codes, dossier event kinds, the exact unit. */
  matches(event: LiveEvent): boolean;
  /** The last event id the client saw; null: live events only. */
  lastEventId: bigint | null;
  /** How the log is narrowed when catching up (matches() still decides). */
  catchUp: { kinds: LiveEventKind[]; unitCode?: string; provinceWide?: boolean };
  /** The (unit, period) whose indicators the producers must evaluate while the subscription lasts. */
  watch?: { unitCode: string; period: string };
}

/** A lastEventId as the client sent it: a decimal event id. */
export function parseLastEventId(value: string | number | null | undefined): bigint | null {
  if (value == null) return null;
  const text = String(value);
  if (!/^\d{1,19}$/.test(text)) {
    throw new GraphQLError(
      `Invalid lastEventId ${JSON.stringify(text)}: pass the eventId of the last event received (a string of digits)`,
      { extensions: { code: 'BAD_USER_INPUT', argument: 'lastEventId' } },
    );
  }
  return BigInt(text);
}

export function liveConnection(ctx: Context): LiveConnection {
  if (!ctx.live) {
    throw new GraphQLError('live data is not available on this hub instance', {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  }
  return ctx.live;
}

/**
 * Opens the stream: listens, registers the watch, checks that the events
 * after lastEventId are still retained. A refusal (CATCH_UP_EXPIRED, a store
 * failure) leaves nothing behind.
 */
export async function openLiveStream(
  ctx: Context,
  options: LiveStreamOptions,
): Promise<AsyncIterableIterator<LiveEvent>> {
  const stream = new LiveStream(liveConnection(ctx), ctx.db, options);
  try {
    stream.listen();
    if (options.watch)
      stream.onEnd(await stream.connection.subscribers.watch(options.watch.unitCode, options.watch.period));
    if (options.lastEventId !== null) await checkRetained(ctx.db, options.lastEventId);
  } catch (error) {
    await stream.return();
    throw error;
  }
  return stream;
}

/**
 * Refuses a catch-up the log can no longer serve: when events after
 * lastEventId have been purged, replaying the rest would hide the gap.
 */
async function checkRetained(db: Queryable, lastEventId: bigint) {
  if (!(await liveEventsLostAfter(db, String(lastEventId)))) return;
  const oldest = await oldestLiveEventId(db);
  throw new GraphQLError(
    `Cannot catch up from lastEventId ${lastEventId}: events after it have been purged (the log keeps a retention window${oldest ? `, from id ${oldest} on now` : ''}). Read the current state with a query, then subscribe without lastEventId.`,
    {
      extensions: {
        code: 'CATCH_UP_EXPIRED',
        argument: 'lastEventId',
        lastEventId: String(lastEventId),
        oldestEventId: oldest,
      },
    },
  );
}

type Waiter = { resolve(result: IteratorResult<LiveEvent>): void; reject(error: unknown): void };

class LiveStream implements AsyncIterableIterator<LiveEvent>, RoutedSubscriber {
  readonly kind: LiveEventKind;
  readonly key: string;
  /** Live events waiting for the client, oldest first. */
  private queue: LiveEvent[] = [];
  /** During catch-up: the page read from the log and not yet given. */
  private page: LiveEvent[] = [];
  private catchingUp: boolean;
  private logExhausted = false;
  /** The last log id read (of any event, matching or not): where the next page starts. */
  private cursor: bigint;
  /**
   * Ids given from the log whose live copy may still arrive (a publish can
   * trail its commit, and Redis adds a hop): kept up to queueMax of the
   * newest, cleared once a newer live event shows the stragglers are through.
   */
  private replayed = new Set<string>();
  private lastReplayed = -1n;
  private lastGiven: string | null = null;
  private waiter: Waiter | null = null;
  /** An error to throw on the next read, then done. */
  private failure: GraphQLError | null = null;
  private finished = false;
  private cleanups: (() => void)[] = [];

  constructor(
    readonly connection: LiveConnection,
    private readonly db: Queryable,
    private readonly options: LiveStreamOptions,
  ) {
    this.kind = options.kind;
    this.key = options.key;
    this.catchingUp = options.lastEventId !== null;
    this.cursor = options.lastEventId ?? 0n;
  }

  listen() {
    this.cleanups.push(this.connection.subscribers.add(this));
  }

  onEnd(cleanup: () => void) {
    if (this.finished) cleanup();
    else this.cleanups.push(cleanup);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  // ---- the router's side

  deliver(event: LiveEvent) {
    if (this.finished || this.failure || !this.options.matches(event)) return;
    if (this.replayed.size > 0 && !this.catchingUp) {
      const id = BigInt(event.id);
      if (id <= this.lastReplayed && this.replayed.has(event.id)) return; // already given from the log
      if (id > this.lastReplayed) this.replayed.clear();
    }
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      this.lastGiven = event.id;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length >= this.connection.subscribers.settings.queueMax) return this.dropSlowConsumer();
    this.queue.push(event);
  }

  end(error: GraphQLError) {
    if (this.finished || this.failure) return;
    this.fail(error);
  }

  private dropSlowConsumer() {
    const { queueMax } = this.connection.subscribers.settings;
    const resume = this.lastGiven ?? (this.options.lastEventId === null ? null : String(this.options.lastEventId));
    const reason = `slow consumer: ${this.queue.length} events queued (LIVE_QUEUE_MAX ${queueMax})`;
    this.connection.subscribers.log.warn(
      { subscription: this.options.label, queued: this.queue.length, lastEventId: resume },
      'live subscriber dropped',
    );
    this.fail(
      new GraphQLError(
        `${reason}; the subscription was ended${resume ? `: subscribe again with lastEventId "${resume}" to catch up` : ''}`,
        { extensions: { code: 'SLOW_CONSUMER', queued: this.queue.length, lastEventId: resume } },
      ),
    );
    this.connection.drop(reason);
  }

  /** Stops receiving and frees the queue at once; the error reaches the client on its next read. */
  private fail(error: GraphQLError) {
    this.queue = [];
    this.page = [];
    this.replayed.clear();
    this.runCleanups();
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      this.finished = true;
      waiter.reject(error);
    } else this.failure = error;
  }

  private runCleanups() {
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (error) {
        this.connection.subscribers.log.error({ err: error }, 'live subscription cleanup failed');
      }
    }
  }

  // ---- the transport's side

  async next(): Promise<IteratorResult<LiveEvent>> {
    if (this.catchingUp && !this.failure && !this.finished) {
      const event = await this.nextFromLog();
      if (event) {
        this.lastGiven = event.id;
        return { value: event, done: false };
      }
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      this.finished = true;
      throw failure;
    }
    if (this.finished) return { value: undefined, done: true };
    const event = this.queue.shift();
    if (event) {
      this.lastGiven = event.id;
      return { value: event, done: false };
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The next logged event to give, reading a page when needed; null once the log is read to its end. */
  private async nextFromLog(): Promise<LiveEvent | null> {
    const { catchUpPageSize: limit, queueMax } = this.connection.subscribers.settings;
    for (;;) {
      const next = this.page.shift();
      if (next) return next;
      if (this.logExhausted) break;
      const rows = await liveEventsAfter(this.db, {
        afterId: String(this.cursor),
        kinds: this.options.catchUp.kinds,
        unitCode: this.options.catchUp.unitCode,
        provinceWide: this.options.catchUp.provinceWide ?? false,
        limit,
      });
      if (this.finished || this.failure) return null;
      if (rows.length < limit) this.logExhausted = true;
      for (const event of rows) {
        const id = BigInt(event.id);
        if (id > this.cursor) this.cursor = id;
        if (!this.options.matches(event)) continue;
        this.page.push(event);
        if (id > this.lastReplayed) this.lastReplayed = id;
        this.replayed.add(event.id);
      }
      // Live copies of what the log just gave are not given again.
      if (this.queue.length > 0 && this.page.length > 0) {
        this.queue = this.queue.filter((event) => !this.replayed.has(event.id));
      }
      if (this.replayed.size > queueMax) {
        const newest = [...this.replayed].slice(-queueMax);
        this.replayed = new Set(newest);
      }
    }
    // Caught up: what arrived live is next, minus anything at or before lastEventId.
    this.catchingUp = false;
    const after = this.options.lastEventId ?? 0n;
    this.queue = this.queue.filter((event) => BigInt(event.id) > after && !this.replayed.has(event.id));
    return null;
  }

  async return(): Promise<IteratorResult<LiveEvent>> {
    this.finished = true;
    this.failure = null;
    this.queue = [];
    this.page = [];
    this.replayed.clear();
    this.runCleanups();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<LiveEvent>> {
    await this.return();
    throw error;
  }
}
