import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.ts';
import { loadMigrations } from '../../store/migrate.ts';
import { createLogger } from '../../core/logger.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

/** A store whose statements wait for `release` while `hold` is set: an in-flight request we control. */
function holdingDb(db: Db) {
  let release: () => void = () => {};
  let started: () => void = () => {};
  const state = { hold: false, started: new Promise<void>((resolve) => (started = resolve)) };
  const gate = () => new Promise<void>((resolve) => (release = resolve));
  const wrapped: Db = {
    ...db,
    backend: db.backend,
    query: async (sql, params) => {
      if (state.hold) {
        started();
        await gate();
      }
      return db.query(sql, params);
    },
  };
  return { db: wrapped, state, release: () => release() };
}

describe.each(testBackends)('the HTTP server on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub | undefined;

  afterEach(async () => {
    await hub?.hub.stop();
    hub = undefined;
    await store.dispose();
  });

  it('is live and ready once the store is migrated', async () => {
    store = await openTestStore(backend);
    hub = await startTestHub(store.db);
    const health = await fetch(`${hub.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hub.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: { backend, reachable: true, pendingMigrations: [] } });
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${hub.url}/health`, { headers: { 'x-request-id': 'ioc-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('ioc-42');
  });

  it('is live but not ready while migrations are pending', async () => {
    store = await openTestStore(backend, { migrated: false });
    hub = await startTestHub(store.db);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    const ready = await fetch(`${hub.url}/ready`);
    expect(ready.status).toBe(503);
    const body = await ready.json();
    expect(body.status).toBe('not ready');
    expect(body.store.pendingMigrations).toEqual(loadMigrations().map((m) => m.version));
  });

  it('is not ready when the store is unreachable, masks the failure to clients and logs it with the request id', async () => {
    store = await openTestStore(backend);
    const lines: Record<string, any>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    hub = await startTestHub(store.db, { logger });
    await store.db.close();

    const ready = await fetch(`${hub.url}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).store.reachable).toBe(false);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);

    const response = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-7' },
      body: JSON.stringify({ query: '{ units(first: 1) { edges { node { code } } } }' }),
    });
    const body = await response.json();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toBe('Unexpected error.');
    expect(body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-7' });
    expect(response.headers.get('x-request-id')).toBe('trace-7');
    const failure = lines.find((line) => line.level === 50);
    expect(failure).toMatchObject({ requestId: 'trace-7', service: 'lgsp-hub' });
    expect(failure!.err.message).toMatch(/PGlite is closed|Cannot use a pool after calling end/);
    expect(lines.find((line) => line.msg === 'request' && line.requestId === 'trace-7')).toMatchObject({
      status: 200,
      url: '/graphql',
    });
    // probes stay out of the info log
    expect(lines.filter((line) => line.url === '/health' || line.url === '/ready')).toEqual([]);
  });

  it('shuts down gracefully: finishes the request in flight, refuses new ones, then closes the store', async () => {
    store = await openTestStore(backend);
    const holding = holdingDb(store.db);
    hub = await startTestHub(holding.db);
    const { url } = hub;

    holding.state.hold = true;
    const inFlight = fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ units(first: 1) { edges { node { code } } } }' }),
    });
    await holding.state.started; // the request is now waiting inside the store

    let stopped = false;
    const stopping = hub.hub.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false); // waits for the request
    await expect(fetch(`${url}/health`)).rejects.toThrow(); // no new connections

    holding.state.hold = false;
    holding.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).errors).toBeUndefined();
    await stopping;
    expect(stopped).toBe(true);
    await expect(store.db.query('SELECT 1')).rejects.toThrow(); // the store is closed
    hub = undefined;
  });

  it('cuts connections still busy when the shutdown timeout passes', async () => {
    store = await openTestStore(backend);
    const holding = holdingDb(store.db);
    hub = await startTestHub(holding.db, { config: { SHUTDOWN_TIMEOUT_MS: 200 } });
    holding.state.hold = true;
    const outcome = new Promise<string>((resolve) => {
      const req = request(`${hub!.url}/graphql?query=${encodeURIComponent('{ units { edges { cursor } } }')}`, (res) =>
        resolve(`status ${res.statusCode}`),
      );
      req.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
      req.end();
    });
    await holding.state.started;
    const started = Date.now();
    await hub.hub.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await outcome).toBe('error ECONNRESET');
    holding.release();
    hub = undefined;
  });
});
