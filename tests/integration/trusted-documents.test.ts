/**
 * Trusted documents (gateway/policy/documents), on real sockets, on every store
 * backend: a registered document runs by id in both modes; an unknown id is
 * PERSISTED_QUERY_NOT_FOUND; in production an unregistered text is refused
 * (PERSISTED_QUERY_ONLY, 403; 401 first without a credential) and a
 * registered text runs, over HTTP, SSE and WebSocket; introspection and
 * GraphiQL are off in production and on in development; known documents are
 * answered from memory; and the dashboard's own documents are registered
 * and run in production, and stay removed once removed. What a lookup costs:
 * a caller is authenticated before any (in production a stranger causes
 * none), a flood of one unknown id costs one, and a refused document counts
 * against the consumer's rate limit. A store failure while a WebSocket
 * operation looks its document up is masked. Registering through a running
 * hub (registerTrustedDocuments, admin only, audited) checks as the command
 * does and makes a document run at once; TRUSTED_DOCUMENTS=enforce makes a
 * development hub run trusted documents only. (`npm run documents`:
 * documents-cli.test.ts.)
 */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { GraphQLError, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DOCUMENTS, SOURCES } from '../../gateway/dashboard/documents.js';
import { createClient } from '../../gateway/dashboard/graphql.js';
import { registerDashboardDocuments } from '../../gateway/policy/documents/dashboard.ts';
import { REGISTER_DOCUMENTS, registerDocumentsCliDocument } from '../../gateway/policy/documents/registration.ts';
import { SCOPES, type Authenticate } from '../../store/access.ts';
import { hubSchema } from '../../schema/index.ts';
import type { Db } from '../../store/db.ts';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import {
  documentIdOf,
  listTrustedDocuments,
  registerTrustedDocuments,
  removeTrustedDocument,
} from '../../store/trusted-documents.ts';
import { startTestHub, testAdmin, testViewer, tokenTable, type TestHub } from '../support/hub.ts';
import {
  parseSseEvents,
  sseSubscribe,
  until,
  wsClient,
  wsSubscribe,
  sourceStatusEvent,
} from '../support/live-clients.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const UNITS = 'query TrustedUnits { units(first: 1) { edges { node { code } } } }';
const UNREGISTERED = 'query Untrusted { units(first: 2) { edges { node { code name } } } }';
const STATUS = 'subscription TrustedStatus { sourceStatusChanged { eventId source status } }';
const UNTRUSTED_STATUS = 'subscription UntrustedStatus { sourceStatusChanged { eventId status } }';
const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPENAME = '{ __typename }';
const REGISTERED = [UNITS, STATUS, INTROSPECTION, TYPENAME];

const TOKEN = 'ops-token';
const viewers = { [TOKEN]: testViewer('ops', ['subscribe', 'read:aggregates']) };
const auth = { authorization: `Bearer ${TOKEN}` };

/** As a production authenticator: a request without a credential is refused with 401. */
const productionAuthenticate: Authenticate = async (request) => {
  if (!request.headers.get('authorization')) {
    throw new GraphQLError('production mode: a credential is required', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return tokenTable(viewers)(request);
};

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function get(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}/graphql?${new URLSearchParams(params)}`, {
    headers: { accept: 'application/graphql-response+json', ...headers },
  });
  return { status: response.status, body: await response.json() };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

/** An SSE subscription as the dashboard opens it (fetch, POST JSON, Accept: text/event-stream): its status and events. */
async function ssePost(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  return { response, close: () => controller.abort() };
}

/**
 * The code of a refusal over an SSE POST: an accepted stream (200, as graphql-sse needs to read it,
 * gateway/transports/sse/refusals.ts) whose one `next` carries the error.
 */
async function sseRefusalCode({ response }: { response: Response }): Promise<unknown> {
  expect(response.status).toBe(200);
  const events = parseSseEvents(await response.text());
  return JSON.parse(events.find((e) => e.event === 'next')!.data).errors[0].extensions.code;
}

describe.each(testBackends)('trusted documents on %s', (backend) => {
  let store: TestStore;
  let development: TestHub;
  let production: TestHub;
  const ids = REGISTERED.map(documentIdOf);
  const [unitsId, statusId] = ids as [string, string];

  beforeAll(async () => {
    store = await openTestStore(backend);
    await registerTrustedDocuments(
      store.db,
      REGISTERED.map((document) => ({ document, operationNames: [] })),
      'tests',
    );
    development = await startTestHub(store.db, { viewers, config: { HUB_MODE: 'development' } });
    production = await startTestHub(store.db, {
      authenticate: productionAuthenticate,
      config: { HUB_MODE: 'production' },
    });
  });
  afterAll(async () => {
    await development?.hub.stop();
    await production?.hub.stop();
    await store?.dispose();
  });

  describe.each(['development', 'production'] as const)('in %s mode', (mode) => {
    const hub = () => (mode === 'production' ? production : development);

    it('runs a registered document by documentId (sha256:<hex> or <hex>), by APQ hash, and by GET', async () => {
      const expected = { units: { edges: expect.any(Array) } };
      for (const documentId of [`sha256:${unitsId}`, unitsId]) {
        const answer = await post(hub().url, { documentId }, auth);
        expect(answer).toMatchObject({ status: 200, body: { data: expected } });
        expect(answer.body.errors).toBeUndefined();
      }
      const apq = await post(hub().url, { extensions: { persistedQuery: { version: 1, sha256Hash: unitsId } } }, auth);
      expect(apq).toMatchObject({ status: 200, body: { data: expected } });
      const byGet = await get(hub().url, { documentId: unitsId }, auth);
      expect(byGet).toMatchObject({ status: 200, body: { data: expected } });
    });

    it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND (404)', async () => {
      const unknown = documentIdOf('query Nobody { __typename }');
      for (const body of [
        { documentId: unknown },
        { extensions: { persistedQuery: { version: 1, sha256Hash: unknown } } },
      ]) {
        const answer = await post(hub().url, body, auth);
        expect(answer.status).toBe(404);
        expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect(answer.body.errors?.[0]?.message).toContain(unknown);
      }
      const junk = await post(hub().url, { documentId: 'not-a-hash' }, auth);
      expect(codeOf(junk)).toBe('PERSISTED_QUERY_NOT_FOUND');
    });

    it('runs a registered text', async () => {
      const answer = await post(hub().url, { query: UNITS }, auth);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
    });
  });

  it('in development, runs any document, introspection included, and serves GraphiQL', async () => {
    const answer = await post(development.url, { query: UNREGISTERED });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { units: { edges: [] } } }); // an empty store: it ran
    const introspection = await post(development.url, { query: '{ __type(name: "Unit") { name } }' });
    expect(introspection.body).toEqual({ data: { __type: { name: 'Unit' } } });
    const graphiql = await fetch(`${development.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(graphiql.headers.get('content-type')).toContain('text/html');
    expect(await graphiql.text()).toContain('lgsp-hub');
  });

  it('sends GraphiQL compressed to a browser that accepts it, the same page as uncompressed', async () => {
    /** The raw bytes and headers (fetch would decompress them itself). */
    const raw = (acceptEncoding: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const request = httpGet(
          `${development.url}/graphql`,
          { headers: { accept: 'text/html', 'accept-encoding': acceptEncoding } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
          },
        );
        request.on('error', reject);
      });
    const plain = await raw('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const page = plain.body.toString('utf8');
    expect(page).toContain('lgsp-hub');
    const br = await raw('gzip, deflate, br');
    expect([br.headers['content-encoding'], br.headers.vary]).toEqual([
      'br',
      expect.stringContaining('Accept-Encoding'),
    ]);
    expect(brotliDecompressSync(br.body).toString('utf8')).toBe(page);
    expect(br.body.byteLength).toBeLessThan(page.length / 3);
    const gzipped = await raw('gzip;q=1, br;q=0');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(page);
  });

  it('in production, refuses an unregistered text with PERSISTED_QUERY_ONLY (403), after 401 for a stranger', async () => {
    const refused = await post(production.url, { query: UNREGISTERED }, auth);
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('PERSISTED_QUERY_ONLY');
    expect(refused.body.errors?.[0]?.message).toContain('npm run documents -- register');
    expect(refused.body.data).toBeUndefined();
    // Over GET too, and with an id beside the text: the text is what would run.
    const byGet = await get(production.url, { query: UNREGISTERED }, auth);
    expect([byGet.status, codeOf(byGet)]).toEqual([403, 'PERSISTED_QUERY_ONLY']);
    const disguised = await post(
      production.url,
      { query: UNREGISTERED, extensions: { persistedQuery: { version: 1, sha256Hash: unitsId } } },
      auth,
    );
    expect(codeOf(disguised)).toBe('PERSISTED_QUERY_ONLY');
    // A caller without credentials learns that first, and nothing about what is registered.
    const stranger = await post(production.url, { query: UNREGISTERED });
    expect([stranger.status, codeOf(stranger)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('in production, refuses introspection even in a registered document; __typename still runs', async () => {
    const answer = await post(production.url, { documentId: documentIdOf(INTROSPECTION) }, auth);
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('INTROSPECTION_DISABLED');
    expect(answer.body.errors?.[0]?.message).toContain('__schema');
    expect(answer.body.data).toBeUndefined();
    const typename = await post(production.url, { query: TYPENAME }, auth);
    expect(typename.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('in production, serves no GraphiQL', async () => {
    const response = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html', ...auth } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('graphiql');
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('in production, refuses an unregistered subscription over SSE (GET and POST) and runs a registered one by text and by id', async () => {
    // EventSource-style GET: refused with the stream's error, never subscribed.
    // (An EventSource gives up on a status other than 200, rather than reconnecting.)
    const refused = sseSubscribe(production.url, UNTRUSTED_STATUS, {}, { token: TOKEN });
    expect(String((await refused.ended).error)).toContain('SSE request answered 403');
    // POSTed (as graphql-sse does): an accepted stream carrying the refusal.
    expect(await sseRefusalCode(await ssePost(production.url, { query: UNTRUSTED_STATUS }, auth))).toBe(
      'PERSISTED_QUERY_ONLY',
    );
    expect(await sseRefusalCode(await ssePost(production.url, { query: UNTRUSTED_STATUS }))).toBe('UNAUTHENTICATED');

    // Registered: by text over GET, by id over GET and POST. They share one execution (same text, same consumer).
    const byText = sseSubscribe(production.url, STATUS, {}, { token: TOKEN });
    const byId = await ssePost(production.url, { documentId: statusId }, auth);
    expect(byId.response.status).toBe(200);
    await until(() => production.hub.live.size === 2, 'both SSE subscribers');
    const event = sourceStatusEvent();
    production.hub.pubsub.publish(LIVE_TOPIC, event);
    const [first] = await byText.received(1);
    expect(first?.data?.sourceStatusChanged).toEqual({ eventId: event.id, source: 'BUDGET', status: 'FAILING' });
    const reader = byId.response.body!.getReader();
    let text = '';
    while (!text.includes('event: next')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain(`"eventId":"${event.id}"`);
    byText.close();
    byId.close();
    await until(() => production.hub.live.size === 0, 'SSE subscribers gone');
  });

  it('in production, refuses an unregistered operation over WebSocket and runs one by text and by id', async () => {
    const client = wsClient(production.url, { token: TOKEN });
    try {
      const refused = wsSubscribe(client, UNTRUSTED_STATUS);
      const { error } = await refused.ended;
      expect((error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      // Queries over the socket too, and introspection.
      const query = wsSubscribe(client, UNREGISTERED);
      expect(((await query.ended).error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
        'PERSISTED_QUERY_ONLY',
      );
      const introspection = wsSubscribe(client, INTROSPECTION);
      expect(((await introspection.ended).error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
        'INTROSPECTION_DISABLED',
      );

      const byText = wsSubscribe(client, STATUS);
      const byId = client.iterate({ query: '', documentId: statusId } as never);
      const byIdNext = byId.next();
      await until(() => production.hub.live.size === 2, 'both WebSocket subscribers');
      const event = sourceStatusEvent();
      production.hub.pubsub.publish(LIVE_TOPIC, event);
      expect((await byText.received(1))[0]?.data?.sourceStatusChanged.eventId).toBe(event.id);
      expect(((await byIdNext).value as { data: any }).data.sourceStatusChanged.eventId).toBe(event.id);
      byText.close();
      await byId.return?.();
      const unknown = client.iterate({ query: '', documentId: documentIdOf('query Nobody { __typename }') } as never);
      const outcome = await unknown.next().catch((error: unknown) => error);
      expect((outcome as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await client.dispose();
    }
    await until(() => production.hub.live.size === 0, 'WebSocket subscribers gone');
  });

  it("registers the dashboard's documents idempotently, and the dashboard's client runs them in production", async () => {
    const first = await registerDashboardDocuments(store.db);
    expect(first).toHaveLength(DASHBOARD_DOCUMENTS.length);
    expect(first.every((r) => r.outcome === 'added')).toBe(true);
    expect((await registerDashboardDocuments(store.db)).every((r) => r.outcome === 'unchanged')).toBe(true);

    // One an operator removed stays removed at the next start; registering with restoreRemoved (the CLI's
    // `register --dashboard`) brings it back.
    const units = first.find((r) => r.operationNames.includes('DashboardUnits'))!;
    await removeTrustedDocument(store.db, units.id);
    const restart = await registerDashboardDocuments(store.db);
    expect(restart.find((r) => r.id === units.id)?.outcome).toBe('left-removed');
    expect(restart.filter((r) => r.id !== units.id).every((r) => r.outcome === 'unchanged')).toBe(true);
    expect((await listTrustedDocuments(store.db)).find((d) => d.id === units.id)?.removedAt).toBeInstanceOf(Date);
    const restored = await registerDashboardDocuments(store.db, { restoreRemoved: true });
    expect(restored.find((r) => r.id === units.id)?.outcome).toBe('restored');
    const listed = await listTrustedDocuments(store.db);
    expect(listed.filter((d) => d.clientName === 'dashboard').map((d) => d.operationNames[0])).toEqual(
      expect.arrayContaining(['DashboardSources', 'DashboardUnits', 'DashboardAlerts', 'DashboardSourceStatus']),
    );
    // Every one of them is a document the hub's schema accepts.
    const schema = hubSchema();
    for (const text of DASHBOARD_DOCUMENTS) expect(validate(schema, parse(text))).toEqual([]);

    // The page loads them from the hub, as its own module.
    const module = await fetch(`${production.url}/dashboard/documents.js`);
    expect([module.status, module.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await module.text()).toContain('export const DASHBOARD_DOCUMENTS');
    expect(await (await fetch(`${production.url}/dashboard/app.js`)).text()).toContain("from './documents.js'");

    const client = createClient({
      endpoint: `${production.url}/graphql`,
      auth: { key: () => TOKEN, unauthorized: () => {}, changed: () => new Promise(() => {}) },
    });
    const data = await client.query(SOURCES);
    expect(Array.isArray(data.sources)).toBe(true);
  });
});

describe('the trusted documents cache', () => {
  let store: TestStore;
  /** The suite's store for one hub: stopping the hub leaves it open for the next test. */
  const kept = (db: Db): Db => ({ ...db, backend: db.backend, close: async () => {} });
  const OTHER = 'query TrustedOther { __typename }';

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await registerTrustedDocuments(store.db, [
      { document: UNITS, operationNames: ['TrustedUnits'] },
      { document: OTHER, operationNames: ['TrustedOther'] },
    ]);
  });
  afterAll(() => store?.dispose());

  it('looks a known document up once, then answers from memory (a removal shows once the entry expires)', async () => {
    const counting = countingDb(kept(store.db));
    const hub = await startTestHub(counting.db, { viewers, config: { HUB_MODE: 'production' } });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await post(hub.url, { documentId: documentIdOf(UNITS) }, auth)).status).toBe(200);
        expect((await post(hub.url, { query: UNITS }, auth)).status).toBe(200);
      }
      expect(counting.statements.filter((sql) => sql.includes('trusted_documents'))).toHaveLength(1);

      // Removed: this hub still runs its cached copy (for up to TRUSTED_DOCUMENTS_CACHE_SECONDS).
      await removeTrustedDocument(store.db, documentIdOf(UNITS));
      expect((await post(hub.url, { query: UNITS }, auth)).status).toBe(200);
    } finally {
      await hub.hub.stop();
    }
  });

  it('with a cache time of 0, a removal takes effect at the next request, and registering again restores it', async () => {
    const hub = await startTestHub(kept(store.db), {
      viewers,
      config: { HUB_MODE: 'production', TRUSTED_DOCUMENTS_CACHE_SECONDS: 0 },
    });
    try {
      expect((await post(hub.url, { query: OTHER }, auth)).status).toBe(200);
      const removed = await removeTrustedDocument(store.db, documentIdOf(OTHER).slice(0, 10));
      expect(removed.removedAt).toBeInstanceOf(Date);
      expect(codeOf(await post(hub.url, { query: OTHER }, auth))).toBe('PERSISTED_QUERY_ONLY');
      expect(codeOf(await post(hub.url, { documentId: documentIdOf(OTHER) }, auth))).toBe('PERSISTED_QUERY_NOT_FOUND');
      const [restored] = await registerTrustedDocuments(store.db, [{ document: OTHER, operationNames: [] }]);
      expect(restored?.outcome).toBe('restored');
      expect((await post(hub.url, { query: OTHER }, auth)).body).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await hub.hub.stop();
    }
  });

  it('in production, a caller without credentials costs no lookup, and a flood of one unknown id costs one', async () => {
    const counting = countingDb(kept(store.db));
    const lookups = () => counting.statements.filter((sql) => sql.includes('trusted_documents')).length;
    const hub = await startTestHub(counting.db, {
      authenticate: productionAuthenticate,
      config: { HUB_MODE: 'production' },
    });
    const unknown = documentIdOf('query Nobody { __typename }');
    try {
      for (let i = 0; i < 5; i++) {
        expect((await post(hub.url, { query: `query Stranger${i} { __typename }` })).status).toBe(401);
        expect((await post(hub.url, { documentId: documentIdOf(`query Probe${i} { __typename }`) })).status).toBe(401);
        expect((await post(hub.url, { documentId: documentIdOf(UNITS) })).status).toBe(401);
        expect((await get(hub.url, { documentId: unknown })).status).toBe(401);
        expect(await sseRefusalCode(await ssePost(hub.url, { documentId: unknown }))).toBe('UNAUTHENTICATED');
      }
      const batch = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ documentId: documentIdOf(`query B${i} { x }`) }))),
      });
      expect(JSON.stringify(await batch.json())).toContain('UNAUTHENTICATED');
      expect(lookups()).toBe(0);

      // A consumer's flood of one unknown id, or of one unregistered text: one lookup each.
      for (let i = 0; i < 10; i++) {
        expect(codeOf(await post(hub.url, { documentId: unknown }, auth))).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect(codeOf(await post(hub.url, { query: UNREGISTERED }, auth))).toBe('PERSISTED_QUERY_ONLY');
      }
      expect(lookups()).toBe(2);
    } finally {
      await hub.hub.stop();
    }
  });

  it("counts a refused document against the consumer's rate limit (429 once over it), on every transport", async () => {
    const production = await startTestHub(kept(store.db), {
      authenticate: productionAuthenticate,
      config: { HUB_MODE: 'production', RATE_LIMIT_PER_MINUTE: 3 },
    });
    const development = await startTestHub(kept(store.db), {
      viewers,
      config: { HUB_MODE: 'development', RATE_LIMIT_PER_MINUTE: 3 },
    });
    const unknown = (i: number) => documentIdOf(`query Unknown${i} { __typename }`);
    try {
      for (let i = 0; i < 3; i++) {
        expect((await post(production.url, { query: UNREGISTERED }, auth)).status).toBe(403);
      }
      const over = await post(production.url, { documentId: unknown(0) }, auth);
      expect([over.status, codeOf(over)]).toEqual([429, 'RATE_LIMITED']);
      expect(await sseRefusalCode(await ssePost(production.url, { documentId: unknown(1) }, auth))).toBe(
        'RATE_LIMITED',
      );
      const client = wsClient(production.url, { token: TOKEN });
      try {
        const { error } = await wsSubscribe(client, UNTRUSTED_STATUS).ended;
        expect((error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('RATE_LIMITED');
      } finally {
        await client.dispose();
      }

      // The anonymous developer's unknown ids too (counted per client address).
      for (let i = 0; i < 3; i++) expect((await post(development.url, { documentId: unknown(i) })).status).toBe(404);
      expect(codeOf(await post(development.url, { documentId: unknown(3) }))).toBe('RATE_LIMITED');
    } finally {
      await production.hub.stop();
      await development.hub.stop();
    }
  });

  it('masks a store failure while a WebSocket operation looks its document up, and the socket stays open', async () => {
    const failing: Db = {
      ...kept(store.db),
      backend: store.db.backend,
      query: async (sql, params) => {
        if (sql.includes('trusted_documents')) throw new Error('connect ECONNREFUSED db-primary.internal:5432');
        return store.db.query(sql, params);
      },
    };
    const hub = await startTestHub(failing, { viewers, config: { HUB_MODE: 'development' } });
    const client = wsClient(hub.url, { token: TOKEN });
    try {
      const failed = client.iterate({ query: '', documentId: documentIdOf('query Lost { __typename }') } as never);
      const error = await failed.next().catch((e: unknown) => e);
      expect(error).toEqual([
        {
          message: 'Unexpected error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
        },
      ]);
      expect(JSON.stringify(error)).not.toContain('db-primary');
      // Not a closed socket: the next operation on it runs.
      const next = await wsSubscribe(client, TYPENAME).received(1);
      expect(next[0]).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await client.dispose();
      await hub.hub.stop();
    }
  });

  it('refuses a row whose id is not the SHA-256 of its text (the store checks it)', async () => {
    await expect(
      store.db.query('INSERT INTO trusted_documents (id, document) VALUES ($1, $2)', ['0'.repeat(64), TYPENAME]),
    ).rejects.toThrow(/trusted_documents_id_is_sha256/);
  });
});

describe.each(testBackends)('registering through a running hub on %s', (backend) => {
  let store: TestStore;
  let production: TestHub;
  const ADMIN = 'admin-token';
  const DISTRICT_ADMIN = 'district-admin-token';
  const admin = { authorization: `Bearer ${ADMIN}` };
  const NEW = 'query NewPage { units(first: 3) { totalCount } }';
  const register = (documents: { id?: string; text: string }[], headers = admin, client: string | null = 'web-app') =>
    post(production.url, { query: REGISTER_DOCUMENTS, variables: { documents, client } }, headers);

  beforeAll(async () => {
    store = await openTestStore(backend);
    // What a hub's start registers: the mutation's own document, so that production runs it.
    expect((await registerDocumentsCliDocument(store.db, {})).map((r) => r.outcome)).toEqual(['added']);
    production = await startTestHub(store.db, {
      viewers: {
        ...viewers,
        [ADMIN]: testAdmin('ops-admin'),
        [DISTRICT_ADMIN]: testViewer('district-admin', SCOPES, '000.00.12.H40'),
      },
      config: { HUB_MODE: 'production' },
    });
  });
  afterAll(async () => {
    await production?.hub.stop();
    await store?.dispose();
  });

  it('runs a document at once once registered, though its id was just looked up as unknown', async () => {
    const id = documentIdOf(NEW);
    const before = await post(production.url, { documentId: `sha256:${id}` }, auth);
    expect([before.status, codeOf(before)]).toEqual([404, 'PERSISTED_QUERY_NOT_FOUND']);

    const registered = await register([{ id: `sha256:${id}`, text: NEW }]);
    expect(registered).toMatchObject({
      status: 200,
      body: { data: { registerTrustedDocuments: [{ id, operationNames: ['NewPage'], outcome: 'ADDED' }] } },
    });
    // Well within the 5 s the hub remembers an unknown id for.
    const after = await post(production.url, { documentId: `sha256:${id}` }, auth);
    expect(after).toMatchObject({ status: 200, body: { data: { units: { totalCount: 0 } } } });

    // Idempotent; stored with its client, and written to the audit log with the admin who registered it.
    const again = await register([{ text: NEW }]);
    expect(again.body.data.registerTrustedDocuments).toEqual([
      { id, operationNames: ['NewPage'], outcome: 'UNCHANGED' },
    ]);
    const documents = await listTrustedDocuments(store.db);
    expect(documents.find((d) => d.id === id)?.clientName).toBe('web-app');
    const audited = await store.db.query<{ consumer: string }>(
      `SELECT consumer FROM audit_log WHERE 'registerTrustedDocuments' = ANY(admin_operations)`,
    );
    expect(audited.map((row) => row.consumer)).toEqual(['ops-admin', 'ops-admin']);
  });

  it('refuses a consumer without the admin scope, or bound to a unit subtree, and registers nothing', async () => {
    const text = 'query NotAdmin { __typename }';
    const refused = await register([{ text }], auth);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    // A district's administrator: the documents would run for every consumer of the province.
    const district = await register([{ text }], { authorization: `Bearer ${DISTRICT_ADMIN}` });
    expect(district.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('registerTrustedDocuments concerns the whole province'),
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await listTrustedDocuments(store.db)).some((d) => d.id === documentIdOf(text))).toBe(false);
  });

  it('refuses, naming it and why, a document whose id is not its SHA-256 or that cannot run, and registers none', async () => {
    const good = 'query Good { __typename }';
    const deep = `{ units(first: 1) { edges { node { ${'parent { '.repeat(19)} code ${'} '.repeat(19)} } } } }`;
    const cases = [
      [
        [{ text: good }, { id: `sha256:${documentIdOf(UNITS)}`, text: good }],
        /^documents\[1\]: "sha256:\w+" is not the SHA-256 of its document/,
      ],
      [[{ text: good }, { text: deep }], /^documents\[1\]: does not validate: QUERY_TOO_DEEP: Query depth 23 exceeds/],
      [[{ text: good }, { text: '{ nope }' }], /^documents\[1\]: does not validate: Cannot query field "nope"/],
    ] as const;
    for (const [documents, message] of cases) {
      const refused = await register([...documents]);
      expect(refused.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(message),
        extensions: { code: 'BAD_USER_INPUT', argument: 'documents' },
      });
    }
    const badClient = await register([{ text: good }], admin, 'no spaces');
    expect(badClient.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'client' });
    expect((await listTrustedDocuments(store.db)).some((d) => d.id === documentIdOf(good))).toBe(false);
  });
});

describe('TRUSTED_DOCUMENTS=enforce in development', () => {
  let store: TestStore;
  let hub: TestHub;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    await registerTrustedDocuments(store.db, [{ document: UNITS, operationNames: ['TrustedUnits'] }]);
    hub = await startTestHub(store.db, { config: { HUB_MODE: 'development', TRUSTED_DOCUMENTS: 'enforce' } });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('runs registered documents only, as production does, and keeps development otherwise (introspection on)', async () => {
    const refused = await post(hub.url, { query: UNREGISTERED });
    expect([refused.status, codeOf(refused)]).toEqual([403, 'PERSISTED_QUERY_ONLY']);
    expect(refused.body.errors?.[0]?.message).toContain('TRUSTED_DOCUMENTS=enforce');
    const registered = await post(hub.url, { query: UNITS });
    expect(registered).toMatchObject({ status: 200, body: { data: { units: { edges: [] } } } });
    // A request without credentials is still the anonymous developer's.
    expect((await post(hub.url, { documentId: documentIdOf(UNITS) })).status).toBe(200);
  });
});
