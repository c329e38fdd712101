/**
 * The limits on what a request may ask (gateway/policy/limits), over real sockets:
 * each abusive request is refused with its code, HTTP status and a message
 * naming the limit; legitimate ones pass; a burst of abuse leaves the hub
 * answering everyone else; rate limits count per consumer (in Redis across
 * instances when TEST_REDIS_URL is set); a statement past the store's timeout
 * is QUERY_TIMEOUT (PostgreSQL, when TEST_DATABASE_URL is set).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { DEFAULT_LIMITS } from '../../gateway/policy/limits/settings.ts';
import { openDb } from '../../store/open-db.ts';
import { SCOPES } from '../../store/access.ts';
import { withoutStatementTimeout, type Db } from '../../store/db.ts';
import { registerTrustedDocuments } from '../../store/trusted-documents.ts';
import { demoUnits, seedDemoProvince } from '../support/fixture-province.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { sseSubscribe, wsClient, wsSubscribe } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const READER = ['read:aggregates', 'read:dossiers', 'subscribe'] as const;
const viewers = Object.fromEntries(
  ['good', 'abuser', 'rl-a', 'rl-b', 'rl-c', 'rl-d', 'rl-e', 'rl-f'].map((name) => [name, testViewer(name, READER)]),
);

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function post(url: string, body: unknown, token?: string, accept = 'application/graphql-response+json') {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() } as Answer;
}

const query = (url: string, text: string, token?: string, variables?: Record<string, unknown>) =>
  post(url, { query: text, variables }, token);

/** A body sent in chunks without a Content-Length, until the server answers or `total` bytes are out. */
function postChunked(
  url: string,
  total: number,
  { accept, query = '{ sources { name } }' }: { accept?: string; query?: string } = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/graphql`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          authorization: 'Bearer good',
          ...(accept ? { accept } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    const chunk = ' '.repeat(8 * 1024);
    let sent = 0;
    req.write(`{"query":${JSON.stringify(query)}`);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end('}');
    };
    pump();
  });
}

const codesOf = (answer: Answer) => (answer.body.errors ?? []).map((e: any) => e.extensions?.code);

/** The request was refused whole, with this one error (other extensions, e.g. the request id, may ride along). */
function expectRefusal(
  answer: { status: number; body: any },
  status: number,
  error: { message: string | RegExp; extensions: Record<string, unknown> },
) {
  expect(answer.status).toBe(status);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toHaveLength(1);
  const [only] = answer.body.errors;
  if (typeof error.message === 'string') expect(only.message).toBe(error.message);
  else expect(only.message).toMatch(error.message);
  expect(only.extensions).toMatchObject(error.extensions);
  expect(only.extensions.http).toBeUndefined();
  // Every refusal can be quoted to an operator: the hub's own 413/414 answers as much as Yoga's.
  expect(only.extensions.requestId).toEqual(expect.any(String));
}

/** units(first: 1) … node { parent { parent { … code } } }: depth 4 + parents. */
const deepQuery = (depth: number) =>
  `{ units(first: 1) { edges { node { ${'parent { '.repeat(depth - 4)}code${' }'.repeat(depth - 4)} } } } }`;
const aliasQuery = (aliases: number) =>
  `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: sources { name }`).join(' ')} }`;
/** 18 tokens and `codes` list items (repeated codes are evaluated once; no unit has the code: null, no error). */
const tokenFlood = (codes: number) =>
  `{ indicators(unitCode: "none", period: "2024", codes: [${'"ON_TIME_RATE" '.repeat(codes)}]) { code } }`;
const directiveQuery = (directives: number) => `{ sources { ${'name @include(if: true) '.repeat(directives)}} }`;
/** 100 procedures × 100 dossiers each: cost 1 + 100 × (1 + 1 + (1 + 100 × 3)) = 30,301. */
const NESTED_PAGES =
  '{ procedures(first: 100) { edges { node { dossiers(first: 100) { edges { node { code } } } } } } }';
const UNITS_PAGE = '{ units(first: 100) { edges { node { code } } } }';

const SUBSCRIPTION = 'subscription { sourceStatusChanged { eventId } }';

const unitCodes = demoUnits()
  .map((unit) => unit.code)
  .sort();

describe.each(testBackends)('request limits on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    hub = await startTestHub(store.db, { viewers });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('lets a page of units through, the answer complete', async () => {
    const answer = await query(hub.url, UNITS_PAGE, 'good');
    expect(answer.status).toBe(200);
    expect(answer.body.data.units.edges.map((e: any) => e.node.code)).toEqual(unitCodes.slice(0, 100));
  });

  it('refuses a deep query: QUERY_TOO_DEEP, with the depth and the limit', async () => {
    const limit = DEFAULT_LIMITS.maxDepth;
    expect((await query(hub.url, deepQuery(limit), 'good')).body.errors).toBeUndefined();
    expectRefusal(await query(hub.url, deepQuery(limit + 2), 'good'), 400, {
      message: `Query depth ${limit + 2} exceeds the limit of ${limit}`,
      extensions: { code: 'QUERY_TOO_DEEP', limit, found: limit + 2 },
    });
  });

  it('refuses many aliases: TOO_MANY_ALIASES', async () => {
    const limit = DEFAULT_LIMITS.maxAliases;
    expect((await query(hub.url, aliasQuery(limit), 'good')).body.errors).toBeUndefined();
    expectRefusal(await query(hub.url, aliasQuery(limit + 1), 'good'), 400, {
      message: `${limit + 1} aliases exceed the limit of ${limit} per operation`,
      extensions: { code: 'TOO_MANY_ALIASES', limit, found: limit + 1 },
    });
  });

  it('refuses a token flood while parsing it: TOO_MANY_TOKENS', async () => {
    const limit = DEFAULT_LIMITS.maxTokens;
    const fits = await query(hub.url, tokenFlood(limit - 18), 'good');
    // Parsed and run: the empty store knows no unit "none", an error of execution, not of the limit.
    expect(fits.body.errors?.map((error: { extensions?: { code?: string } }) => error.extensions?.code)).toEqual([
      'BAD_USER_INPUT',
    ]);
    expectRefusal(await query(hub.url, tokenFlood(limit - 17), 'good'), 400, {
      message: `The document has more than ${limit} tokens, the limit`,
      extensions: { code: 'TOO_MANY_TOKENS', limit },
    });
  });

  it('refuses many directives: TOO_MANY_DIRECTIVES', async () => {
    const limit = DEFAULT_LIMITS.maxDirectives;
    expect((await query(hub.url, directiveQuery(limit), 'good')).body.errors).toBeUndefined();
    expectRefusal(await query(hub.url, directiveQuery(limit + 1), 'good'), 400, {
      message: `${limit + 1} directives exceed the limit of ${limit} per operation`,
      extensions: { code: 'TOO_MANY_DIRECTIVES', limit, found: limit + 1 },
    });
  });

  it('refuses nested pages whose cost multiplies past the limit, before running them: QUERY_TOO_COMPLEX', async () => {
    expectRefusal(await query(hub.url, NESTED_PAGES, 'good'), 400, {
      message: new RegExp(`^Query cost 30301 exceeds the limit of ${DEFAULT_LIMITS.maxCost}: `),
      extensions: { code: 'QUERY_TOO_COMPLEX', cost: 30_301, limit: DEFAULT_LIMITS.maxCost },
    });
    // The cost follows the variables of each request, not the document alone (Yoga caches validation per document).
    const byVariable =
      'query ($n: Int) { procedures(first: $n) { edges { node { dossiers(first: $n) { edges { node { code } } } } } } }';
    expect((await query(hub.url, byVariable, 'good', { n: 10 })).body.errors).toBeUndefined();
    expect(codesOf(await query(hub.url, byVariable, 'good', { n: 100 }))).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await query(hub.url, byVariable, 'good', { n: 10 })).body.errors).toBeUndefined();
  });

  /** Over any sane limit alone: a bad argument beside it must not make the operation free. */
  const HEAVY =
    'units(first: 100) { edges { node { code descendants { code children { code descendants { code ancestors { code } } } } } } }';

  it('refuses an operation with an argument it cannot read, instead of running it uncosted', async () => {
    expect(codesOf(await query(hub.url, `{ ${HEAVY} }`, 'good'))).toEqual(['QUERY_TOO_COMPLEX']);
    expectRefusal(await query(hub.url, `{ node(id: "zzz") { id } ${HEAVY} }`, 'good'), 400, {
      message: /^An argument of this operation cannot be read, so its cost cannot be measured: Invalid global ID: zzz/,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const byVariable = `query ($ids: [ID!]!) { nodes(ids: $ids) { id } ${HEAVY} }`;
    expectRefusal(await query(hub.url, byVariable, 'good', { ids: ['bad'] }), 400, {
      message: /Invalid global ID: bad/,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    // Variables that do not coerce are execution's to refuse, in its words.
    const refused = await query(hub.url, byVariable, 'good', { ids: null });
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors[0].message).toBe('Variable "$ids" of non-null type "[ID!]!" must not be null.');
  });

  it('counts a subtree as tens of units: nested descendants over a page are QUERY_TOO_COMPLEX', async () => {
    const nested = '{ units(first: 100) { edges { node { descendants { descendants { code } } } } } }';
    expect(codesOf(await query(hub.url, nested, 'good'))).toEqual(['QUERY_TOO_COMPLEX']);
    const small = '{ units(first: 5) { edges { node { descendants { code } } } } }';
    expect((await query(hub.url, small, 'good')).body.errors).toBeUndefined();
  });

  it('refuses a huge page with the page size error, once, before anything runs', async () => {
    for (const text of [
      '{ units(first: 100000) { edges { node { code } } } }',
      '{ procedures(first: 5) { edges { node { dossiers(first: 100000) { edges { node { code } } } } } } }',
    ]) {
      expectRefusal(await query(hub.url, text, 'good'), 400, {
        message: '"first" must be between 0 and 100, got 100000',
        extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
      });
    }
  });

  it('refuses an oversized body, declared or chunked, with 413 PAYLOAD_TOO_LARGE; a large legitimate one passes', async () => {
    const limit = DEFAULT_LIMITS.maxBodyBytes;
    const padded = (bytes: number) => JSON.stringify({ query: `{ sources { name } }${' '.repeat(bytes)}` });
    const fits = await post(hub.url, padded(limit - 100), 'good');
    expect(fits.status).toBe(200);
    expect(fits.body.errors).toBeUndefined();

    const oversized = padded(2 * limit);
    expectRefusal(await post(hub.url, oversized, 'good'), 413, {
      message: `The request body is ${Buffer.byteLength(oversized)} bytes, over the limit of ${limit}`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
    });
    expectRefusal(await postChunked(hub.url, 4 * limit), 413, {
      message: `The request body exceeds the limit of ${limit} bytes`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
    });
    // The hub goes on answering on new connections.
    expect((await query(hub.url, UNITS_PAGE, 'good')).status).toBe(200);
  });

  it('refuses an overlong URL with 414 PAYLOAD_TOO_LARGE', async () => {
    const limit = DEFAULT_LIMITS.maxUrlBytes;
    const path = `/graphql?query=${encodeURIComponent('{ sources { name } }')}&pad=`;
    const response = await fetch(`${hub.url}${path}${'x'.repeat(limit)}`, { headers: { accept: 'application/json' } });
    expectRefusal({ status: response.status, body: await response.json() }, 414, {
      message: `The request URL is ${path.length + limit} bytes, over the limit of ${limit}: send a long document with POST`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
    });
  });

  it('refuses an SSE subscription whose chunked body is over the limit: 413 PAYLOAD_TOO_LARGE', async () => {
    const limit = DEFAULT_LIMITS.maxBodyBytes;
    const answer = await postChunked(hub.url, 3 * limit, { accept: 'text/event-stream', query: SUBSCRIPTION });
    expectRefusal(answer, 413, {
      message: `The request body exceeds the limit of ${limit} bytes`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
    });
  });

  it('closes a WebSocket that sends a message over the body limit (1009)', async () => {
    const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('error', () => {});
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(' '.repeat(2 * DEFAULT_LIMITS.maxBodyBytes));
    expect(await closed).toBe(1009);
  });

  it('hides suggestions when they are off (production), from every error, and only then', async () => {
    const typo = '{ sourcs { name } }';
    const enumTypo =
      'query E($c: PeriodConvention) { indicators(period: "2024", unitCode: "X", convention: $c) { __typename } }';
    const filterTypo = 'query U($f: UnitFilter) { units(first: 1, filter: $f) { totalCount } }';
    const sent: [string, Record<string, unknown> | undefined][] = [
      [typo, undefined],
      ['{ indicators(period: "2024", unitCode: "X", convention: CALENDA) { __typename } }', undefined],
      [enumTypo, { c: 'CALENDA' }],
      [filterTypo, { f: { parentCod: 'x' } }],
    ];
    const messages = async (url: string) =>
      Promise.all(
        sent.map(async ([text, variables]) => (await query(url, text, 'good', variables)).body.errors[0].message),
      );
    expect(await messages(hub.url)).toEqual([
      expect.stringMatching(/Did you mean "sources"\?$/),
      expect.stringMatching(/Did you mean the enum value "CALENDAR"\?$/),
      expect.stringMatching(/Did you mean the enum value "CALENDAR"\?$/),
      expect.stringMatching(/Did you mean "parentCode"\?$/),
    ]);
    await registerTrustedDocuments(
      store.db,
      [enumTypo, filterTypo].map((document) => ({ document, operationNames: [] })),
      'tests',
    );
    // Hubs on the same store, which they must leave open when they stop: suggestions off, and a production hub
    // with FIELD_SUGGESTIONS unset (production's default holds).
    const shared: Db = { ...store.db, backend: store.db.backend, close: async () => {} };
    const quiet = await startTestHub(shared, { viewers, config: { FIELD_SUGGESTIONS: false } });
    const production = await startTestHub(shared, {
      viewers,
      config: { HUB_MODE: 'production' },
    });
    try {
      const hidden = await messages(quiet.url);
      expect(hidden).toEqual([
        'Cannot query field "sourcs" on type "Query".',
        'Value "CALENDA" does not exist in "PeriodConvention" enum.',
        expect.stringMatching(
          /^Variable "\$c" got invalid value "CALENDA"; Value "CALENDA" does not exist in "PeriodConvention" enum\.$/,
        ),
        expect.stringMatching(/^Variable "\$f" got invalid value .*"parentCod".*\.$/),
      ]);
      for (const [text, variables] of sent.slice(2)) {
        const message = (await query(production.url, text, 'good', variables)).body.errors[0].message;
        expect(message).toMatch(/^Variable "\$\w" got invalid value/);
        expect(message).not.toMatch(/Did you mean/);
      }
    } finally {
      await quiet.hub.stop();
      await production.hub.stop();
    }
  });

  it('runs a batch up to the limit and refuses a larger one whole: BATCH_TOO_LARGE', async () => {
    const limit = DEFAULT_LIMITS.maxBatchOperations;
    const batch = (n: number) =>
      Array.from({ length: n }, () => ({ query: '{ units(first: 2) { edges { node { code } } } }' }));
    const ok = await post(hub.url, batch(limit), 'good', 'application/json');
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(limit);
    for (const result of ok.body) {
      expect(result.data.units.edges.map((e: any) => e.node.code)).toEqual(unitCodes.slice(0, 2));
    }
    expectRefusal(await post(hub.url, batch(limit + 1), 'good', 'application/json'), 413, {
      message: `A batch of ${limit + 1} operations exceeds the limit of ${limit} per request`,
      extensions: { code: 'BATCH_TOO_LARGE', limit, found: limit + 1 },
    });
  });
});

/** Opens an SSE subscription with fetch; the stream of one that was accepted stays open until cancelled. */
async function openSse(url: string, token: string) {
  const response = await fetch(`${url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
  });
  return response;
}

describe.each(testBackends)('rate limits per consumer on %s', (backend) => {
  const perMinute = 5;
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    hub = await startTestHub(store.db, { viewers, config: { RATE_LIMIT_PER_MINUTE: perMinute } });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('counts each consumer apart; over its limit: HTTP 429, Retry-After and RATE_LIMITED', async () => {
    for (let i = 0; i < perMinute; i++) expect((await query(hub.url, UNITS_PAGE, 'rl-a')).status).toBe(200);
    const refused = await query(hub.url, UNITS_PAGE, 'rl-a');
    expectRefusal(refused, 429, {
      message: /^Rate limit exceeded: rl-a may start 5 operations per minute; retry after \d+ s$/,
      extensions: { code: 'RATE_LIMITED', limitPerMinute: perMinute },
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.errors[0].extensions.retryAfterSeconds).toBe(retryAfter);
    // Another consumer is not held back.
    const other = await query(hub.url, UNITS_PAGE, 'rl-b');
    expect(other.status).toBe(200);
    expect(other.body.data.units.edges).toHaveLength(unitCodes.length);
  });

  it('counts every operation of a batch', async () => {
    const batch = Array.from({ length: perMinute + 1 }, () => ({ query: '{ sources { name } }' }));
    const answer = await post(hub.url, batch, 'rl-c', 'application/json');
    expect(answer.body.slice(0, perMinute).every((result: any) => result.errors === undefined)).toBe(true);
    expect(answer.body[perMinute].errors.map((e: any) => e.extensions.code)).toEqual(['RATE_LIMITED']);
  });

  it('counts each SSE subscription started, shared streams too, and refuses one over the limit with 429', async () => {
    const open: Response[] = [];
    try {
      // Five identical subscriptions: the first opens a stream, the others join it; each one counts once.
      for (let i = 0; i < perMinute; i++) {
        const response = await openSse(hub.url, 'rl-d');
        open.push(response);
        expect(response.status).toBe(200);
      }
      const refused = await openSse(hub.url, 'rl-d');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const text = await refused.text();
      expect(text).toContain('"code":"RATE_LIMITED"');
      expect(text).toContain('event: complete');
    } finally {
      for (const response of open) await response.body?.cancel();
    }
  });

  it('refuses a WebSocket subscription over the limit with RATE_LIMITED, without HTTP details', async () => {
    for (let i = 0; i < perMinute; i++) expect((await query(hub.url, UNITS_PAGE, 'rl-e')).status).toBe(200);
    const client = wsClient(hub.url, { token: 'rl-e' });
    try {
      const subscription = wsSubscribe(client, SUBSCRIPTION);
      const [result] = await subscription.received(1);
      expect(result!.errors).toHaveLength(1);
      expect(result!.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limitPerMinute: perMinute });
      expect(result!.errors![0]!.extensions!.http).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});

describe.each(testBackends)('a burst of abusive requests on %s', (backend) => {
  const perMinute = 40;
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    hub = await startTestHub(store.db, { viewers, config: { RATE_LIMIT_PER_MINUTE: perMinute } });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('is refused request by request while another consumer keeps getting right answers, and the hub stays up', async () => {
    const limits = DEFAULT_LIMITS;
    const batchFlood = Array.from({ length: 50 }, () => ({ query: UNITS_PAGE }));
    /** Each kind of abuse, and the codes it may get: those that reach execution count against the rate limit. */
    const kinds: [send: () => Promise<{ status: number; body: any }>, status: number, code: string][] = [
      [() => query(hub.url, deepQuery(limits.maxDepth + 5), 'abuser'), 400, 'QUERY_TOO_DEEP'],
      [() => query(hub.url, aliasQuery(limits.maxAliases * 3), 'abuser'), 400, 'TOO_MANY_ALIASES'],
      [() => query(hub.url, tokenFlood(limits.maxTokens * 2), 'abuser'), 400, 'TOO_MANY_TOKENS'],
      [() => query(hub.url, directiveQuery(limits.maxDirectives * 2), 'abuser'), 400, 'TOO_MANY_DIRECTIVES'],
      [() => query(hub.url, '{ units(first: 100000) { edges { node { code } } } }', 'abuser'), 400, 'BAD_USER_INPUT'],
      [() => query(hub.url, NESTED_PAGES, 'abuser'), 400, 'QUERY_TOO_COMPLEX'],
      [
        () => post(hub.url, JSON.stringify({ query: UNITS_PAGE, pad: 'x'.repeat(limits.maxBodyBytes) }), 'abuser'),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [() => postChunked(hub.url, 2 * limits.maxBodyBytes), 413, 'PAYLOAD_TOO_LARGE'],
      [() => post(hub.url, batchFlood, 'abuser', 'application/json'), 413, 'BATCH_TOO_LARGE'],
    ];
    const abuse = Array.from({ length: 200 }, (_, i) => {
      const [send, status, code] = kinds[i % kinds.length]!;
      return send().then((answer) => ({ answer, status, code }));
    });
    const normal = Array.from({ length: 30 }, () => query(hub.url, UNITS_PAGE, 'good'));
    const [abused, answered] = await Promise.all([Promise.all(abuse), Promise.all(normal)]);

    for (const answer of answered) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.units.edges.map((e: any) => e.node.code)).toEqual(unitCodes.slice(0, 100));
    }
    let rateLimited = 0;
    for (const { answer, status, code } of abused) {
      const [error] = answer.body.errors;
      if (error.extensions.code === 'RATE_LIMITED') {
        // Only what reaches execution is counted, and the abuser's budget is spent by then.
        expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(code);
        expect(answer.status).toBe(429);
        rateLimited++;
        continue;
      }
      expect({ status: answer.status, code: error.extensions.code }).toEqual({ status, code });
    }
    // The abuser ran out of budget (2 of the 9 kinds count: about 44 operations, over 40); the good consumer did not.
    expect(rateLimited).toBeGreaterThan(0);

    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    const after = await query(hub.url, UNITS_PAGE, 'good');
    expect(after.body.data.units.edges).toHaveLength(unitCodes.length);
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.warn(
    'tests/integration/limits.test.ts: statement timeout skipped: TEST_DATABASE_URL is unset (PostgreSQL only)',
  );
}

/**
 * PostgreSQL only: PGlite accepts statement_timeout but never enforces it (no timer signals in its WebAssembly
 * build), so the hub documents the timeout as PostgreSQL's.
 */
describe.skipIf(!databaseUrl)('the statement timeout on postgres', () => {
  // Well above any of the suite's own statements under load; every slow statement sleeps twice as long.
  const timeoutMs = 1_000;
  let store: TestStore;
  let timed: Db;
  let hub: TestHub;
  let slow = false;
  let slowTransactions = false;

  beforeAll(async () => {
    store = await openTestStore('postgres');
    await seedDemoProvince(store.db);
    const [{ schema }] = (await store.db.query<{ schema: string }>('SELECT current_schema() AS schema')) as [
      { schema: string },
    ];
    timed = await openDb({ databaseUrl, schema, poolMax: 2, statementTimeoutMs: timeoutMs });
    // While `slow` is set, each of the graph's SELECTs runs as itself joined to a two-second sleep; while
    // `slowTransactions` is, each transaction (the audit log's insert) sleeps two seconds first.
    const graphDb: Db = {
      ...timed,
      backend: timed.backend,
      query: (sql, params) =>
        timed.query(slow && /^\s*SELECT/i.test(sql) ? `SELECT t.* FROM (${sql}) AS t, pg_sleep(2)` : sql, params),
      transaction: (work) =>
        timed.transaction(async (tx) => {
          if (slowTransactions) await tx.query('SELECT pg_sleep(2)');
          return work(tx);
        }),
    };
    hub = await startTestHub(graphDb, { viewers: { ...viewers, admin: testViewer('admin', SCOPES) } });
  });

  /** The hub's connections still running a sleep of this suite (the test's own connection excluded). */
  const sleeping = async () =>
    (
      await store.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'lgsp-hub' AND state = 'active' AND query LIKE '%pg_sleep(2)%'
            AND pid <> pg_backend_pid() AND datname = current_database()`,
      )
    )[0]!.n;
  afterAll(async () => {
    await hub?.hub.stop(); // closes `timed`
    await store?.dispose();
  });

  it('cancels a graph read past the timeout as QUERY_TIMEOUT, and the hub goes on serving', async () => {
    slow = true;
    let answer: Answer;
    try {
      answer = await query(hub.url, UNITS_PAGE, 'good');
    } finally {
      slow = false;
    }
    expect(answer.body.data).toBeNull();
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors[0]).toMatchObject({
      message: expect.stringMatching(
        /^The store cancelled a statement of this query for running past its statement timeout/,
      ),
      path: ['units'],
      extensions: { code: 'QUERY_TIMEOUT' },
    });
    expect(await sleeping()).toBe(0);
    const again = await query(hub.url, UNITS_PAGE, 'good');
    expect(again.body.data.units.edges.map((e: any) => e.node.code)).toEqual(unitCodes.slice(0, 100));
  });

  it('cuts the statements of a transaction the graph starts too', async () => {
    await expect(timed.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    await expect(timed.transaction((tx) => tx.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({ code: '57014' });
    expect(await sleeping()).toBe(0);
    // The connection serves on after the rollback.
    await expect(timed.transaction((tx) => tx.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
  });

  it("cuts the audit log's insert: the answer withholds the data it could not record", async () => {
    slowTransactions = true;
    const started = Date.now();
    let answer: Answer;
    try {
      answer = await query(hub.url, '{ auditChainStatus { ok } }', 'admin');
    } finally {
      slowTransactions = false;
    }
    expect(answer.status).toBe(503);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors.map((e: any) => e.extensions.code)).toEqual(['AUDIT_UNAVAILABLE']);
    // Cut at the timeout, not after the two-second sleep, and nothing of it runs on.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await sleeping()).toBe(0);
    const again = await query(hub.url, '{ auditChainStatus { ok } }', 'admin');
    expect(again.body).toEqual({ data: { auditChainStatus: { ok: true } } });
  });

  it('never cuts the background work (sync engine, live producer): its statements outside transactions too', async () => {
    const background = withoutStatementTimeout(timed);
    expect(background).not.toBe(timed);
    // As the live producer's prune: one long statement of its own, on the same pool.
    await expect(background.query('SELECT pg_sleep(2) AS slept')).resolves.toEqual([{ slept: '' }]);
    await expect(background.exec('SELECT pg_sleep(2)')).resolves.toBeUndefined();
    await expect(background.transaction((tx) => tx.query('SELECT pg_sleep(2) AS slept'))).resolves.toHaveLength(1);
    // The pool's connections keep the timeout for the graph.
    await expect(timed.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.warn('tests/integration/limits.test.ts: shared rate limits skipped: TEST_REDIS_URL is unset');

describe.skipIf(!redisUrl)('rate limits shared through Redis', () => {
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

  const redis = (url: string) => {
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  it('one consumer’s budget is counted once across two instances', async () => {
    // The counters are keyed by the store's namespace (database and schema): a schema name of this test's own.
    const DATABASE_SCHEMA = `test_rl_${randomUUID().replaceAll('-', '')}`;
    const a = redis(redisUrl!);
    const b = redis(redisUrl!);
    await Promise.all([new Promise((r) => a.once('ready', r)), new Promise((r) => b.once('ready', r))]);
    const [one, two] = await Promise.all(
      [a, b].map((client) =>
        startTestHub(store.db, {
          viewers,
          rateLimitRedis: client,
          config: { RATE_LIMIT_PER_MINUTE: 4, DATABASE_SCHEMA },
        }),
      ),
    );
    hubs.push(one!, two!);
    const sent = [one, two, one, two].map((hub) => query(hub!.url, '{ sources { name } }', 'rl-a'));
    for (const answer of await Promise.all(sent)) expect(answer.status).toBe(200);
    expect(codesOf(await query(two!.url, '{ sources { name } }', 'rl-a'))).toEqual(['RATE_LIMITED']);
    expect(codesOf(await query(one!.url, '{ sources { name } }', 'rl-a'))).toEqual(['RATE_LIMITED']);
    expect((await query(one!.url, '{ sources { name } }', 'rl-b')).status).toBe(200);
  });

  it('counts in memory while Redis is unreachable instead of failing requests', async () => {
    const down = redis('redis://127.0.0.1:9');
    const hub = await startTestHub(store.db, {
      viewers,
      logger: pino({ level: 'silent' }),
      rateLimitRedis: down,
      config: { RATE_LIMIT_PER_MINUTE: 2, DATABASE_SCHEMA: `test_rl_${randomUUID().replaceAll('-', '')}` },
    });
    hubs.push(hub);
    expect((await query(hub.url, '{ sources { name } }', 'rl-a')).status).toBe(200);
    expect((await query(hub.url, '{ sources { name } }', 'rl-a')).status).toBe(200);
    expect(codesOf(await query(hub.url, '{ sources { name } }', 'rl-a'))).toEqual(['RATE_LIMITED']);
  });
});
