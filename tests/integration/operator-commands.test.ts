/**
 * The operators' smaller tools (issue 25): `npm run sync -- --help`,
 * `npm run quarantine` and `npm run consumer -- set-scopes` as processes of
 * their own on a PGlite directory; a budget feed failing alone while the
 * others of its pass are read (mock upstreams on real sockets); a CIRCUIT_OPEN
 * alert naming the breaker's last failure; the sync history in the graph.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSU_FINANCE_PATH } from '../../connectors/budget/contract.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import { sourceStatusDrafts } from '../../live/sources.ts';
import { quarantine } from '../../store/sync.ts';
import { createFakeWorld } from '../support/fake-world.ts';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig, type SyncRig } from '../support/sync-rig.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a script as `npm run <script> -- …` would: its exit code, stdout and stderr. */
async function cli(script: string, args: string[], env: Record<string, string> = {}) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('the command lines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-operator-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run sync -- --help prints its usage and exits 0, with no stack', async () => {
    const run = await cli('sync', ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run sync -- \[--source=all\|ONE_STOP_SHOP\|CADRE_DB\|BUDGET\]/);
    expect(run.stderr).not.toMatch(/TypeError|at /);
  });

  it('npm run quarantine: usage, an empty list, and refusals with exit codes', async () => {
    const env = { PGLITE_DIR: join(dir, 'store') };
    const help = await cli('quarantine', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm run quarantine -- discard <id…> --reason TEXT');
    expect(await cli('quarantine', ['list'], env)).toMatchObject({
      code: 0,
      stdout: 'no open entries: quarantine is empty\n',
    });
    // A usage error (2), then an id that names nothing (1).
    expect(await cli('quarantine', ['discard', '12'], env)).toMatchObject({ code: 2 });
    const missing = await cli('quarantine', ['discard', '12', '--reason', 'x'], env);
    expect(missing).toMatchObject({ code: 1, stderr: 'lgsp-hub quarantine: no quarantine entry with id 12\n' });
  });

  it('npm run consumer -- set-scopes replaces a consumer’s scopes', async () => {
    const env = { PGLITE_DIR: join(dir, 'store') };
    expect((await cli('consumer', ['add', 'ioc', '--scopes', 'read:aggregates'], env)).code).toBe(0);
    const set = await cli('consumer', ['set-scopes', 'ioc', 'read:aggregates,read:pii'], env);
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toContain('ioc: scopes read:aggregates → read:aggregates,read:pii');
    expect((await cli('consumer', ['list'], env)).stdout).toMatch(/ioc\s+read:aggregates,read:pii/);
    expect(await cli('consumer', ['set-scopes', 'ioc', 'read:everything'], env)).toMatchObject({ code: 2 });
    expect(await cli('consumer', ['set-scopes', 'nobody', 'read:pii'], env)).toMatchObject({ code: 1 });
  });

  it('npm run quarantine -- show masks personal data, discard keeps a trace', async () => {
    const env = { PGLITE_DIR: join(dir, 'store') };
    const { openDb } = await import('../../store/open-db.ts');
    const db = await openDb({ pgliteDir: env.PGLITE_DIR, poolMax: 1 });
    try {
      await quarantine(db, 'cadre-db/staff', [
        {
          key: 'CC-0004521',
          reason: 'missing field maDinhDanhDonVi',
          raw: JSON.stringify({ soHieu: 'CC-0004521', hoTen: 'Nguyễn Văn An', ngaySinh: '1980-02-03' }),
          retryable: false,
        },
      ]);
    } finally {
      await db.close();
    }
    const list = await cli('quarantine', ['list', '--source', 'CADRE_DB'], env);
    expect(list.stdout).toMatch(/^ID\s+FEED\s+KEY/);
    const id = /\n(\d+)\s+cadre-db\/staff\s+CC-0004521/.exec(list.stdout)?.[1];
    expect(id).toBeDefined();
    const show = await cli('quarantine', ['show', id!], env);
    expect(show.stdout).toContain('"hoTen":"*** A."');
    expect(show.stdout).toContain('"ngaySinh":"****-**-**"');
    expect(show.stdout).not.toContain('Nguyễn');
    const discard = await cli('quarantine', ['discard', id!, '--reason', 'nhân sự đã nghỉ hưu', '--by', 'ops'], env);
    expect(discard).toMatchObject({ code: 0, stdout: `discarded 1 by ops: ${id}\n` });
    const shown = (await cli('quarantine', ['show', id!], env)).stdout;
    expect(shown).toMatch(/state:\s+discarded/);
    expect(shown).toMatch(/discarded by:\s+ops/);
    expect(shown).toMatch(/discard reason:\s+nhân sự đã nghỉ hưu/);
  });
});

describe.each(testBackends)('sync passes, on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let rig: SyncRig;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    mocks = await startMocks(createFakeWorld());
    rig = syncRig(store.db, createFakeWorld(), mocks);
    hub = await startTestHub(store.db, { adminToken: 'admin' });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await rig?.close();
    await mocks?.close();
    await store?.dispose();
  });

  it('reads the other budget feeds when one fails, and says which failed', async () => {
    expect((await rig.engine.run('CADRE_DB', { trigger: 'COMMAND' })).error).toBeNull();
    mocks.faults.budget.add({ fault: 'error-500', path: PSU_FINANCE_PATH });
    const pass = await rig.engine.run('BUDGET', { trigger: 'COMMAND' });
    mocks.faults.budget.clear();
    expect(pass.error).toMatch(/^budget\/psu-finance: .*HTTP 500/);
    expect(pass.error).not.toContain('budget/execution');
    const [counts] = await store.db.query<{ psu: number; lines: number; investment: number }>(
      `SELECT (SELECT count(*)::int FROM psu_finance) AS psu, (SELECT count(*)::int FROM budget_execution_lines) AS lines,
              (SELECT count(*)::int FROM investment_disbursements) AS investment`,
    );
    expect(counts!.psu).toBe(0);
    expect(counts!.lines).toBeGreaterThan(0);
    expect(counts!.investment).toBeGreaterThan(0);
  });

  it('lists the passes of a source in the graph, newest first', async () => {
    const again = await rig.engine.run('BUDGET', { trigger: 'COMMAND' });
    expect(again.error).toBeNull();
    const { data, errors }: GraphQLResponse = await hub.gql(
      `{ sources { name runs(first: 1) { edges { node { status trigger error records finishedAt } cursor }
           pageInfo { hasNextPage endCursor } } } }`,
      {},
      'admin',
    );
    expect(errors).toBeUndefined();
    const budget = data.sources.find((s: { name: string }) => s.name === 'BUDGET');
    expect(budget.runs.edges.map((e: { node: unknown }) => e.node)).toEqual([
      {
        status: 'SUCCEEDED',
        trigger: 'COMMAND',
        error: null,
        records: String(again.records),
        finishedAt: expect.any(String),
      },
    ]);
    expect(budget.runs.pageInfo.hasNextPage).toBe(true);
    const next: GraphQLResponse = await hub.gql(
      `query ($after: String) { sources { name runs(first: 5, after: $after) { edges { node { status error } } } } }`,
      { after: budget.runs.pageInfo.endCursor },
      'admin',
    );
    const older = next.data.sources.find((s: { name: string }) => s.name === 'BUDGET').runs.edges;
    expect(older).toHaveLength(1);
    expect(older[0].node.status).toBe('FAILED');
    expect(older[0].node.error).toMatch(/^budget\/psu-finance: /);
  });

  it('names the breaker’s last failure in a CIRCUIT_OPEN alert', async () => {
    const drafts = await store.db.transaction((tx) =>
      sourceStatusDrafts(tx, {
        source: 'CADRE_DB',
        trigger: 'CIRCUIT_OPENED',
        circuit: 'OPEN',
        circuitError: 'GET http://cadre/api/v1/units: HTTP 503 after 5 attempts',
        now: new Date(),
        staleAfterMs: 3_600_000,
      }),
    );
    const alert = drafts.find((d) => d.kind === 'ALERT');
    expect(alert?.payload).toMatchObject({ kind: 'CIRCUIT_OPEN' });
    expect((alert!.payload as { values: unknown[] }).values).toContainEqual({
      name: 'last error',
      value: 'GET http://cadre/api/v1/units: HTTP 503 after 5 attempts',
    });
  });
});
