/**
 * Data-level feed health and acting on quarantine, through the whole hub: the
 * mock one-stop-shop on a real socket starts sending every dossier with
 * MaDonVi renamed MaDonViXuLy (the renamed-field drill). The pass completes,
 * every changed dossier lands in quarantine as "missing field MaDonVi", the
 * unknown field is counted (sources, /metrics), the feed and its source are
 * DEGRADED and a FEED_REJECTING_RECORDS alert goes out. An administrator then
 * discards some entries and queues the rest for a retry, through the graph,
 * each audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import { DOSSIERS_PATH } from '../../connectors/one-stop-shop/contract.ts';
import { DOSSIERS_FEED } from '../../connectors/one-stop-shop/connector.ts';
import { readSourceHealth } from '../../gateway/observability/source-health.ts';
import type { LiveEvent } from '../../store/live-events.ts';
import { createFakeWorld } from '../support/fake-world.ts';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { liveSyncRig, startMocks, type LiveSyncRig } from '../support/sync-rig.ts';

const ADMIN = 'admin-token';

const SOURCES = `{ sources { name status quarantined
  feeds { name lastPass { read rejected flawed rejectedPercent degraded unknownFields { field records } } } } }`;

const QUARANTINE = `query ($after: String) {
  quarantine(source: ONE_STOP_SHOP, first: 100, after: $after) {
    edges { node { id key reason retryable } } pageInfo { hasNextPage endCursor }
  }
}`;

describe.each(testBackends)('a renamed field, through the hub, on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let rig: LiveSyncRig;
  let hub: TestHub;
  const events: LiveEvent[] = [];
  const world = createFakeWorld();
  /** Every dossier of the world: the first pass reads them all, each renamed. */
  const dossiers = world.dossiers(null, null, 1_000_000).records;

  beforeAll(async () => {
    store = await openTestStore(backend);
    mocks = await startMocks(world);
    rig = liveSyncRig(store.db, world, mocks, (event) => void events.push(event));
    hub = await startTestHub(store.db, { adminToken: ADMIN });
    expect((await rig.engine.run('CADRE_DB', { trigger: 'COMMAND' })).error).toBeNull();
    mocks.faults.oneStopShop.add({ fault: 'renamed-field', path: DOSSIERS_PATH });
  });

  afterAll(async () => {
    await hub?.hub.stop();
    await rig?.close();
    await mocks?.close();
    await store?.dispose();
  });

  async function allQuarantined() {
    const nodes: { id: string; key: string; reason: string; retryable: boolean }[] = [];
    for (let after: string | null = null; ;) {
      const { data, errors }: GraphQLResponse = await hub.gql(QUARANTINE, { after }, ADMIN);
      expect(errors).toBeUndefined();
      nodes.push(...data.quarantine.edges.map((e: { node: (typeof nodes)[number] }) => e.node));
      if (!data.quarantine.pageInfo.hasNextPage) return nodes;
      after = data.quarantine.pageInfo.endCursor;
    }
  }

  it('completes the pass, quarantines each dossier as missing MaDonVi, and counts the unknown field', async () => {
    expect(dossiers.length).toBeGreaterThan(0);
    const result = await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(result.error).toBeNull();
    // Every dossier of the pass is rejected; the procedures are not.
    expect(result.rejected).toBe(dossiers.length);

    const held = await allQuarantined();
    expect(held.map((q) => q.key).sort()).toEqual(dossiers.map((d) => d.MaHoSo).sort());
    // "missing", not "bad value": the field is absent, its value was never wrong.
    expect(new Set(held.map((q) => q.reason))).toEqual(new Set(['missing field MaDonVi']));
    expect(held.every((q) => !q.retryable)).toBe(true);
  });

  it('reports the feed and its source DEGRADED in sources, with the unknown field', async () => {
    const { data, errors } = await hub.gql(SOURCES, {}, ADMIN);
    expect(errors).toBeUndefined();
    const oneStopShop = data.sources.find((s: { name: string }) => s.name === 'ONE_STOP_SHOP');
    expect(oneStopShop.status).toBe('DEGRADED');
    expect(oneStopShop.quarantined).toBe(dossiers.length);
    const feed = oneStopShop.feeds.find((f: { name: string }) => f.name === DOSSIERS_FEED);
    // Read n, rejected n: 100 % of the pass, far above the default 5 %.
    expect(feed.lastPass).toEqual({
      read: dossiers.length,
      rejected: dossiers.length,
      flawed: 0,
      rejectedPercent: 100,
      degraded: true,
      unknownFields: [{ field: 'MaDonViXuLy', records: dossiers.length }],
    });
    const procedures = oneStopShop.feeds.find((f: { name: string }) => f.name !== DOSSIERS_FEED);
    expect(procedures.lastPass).toMatchObject({ rejected: 0, degraded: false, unknownFields: [] });
    // The cadre database, whose data is sound, stays FRESH.
    expect(data.sources.find((s: { name: string }) => s.name === 'CADRE_DB').status).toBe('FRESH');

    const health = await readSourceHealth(store.db, { staleAfterMs: 3_600_000 });
    expect(health.sources.find((s) => s.name === 'ONE_STOP_SHOP')?.status).toBe('DEGRADED');
  });

  it('publishes the FEED_REJECTING_RECORDS alert and the DEGRADED status once', async () => {
    const alerts = events.filter((e) => e.kind === 'ALERT' && e.payload.kind === 'FEED_REJECTING_RECORDS');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    if (alert.kind !== 'ALERT') throw new Error('not an alert');
    expect(alert.payload.severity).toBe('WARNING');
    expect(alert.payload.subject).toBe('ONE_STOP_SHOP');
    expect(alert.payload.values).toEqual(
      expect.arrayContaining([
        { name: 'feed', value: DOSSIERS_FEED },
        { name: 'records read', value: dossiers.length },
        { name: 'records quarantined', value: dossiers.length },
        { name: 'unknown fields', value: 'MaDonViXuLy' },
      ]),
    );
    expect(alert.payload.messageEn).toContain(`quarantined ${dossiers.length} of ${dossiers.length} records (100%)`);
    expect(alert.payload.messageVi).toContain('vượt ngưỡng 5%');
    const statuses = events.filter((e) => e.kind === 'SOURCE_STATUS' && e.payload.source === 'ONE_STOP_SHOP');
    expect(statuses.map((e) => e.kind === 'SOURCE_STATUS' && e.payload.status)).toEqual(['DEGRADED']);
  });

  it('serves the unknown field and the rejected share in /metrics', async () => {
    const body = await (await fetch(`${hub.url}/metrics`)).text();
    expect(body).toContain(
      `lgsp_sync_unknown_field_records{source="ONE_STOP_SHOP",feed="${DOSSIERS_FEED}",field="MaDonViXuLy"} ${dossiers.length}`,
    );
    expect(body).toContain(`lgsp_sync_feed_rejected_ratio{source="ONE_STOP_SHOP",feed="${DOSSIERS_FEED}"} 1`);
    expect(body).toContain('lgsp_sync_source_status{source="ONE_STOP_SHOP",status="DEGRADED"} 1');
  });

  it('discards entries with a trace and queues the rest for a retry, each audited', async () => {
    const held = await allQuarantined();
    const [first, second, ...rest] = held.map((q) => q.id).sort((a, b) => Number(a) - Number(b));
    const discard = await hub.gql(
      `mutation ($ids: [ID!]!) { discardQuarantined(ids: $ids, reason: "đã xử lý thủ công") }`,
      { ids: [first, second] },
      ADMIN,
    );
    expect(discard).toEqual({ data: { discardQuarantined: [first, second] } });
    const [row] = await store.db.query<{ by: string; reason: string; closed: boolean }>(
      `SELECT discarded_by AS by, discard_reason AS reason, resolved_at IS NOT NULL AS closed
         FROM quarantine WHERE id = $1`,
      [first],
    );
    expect(row).toEqual({ by: 'test-admin', reason: 'đã xử lý thủ công', closed: true });
    // A discarded entry is not open: discarding it again is refused, nothing changed.
    const again = await hub.gql(`mutation { discardQuarantined(ids: ["${first}"], reason: "x") }`, {}, ADMIN);
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toBe(`not open: ${first} (discarded)`);
    expect((await allQuarantined()).length).toBe(held.length - 2);

    const retry = await hub.gql(`mutation { retryQuarantined(source: ONE_STOP_SHOP) }`, {}, ADMIN);
    expect(retry.data?.retryQuarantined).toEqual(rest);
    expect((await allQuarantined()).every((q) => q.retryable)).toBe(true);
    // Both operations are in the audit log, by the administrator.
    const audit = await store.db.query<{ ops: string[]; consumer: string }>(
      `SELECT admin_operations AS ops, consumer FROM audit_log
        WHERE admin_operations && ARRAY['discardQuarantined', 'retryQuarantined'] ORDER BY id`,
    );
    expect(audit).toEqual([
      { ops: ['discardQuarantined'], consumer: 'test-admin' },
      { ops: ['discardQuarantined'], consumer: 'test-admin' },
      { ops: ['retryQuarantined'], consumer: 'test-admin' },
    ]);

    // The next pass retries them: still missing MaDonVi, so quarantined again, not retryable any more.
    const pass = await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass.error).toBeNull();
    const after = await allQuarantined();
    expect(after.length).toBe(rest.length);
    expect(after.every((q) => !q.retryable && q.reason === 'missing field MaDonVi')).toBe(true);
    // That pass read no dossier (none changed upstream): the last pass that did still stands, DEGRADED.
    const sources: GraphQLResponse = await hub.gql(SOURCES, {}, ADMIN);
    expect(sources.data.sources.find((s: { name: string }) => s.name === 'ONE_STOP_SHOP').status).toBe('DEGRADED');
    // The discarded ones stay discarded: the same payload is not a later version.
    const [discarded] = await store.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM quarantine WHERE discarded_at IS NOT NULL AND resolved_at IS NOT NULL',
    );
    expect(discarded!.count).toBe(2);
  });
});
