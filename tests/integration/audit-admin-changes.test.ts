/**
 * Admin mutations and their audit entries, through a real hub over a real
 * socket, with a sync engine on the mock upstreams: a change is committed
 * with its entry or not at all (setIndicatorTarget, removeIndicatorTarget in
 * one transaction; syncNow's entry before its pass starts). The audit log's
 * inserts are made to fail in the database itself (a trigger), so that every
 * other write still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import { verifyAuditChain } from '../../store/audit.ts';
import { upsertTargets } from '../../store/indicators/targets.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig, type SyncRig } from '../support/sync-rig.ts';

const ADMIN = 'admin-token';
const YEAR = 2024;

describe.each(testBackends)('admin changes and their audit entries on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let rig: SyncRig;
  let hub: TestHub;
  let unitCode: string;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    rig = syncRig(store.db, world, mocks);
    // The unit tree, for the targets' unit.
    expect((await rig.engine.run('CADRE_DB', { trigger: 'COMMAND' })).error).toBeNull();
    const [unit] = await store.db.query<{ code: string }>('SELECT code FROM units ORDER BY code LIMIT 1');
    unitCode = unit!.code;
    hub = await startTestHub(store.db, { adminToken: ADMIN, sync: { engine: rig.engine, circuit: () => 'CLOSED' } });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await rig?.close();
    await mocks?.close();
    await store?.dispose();
  });

  /** POSTs as the administrator; the HTTP status with the body. */
  async function admin(query: string) {
    const response = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  const set = (target: number) =>
    admin(
      `mutation { setIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${unitCode}", year: ${YEAR}, target: ${target}) { target setBy } }`,
    );
  const remove = () =>
    admin(
      `mutation { removeIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${unitCode}", year: ${YEAR}) { target } }`,
    );
  const syncBudget = () => admin('mutation { syncNow(source: BUDGET) { name lastError } }');

  const storedTarget = async () =>
    (
      await store.db.query<{ target: string }>(
        `SELECT target::text AS target FROM indicator_targets WHERE indicator_code = 'ON_TIME_RATE' AND unit_code = $1 AND year = $2`,
        [unitCode, YEAR],
      )
    ).map((row) => Number(row.target));
  const budgetPasses = async () =>
    Number(
      (await store.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM sync_runs WHERE source = 'BUDGET'`))[0]!.n,
    );
  const auditEntries = () =>
    store.db.query<{ id: string; consumer: string; adminOperations: string[]; at: Date }>(
      `SELECT id::text AS id, consumer, admin_operations AS "adminOperations", at FROM audit_log ORDER BY id`,
    );

  /** Runs `work` while the database refuses every insert into the audit log, as a full disk or a lost grant would. */
  async function withAuditFailing(work: () => Promise<void>) {
    await store.db.exec(`
      CREATE FUNCTION refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'no space left for the audit log'; END $$;
      CREATE TRIGGER audit_log_refuse_insert BEFORE INSERT ON audit_log
        FOR EACH ROW EXECUTE FUNCTION refuse_audit_insert();`);
    try {
      await work();
    } finally {
      await store.db.exec(`DROP TRIGGER audit_log_refuse_insert ON audit_log; DROP FUNCTION refuse_audit_insert();`);
    }
  }

  const nothingChanged = {
    status: 503,
    body: {
      errors: [
        expect.objectContaining({
          message: 'the audit log cannot record this change, so nothing was changed; try again later',
          extensions: expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }),
        }),
      ],
    },
  };

  it('changes nothing, and says so, when the audit entry cannot be written', async () => {
    await upsertTargets(store.db, [{ indicatorCode: 'ON_TIME_RATE', unitCode, year: YEAR, target: 90 }], 'fixture');
    const passes = await budgetPasses();
    const entries = await auditEntries();
    await withAuditFailing(async () => {
      const setting = await set(97.5);
      expect(setting).toMatchObject(nothingChanged);
      expect(setting.body.data ?? null).toBeNull();
      expect(await remove()).toMatchObject(nothingChanged);
      const syncing = await syncBudget();
      expect(syncing).toMatchObject(nothingChanged);
      expect(syncing.body.data ?? null).toBeNull();
    });
    // The target is as it was, no pass ran, and the log has no entry for any of it.
    expect(await storedTarget()).toEqual([90]);
    expect(await budgetPasses()).toBe(passes);
    expect(await auditEntries()).toEqual(entries);
    // The same requests once the log can be written again: the retry is the first change.
    expect((await set(97.5)).body).toEqual({ data: { setIndicatorTarget: { target: 97.5, setBy: 'test-admin' } } });
    expect(await storedTarget()).toEqual([97.5]);
  });

  it('writes exactly one entry with each change, the pass after its entry', async () => {
    let entries = await auditEntries();
    expect((await set(96)).body).toEqual({ data: { setIndicatorTarget: { target: 96, setBy: 'test-admin' } } });
    let now = await auditEntries();
    expect(now.slice(entries.length)).toEqual([
      expect.objectContaining({ consumer: 'test-admin', adminOperations: ['setIndicatorTarget'] }),
    ]);

    entries = now;
    expect((await remove()).body).toEqual({ data: { removeIndicatorTarget: { target: 96 } } });
    expect(await storedTarget()).toEqual([]);
    now = await auditEntries();
    expect(now.slice(entries.length)).toEqual([
      expect.objectContaining({ consumer: 'test-admin', adminOperations: ['removeIndicatorTarget'] }),
    ]);

    entries = now;
    const passes = await budgetPasses();
    expect((await syncBudget()).body).toEqual({ data: { syncNow: { name: 'BUDGET', lastError: null } } });
    expect(await budgetPasses()).toBe(passes + 1);
    now = await auditEntries();
    const [entry, ...more] = now.slice(entries.length);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ consumer: 'test-admin', adminOperations: ['syncNow'] });
    const [pass] = await store.db.query<{ startedAt: Date }>(
      `SELECT started_at AS "startedAt" FROM sync_runs WHERE source = 'BUDGET' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry!.at.getTime()).toBeLessThanOrEqual(pass!.startedAt.getTime());
    expect(await verifyAuditChain(store.db, undefined)).toMatchObject({ ok: true, checked: now.length });
  });

  it('still records a refused attempt once the request has executed', async () => {
    const entries = await auditEntries();
    const refused = await set(101);
    expect(refused.body.errors?.map((e: any) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect((await auditEntries()).slice(entries.length)).toEqual([
      expect.objectContaining({ adminOperations: ['setIndicatorTarget'] }),
    ]);
    expect(await storedTarget()).toEqual([]);
  });
});
