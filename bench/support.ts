/**
 * What the benchmarks share: the PostgreSQL they measure on, and the mock
 * upstreams in a child process (a core of their own, as real upstreams would
 * be on other machines).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSyncEngine } from '../connectors/sync/engine.ts';
import { createUpstreams } from '../connectors/sync/upstreams.ts';
import type { Db } from '../store/db.ts';

/** The PostgreSQL the benchmarks run on: DATABASE_URL, else the local test database. */
export const benchDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Starts the mock upstreams of a scale in a child process; resolves with their URLs once they listen. */
export async function startMockProcess(scale: string) {
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

/** One connection of its own in `schema`, for work outside the hub's pool (DDL, COPY, VACUUM). */
export async function withClient<T>(schema: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

type Source = 'CADRE_DB' | 'BUDGET' | 'ONE_STOP_SHOP';
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/**
 * Syncs a scale's province from its mock upstreams (in a child process) into
 * `db` (whose schema is `schema`), source by source in the order given, then
 * leaves statistics and the visibility map as autovacuum would soon after a
 * bulk load, and prints what it synced.
 */
export async function syncProvince(db: Db, schema: string, scale: string, sources: readonly Source[]) {
  const mockStarted = Date.now();
  const mocks = await startMockProcess(scale);
  console.log(`mock upstreams (${scale}) ready in ${seconds(Date.now() - mockStarted)} s`);
  const upstreams = createUpstreams(
    { ONE_STOP_SHOP: mocks.urls.ONE_STOP_SHOP_URL, CADRE_DB: mocks.urls.CADRE_DB_URL, BUDGET: mocks.urls.BUDGET_URL },
    { client: { registry: new Registry() } },
  );
  const engine = createSyncEngine({ db, connectors: upstreams.connectors, logger: pino({ level: 'warn' }) });
  try {
    const started = Date.now();
    for (const source of sources) {
      const run = await engine.run(source, { trigger: 'COMMAND' });
      if (run.error) throw new Error(`${source}: ${run.error}`);
      console.log(`${source} synced in ${seconds(Date.now() - started)} s`);
    }
    // The schema's tables only: a bare VACUUM would go through every schema of the database.
    await withClient(schema, async (c) => {
      const { rows } = await c.query<{ name: string }>(
        'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1',
        [schema],
      );
      await c.query(`VACUUM (ANALYZE) ${rows.map((r) => `${schema}.${r.name}`).join(', ')}`);
    });
    const [sizes] = await db.query<{ units: number; staff: number; dossiers: number }>(
      `SELECT (SELECT count(*)::int FROM units) AS units, (SELECT count(*)::int FROM staff) AS staff,
              (SELECT count(*)::int FROM dossiers) AS dossiers`,
    );
    console.log(
      `synced ${fmt(sizes!.units)} units, ${fmt(sizes!.staff)} staff, ${fmt(sizes!.dossiers)} dossiers ` +
        `in ${seconds(Date.now() - started)} s`,
    );
  } finally {
    await engine.stop();
    await upstreams.close();
    mocks.stop();
  }
}

/** Whether `schema` holds a province an earlier `--keep` run synced from every one of `sources`. */
export async function keptProvince(schema: string, sources: readonly Source[]): Promise<boolean> {
  return withClient(schema, async (c) => {
    const { rows } = await c.query<{ table: string | null }>(
      `SELECT to_regclass('${schema}.sync_runs')::text AS table`,
    );
    if (!rows[0]?.table) return false;
    const runs = await c.query(
      `SELECT DISTINCT source FROM ${schema}.sync_runs WHERE status = 'SUCCEEDED' AND source = ANY($1::text[])`,
      [sources],
    );
    return runs.rowCount === sources.length;
  });
}
