/**
 * The dashboard's GraphQL-over-SSE client (gateway/dashboard/graphql.js, the
 * very file the browser loads) against a scripted SSE server on a real
 * socket: the stream parser, the reconnect after a drop with the last event
 * id, the wait for an API key after a 401, and the fresh start when the hub
 * no longer holds the events missed. No browser needed: Node has fetch and
 * web streams.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, readEvents, type ClientAuth } from '../../gateway/dashboard/graphql.js';

interface Received {
  authorization: string | undefined;
  accept: string | undefined;
  variables: Record<string, unknown>;
}

/** An SSE endpoint that answers the n-th request (0-based) with `script[n]`, recording each request. */
async function scriptedServer(script: ((res: ServerResponse, n: number) => void)[]) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const n = received.length;
      received.push({
        authorization: req.headers.authorization,
        accept: req.headers.accept,
        variables: JSON.parse(body).variables,
      });
      const step = script[Math.min(n, script.length - 1)]!;
      step(res, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const stream = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const next = (field: string, value: unknown) =>
  `event: next\ndata: ${JSON.stringify({ data: { [field]: value } })}\n\n`;

const keyless: ClientAuth = { key: () => null, unauthorized: () => {}, changed: () => new Promise(() => {}) };

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function collect<T>() {
  const items: T[] = [];
  return { items, push: (item: T) => void items.push(item) };
}

describe('readEvents', () => {
  it('parses events split anywhere, with CRLF, comments and multi-line data', async () => {
    const text = ':\r\n\r\nevent: next\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: ping\n\nevent: complete\ndata:\n\n';
    // Cut into 3-byte chunks, so that line ends and even a CRLF pair fall across reads.
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readEvents(body)) events.push(event);
    expect(events).toEqual([
      { event: 'next', data: '{"a":\n1}', id: null },
      { event: 'complete', data: '', id: null },
    ]);
  });
});

describe('subscribe', () => {
  it('reconnects after a drop and passes the last eventId it delivered', async () => {
    const server = await scriptedServer([
      (res) => {
        stream(res);
        res.write(':\n\n');
        res.write(next('alerts', { eventId: '7', messageVi: 'một' }));
        res.write(next('alerts', { eventId: '8', messageVi: 'hai' }));
        // The connection drops mid-stream, half an event written.
        setTimeout(() => res.socket?.destroy(), 50);
        res.write('event: next\ndata: {"data":');
      },
      (res) => {
        stream(res);
        res.write(next('alerts', { eventId: '9', messageVi: 'ba' }));
      },
    ]);
    cleanup.push(server.close);
    const client = createClient({ endpoint: server.url, auth: { ...keyless, key: () => 'wall-key' } });
    const got = collect<{ eventId: string }>();
    const states = collect<string>();
    const subscription = client.subscribe({
      query:
        'subscription ($unitCode: String!, $lastEventId: ID) { alerts(unitCode: $unitCode, lastEventId: $lastEventId) { eventId } }',
      variables: { unitCode: '000.00.00.H40' },
      field: 'alerts',
      onData: got.push,
      onState: states.push,
    });
    cleanup.push(subscription.close);

    await expect.poll(() => got.items.map((a) => a.eventId), { timeout: 5_000 }).toEqual(['7', '8', '9']);
    expect(server.received.map((r) => r.variables)).toEqual([
      { unitCode: '000.00.00.H40', lastEventId: null },
      { unitCode: '000.00.00.H40', lastEventId: '8' },
    ]);
    expect(server.received.every((r) => r.authorization === 'Bearer wall-key')).toBe(true);
    expect(server.received.every((r) => r.accept === 'text/event-stream')).toBe(true);
    expect(states.items).toContain('retrying');
  });

  it.each([
    [
      'a 401',
      (res: ServerResponse) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"an API key is required"}]}');
      },
    ],
    [
      'a refusal in an accepted stream (the hub answers a POST so)',
      (res: ServerResponse) => {
        stream(res);
        const refusal = { errors: [{ message: 'an API key is required', extensions: { code: 'UNAUTHENTICATED' } }] };
        res.end(`event: next\ndata: ${JSON.stringify(refusal)}\n\nevent: complete\ndata:\n\n`);
      },
    ],
  ])('waits for an API key after %s, then connects with it at once', async (_name, refuse) => {
    const server = await scriptedServer([
      refuse,
      (res) => {
        stream(res);
        res.write(next('sourceStatusChanged', { eventId: '3' }));
      },
    ]);
    cleanup.push(server.close);
    let key: string | null = null;
    let entered!: () => void;
    let unauthorized = 0;
    const auth: ClientAuth = {
      key: () => key,
      unauthorized: () => void unauthorized++,
      changed: () => new Promise<void>((resolve) => (entered = resolve)),
    };
    const got = collect<{ eventId: string }>();
    const states = collect<string>();
    const subscription = createClient({ endpoint: server.url, auth }).subscribe({
      query: 'subscription { sourceStatusChanged { eventId } }',
      variables: {},
      field: 'sourceStatusChanged',
      onData: got.push,
      onState: states.push,
    });
    cleanup.push(subscription.close);

    await expect.poll(() => unauthorized, { timeout: 5_000 }).toBe(1);
    // No retrying without a key: it waits.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.authorization).toBeUndefined();

    key = 'new-key';
    entered();
    await expect.poll(() => got.items.map((e) => e.eventId), { timeout: 5_000 }).toEqual(['3']);
    expect(server.received[1]!.authorization).toBe('Bearer new-key');
    expect(states.items).not.toContain('retrying');
  });

  it('stays connected through the notices that delivery stopped and resumed; reconnects when events were not recovered', async () => {
    const notice = (code: string, extensions: Record<string, unknown> = {}) =>
      `event: next\ndata: ${JSON.stringify({ data: null, errors: [{ message: code, path: ['alerts'], extensions: { code, ...extensions } }] })}\n\n`;
    const server = await scriptedServer([
      (res) => {
        stream(res);
        res.write(next('alerts', { eventId: '5' }));
        res.write(notice('LIVE_DELIVERY_INTERRUPTED', { since: '2026-01-01T00:00:00.000Z' }));
        setTimeout(() => {
          res.write(next('alerts', { eventId: '6' }));
          res.write(notice('LIVE_DELIVERY_RESUMED', { missedEventsDelivered: true }));
          res.write(next('alerts', { eventId: '7' }));
          res.write(notice('LIVE_DELIVERY_INTERRUPTED', { since: '2026-01-01T00:01:00.000Z' }));
          // Back, but the events missed meanwhile could not be read: the client asks for them itself.
          res.write(notice('LIVE_DELIVERY_RESUMED', { missedEventsDelivered: false }));
        }, 100);
      },
      (res) => {
        stream(res);
        res.write(next('alerts', { eventId: '8' }));
      },
    ]);
    cleanup.push(server.close);
    const got = collect<{ eventId: string }>();
    const states = collect<string>();
    const subscription = createClient({ endpoint: server.url, auth: keyless }).subscribe({
      query: 'subscription ($lastEventId: ID) { alerts(unitCode: "x", lastEventId: $lastEventId) { eventId } }',
      variables: {},
      field: 'alerts',
      onData: got.push,
      onState: states.push,
    });
    cleanup.push(subscription.close);

    await expect.poll(() => states.items.at(-1), { timeout: 5_000 }).toBe('interrupted');
    await expect.poll(() => got.items.map((e) => e.eventId), { timeout: 5_000 }).toEqual(['5', '6', '7', '8']);
    expect(server.received.map((r) => r.variables.lastEventId)).toEqual([null, '7']);
    expect(states.items).not.toContain('error');
    expect(states.items.slice(0, 5)).toEqual(['connecting', 'open', 'interrupted', 'open', 'interrupted']);
  });

  it('starts afresh, and says so, when the events missed are past the retention window', async () => {
    const server = await scriptedServer([
      (res) => {
        stream(res);
        res.write(next('alerts', { eventId: '41' }));
        setTimeout(() => res.end(), 20); // the hub went away; the stream ends
      },
      (res) => {
        // Asked to replay after 41, the hub no longer has what followed it.
        stream(res);
        const refusal = { errors: [{ message: 'too old', extensions: { code: 'CATCH_UP_EXPIRED' } }] };
        res.end(`event: next\ndata: ${JSON.stringify(refusal)}\n\nevent: complete\ndata:\n\n`);
      },
      (res) => {
        stream(res);
        res.write(next('alerts', { eventId: '90' }));
      },
    ]);
    cleanup.push(server.close);
    let expired = 0;
    const got = collect<{ eventId: string }>();
    const subscription = createClient({ endpoint: server.url, auth: keyless }).subscribe({
      query: 'subscription ($lastEventId: ID) { alerts(unitCode: "x", lastEventId: $lastEventId) { eventId } }',
      variables: {},
      field: 'alerts',
      onData: got.push,
      onExpired: () => void expired++,
    });
    cleanup.push(subscription.close);

    await expect.poll(() => got.items.map((e) => e.eventId), { timeout: 5_000 }).toEqual(['41', '90']);
    expect(server.received.map((r) => r.variables.lastEventId)).toEqual([null, '41', null]);
    expect(expired).toBe(1);
  });
});
