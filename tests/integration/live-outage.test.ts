/**
 * Redis going down under a running hub: its pubsub on a throwaway redis-server the test kills and starts again on
 * the same port (the shared TEST_REDIS_URL server is never touched). While it is down, /ready says degraded with the
 * reason (200: the hub still serves), and open subscribers over SSE and WebSocket are told so in place of one result
 * (LIVE_DELIVERY_INTERRUPTED), as is one that subscribes meanwhile; once it is back they receive the events logged
 * meanwhile, then LIVE_DELIVERY_RESUMED, then live events; a subscriber reconnecting with lastEventId catches up.
 * Skipped, saying so, without /usr/bin/redis-server.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBSUB_UNREACHABLE } from '../../gateway/observability/readiness.ts';
import type { Hub } from '../../gateway/server.ts';
import { createHubPubSub, type HubPubSub } from '../../live/pubsub.ts';
import { appendLiveEvents, LIVE_TOPIC, type LiveEventDraft } from '../../store/live-events.ts';
import { sseSubscribe, until, wsClient, wsSubscribe, type LiveSubscription } from '../support/live-clients.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

if (redisServerMissing) console.warn(`tests/integration/live-outage.test.ts skipped: ${redisServerMissing}`);

const SUBSCRIPTION =
  'subscription($lastEventId: ID) { sourceStatusChanged(lastEventId: $lastEventId) { eventId error } }';

/** A source status event as a producer drafts it; `n` tells the events apart (its `error`). */
const statusDraft = (n: number): LiveEventDraft => ({
  kind: 'SOURCE_STATUS',
  unitCode: null,
  payload: { source: 'BUDGET', status: 'FAILING', previousStatus: null, lastSuccessAt: null, error: `#${n}` },
});

/** What a subscriber receives for an event, and for each notice in place of one. */
const event = (id: string, n: number) => ({ data: { sourceStatusChanged: { eventId: id, error: `#${n}` } } });
const interrupted = {
  data: null,
  errors: [
    {
      message: expect.stringContaining('Live delivery is interrupted'),
      path: ['sourceStatusChanged'],
      extensions: { code: 'LIVE_DELIVERY_INTERRUPTED', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    },
  ],
};
const resumed = {
  data: null,
  errors: [
    {
      message: expect.stringContaining('Live delivery resumed'),
      path: ['sourceStatusChanged'],
      extensions: { code: 'LIVE_DELIVERY_RESUMED', missedEventsDelivered: true },
    },
  ],
};

describe.skipIf(redisServerMissing !== null)('Redis down under a running hub', { timeout: 60_000 }, () => {
  let store: TestStore;
  let redis: RedisServer;
  let pubsub: HubPubSub;
  let hub: Hub;
  let url: string;

  beforeAll(async () => {
    store = await openTestStore(testBackends.at(-1)!);
    redis = await startRedisServer();
    pubsub = createHubPubSub({
      redisUrl: redis.url,
      logger: pino({ level: 'silent' }),
      connectTimeoutMs: 500,
      namespace: `test-outage-${randomUUID()}`,
    });
    await pubsub.ready;
    ({ hub, url } = await startHubOnLoopback(store.db, { pubsub }));
  });
  afterAll(async () => {
    await hub?.stop();
    await pubsub?.close();
    await redis?.stop();
    await store?.dispose();
  });

  /** Logs events as the producer does, then publishes them (a publish while Redis is down fails, logged). */
  const produce = async (...ns: number[]) => {
    const events = await appendLiveEvents(store.db, ns.map(statusDraft));
    for (const logged of events) pubsub.publish(LIVE_TOPIC, logged);
    return events.map((logged) => logged.id);
  };
  const readiness = async () => {
    const response = await fetch(`${url}/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('reports degraded on /ready, tells subscribers when delivery stops and resumes, and loses no event', async () => {
    const subscriptions: LiveSubscription[] = [];
    const client = wsClient(url);
    try {
      const sse = sseSubscribe(url, SUBSCRIPTION);
      const ws = wsSubscribe(client, SUBSCRIPTION);
      subscriptions.push(sse, ws);
      await until(() => hub.live.size === 2, 'the subscribers');
      const [first] = await produce(1);
      for (const subscription of [sse, ws]) expect(await subscription.received(1)).toEqual([event(first!, 1)]);
      expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready' } });
      expect((await readiness()).body.pubsub).toBeUndefined();

      await redis.stop();
      await until(async () => (await readiness()).body.status === 'degraded', '/ready degraded');
      const down = await readiness();
      expect(down.status).toBe(200);
      expect(down.body.pubsub).toEqual({ reachable: false, since: expect.any(String), error: PUBSUB_UNREACHABLE });
      for (const subscription of [sse, ws]) expect((await subscription.received(2))[1]).toMatchObject(interrupted);
      // One that subscribes while Redis is down is told at once: joining the SSE stream it shares, or on its own.
      const late = sseSubscribe(url, SUBSCRIPTION);
      const lateWs = wsSubscribe(client, SUBSCRIPTION);
      subscriptions.push(late, lateWs);
      for (const subscription of [late, lateWs]) expect(await subscription.received(1)).toMatchObject([interrupted]);

      const missed = await produce(2, 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sse.results).toHaveLength(2); // nothing arrives while Redis is down

      await redis.start();
      const expected = [event(first!, 1), interrupted, event(missed[0]!, 2), event(missed[1]!, 3), resumed];
      for (const subscription of [sse, ws]) expect(await subscription.received(5, 20_000)).toMatchObject(expected);
      for (const subscription of [late, lateWs]) {
        expect(await subscription.received(4)).toMatchObject(expected.slice(1));
      }
      await until(async () => (await readiness()).body.status === 'ready', '/ready ready again');
      expect((await readiness()).body.pubsub).toBeUndefined();

      // Live again; and a subscriber that reconnects with the last event id it saw catches up.
      const [after] = await produce(4);
      for (const subscription of [sse, ws]) expect((await subscription.received(6))[5]).toEqual(event(after!, 4));
      const reconnected = sseSubscribe(url, SUBSCRIPTION, { lastEventId: first });
      subscriptions.push(reconnected);
      expect(await reconnected.received(3)).toEqual([event(missed[0]!, 2), event(missed[1]!, 3), event(after!, 4)]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sse.results).toHaveLength(6); // nothing twice
    } finally {
      for (const subscription of subscriptions) subscription.close();
      await client.dispose();
    }
  });
});
