/**
 * Quarantine in the store: paging by the numeric id (ids that cross digit
 * counts: 1–9, 10–99, 100+, where text order would put "27" before "3"), the
 * retry limit of a record that waits for an unknown unit, and what discarding
 * an entry does (a trace kept, not retried, reopened only by a changed
 * payload).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discardQuarantined,
  listOpenQuarantine,
  openRetryable,
  quarantine,
  readQuarantined,
  requeueQuarantined,
} from '../../store/sync.ts';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const FEED = 'one-stop-shop/dossiers';
const entry = (n: number, retryable = false) => ({
  key: `HS-${String(n).padStart(4, '0')}`,
  reason: 'missing field MaDonVi',
  raw: JSON.stringify({ MaHoSo: `HS-${n}` }),
  retryable,
});

describe.each(testBackends)('quarantine in the store, on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    hub = await startTestHub(store.db, { adminToken: 'admin' });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  /** Ids of the open entries of FEED, in numeric order. */
  async function openIds(): Promise<string[]> {
    const rows = await store.db.query<{ id: string }>(
      'SELECT id::text AS id FROM quarantine WHERE source = $1 AND resolved_at IS NULL ORDER BY quarantine.id',
      [FEED],
    );
    return rows.map((row) => row.id);
  }

  it('pages 120 entries 7 at a time, newest first, each id once, in the store and the graph', async () => {
    // One entry per statement, so that the ids rise in the order written.
    for (let n = 1; n <= 120; n++) await quarantine(store.db, FEED, [entry(n)]);
    const ids = await openIds();
    expect(ids).toHaveLength(120);
    // They cross digit counts: some below 10, some of 3 digits.
    expect(ids.some((id) => id.length === 1) && ids.some((id) => id.length === 3)).toBe(true);
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    for (let before: string | null = null; ;) {
      const page = await listOpenQuarantine(store.db, [FEED], before, 7);
      if (page.length === 0) break;
      seen.push(...page.map((row) => row.id));
      before = page.at(-1)!.id;
    }
    expect(seen).toEqual(newestFirst);

    const graph: string[] = [];
    for (let after: string | null = null; ;) {
      const { data, errors }: GraphQLResponse = await hub.gql(
        `query ($after: String) { quarantine(source: ONE_STOP_SHOP, first: 7, after: $after) {
           edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        'admin',
      );
      expect(errors).toBeUndefined();
      graph.push(...data.quarantine.edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!data.quarantine.pageInfo.hasNextPage) break;
      after = data.quarantine.pageInfo.endCursor;
    }
    expect(graph).toEqual(newestFirst);
  });

  it('reads every retryable entry once when the retry pages through more than 100, oldest first', async () => {
    const ids = await requeueQuarantined(store.db, { feeds: [FEED] });
    expect(ids).toHaveLength(120);
    const seen: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await openRetryable(store.db, FEED, after, 7);
      if (page.length === 0) break;
      seen.push(...page.map((row) => row.id));
      after = page.at(-1)!.id;
    }
    expect(seen).toEqual(await openIds());
  });

  it('stops retrying a record after the limit of attempts, saying so', async () => {
    const waiting = { ...entry(500, true), key: 'HS-WAIT', reason: 'unknown unit 000.99.99.H40' };
    // Attempt 1 on first sight; with a limit of 3, attempts 2 is still retried, attempt 3 is not.
    await quarantine(store.db, FEED, [waiting], 3);
    await quarantine(store.db, FEED, [waiting], 3);
    let [row] = await store.db.query<{ retryable: boolean; attempts: number; reason: string }>(
      "SELECT retryable, attempts, reason FROM quarantine WHERE record_key = 'HS-WAIT'",
    );
    expect(row).toEqual({ retryable: true, attempts: 2, reason: 'unknown unit 000.99.99.H40' });
    await quarantine(store.db, FEED, [waiting], 3);
    [row] = await store.db.query("SELECT retryable, attempts, reason FROM quarantine WHERE record_key = 'HS-WAIT'");
    expect(row).toEqual({
      retryable: false,
      attempts: 3,
      reason: 'unknown unit 000.99.99.H40 (not retried any more after 3 attempts: retry or discard it)',
    });
  });

  it('discards with a trace; the same payload keeps it discarded, a changed one reopens it', async () => {
    const [id] = await store.db.query<{ id: string }>(
      "SELECT id::text AS id FROM quarantine WHERE record_key = 'HS-WAIT'",
    );
    expect(await discardQuarantined(store.db, [id!.id], 'ops@tinh', 'unit dissolved in 2025')).toEqual([id!.id]);
    // Discarded twice: nothing to do the second time.
    expect(await discardQuarantined(store.db, [id!.id], 'ops@tinh', 'again')).toEqual([]);
    const [discarded] = await readQuarantined(store.db, [id!.id]);
    expect(discarded).toMatchObject({ discardedBy: 'ops@tinh', discardReason: 'unit dissolved in 2025' });
    expect(discarded!.resolvedAt).not.toBeNull();
    expect(await openIds()).not.toContain(id!.id);

    const waiting = { ...entry(500, true), key: 'HS-WAIT', reason: 'unknown unit 000.99.99.H40' };
    await quarantine(store.db, FEED, [waiting]);
    const [same] = await readQuarantined(store.db, [id!.id]);
    expect(same!.resolvedAt).not.toBeNull();
    expect(same!.attempts).toBe(3);

    await quarantine(store.db, FEED, [{ ...waiting, raw: JSON.stringify({ MaHoSo: 'HS-500', v: 2 }) }]);
    const [reopened] = await readQuarantined(store.db, [id!.id]);
    // Open again, the discard's trace kept beside it.
    expect(reopened).toMatchObject({ resolvedAt: null, discardedBy: 'ops@tinh', attempts: 4 });
  });
});
