/**
 * Failed authentications per client address (AUTH_FAILURES_PER_MINUTE), through a real hub with the hub's own API
 * keys: past the limit the address is refused with 429 and Retry-After before its credential is checked, a valid
 * one too, over HTTP, SSE and WebSocket, while other addresses are not held back. The hub trusts X-Forwarded-For
 * here (TRUST_PROXY), as behind a reverse proxy, so that the tests can speak from several addresses; with
 * TEST_REDIS_URL, two instances count one address's failures together.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Authenticate } from '../../store/access.ts';
import { createConsumer, issueApiKey } from '../../store/consumers.ts';
import { API_KEY_REFUSED, createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import { loadConfig } from '../../gateway/config.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { until } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const logger = pino({ level: 'silent' });
const LIMIT = 3;
const WRONG_KEY = `lgsp_0123456789abcdef_${'A'.repeat(43)}`;
const SUBSCRIPTION = 'subscription { sourceStatusChanged { eventId } }';

/** POSTs `{ __typename }` from `address` (X-Forwarded-For), with `Bearer <token>` if given; status, Retry-After, body. */
async function call(hub: TestHub, address: string, token?: string) {
  const response = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-forwarded-for': address,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** A graphql-ws connection_init from `address` with `Bearer <token>`: acknowledged, closed, or the upgrade refused. */
async function connectionInit(hub: TestHub, address: string, token: string) {
  const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, ['graphql-transport-ws'], {
    headers: { 'x-forwarded-for': address },
  });
  socket.on('error', () => {}); // a refused upgrade, reported again as an error
  const opened = await Promise.race([
    once(socket, 'open').then(() => null),
    once(socket, 'unexpected-response').then(([, response]) => response as IncomingMessage),
  ]);
  if (opened) {
    opened.resume();
    return { upgrade: opened.statusCode, retryAfter: opened.headers['retry-after'] };
  }
  const closed = once(socket, 'close').then(([code, reason]) => ({ code, reason: String(reason) }));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const answer = await Promise.race([once(socket, 'message').then(([data]) => JSON.parse(String(data))), closed]);
  socket.close();
  return answer;
}

describe.each(testBackends)('failed authentications per address on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;
  let apiKey: string;
  /** Credentials the hub checked: a throttled address's are not. */
  let checked = 0;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await createConsumer(store.db, { name: 'ioc', scopes: ['read:aggregates', 'subscribe'] });
    apiKey = (await issueApiKey(store.db, 'ioc')).apiKey;
    const keys = createAuthenticator({ db: store.db, config: loadConfig({}), logger });
    const authenticate: Authenticate = (request) => {
      checked++;
      return keys(request);
    };
    hub = await startTestHub(store.db, {
      authenticate,
      config: { AUTH_FAILURES_PER_MINUTE: LIMIT, TRUST_PROXY: true },
    });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('refuses an address with 429 and Retry-After after its limit of failures, its valid key too; not another', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const refused = await call(hub, '203.0.113.1', WRONG_KEY);
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.message).toBe(API_KEY_REFUSED);
    }
    const before = checked;
    for (const token of [WRONG_KEY, apiKey]) {
      const throttled = await call(hub, '203.0.113.1', token);
      expect(throttled.status).toBe(429);
      const retryAfter = Number(throttled.retryAfter);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(throttled.body.errors?.[0]).toMatchObject({
        message: `Rate limit exceeded: ${LIMIT} failed authentications per minute from this address; retry after ${retryAfter} s`,
        extensions: { code: 'RATE_LIMITED', limitPerMinute: LIMIT, retryAfterSeconds: retryAfter },
      });
    }
    // Refused before the credential was looked at.
    expect(checked).toBe(before);

    // Another address is not held back, and its own failures count apart.
    expect((await call(hub, '203.0.113.2', apiKey)).status).toBe(200);
    expect((await call(hub, '203.0.113.2', WRONG_KEY)).status).toBe(401);
    expect((await call(hub, '203.0.113.2', apiKey)).status).toBe(200);
  });

  it('counts refused credentials only: valid ones and requests without one cost nothing', async () => {
    for (let i = 0; i < 2 * LIMIT; i++) expect((await call(hub, '203.0.113.3', apiKey)).status).toBe(200);
    // The anonymous developer (development mode); in production refused with 401, counted no more.
    for (let i = 0; i < 2 * LIMIT; i++) expect((await call(hub, '203.0.113.3')).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await call(hub, '203.0.113.3', WRONG_KEY)).status).toBe(401);
    expect((await call(hub, '203.0.113.3', apiKey)).status).toBe(429);
  });

  it('refuses an SSE subscription from a throttled address with 429 and Retry-After', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await call(hub, '203.0.113.4', WRONG_KEY)).status).toBe(401);
    const response = await fetch(`${hub.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${apiKey}`, 'x-forwarded-for': '203.0.113.4' },
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const text = await response.text();
    expect(text).toContain('"code":"RATE_LIMITED"');
    expect(text).toContain('failed authentications per minute from this address');
  });

  it('counts failed connection_inits, and refuses the WebSocket upgrade of a throttled address with 429', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect(await connectionInit(hub, '203.0.113.5', WRONG_KEY)).toEqual({
        code: 4403,
        reason: `Forbidden: ${API_KEY_REFUSED}`,
      });
    }
    for (const token of [WRONG_KEY, apiKey]) {
      const refused = await connectionInit(hub, '203.0.113.5', token);
      expect(refused.upgrade).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // One count per address, whatever the transport.
    expect((await call(hub, '203.0.113.5', apiKey)).status).toBe(429);
    expect(await connectionInit(hub, '203.0.113.6', apiKey)).toEqual({ type: 'connection_ack' });
  });

  it('refuses the next operation of a connection opened before its address was throttled', async () => {
    const socket = new WebSocket(`${hub.url.replace('http', 'ws')}/graphql`, ['graphql-transport-ws'], {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    try {
      await once(socket, 'open');
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${apiKey}` } }));
      await until(() => messages.length === 1, 'connection_ack');
      expect(messages[0]).toEqual({ type: 'connection_ack' });
      for (let i = 0; i < LIMIT; i++) expect((await call(hub, '203.0.113.7', WRONG_KEY)).status).toBe(401);
      socket.send(JSON.stringify({ type: 'subscribe', id: '1', payload: { query: SUBSCRIPTION } }));
      await until(() => messages.length === 2, 'the refusal');
      expect(messages[1]).toMatchObject({
        id: '1',
        type: 'error',
        payload: [{ extensions: { code: 'RATE_LIMITED', limitPerMinute: LIMIT } }],
      });
    } finally {
      socket.close();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.warn('tests/integration/auth-failures.test.ts: shared counts skipped: TEST_REDIS_URL is unset');

describe.skipIf(!redisUrl)('failed authentications counted through Redis', () => {
  let store: TestStore;
  const hubs: TestHub[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(async () => {
    for (const hub of hubs) await hub.hub.stop().catch(() => {});
    for (const client of clients) client.disconnect();
    await store?.dispose();
  });

  it('counts one address’s failures once across two instances', async () => {
    // The counters are keyed by the store's namespace (database and schema): a schema name of this test's own.
    const DATABASE_SCHEMA = `test_af_${randomUUID().replaceAll('-', '')}`;
    const authenticate = createAuthenticator({ db: store.db, config: loadConfig({}), logger });
    for (let i = 0; i < 2; i++) {
      const client = new Redis(redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      clients.push(client);
      await once(client, 'ready');
      hubs.push(
        await startTestHub(store.db, {
          authenticate,
          rateLimitRedis: client,
          config: { AUTH_FAILURES_PER_MINUTE: LIMIT, TRUST_PROXY: true, DATABASE_SCHEMA },
        }),
      );
    }
    const [one, two] = hubs as [TestHub, TestHub];
    for (const hub of [one, two, one]) expect((await call(hub, '198.51.100.1', WRONG_KEY)).status).toBe(401);
    expect((await call(two, '198.51.100.1', WRONG_KEY)).status).toBe(429);
    expect((await call(one, '198.51.100.2', WRONG_KEY)).status).toBe(401);
  });
});
