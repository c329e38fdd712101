/**
 * The store's derived tables, kept by triggers (migration 0010), against what
 * they derive from: unit_tree against the parent links walked here in plain
 * code, and the dossier count rollups against a plain GROUP BY of the dossiers
 * table, after random sequences of inserts, updates (versioned upserts) and
 * deletes. A seeded generator makes every failure reproducible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier, DossierChannel, DossierStatus, Unit } from '../../store/model.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';
import { demoUnits, seedDemoProvince } from '../support/fixture-province.ts';
import { seededRandom } from '../support/random.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const STATUSES: DossierStatus[] = [
  'RECEIVED',
  'PROCESSING',
  'WITHDRAWN',
  'REFUSED',
  'STOPPED',
  'PROCESSED',
  'RETURNED',
];
const CHANNELS: DossierChannel[] = ['IN_PERSON', 'ONLINE', 'POSTAL'];
const DAY = 86_400_000;

describe.each(testBackends)('derived tables on %s', (backend) => {
  let store: TestStore;
  let units: Unit[];
  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    units = demoUnits();
    await upsertProcedures(store.db, [
      {
        code: '1.000001',
        name: 'Đăng ký khai sinh',
        fieldCode: 'HT',
        fieldName: 'Hộ tịch',
        levels: ['COMMUNE'],
        onlineService: 'FULL_PROCESS',
        hasFee: false,
      },
    ]);
  });
  afterAll(() => store?.dispose());

  /** Every (ancestor, unit, depth) by walking parent links in plain code, the unit itself at depth 0. */
  async function walkedTree(): Promise<string[]> {
    const rows = await store.db.query<{ code: string; parent: string | null }>(
      'SELECT code, parent_code AS parent FROM units',
    );
    const parentOf = new Map(rows.map((r) => [r.code, r.parent]));
    const pairs: string[] = [];
    for (const { code } of rows) {
      let at: string | null | undefined = code;
      for (let depth = 0; at != null && parentOf.has(at); depth++) {
        pairs.push(`${at} ${code} ${depth}`);
        at = parentOf.get(at);
      }
    }
    return pairs.sort();
  }
  const storedTree = async () =>
    (
      await store.db.query<{ pair: string }>(
        `SELECT ancestor_code || ' ' || unit_code || ' ' || depth AS pair FROM unit_tree`,
      )
    )
      .map((r) => r.pair)
      .sort();

  it('keeps unit_tree equal to the parent links as units arrive, move and go', async () => {
    expect(await storedTree()).toEqual(await walkedTree());
    expect((await storedTree()).length).toBeGreaterThan(units.length); // more than the depth-0 rows

    // A commune moves to another district, a new unit arrives under it, then a leaf unit is deleted.
    const communes = units.filter((u) => u.level === 'COMMUNE' && u.kind === 'PEOPLES_COMMITTEE');
    const districts = units.filter((u) => u.level === 'DISTRICT' && u.kind === 'PEOPLES_COMMITTEE');
    const moved = communes[0]!;
    const target = districts.find((d) => d.code !== moved.parentCode)!;
    const later = new Date(Date.now() + DAY);
    await upsertUnits(store.db, [{ ...moved, parentCode: target.code, sourceUpdatedAt: later }]);
    await upsertUnits(store.db, [
      {
        ...moved,
        code: 'new.school',
        budgetCode: null,
        name: 'Trường Mầm non Mới',
        parentCode: moved.code,
        kind: 'PUBLIC_SERVICE_UNIT',
        sector: 'EDUCATION',
        sourceUpdatedAt: later,
      },
    ]);
    const tree = await storedTree();
    expect(tree).toEqual(await walkedTree());
    expect(tree).toContain(`${target.code} new.school 2`);
    expect(tree).not.toContain(`${moved.parentCode} new.school 2`);

    await store.db.query(`DELETE FROM units WHERE code = 'new.school'`);
    expect(await storedTree()).toEqual(await walkedTree());
    // A rename alone leaves the tree as it was (and still equal).
    await upsertUnits(store.db, [{ ...target, name: `${target.name} (mới)`, sourceUpdatedAt: later }]);
    expect(await storedTree()).toEqual(await walkedTree());
  });

  it('keeps the dossier count rollups equal to the dossiers after random inserts, updates and deletes', async () => {
    const next = seededRandom(20261123);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const receivers = units.filter((u) => u.kind !== 'PUBLIC_SERVICE_UNIT').map((u) => u.code);
    const start = Date.parse('2026-01-01T00:00:00+07:00');
    let version = Date.parse('2026-11-01T00:00:00Z');
    const live = new Map<string, Dossier>();

    function draw(code: string): Dossier {
      const receivedAt = new Date(start + Math.floor(next() * 300 * DAY));
      const status = pick(STATUSES);
      const resolved = status === 'PROCESSED' || status === 'RETURNED';
      const dueAt = next() < 0.1 ? null : new Date(receivedAt.getTime() + Math.floor(next() * 20 * DAY));
      return {
        code,
        procedureCode: '1.000001',
        unitCode: pick(receivers),
        channel: pick(CHANNELS),
        status,
        applicantName: null,
        applicantPhone: null,
        receivedAt,
        dueAt,
        finishedAt: resolved ? new Date(receivedAt.getTime() + Math.floor(next() * 25 * DAY)) : null,
        returnedAt: null,
        fullProcessOnline: false,
        hasFee: false,
        onlinePayment: null,
        digitised: false,
        electronicResult: false,
        sourceUpdatedAt: new Date((version += 1000)),
      };
    }

    const raw = (grain: 'day' | 'month') =>
      store.db.query<{ key: string; count: number }>(
        `SELECT unit_code || ' ' || ${grain === 'day' ? 'vn_day(received_at)' : `date_trunc('month', vn_day(received_at))::date`}
                || ' ' || dossier_count_outcome(status, finished_at, finish_outcome) AS key, count(*)::int AS count
           FROM dossiers GROUP BY 1`,
      );
    const rolled = (grain: 'day' | 'month') =>
      store.db.query<{ key: string; count: number }>(
        `SELECT unit_code || ' ' || ${grain} || ' ' || outcome AS key, count FROM dossier_${grain}_counts WHERE count > 0`,
      );
    const asMap = (rows: { key: string; count: number }[]) => new Map(rows.map((r) => [r.key, r.count]));

    let serial = 0;
    for (let round = 0; round < 12; round++) {
      // Inserts, and new versions of existing dossiers (status, finish, unit or day changed), in one batch.
      const batch: Dossier[] = [];
      for (let i = 0; i < 60; i++) batch.push(draw(`D${String(serial++).padStart(5, '0')}`));
      for (const code of [...live.keys()].filter(() => next() < 0.3)) batch.push(draw(code));
      await upsertDossiers(store.db, batch);
      for (const d of batch) live.set(d.code, d);
      // Some deletes, in one statement.
      const gone = [...live.keys()].filter(() => next() < 0.05);
      await store.db.query('DELETE FROM dossiers WHERE code = ANY($1::text[])', [gone]);
      for (const code of gone) live.delete(code);

      for (const grain of ['day', 'month'] as const) {
        expect(asMap(await rolled(grain)), `${grain} counts after round ${round}`).toEqual(asMap(await raw(grain)));
      }
    }
    const [{ total }] = (await store.db.query<{ total: number }>(
      'SELECT sum(count)::int AS total FROM dossier_month_counts',
    )) as [{ total: number }];
    expect(total).toBe(live.size);
    expect(live.size).toBeGreaterThan(500);

    // TRUNCATE fires no DELETE trigger; its own trigger empties the rollups too.
    await store.db.exec('TRUNCATE dossiers');
    for (const grain of ['day', 'month'] as const) expect(await rolled(grain)).toEqual([]);
  });

  it('empties unit_tree when the units are truncated', async () => {
    await store.db.exec('TRUNCATE units CASCADE');
    expect(await storedTree()).toEqual([]);
    await seedDemoProvince(store.db);
    expect(await storedTree()).toEqual(await walkedTree());
  });
});
