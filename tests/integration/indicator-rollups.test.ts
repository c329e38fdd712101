/**
 * The dossier figures read from the rollups (store/indicators/dossier-rollups.ts,
 * migration 0011) against the raw evaluation over the dossiers table
 * (store/indicators/dossiers.ts, the reference), after random sequences of
 * inserts, versioned updates, deletes and procedure reclassifications, for
 * random batches of roots (nested, duplicated, unknown) and random ranges of
 * days (single days, months, years, reporting periods, ranges across month and
 * year ends, ranges long past with dossiers still pending). A seeded generator
 * makes every failure reproducible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier, DossierChannel, DossierStatus, OnlineServiceLevel, Procedure, Unit } from '../../store/model.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { dossierFiguresFromRollups } from '../../store/indicators/dossier-rollups.ts';
import { dossierFigures } from '../../store/indicators/dossiers.ts';
import type { HierarchyBasis } from '../../store/indicators/basis.ts';
import type { DossierFigures } from '../../store/indicators/figures.ts';
import { FIGURE_GROUPS } from '../../store/indicators/index.ts';
import type { DayRange } from '../../store/indicators/scope.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { demoUnits, seedDemoProvince } from '../support/fixture-province.ts';
import { seededRandom } from '../support/random.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const STATUSES: DossierStatus[] = [
  'REGISTERED',
  'RECEIVED',
  'PROCESSING',
  'SUPPLEMENT_REQUESTED',
  'AWAITING_PAYMENT',
  'WITHDRAWN',
  'REFUSED',
  'STOPPED',
  'PROCESSED',
  'RETURNED',
  'PROCESSED',
  'RETURNED',
];
const CHANNELS: DossierChannel[] = ['IN_PERSON', 'ONLINE', 'POSTAL'];
const SERVICES: OnlineServiceLevel[] = ['FULL_PROCESS', 'PARTIAL', 'NONE'];
const DAY = 86_400_000;
/** The first instant of 2023-10-01 in Vietnam (UTC+7): dossiers are received over the 900 days from it. */
const START = Date.parse('2023-10-01T00:00:00+07:00');

const isoDay = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

describe.each(testBackends)('dossier figures from the rollups on %s', (backend) => {
  let store: TestStore;
  let units: Unit[];
  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    units = demoUnits();
  });
  afterAll(() => store?.dispose());

  it('equal the raw figures after random incremental changes, for any roots and range', async () => {
    const next = seededRandom(20261124);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const int = (from: number, to: number) => from + Math.floor(next() * (to - from + 1));
    /** An offset within a day, often at its very edges (the day boundaries must count exactly). */
    const within = () => (next() < 0.3 ? 0 : next() < 0.4 ? DAY - 1 : Math.floor(next() * DAY));

    const procedures: Procedure[] = ['1.000001', '1.000002', '1.000003', '1.000004'].map((code, i) => ({
      code,
      name: `Thủ tục ${i + 1}`,
      fieldCode: 'HT',
      fieldName: 'Hộ tịch',
      levels: ['COMMUNE', 'DISTRICT'],
      onlineService: SERVICES[i % 3]!,
      hasFee: i % 2 === 0,
    }));
    await upsertProcedures(store.db, procedures);

    const version = new Map<string, number>();
    /** Days on which some dossier was received, finished, fell due or was updated: ranges start and end there. */
    const eventDays: string[] = [];
    function draw(code: string): Dossier {
      const received = START + int(0, 899) * DAY + within();
      const status = pick(STATUSES);
      const resolving = status === 'PROCESSED' || status === 'RETURNED';
      // A finish time mostly for resolved statuses, now and then for others (the upstream's data is not always clean).
      // Now and then before its reception (bad data the figures must still count as the reference does).
      const finished = (resolving ? next() < 0.9 : next() < 0.15)
        ? received + (next() < 0.2 ? int(-5, -1) : int(0, 60)) * DAY + within()
        : null;
      const due = next() < 0.12 ? null : received + int(-3, 30) * DAY + within();
      // Versions only move forward: a dossier's next version is newer than its last. A dossier withdrawn,
      // refused or stopped leaves at this update, which the data may date before its reception.
      const updated = Math.max((version.get(code) ?? 0) + 1000, received + int(-3, 90) * DAY + within());
      version.set(code, updated);
      for (const at of [received, finished, due, updated]) if (at !== null) eventDays.push(isoDay(at));
      const hasFee = next() < 0.5;
      return {
        code,
        procedureCode: pick(procedures).code,
        unitCode: pick(units).code,
        channel: pick(CHANNELS),
        status,
        applicantName: null,
        applicantPhone: null,
        receivedAt: new Date(received),
        dueAt: due === null ? null : new Date(due),
        finishedAt: finished === null ? null : new Date(finished),
        returnedAt: null,
        fullProcessOnline: next() < 0.5,
        hasFee,
        onlinePayment: hasFee && next() < 0.5 ? pick(['NATIONAL_PORTAL', 'PROVINCE_GATEWAY'] as const) : null,
        digitised: next() < 0.5,
        electronicResult: next() < 0.5,
        sourceUpdatedAt: new Date(updated),
      };
    }

    // Roots: the province, districts (ended 2025-07-01), communes under them, merged communes, units of
    // other kinds, and a code no unit has.
    const rootPool = [...units.filter((u) => u.level !== 'COMMUNE' || next() < 0.5).map((u) => u.code), 'no.such.unit'];
    const province = units.find((u) => u.parentCode === null)!.code;
    function drawRoots(): string[] {
      const roots = Array.from({ length: int(1, 8) }, () => pick(rootPool));
      if (next() < 0.6) roots.push(province); // nested: the province with units below it
      if (next() < 0.3) roots.push(roots[0]!); // the same root twice
      return roots;
    }
    function drawRange(): DayRange {
      const year = int(2023, 2026);
      const month = int(1, 12);
      switch (int(0, 10)) {
        case 9:
        case 10: {
          // Both ends on (or next to) days where something happened: the boundaries that decide most figures.
          const [a, b] = [pick(eventDays), pick(eventDays)].map((day) => addDays(day, int(-1, 1))).sort() as [
            string,
            string,
          ];
          return next() < 0.5 ? { first: a, last: b } : { first: b, last: b };
        }
        case 0: {
          const day = isoDay(START + int(-30, 960) * DAY);
          return { first: day, last: day };
        }
        case 1: {
          const first = isoDay(START + int(-30, 960) * DAY);
          return { first, last: addDays(first, int(0, 45)) };
        }
        case 2: {
          const first = isoDay(START + int(-400, 960) * DAY);
          return { first, last: addDays(first, int(0, 900)) };
        }
        case 3: // a calendar month
          return {
            first: `${year}-${pad(month)}-01`,
            last: addDays(month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`, -1),
          };
        case 4: // a calendar year or half-year
          return next() < 0.5
            ? { first: `${year}-01-01`, last: `${year}-12-31` }
            : next() < 0.5
              ? { first: `${year}-01-01`, last: `${year}-06-30` }
              : { first: `${year}-07-01`, last: `${year}-12-31` };
        case 5: // a reporting month (15th to 14th) or reporting year (15 December to 14 December)
          return next() < 0.5
            ? {
                first: month === 1 ? `${year - 1}-12-15` : `${year}-${pad(month - 1)}-15`,
                last: `${year}-${pad(month)}-14`,
              }
            : { first: `${year - 1}-12-15`, last: `${year}-12-14` };
        case 6: // across a year's end
          return { first: `${year}-12-${pad(int(1, 31))}`, last: `${year + 1}-01-${pad(int(1, 31))}` };
        case 7: // long past, with dossiers still pending at its end
          return { first: `2024-${pad(month)}-01`, last: `2024-${pad(month)}-${pad(int(1, 28))}` };
        default: // a 24-month trend's span
          return { first: `${year}-${pad(month)}-01`, last: addDays(`${year + 2}-${pad(month)}-01`, -1) };
      }
    }

    // How often the figures that need the stock events were non-zero: the comparisons must have met them.
    const seen: Partial<Record<keyof DossierFigures, number>> = {};
    let serial = 0;
    let comparisons = 0;
    for (let round = 0; round < 10; round++) {
      const batch: Dossier[] = [];
      for (let i = 0; i < 70; i++) batch.push(draw(`D${String(serial++).padStart(5, '0')}`));
      for (const code of [...version.keys()].filter(() => next() < 0.25)) batch.push(draw(code));
      await upsertDossiers(store.db, batch);
      // An older version arrives late: the upsert ignores it, and so must the rollups.
      const stale = { ...draw(pick([...version.keys()])) };
      stale.sourceUpdatedAt = new Date(0);
      await upsertDossiers(store.db, [stale]);

      const gone = [...version.keys()].filter(() => next() < 0.05);
      await store.db.query('DELETE FROM dossiers WHERE code = ANY($1::text[])', [gone]);
      for (const code of gone) version.delete(code);
      if (round % 2 === 1) {
        // The catalogue reclassifies procedures (full-process eligibility moves their dossiers' counts).
        for (const p of procedures) if (next() < 0.5) p.onlineService = pick(SERVICES);
        await upsertProcedures(store.db, procedures);
      }
      if (round === 6) {
        // Writers other than the upserts: a plain UPDATE of many rows at once.
        await store.db.query(
          `UPDATE dossiers SET status = 'WITHDRAWN', source_updated_at = source_updated_at + interval '1 day'
            WHERE code IN (SELECT code FROM dossiers ORDER BY code LIMIT 40)`,
        );
      }

      for (let check = 0; check < 12; check++) {
        const roots = drawRoots();
        const range = drawRange();
        const own = check % 3 === 2;
        // Both bases: AS_IS on a day drawn like the ranges' (the demo tree has no lineage, so on the days a unit
        // exists both bases hold it alike; on other days AS_IS holds nothing of it).
        const basis: HierarchyBasis =
          check % 2 === 0 ? { hierarchy: 'AS_WAS' } : { hierarchy: 'AS_IS', hierarchyDate: drawRange().last };
        const raw = await dossierFigures(store.db, roots, range, { own, basis });
        const rolled = await dossierFiguresFromRollups(store.db, roots, range, { own, basis });
        expect(rolled, `round ${round}, ${JSON.stringify({ roots, range, own, basis })}`).toEqual(raw);
        comparisons += 1;
        for (const figures of raw) {
          for (const [name, value] of Object.entries(figures)) {
            if (value > 0) seen[name as keyof DossierFigures] = (seen[name as keyof DossierFigures] ?? 0) + 1;
          }
        }
      }
    }
    expect(comparisons).toBe(120);
    // Every figure was met non-zero in some comparison, the stocks and the rare outcomes included.
    for (const name of Object.keys(await zeroFigures()) as (keyof DossierFigures)[]) {
      expect(seen[name] ?? 0, name).toBeGreaterThan(0);
    }

    // TRUNCATE fires no DELETE trigger; its own trigger empties the rollups too.
    await store.db.exec('TRUNCATE dossiers');
    const [{ rows }] = (await store.db.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM dossier_figure_rollups',
    )) as [{ rows: number }];
    expect(rows).toBe(0);
  });

  /** The figures of a root that has nothing: every figure's name, with 0. */
  async function zeroFigures(): Promise<DossierFigures> {
    return (await dossierFigures(store.db, ['no.such.unit'], { first: '2024-01-01', last: '2024-01-01' }))[0]!;
  }

  it('serve the indicators: FIGURE_GROUPS.DOSSIERS reads the rollups', () => {
    expect(FIGURE_GROUPS.DOSSIERS).toBe(dossierFiguresFromRollups);
  });
});
