/**
 * The live event log and the watch table as the subscriptions use them
 * (store/live-events.ts, store/live-watches.ts): unit paths computed from the
 * tree, catch-up reads by id, unit and kind, pruning, watches that expire,
 * and (on PostgreSQL) ids that become visible in commit order when two
 * writers overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLiveEvents,
  dossiersLoggedOverdue,
  latestLiveEventId,
  LIVE_LOG_LOCK,
  liveEventsAfter,
  liveEventsLostAfter,
  oldestLiveEventId,
  pruneLiveEvents,
  type LiveEventDraft,
} from '../../store/live-events.ts';
import {
  activeLiveWatches,
  dropExpiredLiveWatches,
  dropLiveWatches,
  touchLiveWatches,
} from '../../store/live-watches.ts';
import { upsertUnits } from '../../store/units.ts';
import { unit } from '../support/records.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.L01';
const D = '000.01.00.L01';
const C = '001.01.00.L01';

const dossier = (code: string, unitCode: string): LiveEventDraft => ({
  kind: 'DOSSIER',
  unitCode,
  payload: { kind: 'RECEIVED', dossierCode: code, unitCode },
});
const status: LiveEventDraft = {
  kind: 'SOURCE_STATUS',
  unitCode: null,
  payload: { source: 'BUDGET', status: 'FRESH', previousStatus: null, lastSuccessAt: null, error: null },
};

describe.each(testBackends)('live log on %s', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await upsertUnits(store.db, [unit(P, null, 'PROVINCE'), unit(D, P, 'DISTRICT'), unit(C, D, 'COMMUNE')]);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('writes events in the order given, each with the unit and its ancestors, [] when province-wide', async () => {
    expect(await latestLiveEventId(store.db)).toBeNull();
    const events = await appendLiveEvents(store.db, [
      dossier('A', C),
      status,
      dossier('B', D),
      dossier('X', 'UNKNOWN.UNIT'),
    ]);
    expect(events.map((e) => [e.kind, e.unitPath])).toEqual([
      ['DOSSIER', [C, D, P]],
      ['SOURCE_STATUS', []],
      ['DOSSIER', [D, P]],
      // A unit the tree does not know is still matched by its own code.
      ['DOSSIER', ['UNKNOWN.UNIT']],
    ]);
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(ids).size).toBe(4);
    expect(events[0]!.payload).toEqual({ kind: 'RECEIVED', dossierCode: 'A', unitCode: C });
    expect(Number.isNaN(Date.parse(events[0]!.at))).toBe(false);
    expect(await appendLiveEvents(store.db, [])).toEqual([]);
    expect(await latestLiveEventId(store.db)).toBe(events[3]!.id);
  });

  it('reads after an id by subtree, kind and page, and refuses what is not an id', async () => {
    const all = await liveEventsAfter(store.db, { afterId: null, limit: 100 });
    expect(all.map((e) => e.unitPath[0] ?? null)).toEqual([C, null, D, 'UNKNOWN.UNIT']);
    const [a, s, b] = all;
    expect(await liveEventsAfter(store.db, { afterId: '0', unitCode: D, limit: 100 })).toEqual([a, s, b]);
    expect(await liveEventsAfter(store.db, { afterId: '0', unitCode: C, limit: 100 })).toEqual([a, s]);
    expect(await liveEventsAfter(store.db, { afterId: '0', unitCode: C, provinceWide: false, limit: 100 })).toEqual([
      a,
    ]);
    expect(await liveEventsAfter(store.db, { afterId: a!.id, kinds: ['DOSSIER'], limit: 100 })).toEqual([b, all[3]]);
    expect(await liveEventsAfter(store.db, { afterId: a!.id, limit: 1 })).toEqual([s]);
    // Ids compare as numbers, not as text ('10' after '9').
    const more = await appendLiveEvents(
      store.db,
      Array.from({ length: 8 }, (_, i) => dossier(`M${i}`, C)),
    );
    expect((await liveEventsAfter(store.db, { afterId: '0', limit: 100 })).map((e) => e.id)).toEqual(
      [...all, ...more].map((e) => e.id),
    );
    await expect(liveEventsAfter(store.db, { afterId: '12; DROP TABLE x', limit: 1 })).rejects.toThrow(RangeError);
    await expect(liveEventsAfter(store.db, { afterId: '0', limit: 0 })).rejects.toThrow(RangeError);
    await expect(liveEventsLostAfter(store.db, '-1')).rejects.toThrow(RangeError);
  });

  it('prunes a prefix by age and knows who lost events', async () => {
    const before = await liveEventsAfter(store.db, { afterId: '0', limit: 100 });
    expect(await oldestLiveEventId(store.db)).toBe(before[0]!.id);
    expect(await liveEventsLostAfter(store.db, '0')).toBe(false);
    // Nothing is old yet.
    expect(await pruneLiveEvents(store.db, new Date(Date.now() - 3_600_000))).toBe(0);
    await store.db.query(`UPDATE live_events SET at = at - interval '2 days' WHERE id <= $1`, [before[2]!.id]);
    expect(await pruneLiveEvents(store.db, new Date(Date.now() - 86_400_000))).toBe(3);
    expect(await oldestLiveEventId(store.db)).toBe(before[3]!.id);
    expect(await liveEventsLostAfter(store.db, before[1]!.id)).toBe(true);
    expect(await liveEventsLostAfter(store.db, before[2]!.id)).toBe(false);
    // A later, smaller pruning never moves the mark back.
    expect(await pruneLiveEvents(store.db, new Date(Date.now() - 86_400_000))).toBe(0);
    expect(await liveEventsLostAfter(store.db, before[1]!.id)).toBe(true);
  });

  it('keeps watches per instance until they expire or are dropped', async () => {
    await touchLiveWatches(
      store.db,
      'a',
      [
        { unitCode: C, period: '2026' },
        { unitCode: D, period: '2026-Q1' },
      ],
      60,
    );
    await touchLiveWatches(store.db, 'b', [{ unitCode: C, period: '2026' }], 60);
    // Each pair once, by unit code.
    expect(await activeLiveWatches(store.db)).toEqual([
      { unitCode: D, period: '2026-Q1' },
      { unitCode: C, period: '2026' },
    ]);
    // Instance a stops watching C: b still does.
    expect(await dropLiveWatches(store.db, 'a', [{ unitCode: C, period: '2026' }])).toBe(1);
    expect(await activeLiveWatches(store.db)).toHaveLength(2);
    // b's watch expires (as if b had died without renewing it).
    await store.db.query(`UPDATE live_watches SET expires_at = now() - interval '1 second' WHERE instance = 'b'`);
    expect(await activeLiveWatches(store.db)).toEqual([{ unitCode: D, period: '2026-Q1' }]);
    expect(await dropExpiredLiveWatches(store.db)).toBe(1);
    // Touching again extends an existing row rather than adding one.
    await touchLiveWatches(store.db, 'a', [{ unitCode: D, period: '2026-Q1' }], 3600);
    const [row] = await store.db.query<{ n: number; later: boolean }>(
      `SELECT count(*)::int AS n, bool_and(expires_at > now() + interval '30 minutes') AS later FROM live_watches`,
    );
    expect(row).toEqual({ n: 1, later: true });
    expect(await dropLiveWatches(store.db, 'a')).toBe(1);
    expect(await activeLiveWatches(store.db)).toEqual([]);
    await expect(touchLiveWatches(store.db, 'a', [{ unitCode: C, period: '2026' }], 0)).rejects.toThrow(RangeError);
  });

  it('tells which dossiers were logged OVERDUE, by the partial index rather than a scan of the log', async () => {
    const overdue = (code: string): LiveEventDraft => ({
      kind: 'DOSSIER',
      unitCode: C,
      payload: { kind: 'OVERDUE', dossierCode: code, unitCode: C },
    });
    await appendLiveEvents(store.db, [overdue('HS-OD-1'), dossier('HS-OD-2', C), overdue('HS-OD-3')]);
    // HS-OD-2 was only RECEIVED; HS-OD-4 was never logged.
    const codes = ['HS-OD-1', 'HS-OD-2', 'HS-OD-3', 'HS-OD-4'];
    expect([...(await dossiersLoggedOverdue(store.db, codes))].sort()).toEqual(['HS-OD-1', 'HS-OD-3']);

    // The statement the function runs, planned with scans made unattractive (the table is tiny): it can use the index.
    let statement: { sql: string; params: unknown[] | undefined } | undefined;
    await dossiersLoggedOverdue(
      {
        query: async (sql, params) => {
          statement = { sql, params: params as unknown[] | undefined };
          return [];
        },
        exec: async () => {},
      },
      codes,
    );
    const plan = await store.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = await tx.query<Record<string, unknown>>(`EXPLAIN ${statement!.sql}`, statement!.params);
      return rows.map((row) => Object.values(row).join('')).join('\n');
    });
    expect(plan).toContain('live_events_overdue_dossier_idx');
  });

  it.skipIf(backend !== 'postgres')(
    'ids become visible in commit order: a writer waits for the one before it to commit',
    async () => {
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstAppended!: () => void;
      const appended = new Promise<void>((resolve) => (firstAppended = resolve));
      const first = store.db.transaction(async (tx) => {
        const events = await appendLiveEvents(tx, [dossier('FIRST', C)]);
        firstAppended();
        await firstHolds;
        return events;
      });
      await appended;
      const mark = await latestLiveEventId(store.db);
      let secondDone = false;
      const second = appendLiveEvents(store.db, [dossier('SECOND', C)]).then((events) => {
        secondDone = true;
        return events;
      });
      // The second writer is held at the lock (PostgreSQL shows it waiting for the advisory lock): a reader sees
      // neither id yet, so it cannot skip the first.
      await expect
        .poll(
          async () =>
            (
              await store.db.query<{ waiting: number }>(
                `SELECT count(*)::int AS waiting FROM pg_locks
                  WHERE locktype = 'advisory' AND NOT granted AND objid::bigint = $1::bigint`,
                [LIVE_LOG_LOCK],
              )
            )[0]!.waiting,
          { timeout: 10_000, interval: 20 },
        )
        .toBeGreaterThanOrEqual(1);
      expect(secondDone).toBe(false);
      expect(await liveEventsAfter(store.db, { afterId: mark ?? '0', limit: 10 })).toEqual([]);
      releaseFirst();
      const [[a], [b]] = await Promise.all([first, second]);
      expect(BigInt(b!.id)).toBeGreaterThan(BigInt(a!.id));
      expect((await liveEventsAfter(store.db, { afterId: mark ?? '0', limit: 10 })).map((e) => e.id)).toEqual([
        a!.id,
        b!.id,
      ]);
    },
  );
});
