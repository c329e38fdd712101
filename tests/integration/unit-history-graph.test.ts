/**
 * The graph of history (issue 20, point 5) over a hand-made province that
 * goes through a reorganisation, written straight into the history tables:
 *
 *   P  province, 2019-01-01 →                    (no upstream history: the hub observes one version)
 *   D  district under P, 2019-01-01 → 2025-07-01 (dissolved, event EV-04, no successor)
 *   C1, C2, C3 communes under D, → 2025-07-01    (merged into N, event EV-03)
 *   N  commune under P, 2025-07-01 →
 *   S  school: under D until 2025-07-01, then under N (two versions)
 *   X  commune under P, → 2024-01-01            (split into Y and Z, event EV-02)
 *   Y, Z communes under P, 2024-01-01 →
 *   R  commune under P, renamed on 2023-06-01 ("Xã Cũ" → "Xã Mới", event EV-01)
 *
 * Staff: NV1 at C1 (2020-01-01 → 2025-07-01) then at N; NV2 at S since 2018-03-01; NV3 at D
 * (2019-01-01 → 2025-07-01), retired; NV4 at C2 (2021-01-01 → 2025-07-01) then at N; NV5 at R with no
 * upstream history (the hub observes an assignment since '-infinity').
 *
 * Every expectation below is read off this table by hand.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Staff } from '../../store/model.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { RECORDED_AT, unit } from '../support/records.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const REORGANISED = '2025-07-01';
const MERGER_BASIS = 'Nghị quyết số 1234/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã';

/** code, version, from, to, name, parent, level, kind */
type VersionRow = [string, number, string | null, string | null, string, string | null, string, string];
const VERSIONS: VersionRow[] = [
  ['D', 1, '2019-01-01', REORGANISED, 'UBND huyện Đ', 'P', 'DISTRICT', 'PEOPLES_COMMITTEE'],
  ['C1', 1, '2019-01-01', REORGANISED, 'UBND xã Một', 'D', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['C2', 1, '2019-01-01', REORGANISED, 'UBND xã Hai', 'D', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['C3', 1, '2019-01-01', REORGANISED, 'UBND xã Ba', 'D', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['N', 1, REORGANISED, null, 'UBND xã Hợp Nhất', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['S', 1, '2019-01-01', REORGANISED, 'Trường THCS Đ', 'D', 'DISTRICT', 'PUBLIC_SERVICE_UNIT'],
  ['S', 2, REORGANISED, null, 'Trường THCS Hợp Nhất', 'N', 'COMMUNE', 'PUBLIC_SERVICE_UNIT'],
  ['X', 1, '2019-01-01', '2024-01-01', 'UBND xã Cũ Tách', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['Y', 1, '2024-01-01', null, 'UBND xã Tách Một', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['Z', 1, '2024-01-01', null, 'UBND xã Tách Hai', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['R', 1, '2019-01-01', '2023-06-01', 'UBND xã Cũ', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
  ['R', 2, '2023-06-01', null, 'UBND xã Mới', 'P', 'COMMUNE', 'PEOPLES_COMMITTEE'],
];

/** id, type, effective day, legal basis, before, after */
const EVENTS: [string, string, string, string | null, string[], string[]][] = [
  ['EV-01', 'RENAME', '2023-06-01', 'Quyết định đổi tên xã', ['R'], ['R']],
  ['EV-02', 'SPLIT', '2024-01-01', 'Nghị quyết chia xã', ['X'], ['Y', 'Z']],
  ['EV-03', 'MERGER', REORGANISED, MERGER_BASIS, ['C1', 'C2', 'C3'], ['N']],
  ['EV-04', 'DISSOLUTION', REORGANISED, null, ['D'], []],
];

/** staff, from, to, unit, category, position, meets standard */
const ASSIGNMENTS: [string, string, string | null, string, string, string, boolean][] = [
  ['NV1', '2020-01-01', REORGANISED, 'C1', 'CIVIL_SERVANT', 'Công chức Tư pháp', true],
  ['NV1', REORGANISED, null, 'N', 'CIVIL_SERVANT', 'Công chức Tư pháp – Hộ tịch', true],
  ['NV2', '2018-03-01', null, 'S', 'PUBLIC_EMPLOYEE', 'Giáo viên', true],
  ['NV3', '2019-01-01', REORGANISED, 'D', 'CADRE', 'Chủ tịch UBND huyện', true],
  ['NV4', '2021-01-01', REORGANISED, 'C2', 'CADRE', 'Chủ tịch UBND xã', false],
  ['NV4', REORGANISED, null, 'N', 'CADRE', 'Phó Chủ tịch UBND xã', true],
];

const person = (id: string, unitCode: string, extra: Partial<Staff> = {}): Staff => ({
  id,
  fullName: `Nguyễn Văn ${id}`,
  birthDate: '1980-01-01',
  gender: 'MALE',
  unitCode,
  category: 'CIVIL_SERVANT',
  rankCode: null,
  position: null,
  qualification: 'BACHELOR',
  meetsStandard: true,
  status: 'SERVING',
  sourceUpdatedAt: RECORDED_AT,
  ...extra,
});

const codes = (list: { code: string }[]) => list.map((u) => u.code);

const BOUND_TO_N = 'bound-to-new-commune';
const BOUND_TO_D = 'bound-to-old-district';
const STAFF_ONLY = 'staff-reader-without-pii';
const SCOPES = ['read:aggregates', 'read:staff'] as const;

describe.each(testBackends)('the graph of history on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const db = store.db;
    // Versions and assignments first: a unit (person) with upstream history is left alone by the observing triggers.
    for (const [code, version, from, to, name, parent, level, kind] of VERSIONS) {
      await db.query(
        `INSERT INTO unit_versions (code, version, valid_from, valid_to, name, parent_code, level, kind, sector,
                                    budget_code, headcount_quota, source_updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          code,
          version,
          from,
          to,
          name,
          parent,
          level,
          kind,
          kind === 'PUBLIC_SERVICE_UNIT' ? 'EDUCATION' : null,
          code === 'S' ? `QHNS-S${version}` : null,
          code === 'S' ? 30 + version : null,
          RECORDED_AT,
        ],
      );
    }
    for (const [id, type, on, basis, before, after] of EVENTS) {
      await db.query(
        'INSERT INTO unit_events (id, type, effective_on, legal_basis, source_updated_at) VALUES ($1, $2, $3, $4, $5)',
        [id, type, on, basis, RECORDED_AT],
      );
      for (const [side, list] of [
        ['BEFORE', before],
        ['AFTER', after],
      ] as const) {
        for (const code of list) {
          await db.query('INSERT INTO unit_event_units (event_id, side, unit_code) VALUES ($1, $2, $3)', [
            id,
            side,
            code,
          ]);
        }
      }
    }
    for (const [staffId, from, to, unitCode, category, position, meets] of ASSIGNMENTS) {
      await db.query(
        `INSERT INTO staff_assignments (staff_id, starts_on, ends_on, unit_code, category, position, meets_standard,
                                        source_updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [staffId, from, to, unitCode, category, position, meets, RECORDED_AT],
      );
    }
    const closed = { validTo: REORGANISED };
    await upsertUnits(db, [
      unit('P', null, 'PROVINCE'),
      unit('D', 'P', 'DISTRICT', closed),
      unit('C1', 'D', 'COMMUNE', closed),
      unit('C2', 'D', 'COMMUNE', closed),
      unit('C3', 'D', 'COMMUNE', closed),
      unit('N', 'P', 'COMMUNE', { validFrom: REORGANISED }),
      unit('S', 'N', 'COMMUNE', { kind: 'PUBLIC_SERVICE_UNIT', sector: 'EDUCATION', name: 'Trường THCS Hợp Nhất' }),
      unit('X', 'P', 'COMMUNE', { validTo: '2024-01-01' }),
      unit('Y', 'P', 'COMMUNE', { validFrom: '2024-01-01' }),
      unit('Z', 'P', 'COMMUNE', { validFrom: '2024-01-01' }),
      unit('R', 'P', 'COMMUNE', { name: 'UBND xã Mới' }),
    ]);
    await upsertStaff(db, [
      person('NV1', 'N', { position: 'Công chức Tư pháp – Hộ tịch' }),
      person('NV2', 'S', { category: 'PUBLIC_EMPLOYEE' }),
      person('NV3', 'D', { category: 'CADRE', status: 'RETIRED' }),
      person('NV4', 'N', { category: 'CADRE' }),
      person('NV5', 'R', { category: 'CONTRACT_WORKER', position: 'Bảo vệ' }),
    ]);
    counted = countingDb(db);
    hub = await startTestHub(counted.db, {
      viewers: {
        [BOUND_TO_N]: testViewer('bound-n', SCOPES, 'N'),
        [BOUND_TO_D]: testViewer('bound-d', SCOPES, 'D'),
        [STAFF_ONLY]: testViewer('staff-only', ['read:staff']),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  const ok = async <T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> => {
    const { data, errors } = await hub.gql<T>(query, variables, token);
    expect(errors).toBeUndefined();
    return data!;
  };

  it('reads the tree as it stood on each side of the reorganisation, by the versions’ parents', async () => {
    const data = await ok(
      `query ($before: Date, $after: Date) {
        p: unit(code: "P") { before: children(validOn: $before) { code } after: children(validOn: $after) { code }
                             countBefore: childCount(validOn: $before) countAfter: childCount(validOn: $after) }
        d: unit(code: "D") { before: children(validOn: $before) { code } after: children(validOn: $after) { code }
                             latest: children { code } }
        n: unit(code: "N") { before: children(validOn: $before) { code } after: children(validOn: $after) { code } }
      }`,
      { before: '2025-06-30', after: REORGANISED },
    );
    // On 2025-06-30 P held D, R, Y, Z (X ended on 2024-01-01, N not yet begun); on 2025-07-01 N, R, Y, Z.
    expect(codes(data.p.before)).toEqual(['D', 'R', 'Y', 'Z']);
    expect(codes(data.p.after)).toEqual(['N', 'R', 'Y', 'Z']);
    expect([data.p.countBefore, data.p.countAfter]).toEqual([4, 4]);
    // The school S is D's child on 2025-06-30 and N's on 2025-07-01.
    expect(codes(data.d.before)).toEqual(['C1', 'C2', 'C3', 'S']);
    expect(codes(data.d.after)).toEqual([]);
    expect(codes(data.n.before)).toEqual([]);
    expect(codes(data.n.after)).toEqual(['S']);
    // Without validOn, as before: the units whose latest parent is D (S's latest parent is N).
    expect(codes(data.d.latest)).toEqual(['C1', 'C2', 'C3']);
  });

  it('answers parent(on:) by the version in force that day, and null before the unit existed', async () => {
    const data = await ok(`{
      s: unit(code: "S") { latest: parent { code } before: parent(on: "2025-06-30") { code } after: parent(on: "2025-07-01") { code } }
      n: unit(code: "N") { before: parent(on: "2025-06-30") { code } after: parent(on: "2025-07-01") { code } }
      p: unit(code: "P") { parent(on: "2020-01-01") { code } }
    }`);
    expect(data.s).toEqual({ latest: { code: 'N' }, before: { code: 'D' }, after: { code: 'N' } });
    expect(data.n).toEqual({ before: null, after: { code: 'P' } });
    expect(data.p.parent).toBeNull();
  });

  it('lists every version with its validity, and marks those the hub observed', async () => {
    const data = await ok(`{
      s: unit(code: "S") { versions { version validFrom validTo name parent { code } level kind sector budgetCode headcountQuota observed } }
      p: unit(code: "P") { versions { version validFrom validTo observed parent { code } } }
    }`);
    expect(data.s.versions).toEqual([
      {
        version: 1,
        validFrom: '2019-01-01',
        validTo: REORGANISED,
        name: 'Trường THCS Đ',
        parent: { code: 'D' },
        level: 'DISTRICT',
        kind: 'PUBLIC_SERVICE_UNIT',
        sector: 'EDUCATION',
        budgetCode: 'QHNS-S1',
        headcountQuota: 31,
        observed: false,
      },
      {
        version: 2,
        validFrom: REORGANISED,
        validTo: null,
        name: 'Trường THCS Hợp Nhất',
        parent: { code: 'N' },
        level: 'COMMUNE',
        kind: 'PUBLIC_SERVICE_UNIT',
        sector: 'EDUCATION',
        budgetCode: 'QHNS-S2',
        headcountQuota: 32,
        observed: false,
      },
    ]);
    // P had no upstream history: the hub observed one version from what /v2/units says (valid since 2019-01-01).
    expect(data.p.versions).toEqual([
      { version: 1, validFrom: '2019-01-01', validTo: null, observed: true, parent: null },
    ]);
  });

  it('links predecessors and successors with the event and its legal basis, and lists each unit’s events', async () => {
    const data = await ok(`{
      n: unit(code: "N") { predecessors { unit { code } event { eventId type effectiveOn legalBasis } } successors { unit { code } } }
      c1: unit(code: "C1") { successors { unit { code } event { eventId legalBasis } } events { eventId } }
      x: unit(code: "X") { successors { unit { code } event { type } } }
      r: unit(code: "R") { predecessors { unit { code } } successors { unit { code } } events { eventId type unitsBefore { code } unitsAfter { code } } }
      d: unit(code: "D") { successors { unit { code } } events { eventId type unitsBefore { code } unitsAfter { code } } }
    }`);
    const merger = { eventId: 'EV-03', type: 'MERGER', effectiveOn: REORGANISED, legalBasis: MERGER_BASIS };
    expect(data.n.predecessors).toEqual(['C1', 'C2', 'C3'].map((code) => ({ unit: { code }, event: merger })));
    expect(data.n.successors).toEqual([]);
    expect(data.c1.successors).toEqual([
      { unit: { code: 'N' }, event: { eventId: 'EV-03', legalBasis: MERGER_BASIS } },
    ]);
    expect(data.c1.events).toEqual([{ eventId: 'EV-03' }]);
    expect(data.x.successors).toEqual([
      { unit: { code: 'Y' }, event: { type: 'SPLIT' } },
      { unit: { code: 'Z' }, event: { type: 'SPLIT' } },
    ]);
    // A rename keeps the unit itself: an event, no lineage.
    expect(data.r).toEqual({
      predecessors: [],
      successors: [],
      events: [{ eventId: 'EV-01', type: 'RENAME', unitsBefore: [{ code: 'R' }], unitsAfter: [{ code: 'R' }] }],
    });
    // A dissolution without successor.
    expect(data.d).toEqual({
      successors: [],
      events: [{ eventId: 'EV-04', type: 'DISSOLUTION', unitsBefore: [{ code: 'D' }], unitsAfter: [] }],
    });
  });

  const EVENTS_PAGE = `query ($first: Int, $after: String, $last: Int, $before: String, $filter: UnitEventFilter) {
    unitEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount edges { cursor node { eventId } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    }
  }`;
  const ids = (page: any) => page.unitEvents.edges.map((e: any) => e.node.eventId);

  it('pages unitEvents by effective day then id, across a page boundary between two events of one day', async () => {
    const first = await ok(EVENTS_PAGE, { first: 3 });
    // EV-01 2023-06-01, EV-02 2024-01-01, EV-03 and EV-04 both 2025-07-01 (by id).
    expect(ids(first)).toEqual(['EV-01', 'EV-02', 'EV-03']);
    expect(first.unitEvents.totalCount).toBe(4);
    expect(first.unitEvents.pageInfo.hasNextPage).toBe(true);
    const second = await ok(EVENTS_PAGE, { first: 3, after: first.unitEvents.pageInfo.endCursor });
    expect(ids(second)).toEqual(['EV-04']);
    expect(second.unitEvents.pageInfo.hasNextPage).toBe(false);
    // Backwards from the last one.
    const back = await ok(EVENTS_PAGE, { last: 2, before: second.unitEvents.edges[0].cursor });
    expect(ids(back)).toEqual(['EV-02', 'EV-03']);
  });

  it('filters unitEvents by type, range of days and unit', async () => {
    const filtered = async (filter: Record<string, unknown>) => ids(await ok(EVENTS_PAGE, { first: 10, filter }));
    expect(await filtered({ type: 'MERGER' })).toEqual(['EV-03']);
    expect(await filtered({ from: '2024-01-01', to: '2025-06-30' })).toEqual(['EV-02']);
    expect(await filtered({ from: REORGANISED })).toEqual(['EV-03', 'EV-04']);
    expect(await filtered({ to: '2023-06-01' })).toEqual(['EV-01']);
    expect(await filtered({ unitCode: 'N' })).toEqual(['EV-03']);
    expect(await filtered({ unitCode: 'Z', type: 'SPLIT' })).toEqual(['EV-02']);
    expect(await filtered({ unitCode: 'Z', type: 'MERGER' })).toEqual([]);
  });

  it('lists each person’s assignments, an unknown start as null', async () => {
    const data = await ok(`{
      nv1: staffMember(id: "NV1") { assignments { unit { code } category position meetsStandard validFrom validTo observed } }
      nv5: staffMember(id: "NV5") { assignments { unit { code } category position validFrom validTo observed } }
    }`);
    expect(data.nv1.assignments).toEqual([
      {
        unit: { code: 'C1' },
        category: 'CIVIL_SERVANT',
        position: 'Công chức Tư pháp',
        meetsStandard: true,
        validFrom: '2020-01-01',
        validTo: REORGANISED,
        observed: false,
      },
      {
        unit: { code: 'N' },
        category: 'CIVIL_SERVANT',
        position: 'Công chức Tư pháp – Hộ tịch',
        meetsStandard: true,
        validFrom: REORGANISED,
        validTo: null,
        observed: false,
      },
    ]);
    // NV5 has no upstream history: the hub observed an open assignment whose start it does not know.
    expect(data.nv5.assignments).toEqual([
      {
        unit: { code: 'R' },
        category: 'CONTRACT_WORKER',
        position: 'Bảo vệ',
        validFrom: null,
        validTo: null,
        observed: true,
      },
    ]);
  });

  const STAFF_PAGE = `query ($filter: StaffFilter, $first: Int, $after: String) {
    staff(first: $first, after: $after, filter: $filter) { totalCount edges { node { staffId } } pageInfo { hasNextPage endCursor } }
  }`;
  const staffIds = (data: any) => data.staff.edges.map((e: any) => e.node.staffId);

  it('lists the staff serving on a day under the tree as it stood, and pages them', async () => {
    const serving = async (filter: Record<string, unknown>, token?: string) =>
      staffIds(await ok(STAFF_PAGE, { first: 10, filter }, token));
    // 2024-06-30 under D: NV1 (C1), NV2 (S, then under D), NV3 (D itself), NV4 (C2).
    expect(await serving({ servingOn: '2024-06-30', unitCode: 'D' })).toEqual(['NV1', 'NV2', 'NV3', 'NV4']);
    // 2025-07-01 under N: NV1, NV4 at N, NV2 at S (now under N); under D: nobody.
    expect(await serving({ servingOn: REORGANISED, unitCode: 'N' })).toEqual(['NV1', 'NV2', 'NV4']);
    expect(await serving({ servingOn: REORGANISED, unitCode: 'D' })).toEqual([]);
    // The province on 2025-07-01: NV3 has retired; NV5 (from '-infinity', open) serves at R.
    expect(await serving({ servingOn: REORGANISED })).toEqual(['NV1', 'NV2', 'NV4', 'NV5']);
    // The category and standing of that day: NV4 did not meet the standard at C2, and does at N.
    expect(await serving({ servingOn: '2024-06-30', meetsStandard: false })).toEqual(['NV4']);
    expect(await serving({ servingOn: REORGANISED, meetsStandard: false })).toEqual([]);
    expect(await serving({ servingOn: '2024-06-30', category: 'CADRE' })).toEqual(['NV3', 'NV4']);
    // Pages of 2 with totalCount on every page.
    const first = await ok(STAFF_PAGE, { first: 2, filter: { servingOn: '2024-06-30', unitCode: 'D' } });
    expect([staffIds(first), first.staff.totalCount, first.staff.pageInfo.hasNextPage]).toEqual([
      ['NV1', 'NV2'],
      4,
      true,
    ]);
    const second = await ok(STAFF_PAGE, {
      first: 2,
      after: first.staff.pageInfo.endCursor,
      filter: { servingOn: '2024-06-30', unitCode: 'D' },
    });
    expect([staffIds(second), second.staff.pageInfo.hasNextPage]).toEqual([['NV3', 'NV4'], false]);
  });

  it('counts staff on a day from the assignments, and today’s from the records without `on`', async () => {
    const data = await ok(`{
      d: unit(code: "D") { today: staffCounts { category count } then: staffCounts(on: "2024-06-30") { category count } }
      n: unit(code: "N") { today: staffCounts { category count } after: staffCounts(on: "2025-07-01") { category count }
                           before: staffCounts(on: "2025-06-30") { category count } }
    }`);
    const counts = (cadre: number, civil: number, employee: number, contract: number) => [
      { category: 'CADRE', count: cadre },
      { category: 'CIVIL_SERVANT', count: civil },
      { category: 'PUBLIC_EMPLOYEE', count: employee },
      { category: 'CONTRACT_WORKER', count: contract },
    ];
    // D today: NV3 is retired. D on 2024-06-30: NV3, a cadre.
    expect(data.d).toEqual({ today: counts(0, 0, 0, 0), then: counts(1, 0, 0, 0) });
    // N: NV4 (cadre) and NV1 (civil servant) since 2025-07-01; nobody before.
    expect(data.n).toEqual({ today: counts(1, 1, 0, 0), after: counts(1, 1, 0, 0), before: counts(0, 0, 0, 0) });
  });

  it('reads a page of units’ history in one statement per field', async () => {
    const query = `{ units(first: 20) { edges { node { code
      versions { version } events { eventId } predecessors { unit { code } } successors { unit { code } }
      parent(on: "2025-06-30") { code } children(validOn: "2025-06-30") { code } staffCounts(on: "2025-06-30") { count }
    } } } }`;
    counted.statements.length = 0;
    const data = await ok(query);
    expect(data.units.edges).toHaveLength(11);
    const reads = (fragment: string) => counted.statements.filter((sql) => sql.includes(fragment)).length;
    expect(reads('ORDER BY code, version')).toBe(1); // versions
    expect(reads('AS "forUnit", e.id')).toBe(1); // events
    expect(reads('AS "forUnit", l.predecessor_code')).toBe(1); // predecessors
    expect(reads('AS "forUnit", l.successor_code')).toBe(1); // successors
    expect(reads('SELECT code, parent_code AS "parentCode" FROM unit_versions')).toBe(1); // parent(on:)
    expect(reads('v.parent_code AS "heldBy"')).toBe(1); // children(validOn:)
    expect(reads('FROM staff_assignments')).toBe(1); // staffCounts(on:)
  });

  describe('a consumer bound to a unit subtree', () => {
    it('sees the history of its units only: what lies outside answers as unknown', async () => {
      // Bound to N: its subtree today is N and S.
      const data = await ok(
        `{
          d: unit(code: "D") { code }
          n: unit(code: "N") { predecessors { unit { code } } events { eventId unitsBefore { code } unitsAfter { code } } }
          s: unit(code: "S") { parent(on: "2025-06-30") { code } after: parent(on: "2025-07-01") { code }
                               versions { version parent { code } } }
          nv1: staffMember(id: "NV1") { assignments { unit { code } } }
          unitEvents(first: 10) { totalCount edges { node { eventId } } }
        }`,
        undefined,
        BOUND_TO_N,
      );
      expect(data.d).toBeNull();
      // The merged communes lie outside (their latest parent is D): no link, no unit, no error.
      expect(data.n.predecessors).toEqual([]);
      expect(data.n.events).toEqual([{ eventId: 'EV-03', unitsBefore: [], unitsAfter: [{ code: 'N' }] }]);
      expect(data.s.parent).toBeNull();
      expect(data.s.after).toEqual({ code: 'N' });
      expect(data.s.versions).toEqual([
        { version: 1, parent: null },
        { version: 2, parent: { code: 'N' } },
      ]);
      expect(data.nv1.assignments).toEqual([{ unit: { code: 'N' } }]);
      expect(data.unitEvents).toEqual({ totalCount: 1, edges: [{ node: { eventId: 'EV-03' } }] });
    });

    it('reads the old tree inside its subtree only, and its own people on a day', async () => {
      // Bound to D: its subtree today is D, C1, C2, C3 (S now belongs to N).
      const data = await ok(
        `{
          d: unit(code: "D") { children(validOn: "2025-06-30") { code } childCount(validOn: "2025-06-30") }
          c1: unit(code: "C1") { successors { unit { code } } }
          staff(first: 10, filter: { servingOn: "2024-06-30" }) { totalCount edges { node { staffId } } }
          unitEvents(first: 10) { edges { node { eventId unitsBefore { code } unitsAfter { code } } } }
        }`,
        undefined,
        BOUND_TO_D,
      );
      expect(codes(data.d.children)).toEqual(['C1', 'C2', 'C3']);
      expect(data.d.childCount).toBe(3);
      expect(data.c1.successors).toEqual([]);
      // NV3 is filed under D today; NV1, NV2 and NV4 work outside its subtree now.
      expect(data.staff).toEqual({ totalCount: 1, edges: [{ node: { staffId: 'NV3' } }] });
      expect(data.unitEvents.edges.map((e: any) => e.node)).toEqual([
        { eventId: 'EV-03', unitsBefore: [{ code: 'C1' }, { code: 'C2' }, { code: 'C3' }], unitsAfter: [] },
        { eventId: 'EV-04', unitsBefore: [{ code: 'D' }], unitsAfter: [] },
      ]);
    });

    it('is refused a unit outside its subtree in unitEvents’ filter, as an unknown one', async () => {
      for (const unitCode of ['S', 'NOPE']) {
        const { errors } = await hub.gql(EVENTS_PAGE, { first: 5, filter: { unitCode } }, BOUND_TO_D);
        expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.unitCode' });
      }
    });
  });

  it('shows the assignments to a staff reader without personal data, but not the name', async () => {
    const { data, errors } = await hub.gql(
      `{ staffMember(id: "NV4") { fullNameMasked fullName assignments { unit { code } position } } }`,
      undefined,
      STAFF_ONLY,
    );
    expect(errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['staffMember', 'fullName'], 'FORBIDDEN']]);
    expect(data.staffMember).toEqual({
      fullNameMasked: '*** N.',
      fullName: null,
      assignments: [
        { unit: { code: 'C2' }, position: 'Chủ tịch UBND xã' },
        { unit: { code: 'N' }, position: 'Phó Chủ tịch UBND xã' },
      ],
    });
  });

  it('gives the answer docs/graph.md shows for its History example', async () => {
    const doc = readFileSync(new URL('../../docs/graph.md', import.meta.url), 'utf8');
    const history = doc.slice(doc.indexOf('## History'));
    const query = /```graphql\n([\s\S]*?)```/.exec(history)![1]!;
    const answer = JSON.parse(/```json\n([\s\S]*?)```/.exec(history)![1]!);
    expect(await ok(query)).toEqual(answer);
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    const code = async (query: string, variables?: Record<string, unknown>) =>
      (await hub.gql(query, variables)).errors?.[0]?.extensions?.code;
    expect(await code(EVENTS_PAGE, { first: 5, filter: { from: '2025-01-01', to: '2024-12-31' } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(EVENTS_PAGE, { first: 5, filter: { unitCode: 'NOPE' } })).toBe('BAD_USER_INPUT');
    expect(await code(EVENTS_PAGE, { first: 5, after: 'bm90IGEgY3Vyc29y' })).toBe('BAD_USER_INPUT');
    expect(await code(EVENTS_PAGE, { first: 101 })).toBe('BAD_USER_INPUT');
    expect(
      await code(`query ($d: Date) { unit(code: "P") { children(validOn: $d) { code } } }`, { d: '2025-02-30' }),
    ).toBe('BAD_USER_INPUT');
    expect(await code(`query ($d: Date) { unit(code: "S") { parent(on: $d) { code } } }`, { d: '01/07/2025' })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(STAFF_PAGE, { first: 5, filter: { servingOn: '2025-13-01' } })).toBe('BAD_USER_INPUT');
  });
});
