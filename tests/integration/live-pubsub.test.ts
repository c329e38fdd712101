/**
 * The live pubsub under stress: a burst of events published in one
 * synchronous loop (a first start with hundreds of overdue dossiers does
 * that) reaches a subscriber whole, and Redis going away mid-run loses
 * events (they stay in the log) but never the process: the event target's
 * publishes are not awaited, so a failed one must not be an unhandled
 * rejection. When the connection comes back, the hub reads what it missed
 * from the log and its open subscribers receive it, once, in order.
 */
import { randomUUID } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPubSub } from '../../live/pubsub.ts';
import type { Hub } from '../../gateway/server.ts';
import { appendLiveEvents, LIVE_TOPIC, type LiveEvent, type LiveEventDraft } from '../../store/live-events.ts';
import {
  createLiveSubscribers,
  DEFAULT_LIVE_SETTINGS,
  type DeliveryNotice,
  type DeliveryWatcher,
  type LiveEventFeed,
} from '../../live/subscribers.ts';
import { sseSubscribe, until } from '../support/live-clients.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const redisUrl = process.env.TEST_REDIS_URL;

const statusEvent = (id: number): LiveEvent => ({
  id: String(id),
  at: '2024-06-15T03:00:00.000Z',
  kind: 'SOURCE_STATUS',
  unitPath: [],
  payload: { source: 'BUDGET', status: 'STALE', previousStatus: 'FRESH', lastSuccessAt: null, error: null },
});

describe('in memory: a synchronous burst', () => {
  let store: TestStore;
  let hub: Hub;
  let url: string;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    // Room for the whole burst in one subscriber's queue: the point is the feed, not the slow-consumer bound.
    ({ hub, url } = await startHubOnLoopback(store.db, { config: { LIVE_QUEUE_MAX: 5_000 } }));
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('2,000 events published in one loop all reach the subscriber, in order', async () => {
    const subscription = sseSubscribe(url, 'subscription { sourceStatusChanged { eventId } }');
    await until(() => hub.live.size === 1, 'the subscriber');
    for (let id = 1; id <= 2_000; id++) hub.pubsub.publish(LIVE_TOPIC, statusEvent(id));
    const results = await subscription.received(2_000, 30_000);
    expect(results.map((r) => Number(r.data.sourceStatusChanged.eventId))).toEqual(
      Array.from({ length: 2_000 }, (_, i) => i + 1),
    );
    // The hub still answers.
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    subscription.close();
  });
});

/** A TCP proxy to Redis that the test can cut, as a network failure would, and bring back on the same port. */
async function redisProxy(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const open = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port || 6379), target.hostname);
      client.pipe(upstream).pipe(client);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server = await open(0);
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    restore: async () => {
      server = await open(port);
    },
  };
}

/** A source status event as a producer drafts it; `n` tells the events apart. */
const statusDraft = (n: number): LiveEventDraft => ({
  kind: 'SOURCE_STATUS',
  unitCode: null,
  payload: {
    source: 'BUDGET',
    status: n % 2 ? 'STALE' : 'FRESH',
    previousStatus: null,
    lastSuccessAt: null,
    error: `#${n}`,
  },
});

describe('a feed that drops: the router recovers what it missed from the log', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(testBackends.at(-1)!);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('routes the missed events once, in order, holding back live ones that arrive meanwhile', async () => {
    const handlers = new Set<(event: LiveEvent) => void>();
    let watcher: DeliveryWatcher | undefined;
    const feed: LiveEventFeed = {
      listen(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      watchDelivery(w) {
        watcher = w;
        return () => (watcher = undefined);
      },
    };
    const emit = (event: LiveEvent) => handlers.forEach((handler) => handler(event));
    const infos: { msg: string; recovered?: number }[] = [];
    const log = { info: (details: object, msg: string) => infos.push({ ...details, msg }), warn() {}, error() {} };
    const subscribers = createLiveSubscribers({
      db: store.db,
      feed,
      log,
      settings: { ...DEFAULT_LIVE_SETTINGS, instance: 'test', catchUpPageSize: 2 },
    });
    /** A subscriber recording the ids of its events and its notices (INTERRUPTED, RESUMED) in the order given. */
    const recorder = (got: string[]) => ({
      kind: 'SOURCE_STATUS' as const,
      key: '*',
      deliver: (event: LiveEvent) => void got.push(event.id),
      notice: (notice: DeliveryNotice) => void got.push(notice.delivery),
      end() {},
    });
    const got: string[] = [];
    const lateGot: string[] = [];
    subscribers.add(recorder(got));
    try {
      const [first] = await appendLiveEvents(store.db, [statusDraft(1)]);
      emit(first!);
      expect(got).toEqual([first!.id]);

      watcher!.interrupted();
      // Told at once; and one that subscribes while the feed is down is told as it subscribes.
      expect(got).toEqual([first!.id, 'INTERRUPTED']);
      subscribers.add(recorder(lateGot));
      expect(lateGot).toEqual(['INTERRUPTED']);
      // Five events published while the feed is down (a page is 2, so three pages are read).
      const missed = await appendLiveEvents(
        store.db,
        [1, 2, 3, 4, 5].map((n) => statusDraft(n + 1)),
      );
      // Logged after the reconnection, published after the recovery's read began.
      const [later] = await appendLiveEvents(store.db, [statusDraft(7)]);
      watcher!.resumed();
      // Arriving while the log is read: one the recovery also reads (a publish delayed past the drop), one new.
      emit(missed[4]!);
      emit(later!);
      expect(got).toEqual([first!.id, 'INTERRUPTED']);

      // The missed events, then the notice that delivery resumed.
      await until(() => got.length === 9, 'the missed events and the live one');
      const recovered = [...missed, later!].map((event) => event.id);
      expect(got).toEqual([first!.id, 'INTERRUPTED', ...recovered, 'RESUMED']);
      expect(lateGot).toEqual(['INTERRUPTED', ...recovered, 'RESUMED']);
      expect(infos.find((line) => line.msg.includes('recovered'))?.recovered).toBe(6);

      // Back to live routing: a duplicate of a recovered event is not routed again; a new one is.
      emit(missed[2]!);
      const [next] = await appendLiveEvents(store.db, [statusDraft(8)]);
      emit(next!);
      expect(got).toEqual([first!.id, 'INTERRUPTED', ...recovered, 'RESUMED', next!.id]);
    } finally {
      await subscribers.close();
    }
  });
});

describe.skipIf(!redisUrl)('through Redis: Redis going away', () => {
  it('publishing while Redis is unreachable logs the failures; the process goes on', async () => {
    const proxy = await redisProxy(new URL(redisUrl!));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const pubsub = createHubPubSub({ redisUrl: proxy.url, logger, connectTimeoutMs: 500, namespace: 'test-cut' });
    try {
      await pubsub.ready;
      const got: string[] = [];
      const stop = pubsub.listen((event) => got.push(event.id));
      pubsub.publish(LIVE_TOPIC, statusEvent(1));
      await until(() => got.length === 1, 'the event through Redis');

      await proxy.cut();
      for (let id = 2; id <= 4; id++) pubsub.publish(LIVE_TOPIC, statusEvent(id));
      // Each publish fails once ioredis gives up on it (maxRetriesPerRequest), and is logged, not thrown.
      await until(
        () => lines.filter((line) => line.includes('Redis command failed') && line.includes('"publish"')).length === 3,
        'three publish failures logged',
        20_000,
      );
      // Let any stray rejection surface before looking.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      expect(got).toEqual(['1']);
      stop();
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await pubsub.close();
    }
  });
});

describe.skipIf(!redisUrl)('through Redis: the subscribe connection drops and comes back', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(testBackends.at(-1)!);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('an open SSE subscriber receives the events published meanwhile, once, in order, then live ones', async () => {
    const proxy = await redisProxy(new URL(redisUrl!));
    const namespace = `test-recover-${randomUUID()}`;
    const lines: { msg: string; recovered?: number; role?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // The hub's pubsub goes through the proxy; the producer's (another instance) straight to Redis.
    const hubPubSub = createHubPubSub({ redisUrl: proxy.url, logger, connectTimeoutMs: 500, namespace });
    const producer = createHubPubSub({ redisUrl, logger: pino({ level: 'silent' }), namespace });
    let hub: Hub | undefined;
    try {
      await Promise.all([hubPubSub.ready, producer.ready]);
      let url: string;
      ({ hub, url } = await startHubOnLoopback(store.db, { pubsub: hubPubSub, logger }));
      /** Logs events as the producer does, then publishes them. */
      const produce = async (...ns: number[]) => {
        const events = await appendLiveEvents(store.db, ns.map(statusDraft));
        for (const event of events) producer.publish(LIVE_TOPIC, event);
        return events;
      };
      const subscription = sseSubscribe(url, 'subscription { sourceStatusChanged { eventId error } }');
      await until(() => hub!.live.size === 1, 'the subscriber');
      const before = await produce(1);
      await subscription.received(1);

      await proxy.cut();
      await until(
        () => lines.some((line) => line.role === 'subscribe' && line.msg.includes('failed, reconnecting')),
        'the hub noticing the drop',
      );
      const missed = await produce(2, 3, 4);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscription.results).toHaveLength(2); // the notice that delivery is interrupted, and no event

      await proxy.restore();
      await until(() => lines.some((line) => line.msg.includes('recovered from the log')), 'the recovery', 20_000);
      expect(lines.find((line) => line.msg.includes('recovered from the log'))?.recovered).toBe(3);
      const after = await produce(5, 6);

      const results = await subscription.received(8, 10_000);
      const item = (r: (typeof results)[number]) => r.data?.sourceStatusChanged ?? r.errors?.[0]?.extensions?.code;
      const expected = [...before, ...missed, ...after].map((event, i) => ({ eventId: event.id, error: `#${i + 1}` }));
      expect(results.map(item)).toEqual([
        expected[0],
        'LIVE_DELIVERY_INTERRUPTED',
        ...expected.slice(1, 4),
        'LIVE_DELIVERY_RESUMED',
        ...expected.slice(4),
      ]);
      // Nothing twice.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscription.results).toHaveLength(8);
      subscription.close();
    } finally {
      await hub?.stop();
      await Promise.all([hubPubSub.close(), producer.close()]);
    }
  });
});
