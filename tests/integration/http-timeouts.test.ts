/**
 * The HTTP server's own timeouts (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS), on
 * real sockets: a client that trickles its headers or its body in is cut with 408, an idle keep-alive connection is
 * closed, and live subscriptions (SSE, WebSocket) stay open however long they outlast them all. Before, the hub ran
 * on Node's defaults (60 s for headers, 300 s for a request, checked every 30 s): a trickling client held its
 * connection for minutes.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import { hubOnStore } from '../support/hub.ts';
import { sourceStatusEvent, sseSubscribe, until, wsClient, wsSubscribe } from '../support/live-clients.ts';

const HEADERS_MS = 300;
const REQUEST_MS = 600;
const KEEP_ALIVE_MS = 400;
/** Longer than every timeout and Node's check of them (a quarter of the headers timeout here), with room for a busy machine. */
const OUTLASTING_ALL_MS = 2_000;
const STATUS = 'subscription { sourceStatusChanged { eventId status } }';

const hubOf = hubOnStore('pglite', {
  config: {
    HTTP_HEADERS_TIMEOUT_MS: HEADERS_MS,
    HTTP_REQUEST_TIMEOUT_MS: REQUEST_MS,
    HTTP_KEEP_ALIVE_TIMEOUT_MS: KEEP_ALIVE_MS,
  },
});

interface Exchange {
  /** What the hub sent before it closed the connection. */
  answer: string;
  /** How long after the connection opened the hub closed it. */
  closedAfterMs: number;
  /** How many bytes of `request` the client had sent by then. */
  sent: number;
}

/**
 * Opens a connection to the hub and sends `request`: `head` at once, then the rest one byte every 100 ms, as a
 * slowloris client does; resolves when the hub closes the connection.
 */
function trickle(request: string, head = 0): Promise<Exchange> {
  const { port } = new URL(hubOf().url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const opened = Date.now();
    let answer = '';
    let sent = head;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('connect', () => {
      socket.write(request.slice(0, head));
      timer = setInterval(() => {
        if (sent < request.length) socket.write(request[sent++]!);
      }, 100);
    });
    socket.on('error', () => {}); // a reset after the 408 is the cut itself
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - opened, sent });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`not cut after 10 s: ${answer}`));
    }, 10_000).unref();
  });
}

describe('HTTP timeouts', () => {
  it('cuts a client that trickles its headers in with 408 once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
    // 100 bytes of headers, a byte every 100 ms: 10 s to arrive.
    const request = `GET /health HTTP/1.1\r\nhost: hub\r\nx-padding: ${'a'.repeat(45)}\r\n\r\n`;
    const cut = await trickle(request);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.sent).toBeLessThan(request.length);
    expect(cut.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_MS);
    expect(cut.closedAfterMs).toBeLessThan(OUTLASTING_ALL_MS);
  });

  it('cuts a client that trickles its body in with 408 once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const body = JSON.stringify({ query: `{ __typename ${' '.repeat(100)}}` });
    const head = `POST /graphql HTTP/1.1\r\nhost: hub\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const cut = await trickle(head + body, head.length);
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.sent).toBeLessThan(head.length + body.length);
    expect(cut.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_MS);
    expect(cut.closedAfterMs).toBeLessThan(OUTLASTING_ALL_MS);
    // The hub serves on.
    expect(await hubOf().gql('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });

  // Node closes it a second after the timeout it advertises (Keep-Alive: timeout=…), against races with the client.
  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS, having served it', async () => {
    const idle = await trickle('GET /health HTTP/1.1\r\nhost: hub\r\n\r\n', Infinity);
    expect(idle.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(idle.answer).toContain('{"status":"ok"}');
    expect(idle.closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_MS);
    expect(idle.closedAfterMs).toBeLessThan(OUTLASTING_ALL_MS + 1_000);
  });

  it('keeps SSE and WebSocket subscriptions open past every timeout, delivering events', async () => {
    const { hub, url } = hubOf();
    const sse = sseSubscribe(url, STATUS);
    const client = wsClient(url);
    const ws = wsSubscribe(client, STATUS);
    try {
      await until(() => hub.live.size === 2, 'both subscribers');
      await new Promise((resolve) => setTimeout(resolve, OUTLASTING_ALL_MS));
      const event = sourceStatusEvent();
      hub.pubsub.publish(LIVE_TOPIC, event);
      for (const subscription of [sse, ws]) {
        const [result] = await subscription.received(1);
        expect(result).toEqual({ data: { sourceStatusChanged: { eventId: event.id, status: 'FAILING' } } });
      }
    } finally {
      sse.close();
      ws.close();
      await client.dispose();
    }
  });
});
