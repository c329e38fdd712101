/**
 * The live pubsub under stress: a burst of events published in one
 * synchronous loop (a first start with hundreds of overdue dossiers does
 * that) reaches a subscriber whole, and Redis going away mid-run loses
 * events (they stay in the log) but never the process: the event target's
 * publishes are not awaited, so a failed one must not be an unhandled
 * rejection.
 */
import { createServer, Socket, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPubSub } from '../../gateway/pubsub.ts';
import type { Hub } from '../../gateway/server.ts';
import { LIVE_TOPIC, type LiveEvent } from '../../store/live-events.ts';
import { sseSubscribe, until } from '../support/live-clients.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

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
    ({ hub, url } = await startHubOnLoopback(store.db, {
      live: { queueMax: 5_000 },
    }));
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

/** A TCP proxy to Redis that the test can cut, as a network failure would. */
async function redisProxy(target: URL): Promise<{ url: string; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

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
