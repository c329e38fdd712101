/**
 * The cadre database's v2.1 history end to end (issue 20): the mock upstreams
 * on real sockets, the real connectors and HTTP client, the store on PGlite
 * and (with TEST_DATABASE_URL) PostgreSQL. What the history tables hold after
 * a sync is compared with what the simulated province serves; an upstream
 * before v2.1 (history paths 404) leaves the hub working on what it observes;
 * a version overlapping another is quarantined, the rest of its page stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitVersionWire, UnitWire } from '../../connectors/cadre-db/contract.ts';
import { HISTORY_ADMIN_PATH } from '../../connectors/cadre-db/mock/app.ts';
import { formatIsoLocal } from '../../connectors/common/wire.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import { INVALID_PREFIX } from '../../connectors/mock/invalid-records.ts';
import { startMockUpstreams, type MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { createSyncEngine } from '../../connectors/sync/engine.ts';
import { createUpstreams } from '../../connectors/sync/upstreams.ts';
import {
  HISTORY_FEEDS,
  historyCoverage,
  STAFF_ASSIGNMENTS_FEED,
  UNIT_EVENTS_FEED,
  UNIT_VERSIONS_FEED,
} from '../../store/history.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { emptyStore } from '../support/province-snapshot.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRigEachTest, TEST_CLIENT } from '../support/sync-rig.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const versionsOf = (store: TestStore, code: string) =>
  store.db.query<{
    version: number;
    from: string | null;
    to: string | null;
    parent: string | null;
    level: string;
    observed: boolean;
  }>(
    `SELECT version, valid_from::text AS "from", valid_to::text AS "to", parent_code AS parent, level, observed
       FROM unit_versions WHERE code = $1 ORDER BY version`,
    [code],
  );

const openQuarantine = (store: TestStore) =>
  store.db.query<{ feed: string; key: string; reason: string; retryable: boolean }>(
    `SELECT source AS feed, record_key AS key, reason, retryable
       FROM quarantine WHERE resolved_at IS NULL ORDER BY source, record_key`,
  );

/** The history tables as key → row text, to compare with what the world serves. */
async function storedHistory(store: TestStore) {
  const versions = await store.db.query<{ row: string }>(
    `SELECT concat_ws('|', code, version, valid_from, valid_to, parent_code, level) AS row
       FROM unit_versions WHERE NOT observed ORDER BY 1`,
  );
  const assignments = await store.db.query<{ row: string }>(
    `SELECT concat_ws('|', staff_id, starts_on, ends_on, unit_code) AS row
       FROM staff_assignments WHERE NOT observed ORDER BY 1`,
  );
  const events = await store.db.query<{ row: string }>(
    `SELECT concat_ws('|', e.id, e.type, e.effective_on, e.legal_basis,
              (SELECT string_agg(side || ' ' || unit_code, ',' ORDER BY side, unit_code)
                 FROM unit_event_units u WHERE u.event_id = e.id)) AS row
       FROM unit_events e ORDER BY 1`,
  );
  return {
    versions: versions.map((r) => r.row),
    assignments: assignments.map((r) => r.row),
    events: events.map((r) => r.row),
  };
}

const EVENT_TYPE: Record<string, string> = {
  SAP_NHAP: 'MERGER',
  CHIA_TACH: 'SPLIT',
  GIAI_THE: 'DISSOLUTION',
  THANH_LAP: 'CREATION',
  DOI_TEN: 'RENAME',
};
const LEVEL: Record<string, string> = { TINH: 'PROVINCE', HUYEN: 'DISTRICT', XA: 'COMMUNE' };
const sorted = (rows: string[]) => [...rows].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** What the world serves now, in the same shape as storedHistory. */
function servedHistory(world: MockWorld) {
  const join = (...parts: (string | number | null | undefined)[]) =>
    parts.filter((p) => p !== null && p !== undefined).join('|');
  return {
    versions: sorted(
      world.unitVersions!(null).map((v) =>
        join(v.maDinhDanh, v.phienBan, v.tuNgay, v.denNgay, v.maDinhDanhCha, LEVEL[v.cap]!),
      ),
    ),
    assignments: sorted(
      world.staffAssignments!(null).map((a) => join(a.soHieu, a.tuNgay, a.denNgay, a.maDinhDanhDonVi)),
    ),
    events: sorted(
      world.unitEvents!(null).map((e) => {
        const sides = sorted([...e.donViSau.map((c) => `AFTER ${c}`), ...e.donViTruoc.map((c) => `BEFORE ${c}`)]);
        return join(e.maSuKien, EVENT_TYPE[e.loai]!, e.ngayHieuLuc, e.canCu, sides.length ? sides.join(',') : null);
      }),
    ),
  };
}

describe.each(testBackends)('the cadre database history on %s', (backend) => {
  describe('from an upstream that serves it', () => {
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

    it('a full sync fills the three tables as the province serves them, and nothing is left observed', async () => {
      const [cadre] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect([cadre!.source, cadre!.error, cadre!.rejected]).toEqual(['CADRE_DB', null, 0]);
      expect(await storedHistory(store)).toEqual(servedHistory(world));
      const [observed] = await store.db.query<{ versions: number; assignments: number }>(
        `SELECT (SELECT count(*)::int FROM unit_versions WHERE observed) AS versions,
                (SELECT count(*)::int FROM staff_assignments WHERE observed) AS assignments`,
      );
      // Every unit has upstream versions, every serving person an open assignment: the history is complete.
      expect(observed).toEqual({ versions: 0, assignments: 0 });
      expect(await historyCoverage(store.db)).toEqual({ partial: false, reasons: [] });
      expect(await openQuarantine(store)).toEqual([]);

      const states = await store.db.query<{ feed: string; status: string; missing: Date | null }>(
        `SELECT source AS feed, status, path_missing_since AS missing FROM sync_state
          WHERE source = ANY($1::text[]) ORDER BY source`,
        [HISTORY_FEEDS],
      );
      expect(states.map((s) => [s.feed, s.status, s.missing])).toEqual([
        [STAFF_ASSIGNMENTS_FEED, 'SUCCEEDED', null],
        [UNIT_EVENTS_FEED, 'SUCCEEDED', null],
        [UNIT_VERSIONS_FEED, 'SUCCEEDED', null],
      ]);
    });

    it("a merged commune's predecessors are in unit_lineage with the event's legal basis", async () => {
      const merger = world.unitEvents!(null).find((e) => e.loai === 'SAP_NHAP' && e.ngayHieuLuc === '2025-07-01')!;
      expect(merger.donViTruoc.length).toBeGreaterThan(1);
      const lineage = await store.db.query<{ predecessor: string; type: string; on: string; basis: string }>(
        `SELECT predecessor_code AS predecessor, type, effective_on::text AS on, legal_basis AS basis
           FROM unit_lineage WHERE successor_code = $1 AND event_id = $2 ORDER BY 1`,
        [merger.donViSau[0], merger.maSuKien],
      );
      expect(lineage).toEqual(
        sorted(merger.donViTruoc).map((predecessor) => ({
          predecessor,
          type: 'MERGER',
          on: '2025-07-01',
          basis:
            'Nghị quyết số 1658/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Bắc Giang năm 2025',
        })),
      );
    });

    it("a school's versions show its parent change on 2025-07-01", async () => {
      // The kindergarten of Cầu Gồ (tiny scale): under the district until the reorganisation, then under commune 201.
      const school = world.units(null).find((u) => u.tenDonVi === 'Trường Mầm non thị trấn Cầu Gồ')!;
      expect(await versionsOf(store, school.maDinhDanh)).toEqual([
        {
          version: 1,
          from: '2019-01-01',
          to: '2025-07-01',
          parent: '000.00.12.H40',
          level: 'DISTRICT',
          observed: false,
        },
        { version: 2, from: '2025-07-01', to: null, parent: '201.00.00.H40', level: 'COMMUNE', observed: false },
      ]);
    });

    it('a person moved by the reorganisation has two assignments that meet without overlap', async () => {
      const all = world.staffAssignments!(null);
      const moved = all.find((a, i) => all[i + 1]?.soHieu === a.soHieu && a.denNgay === '2025-07-01')!;
      const rows = await store.db.query<{ from: string; to: string | null; unit: string }>(
        `SELECT starts_on::text AS "from", ends_on::text AS "to", unit_code AS unit
           FROM staff_assignments WHERE staff_id = $1 ORDER BY starts_on`,
        [moved.soHieu],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows[0]!.to).toBe('2025-07-01');
      expect(rows[1]!.from).toBe('2025-07-01');
      expect(rows[1]!.unit).not.toBe(rows[0]!.unit);
      const [overlaps] = await store.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM staff_assignments a JOIN staff_assignments b
            ON a.staff_id = b.staff_id AND a.starts_on < b.starts_on AND a.valid_during && b.valid_during`,
      );
      expect(overlaps!.n).toBe(0);
    });

    it('a re-run adds nothing, and an incremental pass after the clock moves picks up only the changed rows', async () => {
      const before = await storedHistory(store);
      const [again] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(again!.records).toBe(0);
      expect(await storedHistory(store)).toEqual(before);

      const old = formatIsoLocal(world.now());
      world.advance(90 * DAY);
      // Assignments that changed since the last pass (people hired, retired or gone): update time after the old clock.
      const changed = world.staffAssignments!(null).filter((a) => a.ngayCapNhat > old);
      expect(changed.length).toBeGreaterThan(0);
      rig().events.length = 0;
      const [incremental] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(incremental!.error).toBeNull();
      const written = (feed: string) =>
        rig()
          .events.filter((e) => e.feed === feed)
          .reduce((sum, e) => sum + e.written, 0);
      expect(written(STAFF_ASSIGNMENTS_FEED)).toBe(changed.length);
      expect(written(UNIT_VERSIONS_FEED)).toBe(0);
      expect(written(UNIT_EVENTS_FEED)).toBe(0);
      expect(await storedHistory(store)).toEqual(servedHistory(world));
      // The people hired meanwhile were observed by the staff feed, then replaced by the assignments feed.
      expect(await historyCoverage(store.db)).toEqual({ partial: false, reasons: [] });
    });

    it('the fault drills work on the history paths: nothing lost, broken records quarantined or flagged', async () => {
      const path = '/v2/staff/assignments';
      for (const fault of ['error-503', 'duplicates', 'offset-shift', 'invalid-records', 'flawed-records'] as const) {
        await emptyStore(store.db);
        mocks.faults.cadreDb.clear();
        mocks.faults.cadreDb.add({ fault, path, ...(fault === 'error-503' ? { times: 2 } : {}) });
        try {
          const [cadre] = await rig().engine.runAll({ trigger: 'COMMAND' });
          expect(cadre!.error, fault).toBeNull();
          const injected = mocks.faults.cadreDb.list().injected;
          expect(injected.length, fault).toBeGreaterThan(0);
          const stored = await storedHistory(store);
          const real = stored.assignments.filter((row) => !row.startsWith(INVALID_PREFIX));
          expect(real, fault).toEqual(servedHistory(world).assignments);
          const held = (await openQuarantine(store)).map((q) => q.key);
          const broken = injected.flatMap((i) => i.records).filter((r) => r.key.startsWith(INVALID_PREFIX));
          if (fault === 'invalid-records') {
            expect(held.sort(), fault).toEqual([...new Set(broken.map((r) => r.key))].sort());
          } else expect(held, fault).toEqual([]);
          if (fault === 'flawed-records') {
            const flaws = await store.db.query<{ key: string }>(
              'SELECT DISTINCT record_key AS key FROM record_flaws WHERE source = $1 ORDER BY 1',
              [STAFF_ASSIGNMENTS_FEED],
            );
            expect(flaws.map((f) => f.key)).toEqual([...new Set(broken.map((r) => r.key))].sort());
          }
        } finally {
          mocks.faults.cadreDb.clear();
        }
      }
    }, 240_000);
  });

  describe('from an upstream before v2.1 (history paths 404)', () => {
    let store: TestStore;
    let base: MockWorld;
    let mocks: MockUpstreams;
    /** The school whose parent /v2/units changes after the clock's start, and when (seconds). */
    let school: UnitWire;
    let moveAt: number;
    let newParent: string;
    let hub: TestHub;
    /** The CADRE_DB source as the graph's `sources` gives it. */
    async function cadreSource() {
      const { data, errors } = await hub.gql(
        `{ sources { name history { partial reasons } feeds { name status pathMissingSince } } }`,
        {},
        'admin',
      );
      expect(errors).toBeUndefined();
      const sources = data.sources as {
        name: string;
        history: unknown;
        feeds: { name: string; status: string; pathMissingSince: string | null }[];
      }[];
      expect(sources.find((s) => s.name === 'BUDGET')?.history).toBeNull();
      return sources.find((s) => s.name === 'CADRE_DB')!;
    }

    beforeAll(async () => {
      store = await openTestStore(backend);
      base = createMockWorld({ scale: 'tiny' });
      school = base.units(null).find((u) => u.tenDonVi === 'Trường Mầm non thị trấn Cầu Gồ')!;
      moveAt = Math.floor(base.now().getTime() / 1000) + 86_400;
      newParent = '000.15.00.H40'; // the Department of Education and Training
      // The simulated province, but one school passes to the province's education department a day after the start,
      // as /v2/units tells it (its history path does not exist yet).
      const world: MockWorld = {
        ...base,
        now: () => base.now(),
        advance: (ms) => base.advance(ms),
        units(since) {
          const list = base.units(since).filter((u) => u.maDinhDanh !== school.maDinhDanh);
          const now = base.now().getTime() / 1000;
          const at = formatIsoLocal(new Date(moveAt * 1000));
          const moved =
            now >= moveAt ? { ...school, maDinhDanhCha: newParent, cap: 'TINH' as const, ngayCapNhat: at } : school;
          return since === null || moved.ngayCapNhat >= since ? [...list, moved] : list;
        },
      };
      mocks = await startMockUpstreams({
        world,
        ports: { oneStopShop: 0, cadreDb: 0, budget: 0 },
        cadreDb: { history: false },
      });
      hub = await startTestHub(store.db, { adminToken: 'admin' });
    });
    afterAll(async () => {
      await hub?.hub.stop();
      await mocks?.close();
      await store?.dispose();
    });
    const rig = syncRigEachTest(
      () => store.db,
      () => base,
      () => mocks,
    );

    it('the sync succeeds, the history feeds are marked path-missing and the hub versions what it observes', async () => {
      const [cadre] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect([cadre!.error, cadre!.rejected]).toEqual([null, 0]);
      const states = await store.db.query<{ feed: string; status: string; error: string | null; missing: Date | null }>(
        `SELECT source AS feed, status, last_error AS error, path_missing_since AS missing FROM sync_state
          WHERE source LIKE 'cadre-db/%' ORDER BY source`,
      );
      expect(states.map((s) => [s.feed, s.status, s.error, s.missing !== null])).toEqual([
        ['cadre-db/staff', 'SUCCEEDED', null, false],
        [STAFF_ASSIGNMENTS_FEED, 'IDLE', null, true],
        [UNIT_EVENTS_FEED, 'IDLE', null, true],
        [UNIT_VERSIONS_FEED, 'IDLE', null, true],
        ['cadre-db/units', 'SUCCEEDED', null, false],
      ]);
      const [run] = await store.db.query<{ status: string }>(
        `SELECT status FROM sync_runs WHERE source = 'CADRE_DB' ORDER BY id DESC LIMIT 1`,
      );
      expect(run!.status).toBe('SUCCEEDED');
      expect(await historyCoverage(store.db)).toEqual({
        partial: true,
        reasons: [
          `${UNIT_VERSIONS_FEED}: the upstream does not serve this history path (404)`,
          `${UNIT_EVENTS_FEED}: the upstream does not serve this history path (404)`,
          `${STAFF_ASSIGNMENTS_FEED}: the upstream does not serve this history path (404)`,
          'some unit versions or staff assignments were observed by the hub, not read from the upstream',
        ],
      });
      const source = await cadreSource();
      expect(source.history).toEqual({
        partial: true,
        reasons: [
          `${UNIT_VERSIONS_FEED}: the upstream does not serve this history path (404)`,
          `${UNIT_EVENTS_FEED}: the upstream does not serve this history path (404)`,
          `${STAFF_ASSIGNMENTS_FEED}: the upstream does not serve this history path (404)`,
          'some unit versions or staff assignments were observed by the hub, not read from the upstream',
        ],
      });
      expect(source.feeds.map((f) => [f.name, f.status, f.pathMissingSince !== null])).toEqual([
        ['cadre-db/units', 'SUCCEEDED', false],
        [UNIT_VERSIONS_FEED, 'IDLE', true],
        [UNIT_EVENTS_FEED, 'IDLE', true],
        ['cadre-db/staff', 'SUCCEEDED', false],
        [STAFF_ASSIGNMENTS_FEED, 'IDLE', true],
      ]);
      // One observed version per unit, as /v2/units gives it today.
      expect(await versionsOf(store, school.maDinhDanh)).toEqual([
        { version: 1, from: '2019-01-01', to: null, parent: school.maDinhDanhCha, level: 'COMMUNE', observed: true },
      ]);
      const [counts] = await store.db.query<{ units: number; observed: number }>(
        `SELECT (SELECT count(*)::int FROM units) AS units,
                (SELECT count(*)::int FROM unit_versions WHERE observed AND version = 1) AS observed`,
      );
      expect(counts!.observed).toBe(counts!.units);
    });

    it('a parent change seen through /v2/units closes the observed version and opens one dated on the change', async () => {
      base.advance(2 * DAY);
      const [cadre] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(cadre!.error).toBeNull();
      // The change was recorded at the clock's start + 24 h: 2026-11-21 17:00 in Vietnam, so on 2026-11-21.
      expect(formatIsoLocal(new Date(moveAt * 1000))).toBe('2026-11-21T17:00:00');
      expect(await versionsOf(store, school.maDinhDanh)).toEqual([
        {
          version: 1,
          from: '2019-01-01',
          to: '2026-11-21',
          parent: school.maDinhDanhCha,
          level: 'COMMUNE',
          observed: true,
        },
        { version: 2, from: '2026-11-21', to: null, parent: newParent, level: 'PROVINCE', observed: true },
      ]);
    });

    it('once the upstream serves its history, its rows replace the observed ones and the triggers leave them alone', async () => {
      const answer = await fetch(`${mocks.urls.cadreDb}${HISTORY_ADMIN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      });
      expect(await answer.json()).toEqual({ history: true });
      const [cadre] = await rig().engine.runAll({ trigger: 'COMMAND' });
      expect(cadre!.error).toBeNull();
      const missing = await store.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sync_state WHERE path_missing_since IS NOT NULL`,
      );
      expect(missing[0]!.n).toBe(0);
      // The upstream's history of the school (not what the hub observed) stands.
      expect(await versionsOf(store, school.maDinhDanh)).toEqual([
        {
          version: 1,
          from: '2019-01-01',
          to: '2025-07-01',
          parent: '000.00.12.H40',
          level: 'DISTRICT',
          observed: false,
        },
        { version: 2, from: '2025-07-01', to: null, parent: '201.00.00.H40', level: 'COMMUNE', observed: false },
      ]);
      const [observed] = await store.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM unit_versions WHERE observed',
      );
      expect(observed!.n).toBe(0);
      const source = await cadreSource();
      expect(source.history).toEqual({ partial: false, reasons: [] });
      expect(source.feeds.map((f) => [f.status, f.pathMissingSince])).toEqual(
        Array.from({ length: 5 }, () => ['SUCCEEDED', null]),
      );

      // A later write of the school through /v2/units (its record re-sent with a new update time) adds no observed version.
      await store.db.query(
        `UPDATE units SET parent_code = '000.00.00.H40', source_updated_at = source_updated_at + interval '5 days'
          WHERE code = $1`,
        [school.maDinhDanh],
      );
      expect((await versionsOf(store, school.maDinhDanh)).map((v) => [v.version, v.observed, v.parent])).toEqual([
        [1, false, '000.00.12.H40'],
        [2, false, '201.00.00.H40'],
      ]);
    });
  });

  describe('a version that overlaps another', () => {
    let store: TestStore;
    let server: Server;
    let url: string;
    /** What the hand-written upstream serves on each path. */
    const served: Record<string, unknown[]> = {};

    const unit = (code: string, parent: string | null, level: 'TINH' | 'XA'): UnitWire => ({
      maDinhDanh: code,
      tenDonVi: `Đơn vị ${code}`,
      maDinhDanhCha: parent,
      cap: level,
      loaiDonVi: 'UBND',
      linhVuc: null,
      maQHNS: null,
      bienChe: null,
      hieuLucTu: '2019-01-01',
      hieuLucDen: null,
      ngayCapNhat: '2025-06-20T09:00:00',
    });
    const version = (
      code: string,
      n: number,
      from: string,
      to: string | null,
      updated = '2025-06-20T09:00:00',
    ): UnitVersionWire => ({
      ...unit(code, '000.00.00.T01', 'XA'),
      phienBan: n,
      tuNgay: from,
      denNgay: to,
      ngayCapNhat: updated,
    });

    beforeAll(async () => {
      store = await openTestStore(backend);
      served['/v2/units'] = [
        unit('000.00.00.T01', null, 'TINH'),
        unit('001.00.00.T01', '000.00.00.T01', 'XA'),
        unit('002.00.00.T01', '000.00.00.T01', 'XA'),
      ];
      served['/v2/units/history'] = [
        version('001.00.00.T01', 1, '2019-01-01', '2025-07-01'),
        version('001.00.00.T01', 2, '2025-07-01', null),
        version('002.00.00.T01', 1, '2019-01-01', null),
      ];
      served['/v2/unit-events'] = [];
      served['/v2/staff'] = [];
      served['/v2/staff/assignments'] = [];
      server = createServer((request, response) => {
        const { pathname, searchParams } = new URL(request.url!, 'http://upstream');
        const items = served[pathname];
        if (!items) return void response.writeHead(404).end();
        const offset = Number(searchParams.get('offset') ?? 0);
        const limit = Number(searchParams.get('limit') ?? 500);
        const since = searchParams.get('modifiedSince');
        const list = items.filter((item) => !since || (item as { ngayCapNhat: string }).ngayCapNhat >= since);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ total: list.length, offset, items: list.slice(offset, offset + limit) }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      await store?.dispose();
    });

    async function pass() {
      const upstreams = createUpstreams({ CADRE_DB: url }, { client: { ...TEST_CLIENT, registry: new Registry() } });
      const engine = createSyncEngine({
        db: store.db,
        connectors: upstreams.connectors,
        logger: pino({ level: 'silent' }),
        instance: 'test',
      });
      try {
        return await engine.run('CADRE_DB', { trigger: 'COMMAND' });
      } finally {
        await engine.stop();
        await upstreams.close();
      }
    }

    it('is quarantined with both ranges named while the rest of its page is stored, and resolves once its neighbour moves', async () => {
      expect((await pass()).error).toBeNull();
      // A correction moves version 1's end a month later without moving version 2's start: it overlaps it.
      // Unit 002 gets a second version on the same page, which is sound.
      served['/v2/units/history'] = [
        version('001.00.00.T01', 1, '2019-01-01', '2025-08-01', '2025-07-10T09:00:00'),
        version('001.00.00.T01', 2, '2025-07-01', null),
        version('002.00.00.T01', 1, '2019-01-01', '2025-07-01', '2025-07-10T09:00:00'),
        version('002.00.00.T01', 2, '2025-07-01', null, '2025-07-10T09:00:00'),
        // Two versions of one unit on the same page that overlap each other: the later is refused, the earlier kept.
        version('003.00.00.T01', 1, '2020-01-01', '2023-01-01', '2025-07-10T09:00:00'),
        version('003.00.00.T01', 2, '2022-01-01', null, '2025-07-10T09:00:00'),
      ];
      const result = await pass();
      expect([result.error, result.rejected]).toEqual([null, 2]);
      expect(await openQuarantine(store)).toEqual([
        {
          feed: UNIT_VERSIONS_FEED,
          key: '001.00.00.T01@1',
          reason:
            'version 1 of unit 001.00.00.T01 [2019-01-01, 2025-08-01) overlaps the stored version 2 of unit 001.00.00.T01 [2025-07-01, …)',
          retryable: true,
        },
        {
          feed: UNIT_VERSIONS_FEED,
          key: '003.00.00.T01@2',
          reason:
            // Refused first against this page's version 1, then (retried at the pass's end) against the stored one.
            'version 2 of unit 003.00.00.T01 [2022-01-01, …) overlaps the stored version 1 of unit 003.00.00.T01 [2020-01-01, 2023-01-01)',
          retryable: true,
        },
      ]);
      expect((await versionsOf(store, '001.00.00.T01')).map((v) => [v.version, v.from, v.to])).toEqual([
        [1, '2019-01-01', '2025-07-01'],
        [2, '2025-07-01', null],
      ]);
      expect((await versionsOf(store, '002.00.00.T01')).map((v) => [v.version, v.from, v.to])).toEqual([
        [1, '2019-01-01', '2025-07-01'],
        [2, '2025-07-01', null],
      ]);
      expect((await versionsOf(store, '003.00.00.T01')).map((v) => [v.version, v.from, v.to])).toEqual([
        [1, '2020-01-01', '2023-01-01'],
      ]);

      // The upstream moves version 2's start too: the page brings it, and the retry of version 1 then resolves.
      served['/v2/units/history'] = [
        version('001.00.00.T01', 1, '2019-01-01', '2025-08-01', '2025-07-10T09:00:00'),
        version('001.00.00.T01', 2, '2025-08-01', null, '2025-07-11T09:00:00'),
      ];
      expect((await pass()).error).toBeNull();
      expect((await versionsOf(store, '001.00.00.T01')).map((v) => [v.version, v.from, v.to])).toEqual([
        [1, '2019-01-01', '2025-08-01'],
        [2, '2025-08-01', null],
      ]);
      expect((await openQuarantine(store)).map((q) => q.key)).toEqual(['003.00.00.T01@2']);
    });
  });
});
