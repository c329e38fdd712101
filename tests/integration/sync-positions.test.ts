/**
 * Feeds' saved positions (issue 25): shown in `sources` in words, started
 * again by resetFeed (audited) so that the next pass reads everything again
 * and reconciles by key, and kept with the upstream URL they were read
 * against, so that a pass against another URL refuses the feed until an
 * operator resets or confirms it. A real hub on a real socket, a sync engine
 * on the mock upstreams.
 */
import { HISTORY_FEEDS } from '../../store/history.ts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { createSyncEngine } from '../../connectors/sync/engine.ts';
import { confirmUpstream, describePosition } from '../../connectors/sync/positions.ts';
import { createUpstreams } from '../../connectors/sync/upstreams.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { mockUrls, startMocks, syncRig, TEST_CLIENT, type SyncRig } from '../support/sync-rig.ts';

const ADMIN = 'admin-token';

describe('describePosition', () => {
  it('puts each connector cursor into words', () => {
    expect(describePosition(null)).toBe('from the beginning');
    expect(describePosition('{"t":"2026-10-01T08:00:00","k":"H12.1"}')).toBe(
      'updatedFrom 2026-10-01T08:00:00 (after H12.1)',
    );
    expect(describePosition('{"since":"2026-10-01T08:00:00","offset":1500,"mark":null}')).toBe(
      'offset 1500 of modifiedSince 2026-10-01T08:00:00',
    );
    expect(describePosition('{"since":null,"offset":0,"mark":null}')).toBe('offset 0 of everything (no modifiedSince)');
    expect(describePosition('{"page":3}')).toBe('page 3');
    expect(describePosition('{"year":2026,"month":9}')).toBe('period 2026-09 (the last month with data, read again)');
    expect(describePosition('{"year":2025}')).toBe('year 2025 (the last year with data, read again)');
    expect(describePosition('not json')).toBe('not json');
  });
});

describe.each(testBackends)('saved positions on %s', (backend) => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  let rig: SyncRig;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    rig = syncRig(store.db, world, mocks);
    for (const source of rig.engine.sources) {
      expect((await rig.engine.run(source, { trigger: 'COMMAND' })).error, source).toBeNull();
    }
    hub = await startTestHub(store.db, { adminToken: ADMIN, sync: { engine: rig.engine, circuit: () => 'CLOSED' } });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await rig?.close();
    await mocks?.close();
    await store?.dispose();
  });

  const rowCounts = async () =>
    Object.fromEntries(
      await Promise.all(
        ['units', 'staff', 'procedures', 'dossiers'].map(async (table) => {
          const [row] = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
          return [table, row!.n] as const;
        }),
      ),
    );
  const feedState = async (feed: string) =>
    (
      await store.db.query<{ cursor: string | null; upstreamUrl: string | null; recordsSynced: string }>(
        `SELECT cursor, upstream_url AS "upstreamUrl", records_synced::text AS "recordsSynced"
           FROM sync_state WHERE source = $1`,
        [feed],
      )
    )[0]!;

  it('shows each feed position in sources, with the upstream URL it was read against', async () => {
    const { data, errors } = await hub.gql(
      '{ sources { name feeds { name position cursor upstreamUrl } } }',
      undefined,
      ADMIN,
    );
    expect(errors).toBeUndefined();
    const oneStopShop = data.sources.find((s: { name: string }) => s.name === 'ONE_STOP_SHOP');
    const dossiers = oneStopShop.feeds.find((f: { name: string }) => f.name === 'one-stop-shop/dossiers');
    // The watermark is the newest (NgayCapNhat, MaHoSo) accepted: its words carry both.
    const mark = JSON.parse(dossiers.cursor) as { t: string; k: string };
    expect(dossiers.position).toBe(`updatedFrom ${mark.t} (after ${mark.k})`);
    expect(dossiers.upstreamUrl).toBe(mocks.urls.oneStopShop.replace(/\/+$/, ''));
    const units = data.sources
      .find((s: { name: string }) => s.name === 'CADRE_DB')
      .feeds.find((f: { name: string }) => f.name === 'cadre-db/units');
    expect(units.position).toMatch(/^offset \d+ of /);
  });

  it('resetFeed starts a feed from the beginning; the next pass reconciles by key, no duplicates', async () => {
    const before = await rowCounts();
    const cursor = (await feedState('one-stop-shop/dossiers')).cursor;
    // Dossiers the store lost (as when the position came from another upstream): a pass from the saved position
    // never reads them again, …
    await store.db.exec(`DELETE FROM dossiers WHERE code IN (SELECT code FROM dossiers ORDER BY code LIMIT 5)`);
    expect((await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' })).error).toBeNull();
    expect((await rowCounts()).dossiers).toBe(before.dossiers! - 5);

    const reset = await hub.gql(
      'mutation { resetFeed(feed: "one-stop-shop/dossiers") { name position cursor upstreamUrl } }',
      undefined,
      ADMIN,
    );
    expect(reset.errors).toBeUndefined();
    expect(reset.data.resetFeed).toEqual({
      name: 'one-stop-shop/dossiers',
      position: 'from the beginning',
      cursor: null,
      upstreamUrl: null,
    });
    const [entry] = await store.db.query<{ ops: string[] }>(
      `SELECT admin_operations AS ops FROM audit_log ORDER BY id DESC LIMIT 1`,
    );
    expect(entry!.ops).toContain('resetFeed');

    // … a pass after the reset reads everything again: the 5 are back (written), the others upserted unchanged.
    const pass = await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass.error).toBeNull();
    expect(pass.records).toBe(5);
    expect(await rowCounts()).toEqual(before);
    const after = await feedState('one-stop-shop/dossiers');
    // The world's clock has not moved: the pass ends where the first one did, against the same upstream.
    expect(after.cursor).toBe(cursor);
    expect(after.upstreamUrl).toBe(mocks.urls.oneStopShop.replace(/\/+$/, ''));
  }, 60_000);

  it('says which contract version each upstream speaks, the cadre database from its history paths', async () => {
    const versions = async () =>
      Object.fromEntries(
        (await hub.gql('{ sources { name contractVersion } }', undefined, ADMIN)).data.sources.map(
          (s: { name: string; contractVersion: string | null }) => [s.name, s.contractVersion],
        ),
      );
    // The mock cadre database serves the history paths (v2.1), read to the end by the sync.
    expect(await versions()).toEqual({ ONE_STOP_SHOP: '1.0', CADRE_DB: '2.1', BUDGET: '1.0' });
    const saved = await store.db.query(`SELECT * FROM sync_state WHERE source LIKE 'cadre-db/%'`);
    // Found missing (404): a cadre database before v2.1.
    await store.db.query(`UPDATE sync_state SET path_missing_since = now() WHERE source = 'cadre-db/unit-versions'`);
    expect((await versions()).CADRE_DB).toBe('2.0');
    // The history paths never asked (a store synced before the hub knew them): the version is not known.
    await store.db.query(`DELETE FROM sync_state WHERE source IN ($1, $2, $3)`, [...HISTORY_FEEDS]);
    expect((await versions()).CADRE_DB).toBeNull();
    // Put back as the sync left them.
    await store.db.query(`DELETE FROM sync_state WHERE source LIKE 'cadre-db/%'`);
    await store.db.query(`INSERT INTO sync_state SELECT * FROM json_populate_recordset(NULL::sync_state, $1::json)`, [
      JSON.stringify(saved),
    ]);
    expect((await versions()).CADRE_DB).toBe('2.1');
  });

  it('resetFeed refuses an unknown feed with BAD_USER_INPUT', async () => {
    const { errors } = await hub.gql('mutation { resetFeed(feed: "one-stop-shop/nope") { name } }', undefined, ADMIN);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a pass against another upstream URL refuses the feed until it is confirmed', async () => {
    // The same mock under another name: what the hub saw is a different upstream.
    const moved = mocks.urls.oneStopShop.replace('127.0.0.1', 'localhost');
    const upstreams = createUpstreams(
      { ...mockUrls(mocks), ONE_STOP_SHOP: moved },
      { client: { ...TEST_CLIENT, registry: new Registry() }, now: () => world.now() },
    );
    const engine = createSyncEngine({
      db: store.db,
      connectors: upstreams.connectors,
      logger: pino({ level: 'silent' }),
      instance: 'moved',
    });
    try {
      const before = await feedState('one-stop-shop/procedures');
      const refused = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
      const saved = mocks.urls.oneStopShop.replace(/\/+$/, '');
      expect(refused.error).toBe(
        `one-stop-shop/procedures: the position of one-stop-shop/procedures was saved against ${saved}; ` +
          `the upstream is now ${moved.replace(/\/+$/, '')}: run npm run sync -- --reset one-stop-shop/procedures ` +
          '(or --confirm-upstream one-stop-shop/procedures to keep the position), or the resetFeed mutation, ' +
          'before it is read again',
      );
      expect(refused.records).toBe(0);
      expect(await feedState('one-stop-shop/procedures')).toEqual(before);

      // Confirmed for both feeds: the position is kept and the pass goes through.
      await engine.withLock('ONE_STOP_SHOP', async () => {
        await confirmUpstream(store.db, 'one-stop-shop/procedures', moved);
        await confirmUpstream(store.db, 'one-stop-shop/dossiers', moved);
      });
      expect((await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' })).error).toBeNull();
      expect((await feedState('one-stop-shop/dossiers')).upstreamUrl).toBe(moved.replace(/\/+$/, ''));
    } finally {
      await engine.stop();
      await upstreams.close();
    }
  }, 60_000);
});
