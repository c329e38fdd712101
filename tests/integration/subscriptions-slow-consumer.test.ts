/**
 * A subscriber that stops reading is dropped once LIVE_QUEUE_MAX events wait
 * for it, with a clear reason, while the others go on receiving everything:
 * over SSE the stream ends with a SLOW_CONSUMER error naming the last event
 * id delivered (and a client that does not even read that is cut after a
 * grace period); over graphql-ws the socket closes with 4499.
 *
 * The stuck clients are raw sockets that stop reading (paused), so the
 * kernel's buffers fill and the hub's writes stall, as with a real client on
 * a dead-slow link. Events are large (32 KB) so that a few hundred fill them.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Hub } from '../../gateway/server.ts';
import { LIVE_TOPIC, type LiveEvent } from '../../store/live-events.ts';
import { parseSseEvents, sseSubscribe, until, sourceStatusEvent } from '../support/live-clients.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const QUEUE_MAX = 20;
const EVENTS = 400;
const SOURCE_STATUS = 'subscription { sourceStatusChanged { eventId error } }';
const PADDING = 'x'.repeat(32 * 1024);

/** A large, well-formed event. */
const bigEvent = (): LiveEvent => sourceStatusEvent(PADDING);

/** An SSE request on a raw socket that the test can stop reading. */
function rawSse(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  const query = new URLSearchParams({ query: SOURCE_STATUS });
  socket.write(
    `GET /graphql?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`,
  );
  return {
    socket,
    ended,
    /** The SSE events received, out of the HTTP response's chunked framing. */
    events() {
      const raw = Buffer.concat(chunks);
      let at = raw.indexOf('\r\n\r\n') + 4;
      const body: Buffer[] = [];
      while (at < raw.length) {
        const lineEnd = raw.indexOf('\r\n', at);
        if (lineEnd < 0) break;
        const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
        if (!(size > 0)) break;
        body.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      return parseSseEvents(Buffer.concat(body).toString('utf8'));
    },
  };
}

describe('slow consumers', () => {
  let store: TestStore;
  let hub: Hub;
  let port: number;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    ({ hub, port } = await startHubOnLoopback(store.db, { config: { LIVE_QUEUE_MAX: QUEUE_MAX } }));
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  /** Publishes the events a few at a time, letting the hub write between batches. */
  async function flood(): Promise<LiveEvent[]> {
    const events: LiveEvent[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const event = bigEvent();
      events.push(event);
      hub.pubsub.publish(LIVE_TOPIC, event);
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    return events;
  }

  it('over SSE: the stuck subscriber is dropped with SLOW_CONSUMER and its last event id; a reading one gets everything', async () => {
    const reader = sseSubscribe(`http://127.0.0.1:${port}`, SOURCE_STATUS);
    const stuck = rawSse(port);
    await until(() => hub.live.size === 2, 'both subscribers');
    stuck.socket.pause();

    const events = await flood();
    await until(() => hub.live.size === 1, 'the stuck subscriber dropped');

    // Once it reads again (within the grace period), the stuck client gets what was already on its way, then the reason, then the end.
    stuck.socket.resume();
    await stuck.ended;
    const sse = stuck.events();
    expect(sse.at(-1)).toEqual({ event: 'complete', data: '' });
    const results = sse.filter((e) => e.event === 'next').map((e) => JSON.parse(e.data));
    const delivered = results.filter((r) => r.data).map((r) => r.data.sourceStatusChanged.eventId);
    const last = results.at(-1);
    expect(last.data).toBeUndefined();
    expect(last.errors[0].extensions).toEqual({
      code: 'SLOW_CONSUMER',
      queued: QUEUE_MAX,
      lastEventId: delivered.at(-1),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), // the stuck connection's (gateway/observability/request-id.ts)
    });
    expect(last.errors[0].message).toMatch(/^slow consumer: 20 events queued \(LIVE_QUEUE_MAX 20\)/);
    // What it got is a prefix of what was published, and far from all of it.
    expect(delivered).toEqual(events.slice(0, delivered.length).map((e) => e.id));
    expect(delivered.length).toBeLessThan(EVENTS - QUEUE_MAX);
    console.log(`SSE: the stuck client had ${delivered.length} events delivered (socket buffers) before the drop`);

    // The reading subscriber was not held back by the stuck one.
    const received = await reader.received(EVENTS, 30_000);
    expect(received.map((r) => r.data.sourceStatusChanged.eventId)).toEqual(events.map((e) => e.id));
    reader.close();
    await until(() => hub.live.size === 0, 'the reader gone');
  });

  it('over SSE: a client that does not read even the reason is cut after the grace period', async () => {
    const stuck = rawSse(port);
    await until(() => hub.live.size === 1, 'the subscriber');
    stuck.socket.pause();
    await flood();
    await until(() => hub.live.size === 0, 'the stuck subscriber dropped');
    let cut = false;
    // Nothing else is connected: the count is this client's socket.
    await until(
      () =>
        new Promise<boolean>((resolve) => hub.server.getConnections((_error, count) => resolve((cut = count === 0)))),
      'the connection cut',
      10_000,
    );
    expect(cut).toBe(true);
    stuck.socket.resume();
    await stuck.ended;
    // The stream was cut short: no complete event.
    expect(stuck.events().some((e) => e.event === 'complete')).toBe(false);
  });

  it('over graphql-ws: the stuck socket is closed with 4499 and the reason', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, ['graphql-transport-ws']);
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => messages.length === 1, 'the ack');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SOURCE_STATUS } }));
    await until(() => hub.live.size === 1, 'the subscription');
    socket.pause();

    const events = await flood();
    await until(() => hub.live.size === 0, 'the stuck subscriber dropped');
    socket.resume();
    expect(await closed).toEqual({ code: 4499, reason: 'slow consumer: 20 events queued (LIVE_QUEUE_MAX 20)' });
    const delivered = messages.filter((m) => m.type === 'next').map((m) => m.payload.data.sourceStatusChanged.eventId);
    expect(delivered).toEqual(events.slice(0, delivered.length).map((e) => e.id));
    expect(delivered.length).toBeLessThan(EVENTS - QUEUE_MAX);
  });
});
