/**
 * `npm run bench:sync`: the sync's intake rate on the bench scale, measured
 * against PostgreSQL's own bulk load in the same run: a full one-stop-shop
 * sync from empty (dossiers per second), the same rows loaded again into the
 * emptied table with a bare COPY (the reference rate), then an incremental
 * pass over at least 10,000 changed dossiers. The mock upstreams serve the
 * province from a child process (their own core, as real upstreams would be
 * elsewhere). Targets (issue 4): full sync ≥ 30 % of the COPY rate and
 * ≥ 20,000 dossiers/s; 10,000 changed dossiers in under 2 s. The store is
 * DATABASE_URL, else the local test database.
 */
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSyncEngine } from '../connectors/sync/engine.ts';
import { createUpstreams } from '../connectors/sync/upstreams.ts';
import { openDb } from '../store/open-db.ts';
import { benchDatabaseUrl, startMockProcess, withClient } from './support.ts';
import { migrate } from '../store/migrate.ts';

const databaseUrl = benchDatabaseUrl;
const SCHEMA = 'bench_sync';
const scale = process.argv[2] ?? 'bench';

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function main() {
  await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  const mockStarted = Date.now();
  const mocks = await startMockProcess(scale);
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
      `cadre database: ${fmt(cadre.records)} units, staff and their history in ${seconds(Date.now() - started)} s ` +
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
    const copyMs = await withClient(SCHEMA, async (client) => {
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
    await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }
}

await main();
