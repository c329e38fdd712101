/**
 * Which pages may read the hub's answers (gateway/policy/cors.ts), over Yoga's path
 * and the hub's own SSE transport: any origin in development unless
 * CORS_ORIGINS says otherwise, none in production, exactly the listed ones
 * when set — never with credentials (the hub has none to honour).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../gateway/config.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const PORTAL = 'https://portal.bacgiang.gov.vn';
const STRANGER = 'https://stranger.example';

/** A browser's preflight of a JSON POST with a key, from `origin`. */
async function preflight(url: string, origin: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
  await response.arrayBuffer();
  return response.headers;
}

/** The headers of a real query from `origin`, over Yoga's path or (accept: text/event-stream) the SSE transport. */
async function answer(url: string, origin: string, accept = 'application/graphql-response+json') {
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { origin, accept, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: accept.includes('event-stream')
        ? 'subscription { sourceStatusChanged { eventId } }'
        : '{ units(first: 1) { totalCount } }',
    }),
    signal: controller.signal,
  });
  controller.abort(); // the headers are what is looked at; an SSE stream would not end by itself
  return response.headers;
}

describe('CORS', () => {
  let store: TestStore;
  const hubs: TestHub[] = [];
  let development: TestHub;
  let production: TestHub;
  let listed: TestHub;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    const start = async (config: Partial<Config>) => {
      const hub = await startTestHub({ ...store.db, close: async () => {} }, { config });
      hubs.push(hub);
      return hub;
    };
    development = await start({ HUB_MODE: 'development' });
    production = await start({ HUB_MODE: 'production' });
    listed = await start({ HUB_MODE: 'production', CORS_ORIGINS: [PORTAL, 'http://localhost:5173'] });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.hub.stop()));
    await store?.dispose();
  });

  it('lets any page read answers in development, without credentials, exposing the request id', async () => {
    const headers = await preflight(development.url, STRANGER);
    expect(headers.get('access-control-allow-origin')).toBe(STRANGER);
    const real = await answer(development.url, STRANGER);
    expect(real.get('access-control-allow-origin')).toBe(STRANGER);
    expect(real.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('lets no other origin read anything in production unless CORS_ORIGINS lists it', async () => {
    expect((await preflight(production.url, PORTAL)).get('access-control-allow-origin')).toBeNull();
    expect((await answer(production.url, PORTAL)).get('access-control-allow-origin')).toBeNull();
    expect((await answer(production.url, PORTAL, 'text/event-stream')).get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the listed origins, on queries and on SSE subscriptions', async () => {
    const allowed = await preflight(listed.url, PORTAL);
    expect(allowed.get('access-control-allow-origin')).toBe(PORTAL);
    expect(allowed.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect((await answer(listed.url, PORTAL)).get('access-control-allow-origin')).toBe(PORTAL);
    expect((await answer(listed.url, PORTAL, 'text/event-stream')).get('access-control-allow-origin')).toBe(PORTAL);
    // Not listed: the browser is told an origin that is not the page's, and keeps the answer from it.
    expect((await preflight(listed.url, STRANGER)).get('access-control-allow-origin')).not.toBe(STRANGER);
    expect((await answer(listed.url, STRANGER)).get('access-control-allow-origin')).not.toBe(STRANGER);
  });
});
