/**
 * The subscribers of one hub process. Every live event that reaches the
 * process (from its own producer, or from another instance through Redis)
 * arrives here once and is routed by index to the subscriptions it concerns:
 * a (unit, period, basis) for indicator changes, the units of the event's unit path
 * for dossier events and alerts. With 10,000 subscribers an event costs a few
 * map lookups, not 10,000 filter calls. It also keeps the subscriptions'
 * (unit, period) watches alive in the store, one row per pair for the whole
 * process however many subscribers share it, so that the producer on
 * whichever instance syncs evaluates those indicators.
 */
import { GraphQLError } from 'graphql';
import type { Queryable } from '../store/db.ts';
import {
  compareIds,
  latestLiveEventId,
  liveEventsAfter,
  type LiveEvent,
  type LiveEventKind,
} from '../store/live-events.ts';
import { dropLiveWatches, touchLiveWatches } from '../store/live-watches.ts';

/**
 * The hub's pubsub as the schema sees it (live/pubsub.ts HubPubSub): a
 * listener called synchronously with each live event (LIVE_TOPIC) as it is
 * dispatched. Not an async iterator: its Repeater buffers nothing and throws
 * when more than 1,024 events are published before it is read (a first start
 * with hundreds of overdue dossiers publishes that many in one loop).
 */
export interface LiveEventFeed {
  /** Calls `handler` with every live event; returns what stops it. */
  listen(handler: (event: LiveEvent) => void): () => void;
  /**
   * Tells `watcher` when this process stops receiving what others publish
   * (Redis: the subscribe connection dropped) and when it receives again
   * (reconnected and the subscription acknowledged); returns what stops it.
   * Absent, or never called, for a feed that cannot drop (in memory).
   */
  watchDelivery?(watcher: DeliveryWatcher): () => void;
}

export interface DeliveryWatcher {
  /** Events published from now on may never arrive (they are still in the log). */
  interrupted(): void;
  /** Events published from now on arrive again; those published in between do not. */
  resumed(): void;
}

/**
 * What every subscriber of the process is told about delivery itself, in order with its events: INTERRUPTED when the
 * feed drops (or at once, for one that subscribes meanwhile), RESUMED once it is back and the events logged meanwhile
 * have been routed (missedEventsDelivered false: the log could not be read, so the subscriber should catch up itself).
 */
export type DeliveryNotice =
  { delivery: 'INTERRUPTED'; since: string } | { delivery: 'RESUMED'; missedEventsDelivered: boolean };

/** Where slow consumers and routing failures are reported (a pino logger is one). */
export interface LiveLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface LiveSettings {
  /** Events one subscriber may have waiting before it is dropped as a slow consumer (LIVE_QUEUE_MAX). */
  queueMax: number;
  /** How long a watch lives in the store unless touched again; touched every third of it. */
  watchTtlSeconds: number;
  /** Names this hub process in the watch table. */
  instance: string;
  /** Events read per statement when a subscriber catches up. */
  catchUpPageSize: number;
  /** How often an open subscription checks its credential again (LIVE_RECHECK_SECONDS); a revoked one ends it. */
  recheckSeconds: number;
}

export const DEFAULT_LIVE_SETTINGS: Omit<LiveSettings, 'instance'> = {
  queueMax: 1_000,
  watchTtlSeconds: 60,
  catchUpPageSize: 500,
  recheckSeconds: 30,
};

/** One subscription as the router sees it. */
export interface RoutedSubscriber {
  kind: LiveEventKind;
  /** INDICATOR_CHANGED: indicatorKey(unit, period, hierarchyDate); DOSSIER and ALERT: the unit whose subtree it follows; SOURCE_STATUS: '*'. */
  key: string;
  /** Takes an event the index matched; the subscriber applies its own finer filter (codes, kinds). Never throws. */
  deliver(event: LiveEvent): void;
  /** Takes a notice about delivery, after the events routed before it. Never throws. */
  notice(notice: DeliveryNotice): void;
  /** Ends the subscription with an error (the hub is shutting down). */
  end(error: GraphQLError): void;
}

export interface LiveSubscribers {
  readonly settings: LiveSettings;
  readonly log: LiveLog;
  /** Subscriptions open on this process now. */
  readonly size: number;
  /** Routes matching events to the subscriber from now on; returns what stops it. */
  add(subscriber: RoutedSubscriber): () => void;
  /**
   * Registers (or shares) the watch of a unit and period, as it was or (with hierarchyDate) restated on the tree of
   * that day; resolves once it is in the store, with its release.
   */
  watch(unitCode: string, period: string, hierarchyDate?: string | null): Promise<() => void>;
  /** Ends every subscription (SHUTTING_DOWN), stops listening and drops this process's watches. */
  close(): Promise<void>;
}

/** What a subscription passes on to its transport: the hub's subscribers and how to cut this connection. */
export interface LiveConnection {
  subscribers: LiveSubscribers;
  /**
   * Ends the subscriber's connection after its stream was ended as a slow
   * consumer: graphql-ws closes the socket (4499 and the reason); SSE cuts the
   * response if the client has not read the SLOW_CONSUMER error by then.
   */
  drop(reason: string): void;
}

/** The routing key of an indicator's changes: a pair as it was, or restated on the tree of hierarchyDate (AS_IS). */
export const indicatorKey = (unitCode: string, period: string, hierarchyDate?: string | null) =>
  hierarchyDate ? `${unitCode}\u0000${period}\u0000${hierarchyDate}` : `${unitCode}\u0000${period}`;

export const PROVINCE_WIDE = '*';

export function createLiveSubscribers({
  db,
  feed,
  settings,
  log,
}: {
  db: Queryable;
  feed: LiveEventFeed;
  settings: LiveSettings;
  log: LiveLog;
}): LiveSubscribers {
  const index = new Map<LiveEventKind, Map<string, Set<RoutedSubscriber>>>();
  let size = 0;
  let closed = false;

  const deliverAll = (set: Set<RoutedSubscriber> | undefined, event: LiveEvent) => {
    if (set) for (const subscriber of set) subscriber.deliver(event);
  };
  function* everySubscriber() {
    for (const byKey of index.values()) for (const set of byKey.values()) yield* set;
  }

  function route(event: LiveEvent) {
    const byKey = index.get(event.kind);
    if (!byKey) return;
    switch (event.kind) {
      case 'INDICATOR_CHANGED':
        return deliverAll(
          byKey.get(indicatorKey(event.payload.unitCode, event.payload.period, event.payload.hierarchyDate)),
          event,
        );
      case 'ALERT':
        // A province-wide alert (a source going stale) concerns every unit's alert subscribers.
        if (event.unitPath.length === 0) {
          for (const set of byKey.values()) deliverAll(set, event);
          return;
        }
        for (const unitCode of new Set(event.unitPath)) deliverAll(byKey.get(unitCode), event);
        return;
      case 'DOSSIER':
        for (const unitCode of new Set(event.unitPath)) deliverAll(byKey.get(unitCode), event);
        return;
      case 'SOURCE_STATUS':
        return deliverAll(byKey.get(PROVINCE_WIDE), event);
    }
  }

  // ---- routing, and recovery of what a dropped feed connection missed
  /** The highest id routed; null until the first event or the log's latest id at start (below). */
  let lastRouted: string | null = null;
  /** While the feed is interrupted or a recovery reads the log: live events wait here, in arrival order. */
  let waiting: LiveEvent[] | null = null;
  /** The id ranges (after, through] recent recoveries routed from the log: live events in them are duplicates. */
  const recovered: { after: string; through: string }[] = [];
  const routedByRecovery = (id: string) =>
    recovered.some((range) => compareIds(id, range.after) > 0 && compareIds(id, range.through) <= 0);

  function routeOne(event: LiveEvent) {
    try {
      route(event);
    } catch (error) {
      // An event another hub version published in a shape this one does not know: skipped, not fatal.
      log.error({ err: error, event }, 'live event could not be routed');
    }
    if (lastRouted === null || compareIds(event.id, lastRouted) > 0) lastRouted = event.id;
  }

  function takeLive(event: LiveEvent) {
    if (waiting) waiting.push(event);
    else if (!routedByRecovery(event.id)) routeOne(event);
  }

  // One listener for the whole process, for its whole life: Redis delivers each event once per process.
  // Routing is synchronous (a few map lookups; each subscriber queues what it takes), so nothing piles up here.
  const stopListening = feed.listen(takeLive);

  /**
   * Reads the log after the last routed id, in pages, and routes what it finds; returns how many.
   * Ids increase in commit order (store/live-events.ts), so every event published while the feed
   * was down, committed before this read, is in it; one committed later is published after, and
   * arrives live once the feed is back.
   */
  async function recoverOnce(): Promise<number> {
    const after = lastRouted;
    if (after === null) {
      log.warn({}, 'live pubsub reconnected, but the log position at start is unknown: nothing recovered');
      return 0;
    }
    const range = { after, through: after };
    recovered.push(range);
    if (recovered.length > 8) recovered.shift();
    let count = 0;
    for (;;) {
      const page = await liveEventsAfter(db, { afterId: range.through, limit: settings.catchUpPageSize });
      for (const event of page) {
        if (closed) return count;
        routeOne(event);
        range.through = event.id;
        count++;
      }
      if (page.length < settings.catchUpPageSize) return count;
    }
  }

  let connected = true;
  /** Since when the subscribers have been told delivery is interrupted; null once told it resumed. */
  let interruptedSince: string | null = null;
  const notifyAll = (notice: DeliveryNotice) => {
    for (const subscriber of everySubscriber()) subscriber.notice(notice);
  };
  let recovering: Promise<void> | null = null;
  let recoverAgain = false;
  async function recover() {
    const started = lastRouted;
    let count = 0;
    let missedEventsDelivered = true;
    do {
      recoverAgain = false;
      try {
        count += await recoverOnce();
      } catch (error) {
        missedEventsDelivered = false;
        log.error(
          { err: error, afterId: lastRouted },
          'live events missed while the pubsub was disconnected could not be read (subscribers catch up with lastEventId)',
        );
      }
    } while (recoverAgain && !closed);
    log.info(
      { recovered: count, afterId: started, throughId: lastRouted },
      'live pubsub reconnected: events published meanwhile recovered from the log',
    );
    // Dropped again meanwhile: what waits is routed after the next recovery.
    if (!connected || !waiting) return;
    interruptedSince = null;
    notifyAll({ delivery: 'RESUMED', missedEventsDelivered });
    const live = waiting;
    waiting = null;
    for (const event of live) takeLive(event);
  }

  let stopWatching = () => {};
  if (feed.watchDelivery) {
    // The starting point if the feed drops before any event was routed: the log as it is now.
    const start = latestLiveEventId(db).then(
      (id) => {
        if (lastRouted === null) lastRouted = id ?? '0';
      },
      (error: unknown) => log.error({ err: error }, 'the live event log could not be read at start'),
    );
    stopWatching = feed.watchDelivery({
      interrupted() {
        connected = false;
        waiting ??= [];
        // Dropped again before a recovery ended: the subscribers have not been told it resumed.
        if (interruptedSince !== null || closed) return;
        interruptedSince = new Date().toISOString();
        notifyAll({ delivery: 'INTERRUPTED', since: interruptedSince });
      },
      resumed() {
        connected = true;
        if (closed) return;
        if (recovering) {
          recoverAgain = true;
          return;
        }
        recovering = start.then(recover).finally(() => {
          recovering = null;
        });
      },
    });
  }

  // ---- watches
  interface Watch {
    unitCode: string;
    period: string;
    hierarchyDate: string | null;
    holders: number;
    stored: Promise<void>;
  }
  const watches = new Map<string, Watch>();
  let touching: Promise<void> = Promise.resolve();
  /**
   * The store writes of each watch key, one after the other: a release's DELETE and a new watch's upsert of
   * the same pair run on whichever pool connections are free, so unchained the DELETE of a watch just dropped
   * could land after the upsert of the same pair watched again, and the new watch would be gone.
   */
  const writes = new Map<string, Promise<void>>();
  function inOrder<T>(key: string, write: () => Promise<T>): Promise<T> {
    const result = (writes.get(key) ?? Promise.resolve()).then(write);
    const settled = result.then(
      () => {},
      () => {},
    );
    writes.set(key, settled);
    void settled.then(() => {
      if (writes.get(key) === settled) writes.delete(key);
    });
    return result;
  }
  const touchEvery = Math.max(1, Math.floor((settings.watchTtlSeconds * 1000) / 3));
  const timer = setInterval(() => {
    if (watches.size === 0) return;
    const all = [...watches.values()].map(({ unitCode, period, hierarchyDate }) => ({
      unitCode,
      period,
      hierarchyDate,
    }));
    touching = touchLiveWatches(db, settings.instance, all, settings.watchTtlSeconds).then(
      () => {},
      (error: unknown) => log.error({ err: error, watches: all.length }, 'live watches could not be renewed'),
    );
  }, touchEvery);
  timer.unref();

  function release(key: string) {
    const watch = watches.get(key);
    if (!watch || --watch.holders > 0) return;
    watches.delete(key);
    if (closed) return; // close() drops them all in one statement
    const { unitCode, period, hierarchyDate } = watch;
    // After a renewal already under way (it may name this pair), so that it cannot bring the pair back.
    const renewal = touching;
    inOrder(key, async () => {
      await renewal;
      await dropLiveWatches(db, settings.instance, [{ unitCode, period, hierarchyDate }]);
    }).catch((error: unknown) =>
      log.error({ err: error, unitCode, period }, 'live watch could not be dropped (it expires by itself)'),
    );
  }

  return {
    settings,
    log,
    get size() {
      return size;
    },
    add(subscriber) {
      if (closed) throw new GraphQLError('the hub is shutting down', { extensions: { code: 'SHUTTING_DOWN' } });
      let byKey = index.get(subscriber.kind);
      if (!byKey) index.set(subscriber.kind, (byKey = new Map()));
      let set = byKey.get(subscriber.key);
      if (!set) byKey.set(subscriber.key, (set = new Set()));
      set.add(subscriber);
      size++;
      if (interruptedSince !== null) subscriber.notice({ delivery: 'INTERRUPTED', since: interruptedSince });
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        size--;
        set.delete(subscriber);
        if (set.size === 0 && byKey.get(subscriber.key) === set) byKey.delete(subscriber.key);
      };
    },
    async watch(unitCode, period, hierarchyDate = null) {
      if (closed) throw new GraphQLError('the hub is shutting down', { extensions: { code: 'SHUTTING_DOWN' } });
      const key = indicatorKey(unitCode, period, hierarchyDate);
      let watch = watches.get(key);
      if (watch) watch.holders++;
      else {
        const stored = inOrder(key, () =>
          touchLiveWatches(db, settings.instance, [{ unitCode, period, hierarchyDate }], settings.watchTtlSeconds),
        );
        watches.set(key, (watch = { unitCode, period, hierarchyDate, holders: 1, stored }));
      }
      let released = false;
      const releaseOnce = () => {
        if (!released) release(key);
        released = true;
      };
      try {
        await watch.stored;
      } catch (error) {
        releaseOnce();
        throw error;
      }
      return releaseOnce;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      const shuttingDown = new GraphQLError(
        'the hub is shutting down: subscribe again (to another instance) with lastEventId to continue',
        { extensions: { code: 'SHUTTING_DOWN' } },
      );
      for (const subscriber of everySubscriber()) subscriber.end(shuttingDown);
      index.clear();
      stopListening();
      stopWatching();
      waiting = null;
      await recovering;
      await touching;
      await Promise.all(writes.values());
      const all = [...watches.values()].map(({ unitCode, period, hierarchyDate }) => ({
        unitCode,
        period,
        hierarchyDate,
      }));
      watches.clear();
      if (all.length > 0) {
        await dropLiveWatches(db, settings.instance, all).catch((error: unknown) =>
          log.error({ err: error }, 'live watches could not be dropped on shutdown (they expire by themselves)'),
        );
      }
    },
  };
}
