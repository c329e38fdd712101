/**
 * The sync engine end to end: the three mock upstreams on real sockets, the
 * real connectors and HTTP client, the store on PGlite and (with
 * TEST_DATABASE_URL) PostgreSQL. What the store holds after a sync is
 * compared, table by table and field by field, with what the simulated
 * province serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_BUDGET_YEAR } from '../../connectors/mock/generator/finance.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import { FAULT_MODES, type FaultMode, type FaultSpec, type Injection } from '../../connectors/mock/faults.ts';
import type { MockUpstreams, UpstreamName } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { formatCompactLocal } from '../../connectors/common/wire.ts';
import { INVALID_PREFIX } from '../../connectors/mock/invalid-records.ts';
import { CANONICAL_TABLES, counts, emptyStore, storeSnapshot, worldSnapshot } from '../support/province-snapshot.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRigEachTest } from '../support/sync-rig.ts';

const HOUR = 3_600_000;
const openQuarantine = (store: TestStore) =>
  store.db.query<{ feed: string; key: string; reason: string; retryable: boolean; raw: string }>(
    `SELECT source AS feed, record_key AS key, reason, retryable, raw_payload AS raw
       FROM quarantine WHERE resolved_at IS NULL ORDER BY source, record_key`,
  );

describe.each(testBackends)('sync on %s', (backend) => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
  });
  afterAll(async () => {
    await mocks?.close();
    await store?.dispose();
  });
  const rig = syncRigEachTest(
    () => store.db,
    () => world,
    () => mocks,
  );

  describe('from empty, then incrementally', () => {
    it('a full sync reproduces the simulated province exactly', async () => {
      const results = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(results.map((r) => [r.source, r.error, r.rejected])).toEqual([
        ['CADRE_DB', null, 0],
        ['ONE_STOP_SHOP', null, 0],
        ['BUDGET', null, 0],
      ]);
      const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR });
      const actual = await storeSnapshot(store.db);
      expect(counts(actual)).toEqual(counts(expected));
      for (const table of CANONICAL_TABLES) expect(actual[table], table).toEqual(expected[table]);
      expect(await openQuarantine(store)).toEqual([]);

      const states = await store.db.query<{ source: string; status: string; cursor: string | null }>(
        'SELECT source, status, cursor FROM sync_state ORDER BY source',
      );
      expect(states.map((s) => [s.source, s.status])).toEqual([
        ['budget/execution', 'SUCCEEDED'],
        ['budget/investment', 'SUCCEEDED'],
        ['budget/psu-finance', 'SUCCEEDED'],
        ['cadre-db/staff', 'SUCCEEDED'],
        ['cadre-db/staff-assignments', 'SUCCEEDED'],
        ['cadre-db/unit-events', 'SUCCEEDED'],
        ['cadre-db/unit-versions', 'SUCCEEDED'],
        ['cadre-db/units', 'SUCCEEDED'],
        ['one-stop-shop/dossiers', 'SUCCEEDED'],
        ['one-stop-shop/procedures', 'SUCCEEDED'],
      ]);
      // Every dossier was new to the hub: each was announced as received, once.
      const received = rig()
        .events.flatMap((e) => e.dossiers)
        .filter((d) => d.kinds.includes('RECEIVED'))
        .map((d) => d.code);
      expect(received.length).toBe(expected.dossiers!.length);
      expect(new Set(received).size).toBe(received.length);
    }, 90_000); // a whole province through PGlite's WebAssembly: 10–35 s on two busy cores

    it('a second pass with nothing changed upstream writes nothing', async () => {
      const results = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(results.map((r) => [r.source, r.error, r.records])).toEqual([
        ['CADRE_DB', null, 0],
        ['ONE_STOP_SHOP', null, 0],
        ['BUDGET', null, 0],
      ]);
      expect(rig().events).toEqual([]);
    });

    it('after the clock advances, an incremental pass picks up exactly the changes', async () => {
      const before = world.now();
      world.advance(30 * HOUR);
      // The records the upstreams changed since the last pass: update time after the old clock.
      const since = formatCompactLocal(before.getTime() + 1000);
      const changedDossiers = world.dossiers(since, null, Number.MAX_SAFE_INTEGER).records;
      expect(changedDossiers.length).toBeGreaterThan(10);

      const results = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(results.every((r) => r.error === null)).toBe(true);
      const dossierEvents = rig().events.filter((e) => e.feed === 'one-stop-shop/dossiers');
      expect(dossierEvents.reduce((sum, e) => sum + e.written, 0)).toBe(changedDossiers.length);

      const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR });
      const actual = await storeSnapshot(store.db);
      for (const table of CANONICAL_TABLES) expect(actual[table], table).toEqual(expected[table]);
      // New dossiers were announced as received; those finished since, as finished.
      const announced = dossierEvents.flatMap((e) => e.dossiers);
      const newCodes = changedDossiers.filter((d) => d.NgayTiepNhan >= since).map((d) => d.MaHoSo);
      expect(
        announced
          .filter((d) => d.kinds.includes('RECEIVED'))
          .map((d) => d.code)
          .sort(),
      ).toEqual(newCodes.sort());
      const finishedCodes = changedDossiers
        .filter((d) => d.NgayKetThucXuLy && d.NgayKetThucXuLy >= since)
        .map((d) => d.MaHoSo);
      expect(finishedCodes.length).toBeGreaterThan(0);
      expect(
        announced
          .filter((d) => d.kinds.includes('FINISHED'))
          .map((d) => d.code)
          .sort(),
      ).toEqual(finishedCodes.sort());
    });
  });

  describe('references the hub does not know yet', () => {
    it('quarantines dossiers of unknown units and resolves them once the units arrive', async () => {
      await emptyStore(store.db);
      const first = await rig().engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
      const dossierCount = world.dossiers(null, null, Number.MAX_SAFE_INTEGER).records.length;
      expect(first.error).toBeNull();
      expect(first.rejected).toBe(dossierCount);
      const held = await openQuarantine(store);
      expect(held).toHaveLength(dossierCount);
      expect(held.every((q) => q.retryable && /^unknown unit /.test(q.reason))).toBe(true);
      expect(JSON.parse(held[0]!.raw)).toHaveProperty('MaHoSo', held[0]!.key);

      await rig().engine.run('CADRE_DB', { trigger: 'COMMAND' });
      const second = await rig().engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
      expect(second.resolved).toBe(dossierCount);
      expect(await openQuarantine(store)).toEqual([]);
      const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR });
      expect((await storeSnapshot(store.db)).dossiers).toEqual(expected.dossiers);
    });
  });

  describe('every fault mode of the mocks', () => {
    /** How each mode is switched on: data faults on every request, transport faults for a few. */
    // renamed-field breaks the contract of every record on purpose (nothing survives it to compare): its own suites
    // follow it (tests/integration/feed-health.test.ts, contract-check.test.ts).
    const FAULTS: Record<Exclude<FaultMode, 'renamed-field'>, FaultSpec> = {
      latency: { fault: 'latency', latencyMs: 50, times: 20 },
      'rate-limit': { fault: 'rate-limit', retryAfterSeconds: 1, times: 1 },
      'error-500': { fault: 'error-500', times: 3 },
      'error-503': { fault: 'error-503', times: 3 },
      hang: { fault: 'hang', times: 1 },
      'status-error': { fault: 'status-error', times: 3 },
      'malformed-json': { fault: 'malformed-json', times: 3 },
      truncated: { fault: 'truncated', times: 3 },
      'invalid-records': { fault: 'invalid-records' },
      'flawed-records': { fault: 'flawed-records' },
      duplicates: { fault: 'duplicates' },
      'offset-shift': { fault: 'offset-shift' },
      'csv-bad-row': { fault: 'csv-bad-row' },
    };
    const UPSTREAMS: UpstreamName[] = ['oneStopShop', 'cadreDb', 'budget'];

    /** The quarantine key the connectors give an injected record (budget keys carry the period asked for). */
    function quarantineKey(upstream: UpstreamName, injection: Injection, key: string): string {
      if (upstream !== 'budget') return key;
      const query = new URLSearchParams(injection.query);
      const year = query.get('nam')!;
      const month = query.get('thang');
      return month ? `${year}-${month.padStart(2, '0')}/${key}` : `${year}/${key}`;
    }

    const SURVIVABLE = FAULT_MODES.filter((mode): mode is keyof typeof FAULTS => mode !== 'renamed-field');
    it.each(SURVIVABLE)('survives %s with nothing lost', async (mode) => {
      await emptyStore(store.db);
      for (const upstream of UPSTREAMS) {
        mocks.faults[upstream].clear();
        mocks.faults[upstream].add(FAULTS[mode]);
      }
      try {
        const results = await rig().engine.runAll({ trigger: 'COMMAND' });
        expect(results.map((r) => r.error)).toEqual([null, null, null]);
        const injected = UPSTREAMS.flatMap((upstream) =>
          mocks.faults[upstream].list().injected.map((i) => ({ upstream, i })),
        );
        expect(injected.length, 'the fault was injected').toBeGreaterThan(0);

        // offset-shift serves moved records with a new update time: the versions differ, the data must not.
        const withVersions = mode !== 'offset-shift';
        const expected = worldSnapshot(world, { firstYear: FIRST_BUDGET_YEAR, withVersions });
        const actual = await storeSnapshot(store.db, { withVersions });
        // flawed-records adds stored records of their own keys (checked below): every real one is as it should be.
        const real = (rows: Record<string, unknown>[]) =>
          rows.filter((row) => !Object.values(row).some((v) => typeof v === 'string' && v.startsWith(INVALID_PREFIX)));
        for (const table of CANONICAL_TABLES) expect(real(actual[table]!), table).toEqual(expected[table]);
        const flaws = await store.db.query<{ key: string; rule: string; field: string }>(
          'SELECT record_key AS key, rule, field FROM record_flaws ORDER BY 1, 2, 3',
        );

        const held = await openQuarantine(store);
        if (mode === 'flawed-records') {
          // Each placeable broken record is stored with exactly the flaws it was made with, and none is held.
          const text = (f: { key: string; rule: string; field: string }) => `${f.key} ${f.field} ${f.rule}`;
          const want = injected.flatMap(({ upstream, i }) =>
            i.records.flatMap((r) => r.flaws!.map((f) => text({ key: quarantineKey(upstream, i, r.key), ...f }))),
          );
          expect(flaws.map(text).sort()).toEqual([...new Set(want)].sort());
          expect(held).toEqual([]);
        } else expect(flaws).toEqual([]);
        if (mode === 'invalid-records') {
          const keys = new Set(
            injected.flatMap(({ upstream, i }) => i.records.map((r) => quarantineKey(upstream, i, r.key))),
          );
          expect(held.map((q) => q.key).sort()).toEqual([...keys].sort());
        } else if (mode === 'csv-bad-row') {
          const rows = injected.flatMap(({ i }) => i.records);
          expect(held.length).toBe(rows.length);
          expect(held.every((q) => q.feed === 'budget/execution')).toBe(true);
        } else if (mode !== 'flawed-records') {
          expect(held).toEqual([]);
        }
      } finally {
        for (const upstream of UPSTREAMS) mocks.faults[upstream].clear();
      }
    });
  });
});
