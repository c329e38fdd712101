/**
 * A small province across the 2025 reorganisation, counted by hand on both
 * bases (issue 20). Every unit, event, dossier and assignment is stated here;
 * the comments show how each number is counted.
 *
 *   P   UBND tỉnh (province), 2019 on
 *   D   UBND huyện Yên Thế (district), 2019 → dissolved 2025-07-01, its records pass to P (DISSOLUTION D → P)
 *   ├─ C1, C2, C3  communes, 2019 → merged on 2025-07-01 into N (MERGER C1 C2 C3 → N)
 *   ├─ C5          commune, 2019 → split on 2025-07-01 into A and B (SPLIT: no single heir, unattributed)
 *   ├─ C6          commune, 2019 → dissolved 2024-10-01 without successor (unattributed)
 *   └─ S           school (public service unit), under D until 2025-07-01, then under N
 *   N   xã Yên Thế mới (commune), 2025-07-01 on, under P
 *   A, B  the halves of C5, 2025-07-01 on, under P
 *
 * So, in unit_ancestry: D is P's through SUCCESSOR from 2025-07-01; C1–C3 are
 * N's (and P's) through SUCCESSOR from 2025-07-01; C5 from 2025-07-01 and C6
 * from 2024-10-01 are P's through UNATTRIBUTED; S is N's from 2025-07-01.
 *
 * Dossiers (received at 09:00, finished at 10:00, Vietnam days; PROCESSED when finished, else open):
 *   x1  C1  received 2024-03-10  finished 2024-03-20
 *   x2  C1  received 2025-06-20  finished 2025-07-05   (straddles the reorganisation)
 *   x3  C1  received 2025-06-25  open
 *   x4  C2  received 2024-09-01  finished 2024-09-05
 *   x5  C2  received 2025-03-01  finished 2025-03-10
 *   x6  C3  received 2025-01-15  open
 *   x7  N   received 2025-07-10  finished 2025-07-20
 *   x8  N   received 2025-08-01  open
 *   x9  C5  received 2025-05-01  finished 2025-05-03
 *   x10 C5  received 2025-06-28  finished 2025-07-03   (resolved after the split: unattributed)
 *   x11 A   received 2025-07-15  finished 2025-07-16
 *   x12 C6  received 2024-08-01  finished 2024-08-05
 *   x13 C6  received 2024-09-20  open                  (open after C6 ended: unattributed)
 *   x14 D   received 2024-05-01  finished 2024-05-02
 *   x15 D   received 2025-06-30  finished 2025-07-02   (finished after D ended: P's as its heir)
 *
 * Staff assignments ([from, to), to excluded):
 *   s1  civil servant  D 2020-01-01 → 2025-07-01, then N
 *   s2  cadre          C1 2020-01-01 → 2025-07-01, then N
 *   s3  public employee S 2020-01-01 on
 *   s4  cadre          C5 2020-01-01 → 2025-07-01, then A
 *   s5  cadre          C6 2020-01-01 → 2024-10-01 (then retired)
 *   s6  civil servant  C2 2020-01-01 → 2025-03-01 (then left)
 *
 * Budget spending lines of 2025 (cumulative from January; one line each):
 *   C1 month 6: executed 100    D month 6: executed 700    N month 9: 300, month 12: 500
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier } from '../../store/model.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { dossierFigures } from '../../store/indicators/dossiers.ts';
import { dossierFiguresBy } from '../../store/indicators/dossiers-by.ts';
import { dossierFiguresFromRollups } from '../../store/indicators/dossier-rollups.ts';
import { staffFigures } from '../../store/indicators/staff.ts';
import { budgetFigures, psuFigures } from '../../store/indicators/finance.ts';
import { crossFigures } from '../../store/indicators/cross.ts';
import { lineageOfRoots } from '../../store/indicators/scope.ts';
import type { HierarchyBasis } from '../../store/indicators/basis.ts';
import { definitionsOf, evaluateIndicatorsOfUnits } from '../../indicators/evaluate.ts';
import { parsePeriod } from '../../indicators/period.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { writeHistory, type VersionDraft } from '../support/history-fixture.ts';

const REORGANISED = '2025-07-01';
const version = (
  code: string,
  name: string,
  parent: string | null,
  level: VersionDraft['level'],
  from: string,
  to: string | null,
  kind: VersionDraft['kind'] = 'PEOPLES_COMMITTEE',
): VersionDraft => ({ code, name, parent, level, kind, from, to });

const VERSIONS: VersionDraft[] = [
  version('P', 'UBND tỉnh Bắc Giang', null, 'PROVINCE', '2019-01-01', null),
  version('D', 'UBND huyện Yên Thế', 'P', 'DISTRICT', '2019-01-01', REORGANISED),
  version('C1', 'UBND xã Đồng Tâm', 'D', 'COMMUNE', '2019-01-01', REORGANISED),
  version('C2', 'UBND xã Hồng Kỳ', 'D', 'COMMUNE', '2019-01-01', REORGANISED),
  version('C3', 'UBND xã Tam Hiệp', 'D', 'COMMUNE', '2019-01-01', REORGANISED),
  version('C5', 'UBND xã Đồng Lạc', 'D', 'COMMUNE', '2019-01-01', REORGANISED),
  version('C6', 'UBND xã Phồn Xương', 'D', 'COMMUNE', '2019-01-01', '2024-10-01'),
  version('S', 'Trường THCS Đồng Tâm', 'D', 'DISTRICT', '2019-01-01', REORGANISED, 'PUBLIC_SERVICE_UNIT'),
  version('S', 'Trường THCS Đồng Tâm', 'N', 'COMMUNE', REORGANISED, null, 'PUBLIC_SERVICE_UNIT'),
  version('N', 'UBND xã Yên Thế', 'P', 'COMMUNE', REORGANISED, null),
  version('A', 'UBND xã Đồng Lạc Bắc', 'P', 'COMMUNE', REORGANISED, null),
  version('B', 'UBND xã Đồng Lạc Nam', 'P', 'COMMUNE', REORGANISED, null),
];

const PROCEDURE = '1.000001';
const vn = (day: string, hour: number) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+07:00`);
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const dossier = (code: string, unitCode: string, received: string, finished: string | null): Dossier => ({
  code,
  procedureCode: PROCEDURE,
  unitCode,
  channel: 'IN_PERSON',
  status: finished ? 'PROCESSED' : 'PROCESSING',
  applicantName: null,
  applicantPhone: null,
  receivedAt: vn(received, 9),
  dueAt: vn(plusDays(received, 30), 17),
  finishedAt: finished ? vn(finished, 10) : null,
  returnedAt: null,
  fullProcessOnline: false,
  hasFee: false,
  onlinePayment: null,
  digitised: false,
  electronicResult: false,
  sourceUpdatedAt: vn(finished ?? received, 11),
});
const DOSSIERS = [
  dossier('x1', 'C1', '2024-03-10', '2024-03-20'),
  dossier('x2', 'C1', '2025-06-20', '2025-07-05'),
  dossier('x3', 'C1', '2025-06-25', null),
  dossier('x4', 'C2', '2024-09-01', '2024-09-05'),
  dossier('x5', 'C2', '2025-03-01', '2025-03-10'),
  dossier('x6', 'C3', '2025-01-15', null),
  dossier('x7', 'N', '2025-07-10', '2025-07-20'),
  dossier('x8', 'N', '2025-08-01', null),
  dossier('x9', 'C5', '2025-05-01', '2025-05-03'),
  dossier('x10', 'C5', '2025-06-28', '2025-07-03'),
  dossier('x11', 'A', '2025-07-15', '2025-07-16'),
  dossier('x12', 'C6', '2024-08-01', '2024-08-05'),
  dossier('x13', 'C6', '2024-09-20', null),
  dossier('x14', 'D', '2024-05-01', '2024-05-02'),
  dossier('x15', 'D', '2025-06-30', '2025-07-02'),
];

const AS_WAS: HierarchyBasis = { hierarchy: 'AS_WAS' };
const AS_IS: HierarchyBasis = { hierarchy: 'AS_IS', hierarchyDate: '2026-01-01' };
const ROOTS = ['P', 'D', 'N', 'A', 'C1'];

const H1_2025 = parsePeriod('2025-H1').range; // 2025-01-01 … 2025-06-30
const H2_2025 = parsePeriod('2025-H2').range; // 2025-07-01 … 2025-12-31
const Q3_2025_REPORTING = parsePeriod('2025-Q3', 'REPORTING').range; // 2025-06-15 … 2025-09-14: straddles
const Y2024 = parsePeriod('2024').range;

describe.each(testBackends)('figures across the 2025 reorganisation, counted by hand, on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    await writeHistory(store.db, {
      versions: VERSIONS,
      events: [
        { id: 'E1', type: 'DISSOLUTION', on: '2024-10-01', before: ['C6'], after: [] },
        { id: 'E2', type: 'MERGER', on: REORGANISED, before: ['C1', 'C2', 'C3'], after: ['N'] },
        { id: 'E3', type: 'SPLIT', on: REORGANISED, before: ['C5'], after: ['A', 'B'] },
        { id: 'E4', type: 'DISSOLUTION', on: REORGANISED, before: ['D'], after: ['P'] },
      ],
      assignments: [
        { staffId: 's1', from: '2020-01-01', to: REORGANISED, unit: 'D', category: 'CIVIL_SERVANT' },
        { staffId: 's1', from: REORGANISED, to: null, unit: 'N', category: 'CIVIL_SERVANT' },
        { staffId: 's2', from: '2020-01-01', to: REORGANISED, unit: 'C1', category: 'CADRE' },
        { staffId: 's2', from: REORGANISED, to: null, unit: 'N', category: 'CADRE' },
        { staffId: 's3', from: '2020-01-01', to: null, unit: 'S', category: 'PUBLIC_EMPLOYEE' },
        { staffId: 's4', from: '2020-01-01', to: REORGANISED, unit: 'C5', category: 'CADRE' },
        { staffId: 's4', from: REORGANISED, to: null, unit: 'A', category: 'CADRE' },
        { staffId: 's5', from: '2020-01-01', to: '2024-10-01', unit: 'C6', category: 'CADRE' },
        { staffId: 's6', from: '2020-01-01', to: '2025-03-01', unit: 'C2', category: 'CIVIL_SERVANT' },
      ],
    });
    await upsertProcedures(store.db, [
      {
        code: PROCEDURE,
        name: 'Đăng ký khai sinh',
        fieldCode: 'HT',
        fieldName: 'Hộ tịch',
        levels: ['COMMUNE'],
        onlineService: 'NONE',
        hasFee: false,
      },
    ]);
    await upsertDossiers(store.db, DOSSIERS);
    await store.db.query(
      `INSERT INTO budget_execution_lines (unit_code, year, month, direction, chapter_code, category_code, item_code,
                                           sub_item_code, estimate, executed)
       VALUES ('C1', 2025, 6, 'SPENDING', '800', '340', '7000', '7001', 1000, 100),
              ('D', 2025, 6, 'SPENDING', '800', '340', '7000', '7001', 5000, 700),
              ('N', 2025, 9, 'SPENDING', '800', '340', '7000', '7001', 2000, 300),
              ('N', 2025, 12, 'SPENDING', '800', '340', '7000', '7001', 2000, 500)`,
    );
  });
  /** A hub over the store, started by the first test that queries the graph (stopping it closes the store). */
  let graph: TestHub | undefined;
  const hubOf = async () => (graph ??= await startTestHub(store.db));
  afterAll(async () => {
    await graph?.hub.stop();
    await store?.dispose();
  });

  /** received, resolved, carried over, pending of each of ROOTS, from the raw dossiers, checked against the rollups. */
  async function dossierCounts(range: { first: string; last: string }, basis: HierarchyBasis) {
    const raw = await dossierFigures(store.db, ROOTS, range, { basis });
    expect(await dossierFiguresFromRollups(store.db, ROOTS, range, { basis })).toEqual(raw);
    return Object.fromEntries(
      ROOTS.map((root, i) => {
        const f = raw[i]!;
        return [root, [f.received, f.resolved, f.carriedOver, f.pending]];
      }),
    );
  }

  it('counts 2025-H1 dossiers on the tree of their days, and restated on the tree of 2026', async () => {
    // Before the reorganisation everything is under D, C6 excepted (ended 2024-10-01: P's, unattributed).
    // received: x2 x3 (C1) x5 (C2) x6 (C3) x9 x10 (C5) x15 (D) = 7; resolved: x5, x9 = 2;
    // carried over: x13 (C6, open, P only) = 1; pending after 06-30: x2 x3 x6 x10 x13 x15 = 6 (D: all but x13 = 5).
    expect(await dossierCounts(H1_2025, AS_WAS)).toEqual({
      P: [7, 2, 1, 6], // balance 1 + 7 = 2 + 6
      D: [7, 2, 0, 5], // balance 0 + 7 = 2 + 5
      N: [0, 0, 0, 0], // N did not exist
      A: [0, 0, 0, 0],
      C1: [2, 0, 0, 2], // x2 x3 received, both pending
    });
    // On the tree of 2026-01-01: C1–C3 are N's, D's own records P's, C5 and C6 P's alone (unattributed).
    // N: received x2 x3 x5 x6 = 4, resolved x5 = 1, pending x2 x3 x6 = 3 (balance 0 + 4 = 1 + 3).
    expect(await dossierCounts(H1_2025, AS_IS)).toEqual({
      P: [7, 2, 1, 6],
      D: [0, 0, 0, 0], // D holds nothing on 2026-01-01
      N: [4, 1, 0, 3],
      A: [0, 0, 0, 0], // C5's records are unattributed, not A's
      C1: [0, 0, 0, 0], // C1 ended: its records are N's
    });
  });

  it('counts 2025-H2 dossiers: what D and C5 held open passes to N and P at the reorganisation', async () => {
    // received: x7 x8 (N) x11 (A) = 3.
    // resolved: x2 (C1 on 07-05: N's), x10 (C5: P's, unattributed), x15 (D: P's as heir), x7 (N), x11 (A) = 5.
    // carried over (open at 07-01, placed by the tree of 07-01): x2 x3 x6 (N's), x10 x13 x15 (P's) = 6.
    // pending after 12-31: x3 x6 x8 (N's), x13 (P's) = 4.
    const expected = {
      P: [3, 5, 6, 4], // balance 6 + 3 = 5 + 4; H1's pending 6 = H2's carried over 6
      D: [0, 0, 0, 0], // dissolved on the first day
      N: [2, 2, 3, 3], // balance 3 + 2 = 2 + 3
      A: [1, 1, 0, 0],
      C1: [0, 0, 0, 0],
    };
    expect(await dossierCounts(H2_2025, AS_WAS)).toEqual(expected);
    // The tree of 2026-01-01 is the tree of the whole half: the same numbers.
    expect(await dossierCounts(H2_2025, AS_IS)).toEqual(expected);
  });

  it('cuts a reporting quarter that straddles the reorganisation at its day (2025-06-15 … 2025-09-14)', async () => {
    // AS_WAS: before 07-01 D holds C1 C3 C5 and itself; from 07-01 N holds C1–C3, P holds D, C5 and C6.
    // received: x2 x3 (C1, June: D's) x10 (C5, June: D's) x15 (D, 06-30) x7 x8 (N) x11 (A) = 7; D: 4; N: 2; C1: 2.
    // resolved (all in July): x2 (N's), x10 (P's), x15 (P's), x7 (N's), x11 (A's) = 5; D: 0; N: 2.
    // carried over (open at 06-15, placed by the tree of 06-15): x6 (C3: D's), x13 (C6: P's) = 2; D: 1.
    // pending after 09-14: x3 x6 x8 (N's), x13 (P's) = 4; N: 3.
    expect(await dossierCounts(Q3_2025_REPORTING, AS_WAS)).toEqual({
      P: [7, 5, 2, 4], // balance 2 + 7 = 5 + 4
      D: [4, 0, 1, 0], // the 5 it held left its scope when it was dissolved
      N: [2, 2, 0, 3], // x2 x3 arrived before N held C1, x6 was carried over by D
      A: [1, 1, 0, 0],
      C1: [2, 0, 0, 0], // C1 ended on 07-01: x2's resolution and x3's pending are N's
    });
    // AS_IS: N holds C1–C3 over the whole quarter: received x2 x3 x7 x8 = 4, resolved x2 x7 = 2, carried over x6 = 1,
    // pending x3 x6 x8 = 3 (balance 1 + 4 = 2 + 3).
    expect(await dossierCounts(Q3_2025_REPORTING, AS_IS)).toEqual({
      P: [7, 5, 2, 4],
      D: [0, 0, 0, 0],
      N: [4, 2, 1, 3],
      A: [1, 1, 0, 0],
      C1: [0, 0, 0, 0],
    });
  });

  it('restates 2024 for the merged commune: its predecessors summed', async () => {
    // 2024, AS_WAS: received x1 (C1) x4 (C2) x12 x13 (C6, before it ended) x14 (D) = 5, resolved x1 x4 x12 x14 = 4,
    // pending after 12-31: x13, P's (C6 ended 2024-10-01) = 1.
    expect(await dossierCounts(Y2024, AS_WAS)).toEqual({
      P: [5, 4, 0, 1],
      D: [5, 4, 0, 0], // x13 left D's scope with C6
      N: [0, 0, 0, 0],
      A: [0, 0, 0, 0],
      C1: [1, 1, 0, 0],
    });
    // AS_IS on 2026-01-01: N's 2024 is C1's x1 + C2's x4 (C3 had none) = 2 received, 2 resolved.
    expect((await dossierCounts(Y2024, AS_IS)).N).toEqual([2, 2, 0, 0]);
    // AS_IS on 2024-06-01, before C6 ended: D holds all five, and x13 pending.
    const before = await dossierFigures(store.db, ['D'], Y2024, {
      basis: { hierarchy: 'AS_IS', hierarchyDate: '2024-06-01' },
    });
    expect([before[0]!.received, before[0]!.resolved, before[0]!.pending]).toEqual([5, 4, 1]);
  });

  it('counts staff from the assignments of the last day, on the tree of that day or of the hierarchyDate', async () => {
    const serving = async (range: { first: string; last: string }, basis: HierarchyBasis) =>
      (await staffFigures(store.db, ROOTS, range, { basis })).map((f) => [f.serving, f.servingCadres]);
    // 2025-06-30: s1 (D), s2 (C1, cadre), s3 (S), s4 (C5, cadre); s5 and s6 had left. All under D.
    expect(await serving(H1_2025, AS_WAS)).toEqual([
      [4, 2],
      [4, 2],
      [0, 0],
      [0, 0],
      [1, 1],
    ]); // P D N A C1
    // The same people placed on the tree of 2026: s2 (C1) and s3 (S) are N's; s1 (D) and s4 (C5) P's only.
    expect(await serving(H1_2025, AS_IS)).toEqual([
      [4, 2],
      [0, 0],
      [2, 1],
      [0, 0],
      [0, 0],
    ]);
    // 2025-12-31: s1 s2 (N), s3 (S, under N), s4 (A).
    expect(await serving(H2_2025, AS_WAS)).toEqual([
      [4, 2],
      [0, 0],
      [3, 1],
      [1, 1],
      [0, 0],
    ]);
    expect(await serving(H2_2025, AS_IS)).toEqual([
      [4, 2],
      [0, 0],
      [3, 1],
      [1, 1],
      [0, 0],
    ]);
    // 2024-12-31: s1 (D), s2 (C1), s3 (S), s4 (C5), s6 (C2). AS_IS: N's are s2, s6, s3.
    expect(await serving(Y2024, AS_WAS)).toEqual([
      [5, 2],
      [5, 2],
      [0, 0],
      [0, 0],
      [1, 1],
    ]);
    expect(await serving(Y2024, AS_IS)).toEqual([
      [5, 2],
      [0, 0],
      [3, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  it('counts the school where it stood: under D, then under N', async () => {
    const psu = async (range: { first: string; last: string }, basis: HierarchyBasis) =>
      (await psuFigures(store.db, ROOTS, range, { basis })).map((f) => [f.psuCount, f.psuCount2021, f.psuReduction]);
    // 2025-H1 AS_WAS: S under D on 06-30 and on 2021-12-31.
    expect(await psu(H1_2025, AS_WAS)).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // 2025-H2 AS_WAS: N has it now but did not in 2021 (a reduction of −1); D had it in 2021 and has none now (1).
    expect(await psu(H2_2025, AS_WAS)).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, -1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    // AS_IS: both days placed on the tree of 2026: N's in 2021 too, no reduction.
    expect(await psu(H2_2025, AS_IS)).toEqual([
      [1, 1, 0],
      [0, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('places the budget lines on the tree of the period’s last day, and relates them to the dossiers resolved', async () => {
    const spending = async (range: { first: string; last: string }, basis: HierarchyBasis) =>
      (await budgetFigures(store.db, ROOTS, range, { basis })).map((f) => f.spendingExecuted);
    // 2025-H1, as of June: C1 100 and D 700, under D on 06-30; restated on 2026, C1's is N's and D's P's.
    expect(await spending(H1_2025, AS_WAS)).toEqual([800, 800, 0, 0, 100]); // P D N A C1
    expect(await spending(H1_2025, AS_IS)).toEqual([800, 0, 100, 0, 0]);
    // 2025-H2, as of December (each unit's latest month): C1 100 (June) and N 500 (December) are N's on 12-31; D's 700 P's.
    expect(await spending(H2_2025, AS_WAS)).toEqual([1300, 0, 600, 0, 0]);

    const cross = async (range: { first: string; last: string }, basis: HierarchyBasis) =>
      (await crossFigures(store.db, ROOTS, range, { basis })).map((f) => [
        f.civilServantsOfReceivingUnits,
        f.spendingOfResolvingUnits,
        f.resolvedByUnitsWithSpending,
      ]);
    // 2025-H1: receiving C1 C2 C3 C5 D, whose cadres and civil servants on 06-30 are s2 (C1), s4 (C5), s1 (D) = 3;
    // resolving C2 (x5) and C5 (x9), neither with spending lines: no R.
    expect(await cross(H1_2025, AS_WAS)).toEqual([
      [3, 0, 0],
      [3, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0], // C1 received x2 x3; s2
    ]);
    // 2025-H2: receiving N (x7 x8: s1 s2) and A (x11: s4). Resolving for P: C1 (x2), C5 (x10), D (x15), N (x7),
    // A (x11); with spending lines up to December: C1, D, N. Spending within July–December = December's cumulative
    // − June's: C1 100 − 100 = 0, D 700 − 700 = 0, N 500 − 0 = 500. For N: C1 (x2, resolved under N) and N (x7).
    expect(await cross(H2_2025, AS_WAS)).toEqual([
      [3, 500, 3],
      [0, 0, 0],
      [2, 500, 2],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect((await cross(H2_2025, AS_IS))[2]).toEqual([2, 500, 2]);
  });

  it('keeps own figures adding up to the subtree’s, and splits add up to the total, on both bases', async () => {
    // Own: each root's depth-0 rows (itself, the units it holds as heir, for P the unattributed ones). Every unit's
    // own figures summed give P's subtree figures, whatever the period or basis.
    const everyUnit = ['P', 'D', 'C1', 'C2', 'C3', 'C5', 'C6', 'S', 'N', 'A', 'B'];
    for (const range of [H1_2025, H2_2025, Q3_2025_REPORTING, Y2024]) {
      for (const basis of [AS_WAS, AS_IS]) {
        const [province] = await dossierFigures(store.db, ['P'], range, { basis });
        const own = await dossierFiguresFromRollups(store.db, everyUnit, range, { basis, own: true });
        const summed = Object.fromEntries(
          Object.keys(province!).map((name) => [name, own.reduce((total, f) => total + f[name as keyof typeof f], 0)]),
        );
        expect(summed, JSON.stringify({ range, basis })).toEqual(province);
      }
    }
    // Under AS_IS, N's own figures are C1–C3's and its own (it is their heir): x2 x3 x5 x6 received in 2025-H1.
    expect((await dossierFigures(store.db, ['N'], H1_2025, { basis: AS_IS, own: true }))[0]!.received).toBe(4);
    // By channel (every dossier here is in person): the split equals the total.
    const [parts] = await dossierFiguresBy(store.db, ['N'], Q3_2025_REPORTING, 'CHANNEL', { basis: AS_IS });
    const [total] = await dossierFigures(store.db, ['N'], Q3_2025_REPORTING, { basis: AS_IS });
    expect(parts!.find((p) => p.key === 'IN_PERSON')!.figures).toEqual(total);
  });

  it('names the units folded in through lineage, and counts the unattributed records', async () => {
    // AS_IS on 2026-01-01, SUCCESSOR rows: P reaches C1 C2 C3 (through N) and D; N reaches C1 C2 C3.
    expect((await lineageOfRoots(store.db, ['P', 'N', 'A'], H1_2025, AS_IS)).map((l) => l.foldedUnitCodes)).toEqual([
      ['C1', 'C2', 'C3', 'D'],
      ['C1', 'C2', 'C3'],
      [],
    ]);
    // AS_WAS: the SUCCESSOR rows start on 2025-07-01, so none overlaps 2025-H1.
    expect((await lineageOfRoots(store.db, ['P'], H1_2025, AS_WAS))[0]!.foldedUnitCodes).toEqual([]);

    const units = [
      { code: 'P', level: 'PROVINCE' as const },
      { code: 'N', level: 'COMMUNE' as const },
    ];
    const definitions = definitionsOf(['ON_TIME_RATE', 'STAFF_COUNT']);
    // 2025-H1 restated on 2026: of P's 2 resolved (the denominator), x9 is C5's (split: unattributed) = 1;
    // of its 4 staff (a count: the numerator), s4 served C5 = 1. N has no unattributed records.
    const [p, n] = await evaluateIndicatorsOfUnits(store.db, definitions, units, parsePeriod('2025-H1'), AS_IS);
    expect(p!.map((e) => [e.denominator ?? e.numerator, e.unattributedRecords])).toEqual([
      [2, 1],
      [4, 1],
    ]);
    expect(p![0]!.foldedUnitCodes).toEqual(['C1', 'C2', 'C3', 'D']);
    expect(n!.map((e) => [e.denominator ?? e.numerator, e.unattributedRecords])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(n![0]!.basis).toEqual(AS_IS);
    // 2025-H2 as it was: of P's 5 resolved, x10 (C5, after its split) = 1; staff at 12-31 are all attributed.
    const [pWas] = await evaluateIndicatorsOfUnits(store.db, definitions, units, parsePeriod('2025-H2'), AS_WAS);
    expect(pWas!.map((e) => [e.denominator ?? e.numerator, e.unattributedRecords])).toEqual([
      [5, 1],
      [4, 0],
    ]);
    expect(pWas![0]!.foldedUnitCodes).toEqual(['C1', 'C2', 'C3', 'D']);
  });

  it('breaks a figure down on the tree it was counted on: the school under D in 2024, under N restated', async () => {
    const hub = await hubOf();
    const BREAKDOWN = `query ($unit: String!, $by: BreakdownDimension!, $hierarchy: Hierarchy, $date: Date) {
      indicatorBreakdown(code: "STAFF_COUNT", unitCode: $unit, period: "2024", by: $by,
                         hierarchy: $hierarchy, hierarchyDate: $date) {
        total { numerator } parts { key numerator } } }`;
    const parts = async (unit: string, by: string, hierarchy = 'AS_WAS', date: string | null = null) => {
      const { data, errors } = await hub.gql(BREAKDOWN, { unit, by, hierarchy, date });
      expect(errors).toBeUndefined();
      const b = data.indicatorBreakdown as {
        total: { numerator: number };
        parts: { key: string; numerator: number }[];
      };
      return [b.total.numerator, Object.fromEntries(b.parts.map((part) => [part.key, part.numerator]))];
    };
    // 2024-12-31 as it was: s1 (D itself), s2 (C1), s3 (S, then D's school), s4 (C5), s6 (C2): 5. Every child D held
    // in 2024 is a part (C6 ended in October, C3 has no one), S included though N holds it today.
    expect(await parts('D', 'CHILD_UNIT')).toEqual([5, { C1: 1, C2: 1, C3: 0, C5: 1, C6: 0, S: 1, OWN: 1 }]);
    // By level as the units then stood: D and its school S were district-level (S is a commune's school today).
    expect(await parts('D', 'LEVEL')).toEqual([5, { DISTRICT: 2, COMMUNE: 3 }]);
    // Restated on 2026-01-01: N holds S as its child and C1, C2, C3 folded into its own: s3 (S); s2 (C1), s6 (C2).
    expect(await parts('N', 'CHILD_UNIT', 'AS_IS', '2026-01-01')).toEqual([3, { S: 1, OWN: 2 }]);
  });

  it('checks data quality over the units counted on the basis: a dissolved district as it was, a commune restated', async () => {
    // One flaw: x1 (C1, received 2024-03-10) has its due date before its reception.
    await store.db.query(
      `INSERT INTO record_flaws (source, record_key, rule, field, value, unit_code, day)
       VALUES ('one-stop-shop/dossiers', 'x1', 'due-before-received', 'NgayHenTra', '"20240301000000"', 'C1', '2024-03-10')`,
    );
    const hub = await hubOf();
    try {
      const units = async (unit: string, hierarchy: string, date: string | null = null) => {
        const { data, errors } = await hub.gql(
          `query ($unit: String!, $hierarchy: Hierarchy, $date: Date) {
             dataQuality(unitCode: $unit, period: "2024", hierarchy: $hierarchy, hierarchyDate: $date) { ruleCode unitCode } }`,
          { unit, hierarchy, date },
        );
        expect(errors).toBeUndefined();
        return (data.dataQuality as { ruleCode: string; unitCode: string }[])
          .filter((v) => v.ruleCode.startsWith('FLAW_'))
          .map((v) => v.unitCode);
      };
      expect(await units('D', 'AS_WAS')).toEqual(['C1']); // D held C1 in 2024
      expect(await units('N', 'AS_WAS')).toEqual([]); // N did not exist in 2024
      expect(await units('N', 'AS_IS', '2026-01-01')).toEqual(['C1']); // restated: C1's records are N's
      expect(await units('D', 'AS_IS', '2026-01-01')).toEqual([]); // D holds nothing on 2026-01-01
    } finally {
      await store.db.query(`DELETE FROM record_flaws WHERE record_key = 'x1'`);
    }
  });
});
