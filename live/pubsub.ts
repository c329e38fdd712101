/**
 * The hub's pubsub for live events (LIVE_TOPIC): in memory for one process,
 * or through Redis (@graphql-yoga/redis-event-target over two ioredis
 * connections, one publishing, one subscribed) when REDIS_URL is set, so a
 * subscriber on any instance receives what any instance's sync produced. A
 * live event Redis loses while reconnecting is still in the log
 * (store/live-events.ts) for a client that resubscribes with lastEventId; the
 * response caches' invalidations (RESPONSE_CACHE_TOPIC) are in no log, so a
 * cache stops answering while delivery is interrupted
 * (gateway/response-cache/bus.ts). The sync engine's own per-batch change
 * events stay in their process.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub, type PubSubEvent, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { LIVE_TOPIC, type LiveEvent } from '../store/live-events.ts';
import { redactPassword } from '../core/redact.ts';
import { RESPONSE_CACHE_TOPIC, type ResponseCacheInvalidation } from './invalidation-topic.ts';
import type { DeliveryWatcher } from './subscribers.ts';
import type { Logger } from '../core/logger.ts';

export type LiveTopics = {
  [LIVE_TOPIC]: [LiveEvent];
  [RESPONSE_CACHE_TOPIC]: [ResponseCacheInvalidation];
};

export interface HubPubSub extends PubSub<LiveTopics> {
  readonly transport: 'memory' | 'redis';
  /**
   * Calls `handler` with every live event this process receives, synchronously
   * as it is dispatched (no buffer in between, unlike `subscribe`'s iterator,
   * whose Repeater throws once 1,024 events wait unread); returns what stops
   * it. A handler that throws is logged, never rethrown.
   */
  listen(handler: (event: LiveEvent) => void): () => void;
  /** As `listen`, for the response caches' invalidations (RESPONSE_CACHE_TOPIC). */
  listenInvalidations(handler: (message: ResponseCacheInvalidation) => void): () => void;
  /**
   * Tells `watcher` when the Redis subscribe connection drops (events
   * published meanwhile never arrive here) and when it is back with the
   * subscription acknowledged again, so the subscribers can read what they
   * missed from the log; returns what stops it. In memory it never calls.
   */
  watchDelivery(watcher: DeliveryWatcher): () => void;
  /**
   * Since when a Redis connection of this pubsub has been down (events are still logged, but neither delivered
   * here nor sent to other instances), or null while both work; always null in memory. /ready reports it.
   */
  readonly downSince: Date | null;
  /**
   * Resolves once this process receives what others publish (Redis: the
   * server has acknowledged the subscription); rejects, naming REDIS_URL,
   * when Redis cannot be reached.
   */
  readonly ready: Promise<void>;
  /** Disconnects from Redis (nothing to do in memory). */
  close(): Promise<void>;
}

export interface HubPubSubOptions {
  /** redis:// or rediss:// URL; unset: in memory, this process only. */
  redisUrl?: string | undefined;
  logger: Logger;
  /** How long connecting to Redis may take before `ready` rejects. */
  connectTimeoutMs?: number;
  /**
   * Prefixed to the Redis channel, so hubs on different stores sharing one
   * Redis never see each other's events (an event's id means something only
   * in its own store's log). gateway/main.ts derives it from the database and schema.
   */
  namespace?: string;
}

/** The namespace of a store's live events on a shared Redis: its database and schema. */
export function storeNamespace(databaseUrl: string | undefined, schema: string | undefined): string {
  const database = databaseUrl ? decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres' : 'pglite';
  return `${database}/${schema ?? 'public'}`;
}

/**
 * The Redis event target with every topic under `prefix`: events published on
 * LIVE_TOPIC travel on the channel `<prefix>live:events`.
 */
function prefixedTarget(target: PubSubEventTarget<LiveTopics>, prefix: string): PubSubEventTarget<LiveTopics> {
  if (!prefix) return target;
  // The channel names are Redis's business only: Yoga's pubsub reads each event's detail, never its type.
  const channel = (topic: string) => `${prefix}${topic}` as typeof LIVE_TOPIC;
  return {
    addEventListener: (topic, listener) => target.addEventListener(channel(topic), listener),
    removeEventListener: (topic, listener) => target.removeEventListener(channel(topic), listener),
    dispatchEvent: (event) =>
      target.dispatchEvent(new CustomEvent(channel(event.type), { detail: event.detail }) as typeof event),
  };
}

/**
 * The client as the Redis event target uses it, with its publish, subscribe
 * and unsubscribe made safe: the event target calls them and drops the
 * promise, so while Redis is down (each command fails after
 * maxRetriesPerRequest) the rejection would be unhandled and end the process.
 * Here it is logged instead; the event is still in the log for catch-up.
 */
function failSafe(client: Redis, role: string, logger: Logger): Redis {
  const guarded = new Set<PropertyKey>(['publish', 'subscribe', 'unsubscribe']);
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!guarded.has(property)) return value.bind(target);
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((error: unknown) => {
          logger.warn(
            { err: error, role, command: String(property), channel: args[0] },
            'live pubsub: Redis command failed (subscribers catch up with lastEventId)',
          );
          return undefined;
        });
    },
  });
}

export function createHubPubSub({
  redisUrl,
  logger,
  connectTimeoutMs = 5_000,
  namespace = '',
}: HubPubSubOptions): HubPubSub {
  /** Listens on `target` for a topic; a throwing handler must not become an uncaught exception of the dispatcher. */
  const listenOn =
    <Detail extends LiveTopics[keyof LiveTopics][0]>(target: PubSubEventTarget<LiveTopics>, topic: keyof LiveTopics) =>
    (handler: (detail: Detail) => void): (() => void) => {
      const listener = (event: PubSubEvent<LiveTopics, keyof LiveTopics>) => {
        try {
          handler(event.detail as Detail);
        } catch (error) {
          logger.error({ err: error, topic }, 'pubsub listener failed');
        }
      };
      target.addEventListener(topic, listener);
      return () => target.removeEventListener(topic, listener);
    };

  if (!redisUrl) {
    const target = new EventTarget() as PubSubEventTarget<LiveTopics>;
    return Object.assign(createPubSub<LiveTopics>({ eventTarget: target }), {
      transport: 'memory' as const,
      listen: listenOn<LiveEvent>(target, LIVE_TOPIC),
      listenInvalidations: listenOn<ResponseCacheInvalidation>(target, RESPONSE_CACHE_TOPIC),
      watchDelivery: () => () => {},
      downSince: null,
      ready: Promise.resolve(),
      close: async () => {},
    });
  }

  const where = `Redis at REDIS_URL=${redactPassword(redisUrl)}`;
  const connect = (role: string) => {
    const client = new Redis(redisUrl, {
      connectTimeout: connectTimeoutMs,
      // A publish while Redis is down fails after a few retries instead of queueing without bound.
      maxRetriesPerRequest: 3,
      connectionName: `lgsp-hub-live-${role}`,
    });
    // ioredis reconnects by itself; one line per failure spell, not one per retry.
    let failing = false;
    client.on('error', (error: Error) => {
      if (!failing) logger.error({ err: error, role }, `live pubsub: ${where} failed, reconnecting`);
      failing = true;
    });
    client.on('ready', () => {
      if (failing) logger.info({ role }, `live pubsub: ${where} reachable again`);
      failing = false;
    });
    return client;
  };
  const channelPrefix = namespace ? `lgsp-hub:${namespace}:` : '';
  const channel = `${channelPrefix}${LIVE_TOPIC}`;
  const publishClient = connect('publish');
  const subscribeClient = connect('subscribe');

  // Redis pubsub delivers only to a connection subscribed when the message is published: what was
  // published while the subscribe connection was down is gone for this process. The watchers hear of
  // the drop at once (so that live events are held back) and of the return once the server has
  // acknowledged the subscription again (so that a read of the log from then on misses nothing).
  const watchers = new Set<DeliveryWatcher>();
  let everReady = false;
  let interrupted = false;
  let closing = false;
  let reconnection = 0;
  const tell = (what: keyof DeliveryWatcher) => {
    for (const watcher of watchers) {
      try {
        watcher[what]();
      } catch (error) {
        logger.error({ err: error }, `live pubsub: a delivery watcher failed (${what})`);
      }
    }
  };
  // For /ready: down since the first connection dropped, until both are back (the subscription acknowledged again).
  const down = new Set<'publish' | 'subscribe'>();
  let downSince: Date | null = null;
  const setDown = (role: 'publish' | 'subscribe', isDown: boolean) => {
    if (isDown) {
      down.add(role);
      downSince ??= new Date();
    } else if (down.delete(role) && down.size === 0) downSince = null;
  };
  for (const event of ['close', 'reconnecting', 'end']) {
    publishClient.on(event, () => {
      if (!closing) setDown('publish', true);
    });
  }
  publishClient.on('ready', () => setDown('publish', false));
  const onDrop = () => {
    if (!everReady || interrupted || closing) return;
    interrupted = true;
    setDown('subscribe', true);
    tell('interrupted');
  };
  for (const event of ['close', 'reconnecting', 'end']) subscribeClient.on(event, onDrop);
  subscribeClient.on('ready', () => {
    everReady = true;
    if (!interrupted || closing) return;
    // ioredis resubscribes by itself on 'ready'; this SUBSCRIBE (a no-op for a channel already subscribed)
    // is answered after that one, on the same connection: once it is, the channel is live again.
    const attempt = ++reconnection;
    subscribeClient.subscribe(channel).then(
      () => {
        if (attempt !== reconnection || !interrupted || closing) return;
        interrupted = false;
        setDown('subscribe', false);
        tell('resumed');
      },
      (error: unknown) =>
        logger.warn({ err: error }, 'live pubsub: resubscribing failed (tried again on the next reconnection)'),
    );
  });
  const target = prefixedTarget(
    createRedisEventTarget<PubSubEvent<LiveTopics, typeof LIVE_TOPIC>>({
      publishClient: failSafe(publishClient, 'publish', logger),
      subscribeClient: failSafe(subscribeClient, 'subscribe', logger),
    }),
    channelPrefix,
  );
  const pubsub = createPubSub<LiveTopics>({ eventTarget: target });

  const deadline = <T>(promise: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`cannot reach ${where} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  // The event target subscribes when its first listener comes, without waiting; this waits for the
  // server's acknowledgement (a second SUBSCRIBE to the same channel is a no-op), so nothing published
  // after `ready` is missed.
  const ready = deadline(Promise.all([publishClient.ping(), subscribeClient.subscribe(channel)])).then(
    () => {},
    (error: Error) => {
      throw new Error(`cannot reach ${where}: ${error.message}`);
    },
  );
  ready.catch(() => {}); // whoever awaits it sees the error; unawaited it must not crash the process

  const hubPubSub = Object.assign(pubsub, {
    transport: 'redis' as const,
    listen: listenOn<LiveEvent>(target, LIVE_TOPIC),
    listenInvalidations: listenOn<ResponseCacheInvalidation>(target, RESPONSE_CACHE_TOPIC),
    watchDelivery(watcher: DeliveryWatcher) {
      watchers.add(watcher);
      return () => void watchers.delete(watcher);
    },
    downSince: null as Date | null, // replaced by its getter below (Object.assign copies a getter's value)
    ready,
    async close() {
      closing = true;
      watchers.clear();
      await Promise.all(
        [publishClient, subscribeClient].map((client) =>
          client.status === 'end' ? undefined : client.quit().catch(() => client.disconnect()),
        ),
      );
    },
  });
  return Object.defineProperty(hubPubSub, 'downSince', { get: () => downSince });
}
