/**
 * The sync as separate processes (`npm run sync -- --once`) sharing one
 * PostgreSQL: a pass killed with SIGKILL mid-way resumes to the same final
 * state, writing each record once; two instances started together never sync
 * one source at the same time. PostgreSQL only: embedded PGlite serves one
 * process by design, so there is nothing to share (TEST_DATABASE_URL unset:
 * skipped).
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_BUDGET_YEAR } from '../../connectors/mock/generator/finance.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { emptyStore, storeSnapshot, worldSnapshot } from '../support/province-snapshot.ts';
import { openTestStore, type TestStore } from '../support/store.ts';
import { mockUrls, startMocks } from '../support/sync-rig.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;

interface Child {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

describe.skipIf(!databaseUrl)('sync processes on one PostgreSQL', () => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  let schema: string;

  beforeAll(async () => {
    store = await openTestStore('postgres');
    const [row] = await store.db.query<{ schema: string }>('SELECT current_schema() AS schema');
    schema = row!.schema;
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
  });
  afterAll(async () => {
    await mocks?.close();
    await store?.dispose();
  });
  beforeEach(async () => {
    await emptyStore(store.db);
    for (const faults of Object.values(mocks.faults)) faults.clear();
  });

  function syncProcess(): Child {
    const urls = mockUrls(mocks);
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sync.ts', '--source=all', '--once'], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        ONE_STOP_SHOP_URL: urls.ONE_STOP_SHOP,
        CADRE_DB_URL: urls.CADRE_DB,
        BUDGET_URL: urls.BUDGET,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return {
      pid: child.pid!,
      kill: (signal) => child.kill(signal),
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr }))),
    };
  }

  const dossiersSynced = async () => {
    const [row] = await store.db.query<{ n: string }>(
      `SELECT coalesce(sum(records_synced), 0)::text AS n FROM sync_state WHERE source = 'one-stop-shop/dossiers'`,
    );
    return Number(row?.n ?? 0);
  };

  it('a pass killed with SIGKILL mid-sync resumes to the same state, each dossier written once', async () => {
    // Slow pages, so that the kill lands in the middle of the dossier feed.
    mocks.faults.oneStopShop.add({ fault: 'latency', latencyMs: 150, path: '/api/dossiers' });
    const total = world.dossiers(null, null, Number.MAX_SAFE_INTEGER).records.length;

    const first = syncProcess();
    for (let waited = 0; (await dossiersSynced()) === 0; waited += 50) {
      if (waited > 60_000) throw new Error('the first sync process never committed a dossier batch');
      await sleep(50);
    }
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await dossiersSynced();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(total);

    const second = syncProcess();
    const outcome = await second.exited;
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);

    const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR });
    const actual = await storeSnapshot(store.db);
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
    // Resumed from the last commit, not from the start: every dossier was written exactly once in all.
    expect(await dossiersSynced()).toBe(total);
    const runs = await store.db.query<{ status: string }>(
      `SELECT status FROM sync_runs WHERE source = 'ONE_STOP_SHOP' ORDER BY id`,
    );
    // The killed pass never recorded its end; the second one succeeded.
    expect(runs.map((r) => r.status)).toEqual(['RUNNING', 'SUCCEEDED']);
  }, 120_000);

  it('two instances started together never sync one source at the same time', async () => {
    mocks.faults.oneStopShop.add({ fault: 'latency', latencyMs: 40 });
    mocks.faults.cadreDb.add({ fault: 'latency', latencyMs: 40 });
    const [a, b] = [syncProcess(), syncProcess()];
    const outcomes = await Promise.all([a.exited, b.exited]);
    expect(outcomes.map((o) => [o.code, o.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);

    const runs = await store.db.query<{ source: string; instance: string; startedAt: Date; finishedAt: Date }>(
      `SELECT source, instance, started_at AS "startedAt", finished_at AS "finishedAt" FROM sync_runs ORDER BY source, started_at`,
    );
    for (const source of ['CADRE_DB', 'ONE_STOP_SHOP', 'BUDGET']) {
      const passes = runs.filter((r) => r.source === source);
      // Both instances ran a pass of every source (the second waited for the first) …
      expect(new Set(passes.map((p) => p.instance)).size, source).toBe(2);
      // … one after the other.
      expect(passes[0]!.finishedAt.getTime(), source).toBeLessThanOrEqual(passes[1]!.startedAt.getTime());
    }
    const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR });
    expect((await storeSnapshot(store.db)).dossiers).toEqual(expected.dossiers);
  }, 120_000);
});
