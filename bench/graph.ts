/**
 * `npm run bench:graph [bench|demo]`: the graph's latency and throughput on a
 * province synced from the mock upstreams (cadre database, one-stop-shop; the
 * bench scale takes a few minutes, `demo` is quick), against a bare GraphQL
 * server with one `hello` field in the same run. Targets (issue 5): unit page
 * p95 < 50 ms, dossier page p95 < 100 ms, the mix's throughput ≥ 25 % of the
 * bare server's. The load comes from a worker thread (its own event loop, so
 * the client does not queue behind the servers' work) over undici's Pool. Not
 * autocannon: it is not installed, and no dependency may be added. On a small
 * machine the client, the hub and PostgreSQL share the cores, which the
 * figures include.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  getNamedType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { loadConfig } from '../gateway/config.ts';
import { createHub, type Hub } from '../gateway/server.ts';
import { hubSchema } from '../schema/index.ts';
import { encodeCursor } from '../schema/pagination.ts';
import { openDb } from '../store/open-db.ts';
import { benchDatabaseUrl, keptProvince, syncProvince, withClient } from './support.ts';
import { migrate } from '../store/migrate.ts';

const databaseUrl = benchDatabaseUrl;
/** What the benchmark syncs, in this order. */
const SOURCES = ['CADRE_DB', 'ONE_STOP_SHOP'] as const;
const SCHEMA = 'bench_graph';
const args = process.argv.slice(2);
const scale = args.find((a) => !a.startsWith('--')) ?? 'bench';
/** `--keep`: keep the synced schema at the end, and reuse it (no sync) when a previous run kept it. */
const keep = args.includes('--keep');
/** `--response-cache` (both), `--response-cache=on` or `=off` (the default): which hubs the cases run against. */
const cacheArg = args.find((a) => a === '--response-cache' || a.startsWith('--response-cache='));
const cacheModes: ('off' | 'on')[] =
  cacheArg === undefined || cacheArg === '--response-cache=off'
    ? ['off']
    : cacheArg === '--response-cache=on'
      ? ['on']
      : ['off', 'on'];
/**
 * The response cache's settings as gateway/main.ts reads them (RESPONSE_CACHE_TTL_SECONDS,
 * RESPONSE_CACHE_MAX_ENTRIES).
 */
const cacheConfig = loadConfig();
const cacheSettings = {
  ttlSeconds: cacheConfig.RESPONSE_CACHE_TTL_SECONDS,
  maxEntries: cacheConfig.RESPONSE_CACHE_MAX_ENTRIES,
};
if (cacheModes.includes('on') && cacheSettings.ttlSeconds === 0) {
  throw new Error('--response-cache needs RESPONSE_CACHE_TTL_SECONDS > 0 (0 turns the cache off)');
}
/** The hub as it runs by default (gateway/config.ts), without the rate limit (the load is one consumer's) or the cache. */
const hubConfig = { ...loadConfig({}), RATE_LIMIT_PER_MINUTE: 0, RESPONSE_CACHE_TTL_SECONDS: 0 };
const CONCURRENCY = 16;
const WARMUP_MS = 2_000;
const DURATION_MS = 10_000;
const PAGE = 20;
/** The hub's pool: the production default (DATABASE_POOL_MAX). */
const POOL_MAX = 10;

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

// ---------------------------------------------------------------------------
// The load: a worker thread with `concurrency` loops, each sending the next body as soon as
// its previous response has been read. Plain JavaScript (an eval worker does not go through tsx).

const LOAD_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { Pool } = await import(workerData.undici);
  const { origin, bodies, concurrency, warmupMs, durationMs } = workerData;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  const latencies = [];
  const cache = { hit: 0, miss: 0, bypass: 0 };
  let next = 0;
  let errors = 0;
  let firstError = null;
  const measureFrom = performance.now() + warmupMs;
  const end = measureFrom + durationMs;
  async function loop() {
    while (performance.now() < end) {
      const body = bodies[next++ % bodies.length];
      const started = performance.now();
      let failure = null;
      try {
        const response = await pool.request({ path: '/graphql', method: 'POST', headers, body });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"errors"')) failure = response.statusCode + ' ' + text.slice(0, 300);
        const outcome = response.headers['x-response-cache'];
        if (performance.now() >= measureFrom && outcome in cache) cache[outcome] += 1;
      } catch (error) {
        failure = String(error);
      }
      const finished = performance.now();
      // Counted when it completes inside the measured window.
      if (finished >= measureFrom && finished <= end) {
        latencies.push(finished - started);
        if (failure !== null) {
          errors += 1;
          firstError ??= failure;
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  await pool.close();
  parentPort.postMessage({ latencies: Float64Array.from(latencies), errors, firstError, cache });
})().catch((error) => parentPort.postMessage({ fatal: String(error && error.stack || error) }));
`;

interface CaseResult {
  name: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Responses by x-response-cache (the hub with the response cache only). */
  cache: { hit: number; miss: number; bypass: number };
}

const undiciUrl = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runCase(name: string, origin: string, bodies: string[]): Promise<CaseResult> {
  const message = await new Promise<any>((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: {
        undici: undiciUrl,
        origin,
        bodies,
        concurrency: CONCURRENCY,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
      },
    });
    worker.once('message', (m) => void worker.terminate().then(() => resolve(m)));
    worker.once('error', reject);
  });
  if (message.fatal) throw new Error(`load worker failed: ${message.fatal}`);
  const latencies = (message.latencies as Float64Array).sort();
  const result: CaseResult = {
    name,
    requests: latencies.length,
    perSecond: (latencies.length / DURATION_MS) * 1000,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: message.errors,
    cache: message.cache,
  };
  const { hit, miss, bypass } = result.cache;
  const cacheNote =
    hit + miss + bypass === 0
      ? ''
      : `   cache: ${hit + miss ? `${((hit / (hit + miss)) * 100).toFixed(1)} % hits (${fmt(hit)} hits, ${fmt(miss)} misses)` : 'not cacheable'}` +
        `${bypass ? `, ${fmt(bypass)} not cacheable` : ''}`;
  console.log(
    `${name.padEnd(14)} ${fmt(result.perSecond).padStart(7)} req/s   ` +
      `p50 ${result.p50.toFixed(1).padStart(6)} ms   p95 ${result.p95.toFixed(1).padStart(6)} ms   ` +
      `p99 ${result.p99.toFixed(1).padStart(6)} ms   (${fmt(result.requests)} requests` +
      `${result.errors ? `, ${fmt(result.errors)} FAILED: ${message.firstError}` : ''})${cacheNote}`,
  );
  return result;
}

// ---------------------------------------------------------------------------
// The queries. Dossier and staff lists are written by other engineers; their shape is read
// from the schema, and a case is skipped (with a note) when its field is missing or refuses the query.

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

const UNIT_PAGE = `query UnitPage($after: String, $from: Date, $to: Date) {
  units(first: ${PAGE}, after: $after) {
    edges { node {
      code name
      children { code name }
      childCount
      staffCounts { category count }
      dossierCounts(receivedFrom: $from, receivedTo: $to) { outcome count }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const queryField = (name: string): GraphQLField<unknown, unknown> | undefined =>
  hubSchema().getQueryType()?.getFields()[name];

/** The filter fields a list field accepts (empty when it takes no filter). */
function filterFields(field: GraphQLField<unknown, unknown>): string[] {
  const filter = field.args.find((a) => a.name === 'filter');
  const type = filter && getNamedType(filter.type);
  return type && isInputObjectType(type) ? Object.keys(type.getFields()) : [];
}

/** A filter on the unit, when the list takes one: by the field the list names it. */
function unitFilterField(field: GraphQLField<unknown, unknown>): string | undefined {
  return filterFields(field).find((name) => name === 'unitCode' || name === 'unit');
}

/** The node type of a connection field. */
function nodeType(field: GraphQLField<unknown, unknown>): GraphQLObjectType | undefined {
  const connection = getNamedType(field.type);
  const edges = isObjectType(connection) ? connection.getFields().edges : undefined;
  const edge = edges && getNamedType(edges.type);
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  const type = node && getNamedType(node.type);
  return type && isObjectType(type) ? type : undefined;
}

async function probe(gql: (body: string) => Promise<any>, name: string, sample: string): Promise<string | null> {
  const result = await gql(sample);
  if (result.errors) return `${name}: the hub refused the query (${result.errors[0]?.message})`;
  return null;
}

async function main() {
  const reuse = keep && (await keptProvince(SCHEMA, SOURCES));
  if (!reuse) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  const db = await openDb({ databaseUrl, schema: SCHEMA, poolMax: POOL_MAX });
  let closeServers = async () => {};
  try {
    await migrate(db);
    if (reuse) console.log(`reusing the province kept in schema ${SCHEMA} (--keep)`);
    else await syncProvince(db, SCHEMA, scale, SOURCES);
    // The hub, and the bare server to compare it with.
    const hub = createHub({ ...hubConfig, SHUTDOWN_TIMEOUT_MS: 5_000 }, { db, logger: pino({ level: 'silent' }) });
    const hubOrigin = `http://127.0.0.1:${(await hub.listen(0, '127.0.0.1')).port}`;
    // The response cache as gateway/main.ts deploys it, on a hub of its own over the same store (which only `hub`
    // closes). Each case then prints its hit ratio (the x-response-cache header): the unit pages are taken in turn, so
    // they hit only once every page has been asked; dossier and staff lists are never cached (bypass).
    let cachedHub: Hub | null = null;
    let cachedOrigin = hubOrigin;
    if (cacheModes.includes('on')) {
      cachedHub = createHub(
        {
          ...hubConfig,
          SHUTDOWN_TIMEOUT_MS: 5_000,
          RESPONSE_CACHE_TTL_SECONDS: cacheSettings.ttlSeconds,
          RESPONSE_CACHE_MAX_ENTRIES: cacheSettings.maxEntries,
        },
        { db: { ...db, close: async () => {} }, logger: pino({ level: 'silent' }) },
      );
      cachedOrigin = `http://127.0.0.1:${(await cachedHub.listen(0, '127.0.0.1')).port}`;
      await cachedHub.responseCache!.whenLive();
    }
    const bareYoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { hello: String! }',
        resolvers: { Query: { hello: () => 'world' } },
      }),
      graphqlEndpoint: '/graphql',
      landingPage: false,
      logging: false,
    });
    const bare: Server = createServer(bareYoga);
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bareOrigin = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    closeServers = async () => {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
      await cachedHub?.stop();
      await hub.stop(); // closes the store too
    };
    const gql = async (requestBody: string) =>
      (
        await fetch(`${hubOrigin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: requestBody,
        })
      ).json() as Promise<any>;

    // Unit pages in turn, with the dossiers of the latest year.
    const codes = (await db.query<{ code: string }>('SELECT code FROM units ORDER BY code')).map((r) => r.code);
    const [{ year }] = (await db.query<{ year: number }>(
      `SELECT extract(year FROM vn_day(max(received_at)))::int AS year FROM dossiers`,
    )) as [{ year: number }];
    const range = { from: `${year}-01-01`, to: `${year}-12-31` };
    console.log(`unit page: dossierCounts(receivedFrom: "${range.from}", receivedTo: "${range.to}")`);
    const unitBodies: string[] = [];
    for (let i = 0; i < codes.length; i += PAGE) {
      unitBodies.push(body(UNIT_PAGE, { ...range, after: i === 0 ? null : encodeCursor(codes[i - 1]!) }));
    }
    const notes: string[] = [];
    const unitNote = await probe(gql, 'unit page', unitBodies[0]!);
    if (unitNote) throw new Error(unitNote);

    // Dossier list pages: the busiest units in turn when the list filters by unit.
    let dossierBodies: string[] = [];
    const dossiersField = queryField('dossiers');
    if (!dossiersField) {
      notes.push('dossier page: skipped, the schema has no Query.dossiers yet');
    } else {
      const byUnit = unitFilterField(dossiersField);
      const busiest = (
        await db.query<{ code: string }>(
          'SELECT unit_code AS code FROM dossiers GROUP BY unit_code ORDER BY count(*) DESC, unit_code LIMIT 50',
        )
      ).map((r) => r.code);
      const filterType = getNamedType(dossiersField.args.find((a) => a.name === 'filter')?.type ?? dossiersField.type);
      const query = `query DossierPage($filter: ${filterType.name}) {
        dossiers(first: ${PAGE}, filter: $filter) {
          edges { node { code status outcome receivedAt unit { name } procedure { name } } }
        }
      }`;
      dossierBodies = byUnit
        ? busiest.map((code) => body(query, { filter: { [byUnit]: code } }))
        : [body(query, { filter: {} })];
      const note = await probe(gql, 'dossier page', dossierBodies[0]!);
      if (note) {
        notes.push(`${note}: skipped`);
        dossierBodies = [];
      } else if (!byUnit) notes.push('dossier page: its filter has no unit field; the first page of all dossiers');
    }

    // Staff list pages: every leaf field of a staff member that the anonymous development consumer may read
    // (personal data needs read:pii: its masked forms stand in), and its unit's name.
    let staffBodies: string[] = [];
    const staffField = queryField('staff');
    const staffNode = staffField && nodeType(staffField);
    if (!staffField || !staffNode) {
      notes.push('staff page: skipped, the schema has no Query.staff connection yet');
    } else {
      const byUnit = unitFilterField(staffField);
      const fields = Object.values(staffNode.getFields())
        .filter(
          (f) =>
            isLeafType(getNamedType(f.type)) &&
            !f.description?.includes('needs the `read:pii` scope') &&
            f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined),
        )
        .map((f) => f.name);
      if (staffNode.getFields().unit) fields.push('unit { name }');
      const busiest = (
        await db.query<{ code: string }>(
          'SELECT unit_code AS code FROM staff GROUP BY unit_code ORDER BY count(*) DESC, unit_code LIMIT 50',
        )
      ).map((r) => r.code);
      const filterArg = staffField.args.find((a) => a.name === 'filter');
      const query = filterArg
        ? `query StaffPage($filter: ${getNamedType(filterArg.type).name}) {
            staff(first: ${PAGE}, filter: $filter) { edges { node { ${fields.join(' ')} } } }
          }`
        : `{ staff(first: ${PAGE}) { edges { node { ${fields.join(' ')} } } } }`;
      staffBodies = byUnit
        ? busiest.map((code) => body(query, { filter: { [byUnit]: code } }))
        : [body(query, filterArg ? { filter: {} } : {})];
      const note = await probe(gql, 'staff page', staffBodies[0]!);
      if (note) {
        notes.push(`${note}: skipped`);
        staffBodies = [];
      } else if (!byUnit) notes.push('staff page: its filter has no unit field; the first page of all staff');
    }
    for (const note of notes) console.log(`note: ${note}`);

    // The mix: the hub's cases in turn, request by request.
    const mixBodies: string[] = [];
    const lists = [unitBodies, dossierBodies, staffBodies].filter((l) => l.length > 0);
    for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) {
      for (const list of lists) mixBodies.push(list[i % list.length]!);
    }
    const runs: { mode: 'off' | 'on'; unitPage: CaseResult; dossierPage: CaseResult | null; mix: CaseResult }[] = [];
    const all: (CaseResult | null)[] = [];
    for (const mode of cacheModes) {
      const origin = mode === 'on' ? cachedOrigin : hubOrigin;
      console.log(
        `\nresponse cache ${mode === 'on' ? `on (TTL ${cacheSettings.ttlSeconds} s, at most ${fmt(cacheSettings.maxEntries)} answers)` : 'off'}: ` +
          `${CONCURRENCY} concurrent requests, ${seconds(WARMUP_MS)} s warm-up then ${seconds(DURATION_MS)} s per case:`,
      );
      const unitPage = await runCase('unit page', origin, unitBodies);
      const dossierPage = dossierBodies.length ? await runCase('dossier page', origin, dossierBodies) : null;
      const staffPage = staffBodies.length ? await runCase('staff page', origin, staffBodies) : null;
      const mix = await runCase(`mix (${lists.length})`, origin, mixBodies);
      runs.push({ mode, unitPage, dossierPage, mix });
      all.push(unitPage, dossierPage, staffPage, mix);
    }
    console.log('');
    const hello = await runCase('bare { hello }', bareOrigin, [body('{ hello }')]);

    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    const failed = [...all, hello].some((r) => r && r.errors > 0);
    for (const { mode, unitPage, dossierPage, mix } of runs) {
      console.log(`\nresponse cache ${mode}:`);
      console.log(`unit page p95 ${unitPage.p95.toFixed(1)} ms (target < 50 ms): ${verdict(unitPage.p95 < 50)}`);
      console.log(
        dossierPage
          ? `dossier page p95 ${dossierPage.p95.toFixed(1)} ms (target < 100 ms): ${verdict(dossierPage.p95 < 100)}`
          : 'dossier page p95 (target < 100 ms): not measured, the case was skipped',
      );
      const share = mix.perSecond / hello.perSecond;
      console.log(
        `mix throughput ${fmt(mix.perSecond)} req/s = ${(share * 100).toFixed(1)} % of the bare server's ` +
          `${fmt(hello.perSecond)} req/s (target ≥ 25 %): ${verdict(share >= 0.25)}` +
          (lists.length < 3 ? ` (the mix lacks the skipped cases)` : ''),
      );
    }
    if (failed) console.log('some requests FAILED (see above): the figures are not valid');
  } finally {
    await closeServers();
    await db.close();
    if (!keep) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }
}

await main();
