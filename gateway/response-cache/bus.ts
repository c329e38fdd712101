/**
 * How a change reaches every response cache (cache.ts): the invalidation bus of one hub pubsub (live/pubsub.ts).
 * `invalidate` flushes this process's caches synchronously (the next request here is answered from the store) and
 * publishes on RESPONSE_CACHE_TOPIC, so every other instance on the same Redis flushes on receipt. Caches answer only
 * while `live`: once this bus's own probe has come back through the pubsub (delivery proven: what others publish
 * reaches us too), and not while Redis's subscribe connection is down (messages published meanwhile are lost for us,
 * so every cached answer is suspect: that flushes, and caching resumes once a new probe comes back). One bus per
 * pubsub object (`responseCacheBus(pubsub)` returns the same), so the engine's observer in main.ts and the hub's
 * cache in createHub meet without being handed to each other.
 */
import { randomUUID } from 'node:crypto';
import type { HubPubSub } from '../../live/pubsub.ts';
import type { SyncObserver } from '../../connectors/sync/engine.ts';
import { RESPONSE_CACHE_TOPIC, type ResponseCacheInvalidation } from '../../live/invalidation-topic.ts';

/**
 * At most one message to other instances per this many milliseconds from one bus (the first at once, the last at the
 * window's end): a big sync commits a batch every few hundred milliseconds. The local flush is immediate for each, so
 * only other instances may answer from their cache, for at most this long after a commit.
 */
export const COALESCE_MS = 100;
/** How often an unanswered delivery probe is sent again (Redis may not have our subscription yet). */
const PROBE_RETRY_MS = 500;

export interface ResponseCacheBus {
  /**
   * One of createSyncEngine's observers ('response-cache invalidation'), listed where the engine is built
   * (gateway/main.ts, scripts/sync.ts) before the live producer: each committed batch (told after its commit) and
   * each pass's end invalidate, even a pass that wrote no row: its sync_runs row (SourceFreshness, in cached indicator
   * answers) and the quarantine changed. A sync in a process without a hub (scripts/sync.ts) only publishes.
   */
  readonly syncObserver: SyncObserver;
  /** Drops every cached answer here at once and on every other instance as soon as the message arrives. */
  invalidate(reason: string): void;
  /** Whether this process now receives every invalidation published anywhere (and caches may answer). */
  readonly live: boolean;
  /** Resolves once `live` (at the latest after the pubsub's subscription is acknowledged). */
  whenLive(): Promise<void>;
  /**
   * Calls `flush` synchronously on every invalidation, local or received, and
   * whenever delivery is lost or regained; returns what stops it. The first
   * listener starts listening on the pubsub and probing it.
   */
  onFlush(flush: (reason: string) => void): () => void;
  /** Sends an invalidation still held back by the coalescing (before the pubsub closes). */
  close(): void;
}

const buses = new WeakMap<HubPubSub, ResponseCacheBus>();

/** The invalidation bus of this pubsub: one per pubsub object. */
export function responseCacheBus(pubsub: HubPubSub): ResponseCacheBus {
  let bus = buses.get(pubsub);
  if (!bus) {
    bus = createBus(pubsub);
    buses.set(pubsub, bus);
  }
  return bus;
}

function createBus(pubsub: HubPubSub): ResponseCacheBus {
  const origin = randomUUID();
  const listeners = new Set<(reason: string) => void>();
  let stopListening: (() => void) | undefined;
  let stopWatching: (() => void) | undefined;

  // ---- delivery: live once our own probe has come back
  let live = false;
  let probe: string | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let waiting: (() => void)[] = [];

  function flushAll(reason: string) {
    for (const flush of listeners) flush(reason);
  }

  function sendProbe() {
    clearTimeout(probeTimer);
    if (!probe || listeners.size === 0) return;
    pubsub.publish(RESPONSE_CACHE_TOPIC, { origin, reason: 'probe', probe });
    // In memory the probe has come back already; through Redis it is sent again until it does.
    if (probe) probeTimer = setTimeout(sendProbe, PROBE_RETRY_MS).unref();
  }

  function startProbing() {
    live = false;
    probe = randomUUID();
    sendProbe();
  }

  // Our own invalidation coming back is skipped: already applied.
  function received(message: ResponseCacheInvalidation) {
    if (message.origin !== origin) {
      if (message.probe === undefined) flushAll(message.reason);
      return;
    }
    if (message.probe === undefined || message.probe !== probe) return;
    clearTimeout(probeTimer);
    probe = undefined;
    // Nothing was cached while not live; the flush only makes sure of it.
    flushAll('delivery confirmed');
    live = true;
    for (const resolve of waiting) resolve();
    waiting = [];
  }

  // ---- publishing, coalesced
  let lastSentAt = -Infinity;
  let held: string | undefined;
  let holdTimer: NodeJS.Timeout | undefined;

  function send(reason: string) {
    lastSentAt = Date.now();
    try {
      pubsub.publish(RESPONSE_CACHE_TOPIC, { origin, reason });
    } catch {
      // Publishing never fails a sync or a mutation; a Redis failure is logged by the pubsub, and the
      // other instances' caches stop answering when their subscription drops (see `live`).
    }
  }

  function sendHeld() {
    clearTimeout(holdTimer);
    holdTimer = undefined;
    if (held === undefined) return;
    const reason = held;
    held = undefined;
    send(reason);
  }

  function publish(reason: string) {
    const wait = lastSentAt + COALESCE_MS - Date.now();
    if (wait <= 0 && !holdTimer) return send(reason);
    held = reason;
    holdTimer ??= setTimeout(sendHeld, Math.max(0, wait));
  }

  const bus: ResponseCacheBus = {
    syncObserver: {
      name: 'response-cache invalidation',
      batchCommitted: (event) => bus.invalidate(`sync ${event.feed}`),
      passEnded: (result) => bus.invalidate(`sync pass ${result.source} ended`),
    },
    invalidate(reason) {
      flushAll(reason);
      publish(reason);
    },
    get live() {
      return live;
    },
    whenLive() {
      if (live) return Promise.resolve();
      return new Promise((resolve) => waiting.push(resolve));
    },
    onFlush(flush) {
      listeners.add(flush);
      if (!stopListening) {
        stopListening = pubsub.listenInvalidations(received);
        stopWatching = pubsub.watchDelivery({
          interrupted() {
            // Invalidations published from now on may never arrive: nothing cached is to be trusted.
            live = false;
            probe = undefined;
            clearTimeout(probeTimer);
            flushAll('pubsub delivery interrupted');
          },
          resumed: startProbing,
        });
        startProbing();
      }
      return () => {
        listeners.delete(flush);
        if (listeners.size > 0) return;
        stopListening?.();
        stopWatching?.();
        stopListening = stopWatching = undefined;
        clearTimeout(probeTimer);
        live = false;
        probe = undefined;
      };
    },
    close() {
      sendHeld();
    },
  };
  return bus;
}
