/**
 * The SSE transport (gateway/transports/sse/) executes a subscription once for all
 * the subscribers that send the same document and variables as the same
 * consumer, and writes the same bytes to each; everyone else gets a
 * subscription of their own. Counted by a plugin that sees every
 * `subscribe()` (one per group), on real sockets.
 */
import http from 'node:http';
import net from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../gateway/server.ts';
import type { Context } from '../../schema/index.ts';
import { appendLiveEvents, LIVE_TOPIC, type LiveEvent, type SourceStatusPayload } from '../../store/live-events.ts';
import { startTestHub, testViewer, type TestHub, startHubOnLoopback } from '../support/hub.ts';
import { parseSseEvents, sseSubscribe, until, type LiveSubscription } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const SOURCE_STATUS = 'subscription { sourceStatusChanged { eventId source status error } }';
const WITH_ERROR = 'subscription ($full: Boolean!) { sourceStatusChanged { eventId error @include(if: $full) } }';

const statusPayload: SourceStatusPayload = {
  source: 'BUDGET',
  status: 'FAILING',
  previousStatus: 'FRESH',
  lastSuccessAt: null,
  error: null,
};
let nextId = 1;
/** A province-wide event (no store read to deliver it); not logged, so any increasing id will do. */
const statusEvent = (error: string | null = null): LiveEvent => ({
  id: String(nextId++),
  at: new Date().toISOString(),
  kind: 'SOURCE_STATUS',
  unitPath: [],
  payload: { ...statusPayload, error },
});

/** A plugin counting the subscriptions Yoga's machinery executes (one per SSE group). */
function subscribeCounter() {
  const counter = { count: 0, plugin: {} as Plugin<Context> };
  counter.plugin = { onSubscribe: () => void counter.count++ };
  return counter;
}

/** One HTTP exchange on a raw socket: the status line and the body, de-chunked. */
function rawExchange(port: number, request: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    // The last chunk of a chunked body ends the exchange (Yoga answers `Connection: keep-alive` even so).
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!Buffer.concat(chunks).toString('latin1').endsWith('\r\n0\r\n\r\n')) return;
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.slice(0, split);
      let body = '';
      let rest = raw.slice(split + 4);
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (!(size > 0)) break;
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
      }
      resolve({ head, body });
    });
    socket.write(request);
  });
}

describe('SSE subscriptions shared per consumer and document', () => {
  let store: TestStore;
  let test: TestHub;
  const counter = subscribeCounter();
  const open: LiveSubscription[] = [];
  const subscribe = (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const subscription = sseSubscribe(test.url, query, variables, { token });
    open.push(subscription);
    return subscription;
  };
  const publish = (event: LiveEvent) => test.hub.pubsub.publish(LIVE_TOPIC, event);

  beforeAll(async () => {
    store = await openTestStore('pglite');
    test = await startTestHub(store.db, {
      plugins: [counter.plugin],
      viewers: {
        ops: testViewer('ops', ['subscribe', 'read:aggregates']),
        planning: testViewer('planning', ['subscribe', 'read:aggregates']),
        // The same consumer name with other scopes (another token of it): another identity as far as sharing goes.
        'ops-wider': testViewer('ops', ['subscribe', 'read:aggregates', 'read:dossiers']),
        privacy: testViewer('privacy', ['subscribe', 'read:aggregates', 'read:pii']),
      },
    });
  });
  beforeEach(() => {
    counter.count = 0;
  });
  afterEach(async () => {
    for (const subscription of open.splice(0)) subscription.close();
    await until(() => test.hub.live.size === 0, 'every subscription closed');
  });
  afterAll(async () => {
    await test?.hub.stop();
    await store?.dispose();
  });

  it('two subscribers of the same document as the same consumer share one execution and get the same event', async () => {
    const first = subscribe(SOURCE_STATUS, {}, 'ops');
    const second = subscribe(SOURCE_STATUS, {}, 'ops');
    // Each counts as a subscriber, though one subscription runs for both.
    await until(() => test.hub.live.size === 2, 'both subscribers');
    expect(counter.count).toBe(1);

    const event = statusEvent('timeout');
    publish(event);
    const expected = { eventId: event.id, source: 'BUDGET', status: 'FAILING', error: 'timeout' };
    expect(await first.received(1)).toEqual([{ data: { sourceStatusChanged: expected } }]);
    expect(await second.received(1)).toEqual([{ data: { sourceStatusChanged: expected } }]);
  });

  it('another consumer, other scopes, other variables and each read:pii viewer get executions of their own', async () => {
    subscribe(SOURCE_STATUS, {}, 'ops');
    subscribe(SOURCE_STATUS, {}, 'planning');
    subscribe(SOURCE_STATUS, {}, 'ops-wider');
    const brief = subscribe(WITH_ERROR, { full: false }, 'ops');
    const full = subscribe(WITH_ERROR, { full: true }, 'ops');
    const privacy = [subscribe(SOURCE_STATUS, {}, 'privacy'), subscribe(SOURCE_STATUS, {}, 'privacy')];
    await until(() => test.hub.live.size === 7, 'seven subscribers');
    expect(counter.count).toBe(7);

    // Variables in another key order are the same variables: these two share one execution.
    const BOTH =
      'subscription ($a: Boolean!, $b: Boolean!) { sourceStatusChanged { eventId error @include(if: $a) source @skip(if: $b) } }';
    const same = subscribe(BOTH, { a: false, b: true }, 'ops');
    const reordered = subscribe(BOTH, { b: true, a: false }, 'ops');
    await until(() => test.hub.live.size === 9, 'nine subscribers');
    expect(counter.count).toBe(8);

    const event = statusEvent('refused');
    publish(event);
    expect(await brief.received(1)).toEqual([{ data: { sourceStatusChanged: { eventId: event.id } } }]);
    expect(await full.received(1)).toEqual([
      { data: { sourceStatusChanged: { eventId: event.id, error: 'refused' } } },
    ]);
    for (const one of [...privacy, same, reordered])
      expect((await one.received(1))[0]!.data.sourceStatusChanged.eventId).toBe(event.id);
  });

  it('a subscriber that resumes (lastEventId, as a variable or a literal) is never shared: it gets what it missed', async () => {
    const [seen, missed] = await appendLiveEvents(store.db, [
      { kind: 'SOURCE_STATUS', unitCode: null, payload: { ...statusPayload, error: 'first' } },
      { kind: 'SOURCE_STATUS', unitCode: null, payload: { ...statusPayload, error: 'second' } },
    ]);
    const RESUMING = 'subscription ($last: ID) { sourceStatusChanged(lastEventId: $last) { eventId error } }';
    const LITERAL = `subscription { sourceStatusChanged(lastEventId: "${seen!.id}") { eventId error } }`;
    const replayed = [{ data: { sourceStatusChanged: { eventId: missed!.id, error: 'second' } } }];
    // Each one replays the log after `seen`; the second of each kind joins after the first has replayed, and
    // had it joined the first's group it would have missed the replay.
    for (const [query, variables] of [
      [RESUMING, { last: seen!.id }],
      [LITERAL, {}],
    ] as const) {
      const first = subscribe(query, variables, 'ops');
      expect(await first.received(1)).toEqual(replayed);
      const second = subscribe(query, variables, 'ops');
      expect(await second.received(1)).toEqual(replayed);
    }
    expect(counter.count).toBe(4);
    // A null lastEventId is no resume: those share as before.
    subscribe(RESUMING, { last: null }, 'ops');
    subscribe(RESUMING, { last: null }, 'ops');
    await until(() => test.hub.live.size === 6, 'six subscribers');
    expect(counter.count).toBe(5);
  });

  it('a member leaving does not end the others; the last one leaving releases the subscription', async () => {
    const staying = subscribe(SOURCE_STATUS, {}, 'ops');
    const leaving = subscribe(SOURCE_STATUS, {}, 'ops');
    await until(() => test.hub.live.size === 2, 'both subscribers');
    leaving.close();
    await until(() => test.hub.live.size === 1, 'one subscriber left');

    const event = statusEvent();
    publish(event);
    expect((await staying.received(1))[0]!.data.sourceStatusChanged.eventId).toBe(event.id);
    expect(leaving.results).toEqual([]);

    // A newcomer joins the running execution and receives the events from then on.
    const late = subscribe(SOURCE_STATUS, {}, 'ops');
    await until(() => test.hub.live.size === 2, 'the newcomer');
    const after = statusEvent();
    publish(after);
    expect((await late.received(1)).map((r) => r.data.sourceStatusChanged.eventId)).toEqual([after.id]);
    expect((await staying.received(2)).map((r) => r.data.sourceStatusChanged.eventId)).toEqual([event.id, after.id]);
    expect(counter.count).toBe(1);

    staying.close();
    late.close();
    // 0 is the router's own count: no live stream is left registered once the group has no member.
    await until(() => test.hub.live.size === 0, 'the subscription released');
  });

  it('a query sent with Accept: text/event-stream gets Yoga’s answer, a bad credential its error in an accepted stream', async () => {
    const port = Number(new URL(test.url).port);
    const query = new URLSearchParams({ query: '{ __typename }' });
    const answered = await rawExchange(
      port,
      `GET /graphql?${query} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`,
    );
    expect(answered.head).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(answered.body).toBe(':\n\nevent: next\ndata: {"data":{"__typename":"Query"}}\n\nevent: complete\ndata:\n\n');

    const body = JSON.stringify({ query: SOURCE_STATUS });
    const refused = await rawExchange(
      port,
      `POST /graphql HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nAuthorization: Bearer nobody\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    // POSTed, as graphql-sse does: 200, so that the client reads the error (gateway/transports/sse/refusals.ts).
    expect(refused.head).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    // With the request's id, as every error the hub sends (gateway/observability/request-id.ts).
    const requestId = /\r\nx-request-id: ([^\r]+)/i.exec(refused.head)?.[1];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseSseEvents(refused.body)).toEqual([
      {
        event: 'next',
        data: `{"errors":[{"message":"unknown test token","extensions":{"code":"UNAUTHENTICATED","requestId":"${requestId}"}}]}`,
      },
      { event: 'complete', data: '' },
    ]);
    expect(counter.count).toBe(0);
  });

  it('POST with a JSON body and GET with query parameters join the same group', async () => {
    const viaGet = subscribe(SOURCE_STATUS, {}, 'ops');
    const events: { event: string; data: string }[] = [];
    const viaPost = http.request(`${test.url}/graphql`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: 'Bearer ops' },
      agent: false,
    });
    viaPost.on('response', (response) => {
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const cut = buffer.lastIndexOf('\n\n');
        if (cut >= 0) events.push(...parseSseEvents(buffer.slice(0, cut + 2)));
        if (cut >= 0) buffer = buffer.slice(cut + 2);
      });
    });
    viaPost.end(JSON.stringify({ query: SOURCE_STATUS, variables: {} }));
    try {
      await until(() => test.hub.live.size === 2, 'both subscribers');
      expect(counter.count).toBe(1);
      const event = statusEvent();
      publish(event);
      await viaGet.received(1);
      await until(() => events.length === 1, 'the POST subscriber’s event');
      expect(events[0]!.event).toBe('next');
      expect(JSON.parse(events[0]!.data)).toEqual((await viaGet.received(1))[0]);
    } finally {
      viaPost.destroy();
    }
  });
});

describe('a slow member of a shared SSE subscription', () => {
  const QUEUE_MAX = 20;
  let store: TestStore;
  let hub: Hub;
  let port: number;
  const counter = subscribeCounter();

  beforeAll(async () => {
    store = await openTestStore('pglite');
    ({ hub, port } = await startHubOnLoopback(store.db, {
      config: { LIVE_QUEUE_MAX: QUEUE_MAX },
      plugins: [counter.plugin],
    }));
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('is dropped alone, with SLOW_CONSUMER, while the members that read get every event', async () => {
    const readers = [0, 1].map(() => sseSubscribe(`http://127.0.0.1:${port}`, SOURCE_STATUS));
    const stuck = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    stuck.on('data', (chunk: Buffer) => received.push(chunk));
    const stuckEnded = new Promise<void>((resolve) => stuck.once('close', () => resolve()));
    stuck.write(
      `GET /graphql?${new URLSearchParams({ query: SOURCE_STATUS })} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await until(() => hub.live.size === 3, 'three subscribers');
    expect(counter.count).toBe(1);
    stuck.pause();

    const padding = 'x'.repeat(32 * 1024);
    const events: LiveEvent[] = [];
    for (let i = 0; i < 300; i++) {
      events.push(statusEvent(padding));
      hub.pubsub.publish(LIVE_TOPIC, events.at(-1)!);
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => hub.live.size === 2, 'the stuck member dropped');
    stuck.resume();
    await stuckEnded;
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toContain('"code":"SLOW_CONSUMER"');
    expect(text).toContain(`"queued":${QUEUE_MAX}`);

    for (const reader of readers) {
      const results = await reader.received(events.length, 30_000);
      expect(results.map((r) => r.data.sourceStatusChanged.eventId)).toEqual(events.map((e) => e.id));
      reader.close();
    }
    await until(() => hub.live.size === 0, 'the readers gone');
    expect(counter.count).toBe(1);
  });
});
