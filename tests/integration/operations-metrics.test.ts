/**
 * /metrics over a real socket: every family the operations issue names
 * (GraphQL requests, latency and errors per operation; root resolver and
 * store timings; upstream latency and circuit state; sync lag, source status
 * and quarantine; live subscribers per transport; Node's own; requests refused
 * before or outside execution), with bounded operation-name labels, and a
 * registry per hub (several hubs in one process). Each test reads what it
 * caused (its own operation names, or a hub of its own): any one runs alone.
 */
import { recordFlaws } from '../../store/flaws.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamMetrics } from '../../connectors/http/metrics.ts';
import { createHubMetrics } from '../../gateway/observability/metrics.ts';
import type { Db } from '../../store/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { sseSubscribe, until, wsClient, wsSubscribe } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { sharedStore } from '../support/db-overrides.ts';
import { syncing } from '../support/sync-access.ts';

/** The samples of a Prometheus text exposition: name, labels, value. */
function samples(text: string) {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** A hub of the test's own on the suite's store, stopped after `run`. */
async function withHub<T>(db: Db, options: Parameters<typeof startTestHub>[1], run: (hub: TestHub) => Promise<T>) {
  const hub = await startTestHub(sharedStore(db), options);
  try {
    return await run(hub);
  } finally {
    await hub.hub.stop();
  }
}

const scrape = async (hub: TestHub) => (await fetch(`${hub.url}/metrics`)).text();

const UNITS = 'query UnitsPage { units(first: 2) { edges { node { code name } } } }';

describe.each(testBackends)('/metrics on %s', (backend) => {
  let store: TestStore;
  let test: TestHub;
  const metrics = async () => {
    const response = await fetch(`${test.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    // CADRE_DB: succeeded ten minutes ago; BUDGET: never synced; ONE_STOP_SHOP: not synced here, in the store.
    await store.db.query(
      `INSERT INTO sync_runs (source, instance, trigger, started_at, finished_at, status) VALUES
         ('CADRE_DB', 'test', 'SCHEDULE', now() - interval '11 minutes', now() - interval '10 minutes', 'SUCCEEDED'),
         ('ONE_STOP_SHOP', 'other', 'SCHEDULE', now() - interval '2 minutes', now() - interval '1 minute', 'SUCCEEDED')`,
    );
    await store.db.query(
      `INSERT INTO quarantine (source, record_key, reason, raw_payload, retryable, resolved_at) VALUES
         ('one-stop-shop/dossiers', 'D1', 'unknown unit', '{}', true, NULL),
         ('one-stop-shop/dossiers', 'D2', 'unknown unit', '{}', true, NULL),
         ('one-stop-shop/dossiers', 'D3', 'bad date', '{}', false, NULL),
         ('cadre-db/staff', 'S1', 'bad date', '{}', false, now())`,
    );
    test = await startTestHub(store.db, { sync: syncing(['CADRE_DB', 'BUDGET']) });
  });

  afterAll(async () => {
    await test?.hub.stop();
    await store?.dispose();
  });

  it('counts and times each named operation, with its HTTP latency', async () => {
    for (let i = 0; i < 2; i++) expect((await test.gql(UNITS)).errors).toBeUndefined();
    const text = await metrics();
    const operation = { operationName: 'UnitsPage', operationType: 'query' };
    expect(value(text, 'graphql_envelop_request', operation)).toBe(2);
    expect(value(text, 'graphql_envelop_request_duration_count', operation)).toBe(2);
    expect(value(text, 'graphql_envelop_phase_execute_count', operation)).toBe(2);
    expect(value(text, 'graphql_envelop_phase_parse_count', operation)).toBeGreaterThanOrEqual(1);
    expect(value(text, 'graphql_yoga_http_duration_count', { ...operation, method: 'POST', statusCode: '200' })).toBe(
      2,
    );
    // No GraphQL label carries the URL or a field path.
    const graphql = samples(text).filter((s) => s.name.startsWith('graphql_'));
    expect(graphql.length).toBeGreaterThan(0);
    expect(graphql.some((s) => 'url' in s.labels || 'path' in s.labels)).toBe(false);
  });

  it('counts errors per operation, phase and code', async () => {
    const parseFailures = () =>
      metrics().then(
        (text) => value(text, 'graphql_envelop_error_result', { phase: 'parse', code: 'GRAPHQL_PARSE_FAILED' }) ?? 0,
      );
    const parseFailuresBefore = await parseFailures();
    const tooBig = await test.gql('query HugePage { units(first: 1000) { edges { node { code } } } }');
    expect(tooBig.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await test.gql('query Broken { units(first: 1) {')).errors).toHaveLength(1);
    expect((await test.gql('query Unknown { noSuchField }')).errors).toHaveLength(1);
    const text = await metrics();
    expect(
      value(text, 'graphql_envelop_error_result', {
        operationName: 'HugePage',
        operationType: 'query',
        phase: 'execute',
        code: 'BAD_USER_INPUT',
      }),
    ).toBe(1);
    // A document that does not parse has no operation name: the parse failures of every test share one sample.
    expect(value(text, 'graphql_envelop_error_result', { phase: 'parse', code: 'GRAPHQL_PARSE_FAILED' })).toBe(
      parseFailuresBefore + 1,
    );
    expect(
      value(text, 'graphql_envelop_error_result', {
        operationName: 'Unknown',
        phase: 'validate',
        code: 'GRAPHQL_VALIDATION_FAILED',
      }),
    ).toBe(1);
  });

  it('bounds operation-name labels: unnamed, invalid and names past the limit are grouped', async () => {
    // A hub of its own, which labels two names: what other tests ran takes none of them.
    const options = { metrics: createHubMetrics({ maxOperationNames: 2 }) };
    const text = await withHub(store.db, options, async (hub) => {
      await hub.gql('{ units(first: 1) { edges { node { code } } } }');
      for (const name of ['Named1', 'Named2', 'Fresh1', 'Fresh2']) {
        expect((await hub.gql(`query ${name} { units(first: 1) { edges { node { code } } } }`)).errors).toBeUndefined();
      }
      return scrape(hub);
    });
    expect(value(text, 'graphql_envelop_request', { operationName: 'Anonymous' })).toBe(1);
    expect(value(text, 'graphql_envelop_request', { operationName: 'Named1' })).toBe(1);
    expect(value(text, 'graphql_envelop_request', { operationName: 'Named2' })).toBe(1);
    expect(value(text, 'graphql_envelop_request', { operationName: '(other)' })).toBe(2);
    expect(value(text, 'graphql_envelop_request', { operationName: 'Fresh1' })).toBeUndefined();
  });

  it('counts requests refused before or outside execution, by code', async () => {
    const REFUSED = [
      'PERSISTED_QUERY_ONLY',
      'PERSISTED_QUERY_NOT_FOUND',
      'BATCH_TOO_LARGE',
      'PAYLOAD_TOO_LARGE',
      'CSRF_REJECTED',
    ];
    const options = {
      config: { HUB_MODE: 'production' as const, CSRF: true, MAX_BATCH_OPERATIONS: 2, MAX_BODY_BYTES: 4_000 },
    };
    const json = { 'content-type': 'application/json' };
    const query = '{ units(first: 1) { edges { node { code } } } }';
    const text = await withHub(store.db, options, async (hub) => {
      const refusals = [
        // An unregistered document in production: PERSISTED_QUERY_ONLY (403), refused before parsing.
        [403, await fetch(`${hub.url}/graphql`, { method: 'POST', headers: json, body: JSON.stringify({ query }) })],
        // An id nobody registered: PERSISTED_QUERY_NOT_FOUND (404).
        [
          404,
          await fetch(`${hub.url}/graphql`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }),
          }),
        ],
        // Three operations in a batch of at most two: BATCH_TOO_LARGE (413).
        [
          413,
          await fetch(`${hub.url}/graphql`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify([{ query }, { query }, { query }]),
          }),
        ],
        // A body over the limit, refused by its Content-Length outside Yoga: PAYLOAD_TOO_LARGE (413).
        [
          413,
          await fetch(`${hub.url}/graphql`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ query, padding: 'x'.repeat(5_000) }),
          }),
        ],
        // A bare GET, as a cross-site page could send: CSRF_REJECTED (403).
        [403, await fetch(`${hub.url}/graphql?query=${encodeURIComponent(query)}`)],
      ] as const;
      const codes: string[] = [];
      for (const [status, response] of refusals) {
        expect(response.status).toBe(status);
        codes.push(
          ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
        );
      }
      expect(codes).toEqual(REFUSED);
      return scrape(hub);
    });
    for (const code of REFUSED) expect(value(text, 'lgsp_graphql_refusals_total', { code })).toBe(1);
    expect(samples(text).filter((s) => s.name === 'lgsp_graphql_refusals_total')).toHaveLength(REFUSED.length);
    // None of them reached the parser: the graphql_envelop_* families never saw them.
    expect(samples(text).some((s) => s.name === 'graphql_envelop_error_result')).toBe(false);
  });

  it('times root resolvers and store statements', async () => {
    expect((await test.gql('query TimedUnits { units(first: 1) { edges { node { code } } } }')).errors).toBeUndefined();
    const text = await metrics();
    expect(
      value(text, 'lgsp_graphql_resolver_duration_seconds_count', { type: 'Query', field: 'units' }),
    ).toBeGreaterThan(0);
    // Only root fields: no nested type is timed.
    const timedTypes = new Set(
      samples(text)
        .filter((s) => s.name === 'lgsp_graphql_resolver_duration_seconds_count')
        .map((s) => s.labels.type),
    );
    expect([...timedTypes].every((type) => ['Query', 'Mutation', 'Subscription'].includes(type!))).toBe(true);
    expect(
      value(text, 'lgsp_store_query_duration_seconds_count', { statement: 'select', component: 'graphql' }),
    ).toBeGreaterThan(0);
    expect(
      value(text, 'lgsp_store_query_duration_seconds_bucket', {
        statement: 'select',
        component: 'graphql',
        le: '+Inf',
      }),
    ).toBeGreaterThan(0);
  });

  it("serves the upstream clients' families and Node's own, from the process-wide registry", async () => {
    const upstream = upstreamMetrics();
    upstream.requests.inc({ source: 'CADRE_DB', path: '/units', outcome: '200' });
    upstream.duration.observe({ source: 'CADRE_DB', path: '/units' }, 0.05);
    upstream.circuitState.set({ source: 'CADRE_DB' }, 2);
    const text = await metrics();
    expect(
      value(text, 'lgsp_upstream_requests_total', { source: 'CADRE_DB', path: '/units', outcome: '200' }),
    ).toBeGreaterThan(0);
    expect(
      value(text, 'lgsp_upstream_request_duration_seconds_count', { source: 'CADRE_DB', path: '/units' }),
    ).toBeGreaterThan(0);
    expect(value(text, 'lgsp_upstream_circuit_state', { source: 'CADRE_DB' })).toBe(2);
    expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('reads sync lag, source status and quarantine from the store at scrape time', async () => {
    let text = await metrics();
    expect(value(text, 'lgsp_sync_lag_seconds', { source: 'CADRE_DB' })).toBeGreaterThanOrEqual(600);
    expect(value(text, 'lgsp_sync_lag_seconds', { source: 'CADRE_DB' })).toBeLessThan(700);
    // Only the sources this instance syncs; BUDGET has no pass, so no lag.
    expect(value(text, 'lgsp_sync_lag_seconds', { source: 'ONE_STOP_SHOP' })).toBeUndefined();
    expect(value(text, 'lgsp_sync_lag_seconds', { source: 'BUDGET' })).toBeUndefined();
    expect(value(text, 'lgsp_sync_source_status', { source: 'CADRE_DB', status: 'FRESH' })).toBe(1);
    expect(value(text, 'lgsp_sync_source_status', { source: 'CADRE_DB', status: 'STALE' })).toBe(0);
    expect(value(text, 'lgsp_sync_source_status', { source: 'BUDGET', status: 'NEVER_SYNCED' })).toBe(1);
    const dossiers = { source: 'ONE_STOP_SHOP', feed: 'one-stop-shop/dossiers' };
    expect(value(text, 'lgsp_sync_quarantined_records', { ...dossiers, retryable: 'true' })).toBe(2);
    expect(value(text, 'lgsp_sync_quarantined_records', { ...dossiers, retryable: 'false' })).toBe(1);
    // Resolved entries are not counted.
    expect(value(text, 'lgsp_sync_quarantined_records', { feed: 'cadre-db/staff' })).toBeUndefined();
    const grade = { source: 'CADRE_DB', feed: 'cadre-db/staff', rule: 'grade-missing' };
    expect(value(text, 'lgsp_sync_flawed_records', grade)).toBeUndefined();

    // A pass that failed since: the lag stays, the status turns FAILING; a new quarantined record counts at once.
    await store.db.query(
      `INSERT INTO sync_runs (source, instance, trigger, finished_at, status, error)
       VALUES ('CADRE_DB', 'test', 'SCHEDULE', now(), 'FAILED', 'upstream down')`,
    );
    await store.db.query(
      `INSERT INTO quarantine (source, record_key, reason, raw_payload, retryable) VALUES ('cadre-db/staff', 'S2', 'x', '{}', false)`,
    );
    // And a stored record's flaw (a civil servant without a grade), as the sync writes it.
    await recordFlaws(
      store.db,
      'cadre-db/staff',
      ['S3'],
      [{ key: 'S3', rule: 'grade-missing', field: 'maNgach', value: '""', unitCode: null, day: null }],
    );
    // The gauges read the store at most once a second: the change shows at a later scrape.
    await until(async () => {
      text = await metrics();
      return value(text, 'lgsp_sync_source_status', { source: 'CADRE_DB', status: 'FAILING' }) === 1;
    }, 'the failed pass read at a scrape');
    expect(value(text, 'lgsp_sync_lag_seconds', { source: 'CADRE_DB' })).toBeGreaterThanOrEqual(600);
    expect(value(text, 'lgsp_sync_quarantined_records', { feed: 'cadre-db/staff', retryable: 'false' })).toBe(1);
    expect(value(text, 'lgsp_sync_flawed_records', grade)).toBe(1);
  });

  it('counts live subscribers per transport while they are open, and none after', async () => {
    const subscribers = async () => {
      const text = await metrics();
      return {
        sse: value(text, 'lgsp_live_subscribers', { transport: 'sse' }),
        websocket: value(text, 'lgsp_live_subscribers', { transport: 'websocket' }),
        groups: value(text, 'lgsp_live_sse_groups'),
        sockets: value(text, 'lgsp_websocket_connections'),
      };
    };
    expect(await subscribers()).toEqual({ sse: 0, websocket: 0, groups: 0, sockets: 0 });

    const query = 'subscription { sourceStatusChanged { eventId source status } }';
    const sse = [sseSubscribe(test.url, query), sseSubscribe(test.url, query)];
    const client = wsClient(test.url);
    const ws = wsSubscribe(client, query);
    await until(async () => {
      const now = await subscribers();
      return now.sse === 2 && now.websocket === 1;
    }, 'the subscribers counted');
    // The two SSE connections with the same operation and consumer share one execution.
    expect(await subscribers()).toEqual({ sse: 2, websocket: 1, groups: 1, sockets: 1 });

    for (const subscription of sse) subscription.close();
    ws.close();
    await until(async () => {
      const now = await subscribers();
      return now.sse === 0 && now.websocket === 0 && now.groups === 0;
    }, 'the subscribers gone');
    await client.dispose();
    await until(async () => (await subscribers()).sockets === 0, 'the WebSocket closed');
  });

  it('keeps each hub of a process to its own registry', async () => {
    upstreamMetrics().circuitState.set({ source: 'BUDGET' }, 1);
    await withHub(store.db, {}, async (other) => {
      await other.gql('query OtherHubOnly { units(first: 1) { edges { node { code } } } }');
      const mine = await metrics();
      const theirs = await scrape(other);
      expect(value(theirs, 'graphql_envelop_request', { operationName: 'OtherHubOnly' })).toBe(1);
      expect(value(mine, 'graphql_envelop_request', { operationName: 'OtherHubOnly' })).toBeUndefined();
      // The process-wide families are on both.
      expect(value(theirs, 'lgsp_upstream_circuit_state', { source: 'BUDGET' })).toBe(1);
      expect(value(mine, 'lgsp_upstream_circuit_state', { source: 'BUDGET' })).toBe(1);
    });
  });
});
