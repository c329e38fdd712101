/**
 * GraphQL over WebSocket conformance (the graphql-ws protocol, subprotocol
 * graphql-transport-ws) on the hub's own port, with a raw `ws` client so
 * every frame is the test's: the protocol's close codes for its errors,
 * authentication at connection_init (4403 with the reason), queries and
 * subscriptions over one socket, and 1001 when the hub stops.
 */
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHub, type Hub } from '../../gateway/server.ts';
import { appendLiveEvents, LIVE_TOPIC } from '../../store/live-events.ts';
import { createConsumer, issueApiKey, revokeApiKey } from '../../store/consumers.ts';
import { API_KEY_REFUSED, createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import { loadConfig } from '../../gateway/config.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { testConfig, testViewer, tokenTable } from '../support/hub.ts';
import { until } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const PROTOCOL = 'graphql-transport-ws';
const YEN_THE = '000.00.12.H06';
const CAU_GO = '001.12.00.H06';
const TAN_YEN = '000.00.13.H06';

interface RawSocket {
  socket: WebSocket;
  /** Parsed messages received so far. */
  messages: any[];
  /** The next message not yet taken. */
  next(): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

function connect(
  url: string,
  { protocol = PROTOCOL, headers = {} }: { protocol?: string | null; headers?: Record<string, string> } = {},
): RawSocket {
  const socket = new WebSocket(url, protocol === null ? [] : [protocol], { headers });
  const messages: any[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return {
    socket,
    messages,
    closed,
    async next() {
      while (messages.length <= taken) {
        await Promise.race([
          new Promise<void>((resolve) => waiters.push(resolve)),
          closed.then(({ code, reason }) => {
            throw new Error(`closed ${code} ${reason} while waiting for a message`);
          }),
        ]);
      }
      return messages[taken++];
    },
    send(message) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
  };
}

/** A socket past connection_init and its ack. */
async function acknowledged(url: string, payload?: Record<string, unknown>): Promise<RawSocket> {
  const client = connect(url);
  await once(client.socket, 'open');
  client.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
  expect(await client.next()).toEqual({ type: 'connection_ack' });
  return client;
}

const DOSSIER_EVENTS = `subscription ($unitCode: String!) { dossierEvents(unitCode: $unitCode) { dossierCode } }`;

describe('GraphQL over WebSocket (graphql-transport-ws)', () => {
  let store: TestStore;
  let hub: Hub;
  let wsUrl: string;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await seedDemoProvince(store.db);
    hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000 }), {
      db: store.db,
      logger: pino({ level: 'silent' }),
      authenticate: tokenTable({
        'yen-the': testViewer('yen-the', ['subscribe', 'read:aggregates', 'read:dossiers'], YEN_THE),
      }),
    });
    wsUrl = `ws://127.0.0.1:${(await hub.listen(0, '127.0.0.1')).port}/graphql`;
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('answers an upgrade on any other path with 404', async () => {
    const socket = new WebSocket(wsUrl.replace('/graphql', '/elsewhere'), [PROTOCOL]);
    socket.on('error', () => {}); // the refused handshake, reported again as an error
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(404);
  });

  it('closes with 4406 without the graphql-transport-ws subprotocol', async () => {
    expect(await connect(wsUrl, { protocol: null }).closed).toEqual({
      code: 4406,
      reason: 'Subprotocol not acceptable',
    });
    // Asked for the legacy subscriptions-transport-ws protocol, the hub agrees to none: the client gives up.
    const legacy = new WebSocket(wsUrl, ['graphql-ws']);
    const [error] = (await once(legacy, 'error')) as [Error];
    expect(error.message).toBe('Server sent no subprotocol');
  });

  it('closes with 4400 on an invalid message', async () => {
    const client = connect(wsUrl);
    await once(client.socket, 'open');
    client.send('{ this is not JSON');
    expect(await client.closed).toEqual({ code: 4400, reason: 'Invalid message received' });

    // A message of no known type is invalid too.
    const other = await acknowledged(wsUrl);
    other.send({ type: 'subscribe', id: '1' });
    expect(await other.closed).toMatchObject({ code: 4400 });
  });

  it('closes with 4401 on a subscribe before the connection is acknowledged', async () => {
    const client = connect(wsUrl);
    await once(client.socket, 'open');
    client.send({ type: 'subscribe', id: '1', payload: { query: '{ __typename }' } });
    expect(await client.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('closes with 4409 when a subscription id is already in use', async () => {
    const client = await acknowledged(wsUrl);
    const subscribe = {
      type: 'subscribe',
      id: 'same',
      payload: { query: DOSSIER_EVENTS, variables: { unitCode: YEN_THE } },
    };
    client.send(subscribe);
    await until(() => hub.live.size === 1, 'the first subscription');
    client.send(subscribe);
    expect(await client.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
    await until(() => hub.live.size === 0, 'the subscription ended with its socket');
  });

  it('closes with 4429 on a second connection_init', async () => {
    const client = await acknowledged(wsUrl);
    client.send({ type: 'connection_init' });
    expect(await client.closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  it('authenticates at connection_init: a bad credential closes with 4403 and the reason, from connectionParams or the upgrade header', async () => {
    const fromParams = connect(wsUrl);
    await once(fromParams.socket, 'open');
    fromParams.send({ type: 'connection_init', payload: { authorization: 'Bearer wrong' } });
    expect(await fromParams.closed).toEqual({ code: 4403, reason: 'Forbidden: unknown test token' });
    expect(fromParams.messages).toEqual([]);

    const fromHeader = connect(wsUrl, { headers: { authorization: 'Bearer wrong' } });
    await once(fromHeader.socket, 'open');
    fromHeader.send({ type: 'connection_init' });
    expect(await fromHeader.closed).toEqual({ code: 4403, reason: 'Forbidden: unknown test token' });
  });

  it('runs every operation of a connection as the consumer it authenticated as', async () => {
    const fromHeader = async () => {
      const client = connect(wsUrl, { headers: { authorization: 'Bearer yen-the' } });
      await once(client.socket, 'open');
      client.send({ type: 'connection_init' });
      expect(await client.next()).toEqual({ type: 'connection_ack' });
      return client;
    };
    for (const client of [await acknowledged(wsUrl, { authorization: 'Bearer yen-the' }), await fromHeader()]) {
      // Outside the consumer's subtree: refused, as an error message; the socket stays open.
      client.send({ type: 'subscribe', id: 'a', payload: { query: DOSSIER_EVENTS, variables: { unitCode: TAN_YEN } } });
      const refused = await client.next();
      expect(refused).toMatchObject({ id: 'a', type: 'next' });
      expect(refused.payload.data).toBeUndefined();
      expect(refused.payload.errors[0]).toMatchObject({
        message: `unknown or not visible unit "${TAN_YEN}" (argument unitCode)`,
        extensions: { code: 'BAD_USER_INPUT', argument: 'unitCode' },
      });
      expect(await client.next()).toEqual({ id: 'a', type: 'complete' });

      // A query, and a subscription inside the subtree that receives its event.
      client.send({ type: 'subscribe', id: 'q', payload: { query: `{ unit(code: "${CAU_GO}") { name } }` } });
      expect(await client.next()).toEqual({
        id: 'q',
        type: 'next',
        payload: { data: { unit: { name: 'Thị trấn Cầu Gồ' } } },
      });
      expect(await client.next()).toEqual({ id: 'q', type: 'complete' });
      client.send({ type: 'subscribe', id: 's', payload: { query: DOSSIER_EVENTS, variables: { unitCode: CAU_GO } } });
      await until(() => hub.live.size === 1, 'the subscription');
      const events = await appendLiveEvents(store.db, [
        { kind: 'DOSSIER', unitCode: CAU_GO, payload: { kind: 'RECEIVED', dossierCode: 'HS-W', unitCode: CAU_GO } },
      ]);
      hub.pubsub.publish(LIVE_TOPIC, events[0]!);
      expect(await client.next()).toEqual({
        id: 's',
        type: 'next',
        payload: { data: { dossierEvents: { dossierCode: 'HS-W' } } },
      });
      // complete from the client ends the subscription on the hub.
      client.send({ type: 'complete', id: 's' });
      await until(() => hub.live.size === 0, 'the subscription ended');
      client.socket.close(1000);
      await client.closed;
    }
  });

  it('answers a syntax error with an error message, not a closed socket; ping with pong', async () => {
    const client = await acknowledged(wsUrl);
    client.send({ type: 'subscribe', id: 'x', payload: { query: 'subscription { dossierEvents(' } });
    const error = await client.next();
    expect(error).toMatchObject({ id: 'x', type: 'error' });
    expect(error.payload[0].message).toMatch(/^Syntax Error/);
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close(1000);
  });

  it('pings every keep-alive interval and cuts a peer that stops answering', async () => {
    const store2 = await openTestStore('pglite');
    const other = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000, WEBSOCKET_KEEPALIVE_MS: 100 }), {
      db: store2.db,
      logger: pino({ level: 'silent' }),
    });
    const url = `ws://127.0.0.1:${(await other.listen(0, '127.0.0.1')).port}/graphql`;
    const alive = await acknowledged(url);
    let pings = 0;
    alive.socket.on('ping', () => pings++);
    // A peer that never answers pings (a dead link looks like this to the server).
    const dead = new WebSocket(url, [PROTOCOL], { autoPong: false });
    const deadClosed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    await once(dead, 'open');
    dead.send(JSON.stringify({ type: 'connection_init' }));
    // Cut without a close handshake (1006) within two intervals or so, while the answering one stays.
    expect(await deadClosed).toBe(1006);
    // The answering peer goes on being pinged (every 100 ms; polled, a busy machine may be slow) and stays open.
    await expect.poll(() => pings, { timeout: 5_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    await other.stop();
    await store2.dispose();
  });

  it('closes every socket with 1001 going away when the hub stops, and accepts no more', async () => {
    const store2 = await openTestStore('pglite');
    await seedDemoProvince(store2.db);
    const other = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 10_000 }), {
      db: store2.db,
      logger: pino({ level: 'silent' }),
    });
    const url = `ws://127.0.0.1:${(await other.listen(0, '127.0.0.1')).port}/graphql`;
    const client = await acknowledged(url);
    client.send({ type: 'subscribe', id: 's', payload: { query: DOSSIER_EVENTS, variables: { unitCode: YEN_THE } } });
    await until(() => other.live.size === 1, 'the subscription');
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(other.live.size).toBe(0);
    await store2.dispose();
  });
});

describe('GraphQL over WebSocket: the credential is checked again at every operation', () => {
  it('refuses the next operation of an open connection once its API key is revoked, with an error message', async () => {
    const logger = pino({ level: 'silent' });
    const store = await openTestStore('pglite');
    await seedDemoProvince(store.db);
    await createConsumer(store.db, {
      name: 'yen-the-portal',
      scopes: ['read:aggregates', 'read:dossiers', 'subscribe'],
      unitCode: YEN_THE,
    });
    const key = await issueApiKey(store.db, 'yen-the-portal');
    const hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000 }), {
      db: store.db,
      logger,
      authenticate: createAuthenticator({ db: store.db, config: loadConfig({ HUB_MODE: 'production' }), logger }),
    });
    const url = `ws://127.0.0.1:${(await hub.listen(0, '127.0.0.1')).port}/graphql`;
    const unitName = { query: `{ unit(code: "${CAU_GO}") { name } }` };
    try {
      const client = await acknowledged(url, { authorization: `Bearer ${key.apiKey}` });
      client.send({ type: 'subscribe', id: 'before', payload: unitName });
      expect(await client.next()).toEqual({
        id: 'before',
        type: 'next',
        payload: { data: { unit: { name: 'Thị trấn Cầu Gồ' } } },
      });
      expect(await client.next()).toEqual({ id: 'before', type: 'complete' });

      await revokeApiKey(store.db, key.keyId);
      // The same error a new HTTP request with the key gets (less its HTTP status and headers), for this id only;
      // with the id of the operation, as every error the hub sends (gateway/observability/request-id.ts).
      const revoked = [
        {
          message: API_KEY_REFUSED,
          extensions: { code: 'UNAUTHENTICATED', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        },
      ];
      client.send({ type: 'subscribe', id: 'after', payload: unitName });
      expect(await client.next()).toEqual({ id: 'after', type: 'error', payload: revoked });
      client.send({
        type: 'subscribe',
        id: 'live',
        payload: { query: DOSSIER_EVENTS, variables: { unitCode: CAU_GO } },
      });
      expect(await client.next()).toEqual({ id: 'live', type: 'error', payload: revoked });
      expect(hub.live.size).toBe(0);
      // The socket itself stays open (the client learns why, and may reconnect with another credential).
      client.send({ type: 'ping' });
      expect(await client.next()).toEqual({ type: 'pong' });
      client.socket.close(1000);
    } finally {
      await hub.stop();
      await store.dispose();
    }
  });
});
