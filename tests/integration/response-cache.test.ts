/**
 * The response cache for aggregate queries (gateway/response-cache), over real
 * sockets on a province synced from the mock upstreams, with the sync engine
 * wired as gateway/main.ts wires it (the live producer hands every committed
 * batch's ChangeEvent on to the cache's invalidation bus):
 *
 * - a second identical aggregate query is a hit: no statement reaches the store;
 *   a hit the consumer's rate limit refuses is neither a hit nor a miss;
 * - every GraphQL answer says Cache-Control: private, no-store, and none has
 *   an ETag or Last-Modified;
 * - answers never cross consumers: another unit subtree (either way round),
 *   other scopes of the same consumer, anonymous; a FORBIDDEN answer is never
 *   cached, and the plugin's If-None-Match shortcut never answers before the
 *   credential is checked;
 * - personal data, dossier and staff lists, admin data and introspection are
 *   never cached, and personal data is audited on every request;
 * - a committed sync batch, the end of a pass that wrote no row (freshness
 *   changed) and setIndicatorTarget / removeIndicatorTarget empty the cache
 *   (the next answer has the new data), as does lost pubsub delivery; a
 *   mutation refused (FORBIDDEN) does not; an answer computed across an
 *   invalidation is not stored;
 * - with TEST_REDIS_URL, two hub instances on one store: a mutation on one,
 *   or a sync publishing through a pubsub of its own (as scripts/sync.ts
 *   does), empties the other's cache (skipped, saying so, without it).
 */
import { randomUUID } from 'node:crypto';
import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { responseCacheBus, type ResponseCacheBus } from '../../gateway/response-cache/bus.ts';
import {
  CACHED_ROOT_FIELDS,
  CACHED_TYPES,
  UNCACHED_ROOT_FIELDS,
  UNCACHED_TYPES,
} from '../../gateway/response-cache/cacheable.ts';
import { RESPONSE_CACHE_HEADER, responseCacheKey } from '../../gateway/response-cache/cache.ts';
import { cacheSessionOf } from '../../gateway/response-cache/session.ts';
import type { LiveProducer } from '../../live/producer.ts';
import { createHubPubSub, type HubPubSub } from '../../live/pubsub.ts';
import type { Hub } from '../../gateway/server.ts';
import type { SyncEngine } from '../../connectors/sync/engine.ts';
import type { DeliveryWatcher } from '../../live/subscribers.ts';
import { hubSchema } from '../../schema/index.ts';
import { SCOPES, type Scope, type Viewer } from '../../store/access.ts';
import type { Db } from '../../store/db.ts';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import { startHubOnLoopback, testViewer, tokenTable, type GraphQLResponse } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { liveSyncRig, startMocks } from '../support/sync-rig.ts';

const silent = pino({ level: 'silent' });
const CACHE = { RESPONSE_CACHE_TTL_SECONDS: 60, RESPONSE_CACHE_MAX_ENTRIES: 500 };
const READ_SCOPES: Scope[] = ['read:aggregates', 'read:dossiers', 'read:staff', 'read:finance'];

/**
 * A consumer authenticated by JWT (no consumers row: the audit log's consumer id stays null); every one here by the
 * same credential, so that two sessions differ only by consumer, scopes or unit subtree.
 */
const viewer = (consumer: string, scopes: readonly Scope[], unitCode: string | null = null): Viewer =>
  testViewer(consumer, scopes, unitCode, 'JWT');

interface Answer<Data = any> {
  status: number;
  /** x-response-cache: hit, miss or bypass. */
  cache: string | null;
  headers: Headers;
  body: GraphQLResponse<Data>;
}

async function ask<Data = any>(
  url: string,
  query: string,
  { variables, token, headers = {} }: { variables?: object; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<Data>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    cache: response.headers.get(RESPONSE_CACHE_HEADER),
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse<Data>,
  };
}

async function cacheCounts(url: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (result: string) =>
    Number(new RegExp(`^lgsp_response_cache_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}

/**
 * A sync engine over the mocks as gateway/main.ts (and scripts/sync.ts) wires
 * it: the live producer publishes its events to `publishLive`, and the
 * response cache's invalidation bus hears of every ChangeEvent and pass end.
 */
function cacheSyncRig(db: Db, world: MockWorld, mocks: MockUpstreams, publishLive: HubPubSub, bus: ResponseCacheBus) {
  return liveSyncRig(
    db,
    world,
    mocks,
    (event) => publishLive.publish(LIVE_TOPIC, event),
    // The response caches' invalidation first, then the live producer, as main.ts lists them.
    [bus.syncObserver],
  );
}

async function advanceClock(mocks: MockUpstreams, seconds: number) {
  const response = await fetch(`${mocks.urls.oneStopShop}/__admin/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: seconds }),
  });
  expect(response.status).toBe(200);
}

/** The province's root, a district, the codes of its subtree and a unit outside it (a provincial agency). */
async function provinceOf(db: Db) {
  const [root] = await db.query<{ code: string }>('SELECT code FROM units WHERE parent_code IS NULL');
  const [district] = await db.query<{ code: string }>(
    `SELECT code FROM units WHERE parent_code = $1 AND level = 'DISTRICT' AND kind = 'PEOPLES_COMMITTEE' ORDER BY code`,
    [root!.code],
  );
  const subtree = await db.query<{ code: string }>('SELECT unit_code AS code FROM unit_tree WHERE ancestor_code = $1', [
    district!.code,
  ]);
  const [outside] = await db.query<{ code: string }>(
    `SELECT code FROM units WHERE parent_code = $1 AND level = 'PROVINCE' ORDER BY code`,
    [root!.code],
  );
  return {
    root: root!.code,
    district: district!.code,
    outside: outside!.code,
    subtree: new Set(subtree.map((row) => row.code)),
  };
}

/** The simulated province's current year, in Vietnam time (UTC+7). */
const yearOf = (world: MockWorld) => new Date(world.now().getTime() + 7 * 3_600_000).getUTCFullYear();

const INDICATOR = `query ($unitCode: String!, $period: String!, $code: String!) {
  indicators(unitCode: $unitCode, period: $period, codes: [$code]) { code value target targetSource }
}`;

describe('what the response cache may answer', () => {
  it('classifies every root field and every type a cached answer can reach', () => {
    const schema = hubSchema();
    const roots = Object.keys(schema.getQueryType()!.getFields()).sort();
    const classified = [...CACHED_ROOT_FIELDS, ...Object.keys(UNCACHED_ROOT_FIELDS)].sort();
    expect(roots).toEqual(classified);

    // Every object type under a cached root is on one list, and only one, until an uncached type stops the walk.
    const seen = new Set<string>();
    const unclassified: string[] = [];
    const walk = (type: GraphQLNamedType) => {
      if (seen.has(type.name) || type.name in UNCACHED_TYPES) return;
      seen.add(type.name);
      if (isUnionType(type)) return type.getTypes().forEach(walk);
      if (isInterfaceType(type)) schema.getPossibleTypes(type).forEach(walk);
      if (!isObjectType(type) && !isInterfaceType(type)) return;
      if (!CACHED_TYPES.has(type.name)) unclassified.push(type.name);
      for (const field of Object.values(type.getFields())) walk(getNamedType(field.type));
    };
    for (const name of CACHED_ROOT_FIELDS) walk(getNamedType(schema.getQueryType()!.getFields()[name]!.type));
    expect(unclassified).toEqual([]);
    for (const name of Object.keys(UNCACHED_TYPES)) expect(CACHED_TYPES.has(name)).toBe(false);
  });
});

describe.each(testBackends)('the response cache on %s', (backend) => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  let hub: Hub;
  let url: string;
  let pubsub: HubPubSub;
  let rig: ReturnType<typeof cacheSyncRig>;
  let engine: SyncEngine;
  let producer: LiveProducer;
  let statements: string[];
  /** Statements wait on this while it is set (an answer computed across an invalidation). */
  let hold: Promise<void> | null = null;
  let held = false;
  const watchers: DeliveryWatcher[] = [];
  const viewers = new Map<string, Viewer>();
  let province: Awaited<ReturnType<typeof provinceOf>>;
  let period: string;
  let year: number;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    // A memory pubsub whose delivery watchers the test holds: it plays a Redis connection dropping.
    pubsub = createHubPubSub({ logger: silent });
    Object.assign(pubsub, {
      watchDelivery: (watcher: DeliveryWatcher) => {
        watchers.push(watcher);
        return () => {};
      },
    });
    const counted = countingDb(store.db);
    statements = counted.statements;
    const gated: Db = {
      ...counted.db,
      query: async (sql, params) => {
        if (hold) {
          held = true;
          await hold;
        }
        return counted.db.query(sql, params);
      },
    };
    rig = cacheSyncRig(store.db, world, mocks, pubsub, responseCacheBus(pubsub));
    ({ engine, producer } = rig);
    expect((await engine.runAll({ trigger: 'COMMAND' })).map((r) => r.error)).toEqual([null, null, null]);
    await producer.idle();
    ({ hub, url } = await startHubOnLoopback(gated, {
      pubsub,
      authenticate: tokenTable(viewers),
      config: CACHE,
      sync: { engine, circuit: () => 'CLOSED' },
    }));
    await hub.responseCache!.whenLive();
    province = await provinceOf(store.db);
    year = yearOf(world);
    period = String(year);
    viewers.set('province', viewer('province', READ_SCOPES));
    // The same consumer through a JWT that narrows its scopes: no read:aggregates.
    viewers.set('province-narrowed', viewer('province', ['read:dossiers']));
    viewers.set('district', viewer('district', READ_SCOPES, province.district));
    viewers.set('pii', viewer('pii', [...READ_SCOPES, 'read:pii']));
    viewers.set('admin', viewer('admin', SCOPES));
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    await hub?.stop();
    await pubsub?.close();
    await mocks?.close();
    await store?.dispose();
  });

  it('answers a second identical aggregate query from the cache, without a statement to the store', async () => {
    const query = `query ($unitCode: String!, $period: String!) {
      indicators(unitCode: $unitCode, period: $period, codes: ["DOSSIER_RECEIVED", "ON_TIME_RATE"]) { code value }
      units(first: 5) { totalCount edges { node { code name } } }
    }`;
    const variables = { unitCode: province.root, period };
    const counts = await cacheCounts(url);
    const first = await ask(url, query, { variables, token: 'province' });
    expect(first.body.errors).toBeUndefined();
    expect(first.cache).toBe('miss');
    const before = statements.length;
    // Variables in another key order are the same request.
    const second = await ask(url, query, { variables: { period, unitCode: province.root }, token: 'province' });
    expect(second.cache).toBe('hit');
    expect(statements.length).toBe(before);
    expect(second.body).toEqual(first.body);
    expect(await cacheCounts(url)).toEqual({ hit: counts.hit + 1, miss: counts.miss + 1 });
  });

  it('tells browsers and proxies to keep no answer, and sends no ETag or Last-Modified', async () => {
    const query = `{ procedures(first: 2) { edges { node { code } } } }`;
    const answers = [
      await ask(url, query, { token: 'province' }),
      await ask(url, query, { token: 'province' }),
      await ask(url, `{ sources { name } }`, { token: 'admin' }),
      await ask(url, query, { token: 'nobody' }),
    ];
    expect(answers.map((a) => [a.status, a.cache])).toEqual([
      [200, 'miss'],
      [200, 'hit'],
      [200, 'bypass'],
      [401, 'bypass'],
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('private, no-store');
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('last-modified')).toBeNull();
    }
  });

  it('counts answers served from the cache against the consumer’s rate limit', async () => {
    // Its own hub (its own limiter), on the suite's store, which its stop must leave open.
    const limited = await startHubOnLoopback(
      { ...store.db, close: async () => {} },
      {
        authenticate: tokenTable(viewers),
        config: { ...CACHE, RATE_LIMIT_PER_MINUTE: 3 },
      },
    );
    try {
      await limited.hub.responseCache!.whenLive();
      const query = '{ units(first: 3) { edges { node { code } } } }';
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await ask(limited.url, query, { token: 'province' }));
      expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
      // The fourth operation of the minute: refused although its answer was at hand.
      expect(answers[3]!.status).toBe(429);
      expect(answers[3]!.body.data).toBeUndefined();
      expect(answers[3]!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      // The refusal is the rate limit's answer, not the cache's: neither a hit nor a miss, in the header or the metric.
      expect(answers.map((a) => a.cache)).toEqual(['miss', 'hit', 'hit', 'bypass']);
      expect(await cacheCounts(limited.url)).toEqual({ hit: 2, miss: 1 });
    } finally {
      await limited.hub.stop();
    }
  });

  it('never gives one consumer’s answer to another: unit subtree, scopes, anonymous', async () => {
    const units = `{ units(first: 100) { totalCount edges { node { code } } } }`;
    const codes = (answer: Answer): string[] => answer.body.data.units.edges.map((edge: any) => edge.node.code);

    const whole = await ask(url, units, { token: 'province' });
    expect(whole.cache).toBe('miss');
    expect((await ask(url, units, { token: 'province' })).cache).toBe('hit');
    // The district's consumer asks the same after the province-wide answer is cached: its own subtree only.
    const narrowed = await ask(url, units, { token: 'district' });
    expect(narrowed.cache).toBe('miss');
    expect(narrowed.body.data.units.totalCount).toBeLessThan(whole.body.data.units.totalCount);
    expect(codes(narrowed).every((code) => province.subtree.has(code))).toBe(true);
    const again = await ask(url, units, { token: 'district' });
    expect(again.cache).toBe('hit');
    expect(again.body).toEqual(narrowed.body);
    // The other way round: the subtree answer cached first, the province-wide consumer still gets the province.
    const units50 = `{ units(first: 50) { totalCount } }`;
    expect((await ask(url, units50, { token: 'district' })).body.data.units.totalCount).toBe(
      narrowed.body.data.units.totalCount,
    );
    const wide = await ask(url, units50, { token: 'province' });
    expect(wide.cache).toBe('miss');
    expect(wide.body.data.units.totalCount).toBe(whole.body.data.units.totalCount);
    // Anonymous development requests share one session of their own.
    const anonymous = await ask(url, units);
    expect(anonymous.cache).toBe('miss');
    expect(anonymous.body).toEqual(whole.body);
    expect((await ask(url, units)).cache).toBe('hit');

    // The same consumer with narrower scopes (a JWT) is refused what its full credential had cached.
    const counts = `query ($code: String!) { unit(code: $code) { code dossierCounts { count } } }`;
    const full = await ask(url, counts, { variables: { code: province.root }, token: 'province' });
    expect(full.body.errors).toBeUndefined();
    expect((await ask(url, counts, { variables: { code: province.root }, token: 'province' })).cache).toBe('hit');
    for (let i = 0; i < 2; i++) {
      const refused = await ask(url, counts, { variables: { code: province.root }, token: 'province-narrowed' });
      expect(refused.cache).toBe('miss'); // an answer with errors is never stored
      expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
  });

  it('never caches a refused answer, and answers If-None-Match only after the credential is checked', async () => {
    // A unit argument outside the consumer's subtree is refused as an unknown one (BAD_USER_INPUT).
    const outside = `query ($code: String!) { units(filter: { parentCode: $code }) { totalCount } }`;
    for (let i = 0; i < 2; i++) {
      const answer = await ask(url, outside, { variables: { code: province.outside }, token: 'district' });
      expect(answer.cache).toBe('miss');
      expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    const tree = `{ unit(code: "${province.root}") { code children { code } } }`;
    const cached = await ask(url, tree, { token: 'province' });
    expect(cached.body.errors).toBeUndefined();
    expect((await ask(url, tree, { token: 'province' })).cache).toBe('hit');
    // The key the plugin's shortcut would look an If-None-Match up by (no longer sent as an ETag).
    const etag = await responseCacheKey({
      sessionId: cacheSessionOf(viewers.get('province')!),
      operationName: undefined,
      documentString: tree,
      variableValues: undefined,
    });
    // The cached answer's key with a bad credential: refused, never a 304.
    const refused = await ask(url, tree, { token: 'nobody', headers: { 'if-none-match': etag } });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // With another consumer's credential: its own answer in full.
    const other = await ask(url, tree, { token: 'district', headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ data: { unit: null } });
    // With the right one: the answer in full too, from the cache.
    const own = await ask(url, tree, { token: 'province', headers: { 'if-none-match': etag } });
    expect([own.status, own.cache]).toEqual([200, 'hit']);
    expect(own.body).toEqual(cached.body);
  });

  it('never caches personal data, dossier and staff lists, admin data or introspection, and audits every request', async () => {
    const auditEntries = async () =>
      (await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'))[0]!.n;
    const personal = [
      `{ dossiers(first: 2) { edges { node { code applicantName } } } }`,
      `{ staff(first: 2) { edges { node { id fullName } } } }`,
    ];
    for (const query of personal) {
      const before = await auditEntries();
      for (let i = 0; i < 2; i++) {
        const answer = await ask(url, query, { token: 'pii' });
        expect(answer.body.errors).toBeUndefined();
        expect(answer.cache).toBe('bypass');
      }
      expect(await auditEntries()).toBe(before + 2);
    }
    const uncached = [
      `{ dossiers(first: 2) { totalCount } }`,
      `{ staff(first: 2) { totalCount } }`,
      `{ dossier(code: "nope") { code } }`,
      `{ procedures(first: 1) { edges { node { code dossiers(first: 1) { totalCount } } } } }`,
      `{ sources { name lagSeconds } }`,
      `{ __schema { queryType { name } } }`,
      `mutation { syncNow(source: BUDGET) { name } }`,
    ];
    for (const query of uncached) {
      for (let i = 0; i < 2; i++) {
        const answer = await ask(url, query, { token: 'pii' });
        expect(answer.cache, query).toBe('bypass');
      }
    }
  });

  it('empties the cache when a sync commits: the next answer has the new data', async () => {
    const variables = { unitCode: province.root, period, code: 'DOSSIER_RECEIVED' };
    const before = await ask(url, INDICATOR, { variables, token: 'province' });
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');

    // Two simulated days later, through the mock upstream's admin endpoint; the pass commits new dossiers.
    await advanceClock(mocks, 2 * 86_400);
    const pass = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass.error).toBeNull();
    expect(pass.records).toBeGreaterThan(0);
    await producer.idle();

    const after = await ask(url, INDICATOR, { variables, token: 'province' });
    expect(after.cache).toBe('miss');
    expect(after.body.data.indicators[0].value).toBeGreaterThan(before.body.data.indicators[0].value);
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).body).toEqual(after.body);
  });

  it('empties the cache when a pass ends without writing a row: the freshness in cached answers changed', async () => {
    const query = `query ($unitCode: String!, $period: String!) {
      indicators(unitCode: $unitCode, period: $period, codes: ["DOSSIER_RECEIVED"]) {
        code freshness { source lastSuccessAt }
      }
    }`;
    const variables = { unitCode: province.root, period };
    const lastSuccess = (answer: Answer) =>
      answer.body.data.indicators[0].freshness.find((f: any) => f.source === 'ONE_STOP_SHOP').lastSuccessAt as string;
    const before = await ask(url, query, { variables, token: 'province' });
    expect(before.body.errors).toBeUndefined();
    expect((await ask(url, query, { variables, token: 'province' })).cache).toBe('hit');

    // The upstream's clock has not moved: nothing new to write, only the pass's sync_runs row.
    const pass = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass).toMatchObject({ error: null, records: 0 });
    await producer.idle();

    const after = await ask(url, query, { variables, token: 'province' });
    expect(after.cache).toBe('miss');
    expect(Date.parse(lastSuccess(after))).toBeGreaterThan(Date.parse(lastSuccess(before)));
  });

  it('keeps its answers when a mutation is refused', async () => {
    const variables = { unitCode: province.root, period, code: 'ON_TIME_RATE' };
    await ask(url, INDICATOR, { variables, token: 'province' });
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
    // A consumer without the admin scope, again and again: FORBIDDEN, nothing written, nothing flushed.
    for (let i = 0; i < 3; i++) {
      const refused = await ask(
        url,
        `mutation { removeIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${province.root}", year: ${year}) { target } }`,
        { token: 'province' },
      );
      expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
  });

  it('empties the cache when a target is set or removed', async () => {
    const variables = { unitCode: province.root, period, code: 'ON_TIME_RATE' };
    const before = await ask(url, INDICATOR, { variables, token: 'province' });
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
    const set = await ask(
      url,
      `mutation { setIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${province.root}", year: ${year}, target: 77.5) { target } }`,
      { token: 'admin' },
    );
    expect(set.body.errors).toBeUndefined();
    const changed = await ask(url, INDICATOR, { variables, token: 'province' });
    expect(changed.cache).toBe('miss');
    expect(changed.body.data.indicators[0].target).toBe(77.5);
    expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
    const removed = await ask(
      url,
      `mutation { removeIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${province.root}", year: ${year}) { target } }`,
      { token: 'admin' },
    );
    expect(removed.body.errors).toBeUndefined();
    const restored = await ask(url, INDICATOR, { variables, token: 'province' });
    expect(restored.cache).toBe('miss');
    expect(restored.body).toEqual(before.body);
  });

  it('does not store an answer computed across an invalidation', async () => {
    const query = `{ procedures(first: 3) { totalCount edges { node { code name } } } }`;
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    held = false;
    const pending = ask(url, query, { token: 'province' });
    await expect.poll(() => held).toBe(true);
    responseCacheBus(pubsub).invalidate('test: a commit while the answer is computed');
    hold = null;
    release();
    expect((await pending).cache).toBe('miss');
    expect((await ask(url, query, { token: 'province' })).cache).toBe('miss');
    expect((await ask(url, query, { token: 'province' })).cache).toBe('hit');
  });

  it('stops answering from the cache while pubsub delivery is interrupted, and starts again empty', async () => {
    const query = `{ dataQualityRules { code } }`;
    await ask(url, query, { token: 'province' });
    expect((await ask(url, query, { token: 'province' })).cache).toBe('hit');
    for (const watcher of watchers) watcher.interrupted();
    const meanwhile = await ask(url, query, { token: 'province' });
    expect(meanwhile.cache).toBe('bypass');
    expect((await ask(url, query, { token: 'province' })).cache).toBe('bypass');
    for (const watcher of watchers) watcher.resumed();
    await hub.responseCache!.whenLive();
    expect((await ask(url, query, { token: 'province' })).cache).toBe('miss');
    expect((await ask(url, query, { token: 'province' })).body).toEqual(meanwhile.body);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl)
  console.warn('tests/integration/response-cache.test.ts: the two-instance case is skipped (TEST_REDIS_URL is unset)');

describe.skipIf(!redisUrl)('the response caches of two hub instances through Redis', () => {
  const backend = testBackends.at(-1)!;
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  const pubsubs: HubPubSub[] = [];
  const hubs: { hub: Hub; url: string }[] = [];
  let rig: ReturnType<typeof cacheSyncRig>;
  let province: Awaited<ReturnType<typeof provinceOf>>;
  let year: number;
  const viewers = new Map<string, Viewer>();

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    const namespace = `test-cache-${randomUUID()}`;
    // Two hub instances and a sync process, each with its own connections to Redis.
    for (let i = 0; i < 3; i++) pubsubs.push(createHubPubSub({ redisUrl, logger: silent, namespace }));
    await Promise.all(pubsubs.map((pubsub) => pubsub.ready));
    const syncPubSub = pubsubs[2]!;
    rig = cacheSyncRig(store.db, world, mocks, syncPubSub, responseCacheBus(syncPubSub));
    expect((await rig.engine.runAll({ trigger: 'COMMAND' })).map((r) => r.error)).toEqual([null, null, null]);
    await rig.producer.idle();
    // The sync's last invalidation, held back by the coalescing, goes out now: before the hubs listen, not amid a test.
    responseCacheBus(syncPubSub).close();
    // One store for both: neither hub may close it.
    const shared: Db = { ...store.db, close: async () => {} };
    for (const pubsub of pubsubs.slice(0, 2)) {
      hubs.push(await startHubOnLoopback(shared, { pubsub, authenticate: tokenTable(viewers), config: CACHE }));
    }
    await Promise.all(hubs.map(({ hub }) => hub.responseCache!.whenLive()));
    province = await provinceOf(store.db);
    year = yearOf(world);
    viewers.set('province', viewer('province', READ_SCOPES));
    viewers.set('admin', viewer('admin', SCOPES));
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    responseCacheBus(pubsubs[2]!).close();
    for (const { hub } of hubs) await hub.stop();
    await Promise.all(pubsubs.map((pubsub) => pubsub.close()));
    await mocks?.close();
    await store?.dispose();
  });

  /** Asks `url` until the answer passes `check` (the invalidation travels through Redis); returns it. */
  async function eventually(url: string, variables: object, check: (answer: Answer) => boolean): Promise<Answer> {
    let answer!: Answer;
    await expect
      .poll(
        async () => {
          answer = await ask(url, INDICATOR, { variables, token: 'province' });
          return check(answer);
        },
        { timeout: 5_000, interval: 20 },
      )
      .toBe(true);
    return answer;
  }

  it('a target set on one instance empties the other’s cache', async () => {
    const [a, b] = [hubs[0]!, hubs[1]!];
    const variables = { unitCode: province.root, period: String(year), code: 'ON_TIME_RATE' };
    await ask(b.url, INDICATOR, { variables, token: 'province' });
    expect((await ask(b.url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
    const set = await ask(
      a.url,
      `mutation { setIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${province.root}", year: ${year}, target: 66) { target } }`,
      { token: 'admin' },
    );
    expect(set.body.errors).toBeUndefined();
    const after = await eventually(b.url, variables, (answer) => answer.body.data.indicators[0].target === 66);
    expect(after.cache).toBe('miss');
    expect((await ask(b.url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
  });

  it('a sync in another process empties both instances’ caches', async () => {
    const variables = { unitCode: province.root, period: String(year), code: 'DOSSIER_RECEIVED' };
    const before: number[] = [];
    for (const { url } of hubs) {
      before.push((await ask(url, INDICATOR, { variables, token: 'province' })).body.data.indicators[0].value);
      expect((await ask(url, INDICATOR, { variables, token: 'province' })).cache).toBe('hit');
    }
    await advanceClock(mocks, 2 * 86_400);
    const pass = await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass.error).toBeNull();
    expect(pass.records).toBeGreaterThan(0);
    for (const [i, { url }] of hubs.entries()) {
      const after = await eventually(url, variables, (answer) => answer.body.data.indicators[0].value > before[i]!);
      expect(after.cache).toBe('miss');
    }
  });
});
