/**
 * CSRF prevention (gateway/policy/csrf.ts), on real sockets: what a page
 * on another site can make a browser send without a CORS preflight (an HTML
 * form's POST, a plain GET) is refused with CSRF_REJECTED (403); what a
 * GraphQL client sends (POST JSON, or anything with Authorization or a
 * CSRF header) passes; GraphiQL, the dashboard's client, and EventSource
 * subscriptions (which cannot send headers) keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_STATUS, SOURCES } from '../../gateway/dashboard/documents.js';
import { createClient } from '../../gateway/dashboard/graphql.js';
import { CSRF_HEADERS } from '../../gateway/policy/csrf.ts';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { sseSubscribe, until, sourceStatusEvent } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const TYPENAME = '{ __typename }';
const TOKEN = 'ops-token';
const STATUS = 'subscription { sourceStatusChanged { eventId status } }';

interface Answer {
  status: number;
  code: string | undefined;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function send(url: string, init: RequestInit & { query?: string } = {}): Promise<Answer> {
  const target = new URL('/graphql', url);
  if (init.method !== 'POST') target.searchParams.set('query', init.query ?? TYPENAME);
  const response = await fetch(target, init);
  const body = (await response.json()) as Answer['body'];
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, body };
}

describe('CSRF prevention', () => {
  let store: TestStore;
  let test: TestHub;
  let unprotected: TestHub;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    const viewers = { [TOKEN]: testViewer('ops', ['subscribe', 'read:aggregates']) };
    test = await startTestHub(store.db, { viewers, config: { CSRF: true } });
    unprotected = await startTestHub(store.db, { viewers, config: { CSRF: false } });
  });
  afterAll(async () => {
    await unprotected?.hub.stop();
    await test?.hub.stop();
    await store?.dispose();
  });

  it('lets a POST with content-type application/json through, with no other header', async () => {
    const answer = await send(test.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: TYPENAME }),
    });
    expect(answer).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it.each([
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent(TYPENAME)}`],
    ['text/plain', JSON.stringify({ query: TYPENAME })],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${TYPENAME}\r\n--x--\r\n`,
    ],
  ])('refuses a POST as an HTML form sends it (%s) with CSRF_REJECTED, 403', async (type, body) => {
    const answer = await send(test.url, { method: 'POST', headers: { 'content-type': type }, body });
    expect(answer.status).toBe(403);
    expect(answer.code).toBe('CSRF_REJECTED');
    expect(answer.body.errors?.[0]?.message).toContain('application/json');
    expect(answer.body.data).toBeUndefined();
  });

  it('refuses a GET without a preflight-forcing header, and lets one with Authorization or a CSRF header through', async () => {
    const bare = await send(test.url, { headers: { accept: 'application/graphql-response+json' } });
    expect([bare.status, bare.code]).toEqual([403, 'CSRF_REJECTED']);
    for (const header of CSRF_HEADERS) {
      const value = header === 'authorization' ? `Bearer ${TOKEN}` : '1';
      const answer = await send(test.url, { headers: { accept: 'application/json', [header]: value } });
      expect([header, answer.status, answer.body]).toEqual([header, 200, { data: { __typename: 'Query' } }]);
    }
    // A form-typed POST that carries a credential was preflighted (or sent by a non-browser client): it runs.
    const withKey = await send(test.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${TOKEN}` },
      body: `query=${encodeURIComponent(TYPENAME)}`,
    });
    expect(withKey).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('is off with CSRF=false', async () => {
    const bare = await send(unprotected.url, { headers: { accept: 'application/json' } });
    expect(bare).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('serves GraphiQL, which then POSTs JSON', async () => {
    const page = await fetch(`${test.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lgsp-hub');
  });

  it('keeps EventSource subscriptions (GET, no headers but Accept) working: read-only, no ambient credentials', async () => {
    const subscription = sseSubscribe(test.url, STATUS);
    try {
      await until(() => test.hub.live.size === 1, 'the EventSource subscriber');
      const event = sourceStatusEvent();
      test.hub.pubsub.publish(LIVE_TOPIC, event);
      const [result] = await subscription.received(1);
      expect(result?.data).toEqual({ sourceStatusChanged: { eventId: event.id, status: 'FAILING' } });
    } finally {
      subscription.close();
    }
    await until(() => test.hub.live.size === 0, 'the subscriber gone');
  });

  it("keeps the dashboard's client working: its queries and its subscriptions", async () => {
    const client = createClient({
      endpoint: `${test.url}/graphql`,
      auth: { key: () => null, unauthorized: () => {}, changed: () => new Promise(() => {}) },
    });
    const data = await client.query(SOURCES);
    expect(Array.isArray(data.sources)).toBe(true);

    const received: unknown[] = [];
    const errors: unknown[] = [];
    const subscription = client.subscribe({
      query: SOURCE_STATUS,
      variables: {},
      field: 'sourceStatusChanged',
      onData: (value) => received.push(value),
      onState: (state, detail) => void (state === 'error' && errors.push(detail)),
    });
    try {
      await until(() => test.hub.live.size === 1 || errors.length > 0, 'the dashboard subscribed');
      expect(errors).toEqual([]);
      const event = sourceStatusEvent();
      test.hub.pubsub.publish(LIVE_TOPIC, event);
      await until(() => received.length === 1, 'the dashboard received the event');
      expect(received[0]).toMatchObject({ eventId: event.id, status: 'FAILING' });
    } finally {
      subscription.close();
    }
    await until(() => test.hub.live.size === 0, 'the dashboard gone');
  });
});
