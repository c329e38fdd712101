/**
 * One subscription's stream of live events: a bounded queue between the hub's
 * router and the transport, and the catch-up from the event log. Bounded,
 * because the transports read the stream only as fast as the client reads its
 * socket: at LIVE_QUEUE_MAX the subscriber is dropped (dropSlowConsumer), so
 * memory per subscriber never grows past the bound. The catch-up leaves no gap
 * and no duplicate, on whichever instance an event was produced and however
 * late Redis brings it (nextFromLog). A subscription outlives the request that
 * opened it: its credential is checked again (guardCredential), and each event
 * is executed with fresh per-request caches (freshRequestCaches).
 */
import { initContextCache } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { Queryable } from '../../store/db.ts';
import {
  compareIds,
  liveEventsAfter,
  liveEventsLostAfter,
  oldestLiveEventId,
  parseLiveEventId,
  type LiveEvent,
  type LiveEventKind,
} from '../../store/live-events.ts';
import { hubError } from '../../core/error-codes.ts';
import type { Context } from '../context.ts';
import type { DeliveryNotice, LiveConnection, RoutedSubscriber } from '../../live/subscribers.ts';

/** What a live stream gives: an event, or a notice about delivery in its place (liveEventOf). */
export type LiveItem = LiveEvent | DeliveryNotice;

const isNotice = (item: LiveItem): item is DeliveryNotice => 'delivery' in item;

/**
 * A subscription field's resolve: the event, or the notice as the error the client receives in its place, beside
 * `data: null`. Thrown here, in resolve, the error ends only this result, not the stream (as one thrown by the
 * stream itself would: SLOW_CONSUMER, SHUTTING_DOWN).
 */
export function liveEventOf<E extends LiveEvent>(item: LiveItem): E {
  if (!isNotice(item)) return item as E;
  if (item.delivery === 'INTERRUPTED') {
    throw hubError(
      'LIVE_DELIVERY_INTERRUPTED',
      `Live delivery is interrupted since ${item.since}: the hub's pubsub (Redis) is unreachable. The subscription stays open, and the events logged meanwhile follow once delivery resumes (LIVE_DELIVERY_RESUMED).`,
      { since: item.since },
    );
  }
  throw hubError(
    'LIVE_DELIVERY_RESUMED',
    item.missedEventsDelivered
      ? 'Live delivery resumed: the events logged while it was interrupted have been delivered, and live events follow.'
      : 'Live delivery resumed, but the events logged while it was interrupted could not be read: subscribe again with the last eventId received as lastEventId to catch up.',
    { missedEventsDelivered: item.missedEventsDelivered },
  );
}

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
  /**
   * The (unit, period) whose indicators the producers must evaluate while the subscription lasts, as it was or
   * (hierarchyDate) restated on the tree of that day.
   */
  watch?: { unitCode: string; period: string; hierarchyDate?: string | null };
}

/** A lastEventId as the client sent it: a decimal event id (store/live-events.ts parseLiveEventId). */
export function parseLastEventId(value: string | number | null | undefined): bigint | null {
  if (value == null) return null;
  const text = String(value);
  const id = parseLiveEventId(text);
  if (id === null) {
    throw new GraphQLError(
      `Invalid lastEventId ${JSON.stringify(text)}: pass the eventId of the last event received (a string of digits, at most 9223372036854775807)`,
      { extensions: { code: 'BAD_USER_INPUT', argument: 'lastEventId' } },
    );
  }
  return id;
}

/**
 * Gives the context new per-request caches: every Pothos context cache
 * (createContextCache: the dataloader plugin's loaders, the indicator
 * evaluations' and targets' loaders, scope-auth's scope results) is a
 * WeakMap keyed by `context[contextCacheSymbol] ?? context`. A subscription's
 * context lives as long as the subscription and serves every event, so
 * without this DossierEvent.dossier would give the row cached at the first
 * event of a dossier for all later ones (a RESOLVED event showing the status
 * of RECEIVED), and the caches would grow for the subscription's life. A new
 * key object per event makes every such cache start empty, and the old
 * entries are garbage once nothing refers to the old key. (Events are
 * executed one at a time: the transports read the next one only once the
 * previous one's result is out.)
 */
export function freshRequestCaches(ctx: Context): void {
  Object.assign(ctx, initContextCache());
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
): Promise<AsyncIterableIterator<LiveItem>> {
  const stream = new LiveStream(liveConnection(ctx), ctx, options);
  try {
    stream.listen();
    if (options.watch)
      stream.onEnd(
        await stream.connection.subscribers.watch(
          options.watch.unitCode,
          options.watch.period,
          options.watch.hierarchyDate,
        ),
      );
    if (options.lastEventId !== null) await checkRetained(ctx.db, options.lastEventId);
    stream.guardCredential();
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

type Waiter = { resolve(result: IteratorResult<LiveItem>): void; reject(error: unknown): void };

class LiveStream implements AsyncIterableIterator<LiveItem>, RoutedSubscriber {
  readonly kind: LiveEventKind;
  readonly key: string;
  /** Live events (and notices) waiting for the client, oldest first. */
  private queue: LiveItem[] = [];
  /** During catch-up: the page read from the log and not yet given. */
  private page: LiveEvent[] = [];
  private catchingUp: boolean;
  private logExhausted = false;
  /**
   * The highest log id the catch-up read (of any event, matching or not), or
   * lastEventId before it reads: where the next page starts, and the line
   * below which a live event was given already (see nextFromLog). '0': none.
   */
  private cursor: string;
  private lastGiven: string | null = null;
  private waiter: Waiter | null = null;
  /** An error to throw on the next read, then done. */
  private failure: GraphQLError | null = null;
  private finished = false;
  private cleanups: (() => void)[] = [];

  private readonly db: Queryable;

  constructor(
    readonly connection: LiveConnection,
    private readonly ctx: Context,
    private readonly options: LiveStreamOptions,
  ) {
    this.db = ctx.db;
    this.kind = options.kind;
    this.key = options.key;
    this.catchingUp = options.lastEventId !== null;
    this.cursor = String(options.lastEventId ?? 0n);
  }

  listen() {
    this.cleanups.push(this.connection.subscribers.add(this));
  }

  onEnd(cleanup: () => void) {
    if (this.finished) cleanup();
    else this.cleanups.push(cleanup);
  }

  /**
   * Ends the stream when the credential it was opened with stops being valid:
   * checked again every recheckSeconds (a revoked key, consumer or a JWT no
   * longer accepted ends it with the UNAUTHENTICATED error the check throws),
   * and at the credential's expiry. A check that fails for another reason
   * (the store unreachable for a moment) is logged and tried again next time:
   * the stream does not end for the hub's own trouble.
   */
  guardCredential() {
    const { recheckSeconds } = this.connection.subscribers.settings;
    const recheck = setInterval(() => void this.recheck(), recheckSeconds * 1000);
    recheck.unref();
    this.onEnd(() => clearInterval(recheck));
    const expiresAt = this.ctx.viewer.expiresAt;
    if (expiresAt) {
      const expired = () =>
        this.end(
          new GraphQLError(`The credential expired at ${expiresAt.toISOString()}: subscribe again with a new one`, {
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        );
      const ms = expiresAt.getTime() - Date.now();
      if (ms <= 0) return expired();
      // Past setTimeout's range (about 24.8 days) the periodic check sees the expiry instead.
      if (ms < 2 ** 31 - 1) {
        const timer = setTimeout(expired, ms);
        timer.unref();
        this.onEnd(() => clearTimeout(timer));
      }
    }
  }

  private checking = false;

  private async recheck() {
    if (this.checking || this.finished || this.failure) return;
    this.checking = true;
    try {
      await this.ctx.recheckCredential();
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
      if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') this.end(error as GraphQLError);
      else
        this.connection.subscribers.log.error(
          { err: error, subscription: this.options.label },
          'live subscription: the credential could not be checked again (tried again later)',
        );
    } finally {
      this.checking = false;
    }
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  // ---- the router's side

  deliver(event: LiveEvent) {
    if (this.finished || this.failure || !this.options.matches(event)) return;
    // At or below the cursor: read from the log already (given, or not matching).
    if (this.cursor !== '0' && compareIds(event.id, this.cursor) <= 0) return;
    this.enqueue(event);
  }

  notice(notice: DeliveryNotice) {
    if (this.finished || this.failure) return;
    this.enqueue(notice);
  }

  private enqueue(item: LiveItem) {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      this.given(item);
      waiter.resolve({ value: item, done: false });
      return;
    }
    if (this.queue.length >= this.connection.subscribers.settings.queueMax) return this.dropSlowConsumer();
    this.queue.push(item);
  }

  private given(item: LiveItem) {
    if (!isNotice(item)) this.lastGiven = item.id;
  }

  end(error: GraphQLError) {
    if (this.finished || this.failure) return;
    this.fail(error);
  }

  /**
   * A client that stops reading lets events pile up here (graphql-ws awaits
   * each send, Yoga's SSE waits for the socket to drain). Its queue is freed,
   * it stops receiving, the stream ends with a SLOW_CONSUMER error naming the
   * last event id it was given (to resubscribe with), and the transport cuts
   * the connection.
   */
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

  async next(): Promise<IteratorResult<LiveItem>> {
    const result = await this.take();
    if (!result.done) freshRequestCaches(this.ctx);
    return result;
  }

  private async take(): Promise<IteratorResult<LiveItem>> {
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
    const item = this.queue.shift();
    if (item) {
      this.given(item);
      return { value: item, done: false };
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /**
   * The next logged event to give, reading a page when needed; null once the log is read to its end.
   *
   * The stream listens first, then reads the log after lastEventId a page at a
   * time (as the client reads), then hands over what arrived live meanwhile:
   * an event committed before the stream listened is in the log, one published
   * after is in the queue. Every id up to the highest the catch-up read was
   * visible to that read (the log's writers commit in id order under its lock,
   * store/live-events.ts), so a live event at or below the cursor was read
   * already and is dropped: no gap, no duplicate.
   */
  private async nextFromLog(): Promise<LiveEvent | null> {
    const { catchUpPageSize: limit } = this.connection.subscribers.settings;
    for (;;) {
      const next = this.page.shift();
      if (next) return next;
      if (this.logExhausted) break;
      const rows = await liveEventsAfter(this.db, {
        afterId: this.cursor,
        kinds: this.options.catchUp.kinds,
        unitCode: this.options.catchUp.unitCode,
        provinceWide: this.options.catchUp.provinceWide ?? false,
        limit,
      });
      if (this.finished || this.failure) return null;
      if (rows.length < limit) this.logExhausted = true;
      if (rows.length > 0) this.cursor = rows.at(-1)!.id; // id order
      for (const event of rows) if (this.options.matches(event)) this.page.push(event);
      // Live copies of what the log just gave are not given again.
      this.dropQueuedUpToCursor();
    }
    // Caught up: what arrived live after the last id read is next.
    this.catchingUp = false;
    this.dropQueuedUpToCursor();
    return null;
  }

  private dropQueuedUpToCursor() {
    if (this.queue.length > 0) {
      this.queue = this.queue.filter((item) => isNotice(item) || compareIds(item.id, this.cursor) > 0);
    }
  }

  async return(): Promise<IteratorResult<LiveItem>> {
    this.finished = true;
    this.failure = null;
    this.queue = [];
    this.page = [];
    this.runCleanups();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ value: undefined, done: true });
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<LiveItem>> {
    await this.return();
    throw error;
  }
}
