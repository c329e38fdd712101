/**
 * `npm run sync` as an operator runs it (issue 25), as processes against the
 * mock upstreams on real sockets: `--record` keeps every page a pass reads and
 * `--replay` runs the pass again from them with the upstreams gone, into a
 * fresh store, to the same rows; a changed upstream URL is refused with the
 * command that lets it through, and `--reset` does, without duplicating a
 * row; in continuous mode with SYNC_HTTP_PORT the process answers /health,
 * /ready and /metrics. On PGlite (one directory per store, opened by one
 * process at a time) and, with TEST_DATABASE_URL, on PostgreSQL (one schema
 * per store), where two gateway-only hubs also raise one SOURCE_STALE from the
 * store's record of passes when the sync process has died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { Db } from '../../store/db.ts';
import { migrate } from '../../store/migrate.ts';
import { openDb } from '../../store/open-db.ts';
import { counts, storeSnapshot } from '../support/province-snapshot.ts';
import { dropSchemas } from '../support/store.ts';
import { mockUrls, startMocks } from '../support/sync-rig.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
const backends = databaseUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  stdout: string[];
  exited: Promise<Outcome>;
}

function start(script: string, args: string[], env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    stdout,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout: stdout.join(''), stderr }))),
  };
}

/** A store of its own for a process: a PGlite directory, or a PostgreSQL schema. */
interface ProcessStore {
  env: Record<string, string | undefined>;
  /** Opens it here, once no process holds it (PGlite serves one process at a time). */
  open(): Promise<Db>;
  dispose(): Promise<void>;
}

function processStore(backend: 'pglite' | 'postgres'): ProcessStore {
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-sync-ops-'));
    return {
      env: { PGLITE_DIR: dir },
      open: () => openDb({ pgliteDir: dir }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    env: { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
    open: () => openDb({ databaseUrl, schema, poolMax: 2 }),
    dispose: () => dropSchemas(databaseUrl!, (name) => name === schema),
  };
}

const upstreamEnv = (mocks: MockUpstreams) => {
  const urls = mockUrls(mocks);
  return { ONE_STOP_SHOP_URL: urls.ONE_STOP_SHOP, CADRE_DB_URL: urls.CADRE_DB, BUDGET_URL: urls.BUDGET };
};

async function withStore<T>(store: ProcessStore, read: (db: Db) => Promise<T>): Promise<T> {
  const db = await store.open();
  try {
    return await read(db);
  } finally {
    await db.close();
  }
}

describe.each(backends)('npm run sync, operated, on %s', { timeout: 240_000 }, (backend) => {
  const world = createMockWorld({ scale: 'tiny' });
  let mocks: MockUpstreams;
  const stores: ProcessStore[] = [];
  const tapes: string[] = [];
  let recorded: ProcessStore;

  beforeAll(async () => {
    mocks = await startMocks(world);
  });
  afterAll(async () => {
    await mocks?.close();
    for (const store of stores) await store.dispose();
    for (const dir of tapes) rmSync(dir, { recursive: true, force: true });
  });

  const newStore = () => {
    const store = processStore(backend);
    stores.push(store);
    return store;
  };

  it('--record keeps every page a pass reads; --replay runs it again offline, into a fresh store, to the same rows', async () => {
    // Mocks of its own, stopped before the replay: nothing can answer but the recording.
    const own = await startMocks(world);
    const tape = mkdtempSync(join(tmpdir(), 'lgsp-tape-'));
    tapes.push(tape);
    recorded = newStore();
    const record = await start('scripts/sync.ts', ['--once', `--record=${tape}`], {
      ...recorded.env,
      ...upstreamEnv(own),
    }).exited;
    await own.close();
    expect(record.stderr).toBe('');
    expect(record.code).toBe(0);
    const files = readdirSync(tape).sort();
    // A manifest, then one file per request, in order, named by order, upstream, path and query.
    expect(files[0]).toMatch(/^00001-CADRE_DB-v2_units_.*offset=0.*\.json$/);
    expect(files).toContain('upstreams.json');
    expect(files.some((f) => /^\d{5}-ONE_STOP_SHOP-api_dossiers_/.test(f))).toBe(true);
    expect(record.stdout).toContain(`recorded ${files.length - 1} requests in ${tape}`);

    const replayed = newStore();
    // No upstream URL in the environment: the replay takes them from the recording.
    const replay = await start('scripts/sync.ts', ['--once', `--replay=${tape}`], replayed.env).exited;
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).not.toContain('not asked for again');

    const expected = await withStore(recorded, (db) => storeSnapshot(db));
    const actual = await withStore(replayed, (db) => storeSnapshot(db));
    expect(counts(actual)).toEqual(counts(expected));
    expect(counts(actual).dossiers).toBeGreaterThan(1000);
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
  });

  it('refuses a feed whose upstream URL changed, naming the reset; --reset lets it through without duplicates', async () => {
    const before = await withStore(recorded, (db) => storeSnapshot(db));
    // The same mock under another name: to the hub, another upstream.
    const moved = {
      ...upstreamEnv(mocks),
      ONE_STOP_SHOP_URL: mocks.urls.oneStopShop.replace('127.0.0.1', 'localhost'),
    };
    const refused = await start('scripts/sync.ts', ['--once', '--source=ONE_STOP_SHOP'], {
      ...recorded.env,
      ...moved,
    }).exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the position of one-stop-shop/procedures was saved against http://127.0.0.1:');
    expect(refused.stderr).toContain(
      'run npm run sync -- --reset one-stop-shop/procedures (or --confirm-upstream one-stop-shop/procedures',
    );

    const reset = await start(
      'scripts/sync.ts',
      ['--once', '--source=ONE_STOP_SHOP', '--reset', 'one-stop-shop/procedures', '--reset', 'one-stop-shop/dossiers'],
      { ...recorded.env, ...moved },
    ).exited;
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    const after = await withStore(recorded, async (db) => ({
      snapshot: await storeSnapshot(db),
      urls: await db.query<{ feed: string; url: string }>(
        `SELECT source AS feed, upstream_url AS url FROM sync_state WHERE source LIKE 'one-stop-shop/%' ORDER BY 1`,
      ),
    }));
    // Read again from the beginning and upserted by key: the same rows, none twice.
    expect(counts(after.snapshot)).toEqual(counts(before));
    expect(after.snapshot.dossiers).toEqual(before.dossiers);
    expect(after.urls.map((r) => r.url)).toEqual([
      moved.ONE_STOP_SHOP_URL.replace(/\/+$/, ''),
      moved.ONE_STOP_SHOP_URL.replace(/\/+$/, ''),
    ]);
  });

  it('in continuous mode with SYNC_HTTP_PORT, serves /health, /ready and /metrics', async () => {
    const store = newStore();
    const run = start('scripts/sync.ts', [], {
      ...store.env,
      ...upstreamEnv(mocks),
      SYNC_HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    });
    try {
      let port: number | undefined;
      for (let waited = 0; port === undefined; waited += 100) {
        for (const line of run.stdout.join('').split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'sync probes listening (/health, /ready, /metrics)') port = entry.port;
        }
        if (waited > 60_000 || run.child.exitCode !== null) throw new Error('the sync process never listened');
        await sleep(100);
      }
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      // Ready once the first passes are in: every source FRESH.
      let ready: { status: string; sources?: { name: string; status: string }[] } = { status: '' };
      for (let waited = 0; ready.status !== 'ready'; waited += 250) {
        if (waited > 90_000) throw new Error(`never ready: ${JSON.stringify(ready)}`);
        await sleep(250);
        ready = (await (await fetch(`${base}/ready`)).json()) as typeof ready;
      }
      expect(ready.sources?.map((s) => [s.name, s.status])).toEqual([
        ['CADRE_DB', 'FRESH'],
        ['ONE_STOP_SHOP', 'FRESH'],
        ['BUDGET', 'FRESH'],
      ]);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/lgsp_upstream_requests_total\{[^}]*source="ONE_STOP_SHOP"/);
      expect(metrics).toContain('lgsp_store_query_duration_seconds');
      expect((await fetch(`${base}/graphql`)).status).toBe(404);
    } finally {
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(143);
    }
  });
});

describe.skipIf(!databaseUrl)('a gateway-only hub beside a sync process that died', { timeout: 180_000 }, () => {
  let store: ProcessStore;
  beforeAll(() => {
    store = processStore('postgres');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('raises SOURCE_STALE from the store record of passes, once across two instances', async () => {
    await withStore(store, async (db) => {
      await migrate(db);
      // The sync process's last pass succeeded 10 minutes ago and told FRESH; then it died.
      await db.query(
        `INSERT INTO sync_runs (source, instance, trigger, started_at, finished_at, status)
         VALUES ('CADRE_DB', 'sync-host:1', 'SCHEDULE', now() - interval '11 minutes', now() - interval '10 minutes',
                 'SUCCEEDED')`,
      );
      await db.query(`INSERT INTO live_state (key, value) VALUES ('source|CADRE_DB', $1::jsonb)`, [
        JSON.stringify({ status: 'FRESH', at: new Date(Date.now() - 600_000).toISOString() }),
      ]);
    });
    const env = {
      ...store.env,
      DEMO_DATA: 'off',
      HUB_MODE: 'development',
      PORT: '0',
      LIVE_STALE_AFTER_MINUTES: '5',
      LOG_LEVEL: 'info',
    };
    const hubs = [start('gateway/main.ts', [], env), start('gateway/main.ts', [], env)];
    try {
      const stale = () =>
        withStore(store, (db) =>
          db.query<{ subject: string }>(
            `SELECT payload ->> 'subject' AS subject FROM live_events
              WHERE kind = 'ALERT' AND payload ->> 'kind' = 'SOURCE_STALE'`,
          ),
        );
      for (let waited = 0; (await stale()).length === 0; waited += 500) {
        if (waited > 90_000) throw new Error('no SOURCE_STALE was raised');
        await sleep(500);
      }
      // Both hubs have ticked by now (each ticks at start); the second found it told already.
      for (let waited = 0; hubs.some((h) => !h.stdout.join('').includes('lgsp-hub listening')); waited += 200) {
        if (waited > 60_000) throw new Error('the hubs did not start');
        await sleep(200);
      }
      await sleep(2_000);
      expect(await stale()).toEqual([{ subject: 'CADRE_DB' }]);
    } finally {
      for (const hub of hubs) hub.child.kill('SIGTERM');
      await Promise.all(hubs.map((h) => h.exited));
    }
  });
});
