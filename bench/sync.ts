/**
 * `npm run bench:sync`: the sync's intake rate on the bench scale, measured
 * against PostgreSQL's own bulk load in the same run.
 *
 * 1. The mock upstreams serve the bench province from a child process (their
 *    own core, as real upstreams would be elsewhere).
 * 2. A full sync from empty into a fresh schema: units and staff, then the
 *    one-stop-shop pass, whose dossiers per second is the figure.
 * 3. The same dossier rows, copied out of the table, are loaded again into the
 *    same (emptied) table with a bare COPY: the reference rate.
 * 4. Incremental: the mock clock is advanced by one simulated day to learn how
 *    many dossiers change in a day, then by enough days for at least 10,000
 *    changed dossiers, which one pass picks up.
 *
 * Targets (issue 4): full sync ≥ 30 % of the COPY rate and ≥ 20,000
 * dossiers/s; 10,000 changed dossiers in under 2 s. The store is
 * DATABASE_URL, else the local test database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSyncEngine } from '../gateway/sync/engine.ts';
import { createUpstreams } from '../gateway/sync/upstreams.ts';
import { openDb } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_sync';
const scale = process.argv[2] ?? 'bench';

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Starts the mock upstreams in a child process; resolves with their URLs once they listen. */
async function startMockProcess() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/mock-upstreams.ts',
      `--scale=${scale}`,
      '--one-stop-shop-port=0',
      '--cadre-db-port=0',
      '--budget-port=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const urls: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /^(\w+_URL)=(.+)$/.exec(line);
    if (match) urls[match[1]!] = match[2]!;
    if (Object.keys(urls).length === 3) break;
  }
  if (Object.keys(urls).length < 3) throw new Error('the mock upstreams did not start');
  child.stdout!.resume();
  return { urls, stop: () => child.kill('SIGTERM') };
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${SCHEMA}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function main() {
  await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  const mockStarted = Date.now();
  const mocks = await startMockProcess();
  console.log(`mock upstreams (${scale}) ready in ${seconds(Date.now() - mockStarted)} s`);

  const db = await openDb({ databaseUrl, schema: SCHEMA, poolMax: 4 });
  await migrate(db);
  const upstreams = createUpstreams(
    { ONE_STOP_SHOP: mocks.urls.ONE_STOP_SHOP_URL, CADRE_DB: mocks.urls.CADRE_DB_URL, BUDGET: mocks.urls.BUDGET_URL },
    { client: { registry: new Registry() } },
  );
  const engine = createSyncEngine({ db, connectors: upstreams.connectors, logger: pino({ level: 'warn' }) });
  try {
    let started = Date.now();
    const cadre = await engine.run('CADRE_DB', { trigger: 'COMMAND' });
    if (cadre.error) throw new Error(cadre.error);
    console.log(
      `cadre database: ${fmt(cadre.records)} units and staff in ${seconds(Date.now() - started)} s ` +
        `(${fmt(cadre.rejected)} held until their parent unit arrived, ${fmt(cadre.resolved)} resolved)`,
    );

    started = Date.now();
    const full = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    const fullMs = Date.now() - started;
    if (full.error) throw new Error(full.error);
    const [{ n: dossiers }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossiers')) as [
      { n: number },
    ];
    const syncRate = (dossiers / fullMs) * 1000;
    console.log(
      `full sync: ${fmt(dossiers)} dossiers in ${seconds(fullMs)} s = ${fmt(syncRate)} dossiers/s ` +
        `(${fmt(full.rejected)} quarantined, ${fmt(full.resolved)} resolved)`,
    );

    // The reference: the same rows, out of the table and back in with COPY, indexes and all.
    const copyMs = await withClient(async (client) => {
      const rows = new PassThrough();
      const chunks: Buffer[] = [];
      rows.on('data', (chunk: Buffer) => chunks.push(chunk));
      await pipeline(client.query(copyTo('COPY dossiers TO STDOUT')), rows);
      await client.query('TRUNCATE dossiers');
      const begin = Date.now();
      await pipeline(Readable.from(chunks), client.query(copyFrom('COPY dossiers FROM STDIN')));
      return Date.now() - begin;
    });
    const copyRate = (dossiers / copyMs) * 1000;
    const ratio = syncRate / copyRate;
    console.log(`bare COPY of the same rows: ${fmt(dossiers)} in ${seconds(copyMs)} s = ${fmt(copyRate)} rows/s`);
    console.log(
      `full sync at ${(ratio * 100).toFixed(1)} % of COPY (target ≥ 30 %) and ${fmt(syncRate)} dossiers/s ` +
        `(target ≥ 20,000): ${ratio >= 0.3 && syncRate >= 20_000 ? 'met' : 'NOT MET'}`,
    );

    // Incremental: how many dossiers change in a simulated day, then enough days for 10,000 in one pass.
    const advanceDays = (days: number) =>
      fetch(`${mocks.urls.ONE_STOP_SHOP_URL}/__admin/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: days * 86_400 }),
      });
    await advanceDays(1);
    const probe = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    await advanceDays(Math.ceil(10_000 / Math.max(1, probe.records)));
    started = Date.now();
    const incremental = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    const incrementalMs = Date.now() - started;
    if (incremental.error) throw new Error(incremental.error);
    const per10k = (incrementalMs * 10_000) / Math.max(1, incremental.records);
    console.log(
      `incremental: ${fmt(incremental.records)} changed dossiers in ${seconds(incrementalMs)} s ` +
        `(${seconds(per10k)} s per 10,000; target < 2 s): ${per10k < 2000 ? 'met' : 'NOT MET'}`,
    );
  } finally {
    await engine.stop();
    await upstreams.close();
    await db.close();
    mocks.stop();
    await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }
}

await main();
