/**
 * Staff, finance and public service units' autonomy in the graph, over a store
 * filled by a real sync of the tiny world. Every expectation is derived here
 * from the world's own records with plain code (never the SQL under test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffWire, UnitWire } from '../../connectors/cadre-db/contract.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { parseVnd } from '../../schema/scalars.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig } from '../support/sync-rig.ts';

const CATEGORY = {
  CAN_BO: 'CADRE',
  CONG_CHUC: 'CIVIL_SERVANT',
  VIEN_CHUC: 'PUBLIC_EMPLOYEE',
  HOP_DONG: 'CONTRACT_WORKER',
};
const QUALIFICATION = {
  TIEN_SI: 'DOCTORATE',
  THAC_SI: 'MASTER',
  DAI_HOC: 'BACHELOR',
  CAO_DANG: 'COLLEGE',
  TRUNG_CAP: 'INTERMEDIATE',
  SO_CAP: 'ELEMENTARY',
  CHUA_DAO_TAO: 'UNTRAINED',
};
const STATUS = { DANG_CONG_TAC: 'SERVING', NGHI_HUU: 'RETIRED', THOI_VIEC: 'LEFT', CHUYEN_CONG_TAC: 'TRANSFERRED_OUT' };

/** Lower-case without Vietnamese diacritics, by Unicode decomposition (not the store's fold_vi). */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

/** Every search word begins some word of the name. */
const nameMatches = (name: string, search: string) => {
  const words = fold(name).split(/\s+/);
  return fold(search)
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => words.some((word) => word.startsWith(w)));
};

const STAFF_PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: StaffFilter) {
  staff(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { staffId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface StaffPage {
  staff: {
    totalCount: number;
    edges: { cursor: string; node: { staffId: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  };
}

/** A province-wide consumer with every read scope and personal data (read:pii): searching by name needs it. */
const PII = 'a-personal-data-reader';
const PII_READER = testViewer('personal-data-reader', [
  'read:aggregates',
  'read:dossiers',
  'read:staff',
  'read:finance',
  'read:pii',
]);

const AUTONOMY_FIELDS = `year assignedGroup decisionNo ownRevenue recurrentExpenditure selfFinancingPercent
  selfFinancingBand computedGroup contradictsAssignedGroup syncedAt`;

describe.each(testBackends)('staff and finance in the graph on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;
  let world: MockWorld;
  let units: readonly UnitWire[];
  let people: readonly StaffWire[];
  let unitOfBudgetCode: Map<string, string>;
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  /** The unit and every unit below it, walking maDinhDanhCha. */
  const subtree = (code: string): Set<string> => {
    const found = new Set([code]);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of units) {
        if (u.maDinhDanhCha && found.has(u.maDinhDanhCha) && !found.has(u.maDinhDanh)) {
          found.add(u.maDinhDanh);
          grew = true;
        }
      }
    }
    return found;
  };
  const ids = (keep: (s: StaffWire) => boolean) =>
    people
      .filter(keep)
      .map((s) => s.soHieu)
      .sort(byId);

  async function walk(filter: Record<string, unknown>, first: number): Promise<{ seen: string[]; total: number }> {
    const seen: string[] = [];
    let after: string | undefined;
    let total = -1;
    for (;;) {
      // As the personal-data reader: the same staff as any province-wide reader, and name searches allowed.
      const { data, errors } = await hub.gql<StaffPage>(STAFF_PAGE, { first, after, filter }, PII);
      expect(errors).toBeUndefined();
      const page = data!.staff;
      total = page.totalCount;
      seen.push(...page.edges.map((e) => e.node.staffId));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { seen, total };
  }

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    const mocks = await startMocks(world);
    const rig = syncRig(store.db, world, mocks);
    await rig.engine.runAll({ trigger: 'COMMAND' });
    await rig.close();
    await mocks.close();
    units = world.units(null);
    people = world.staff(null);
    unitOfBudgetCode = new Map(units.filter((u) => u.maQHNS).map((u) => [u.maQHNS!, u.maDinhDanh]));
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db, { viewers: { [PII]: PII_READER } });
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  // ─── Staff ──────────────────────────────────────────────────────────────────────────────────────────────────────

  it('walks every staff member forward with no gap or duplicate', async () => {
    const { seen, total } = await walk({}, 100);
    expect(seen).toEqual(ids(() => true));
    expect(total).toBe(people.length);
  });

  it('walks a filtered set backward with last/before to the same order', async () => {
    const filter = { category: 'CIVIL_SERVANT' };
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { data, errors } = await hub.gql<StaffPage>(STAFF_PAGE, { last: 30, before, filter });
      expect(errors).toBeUndefined();
      seen.unshift(...data!.staff.edges.map((e) => e.node.staffId));
      if (!data!.staff.pageInfo.hasPreviousPage) break;
      before = data!.staff.pageInfo.startCursor;
    }
    expect(seen).toEqual(ids((s) => s.phanLoai === 'CONG_CHUC'));
  });

  it('filters by unit subtree, category, qualification, status and standard, together and apart', async () => {
    const district = units.find((u) => u.cap === 'HUYEN' && u.loaiDonVi === 'UBND')!;
    const merged = units.find((u) => u.cap === 'XA' && u.hieuLucDen === null && u.loaiDonVi === 'UBND')!;
    const inMerged = subtree(merged.maDinhDanh);
    expect(inMerged.size).toBeGreaterThan(5); // the schools moved under the new commune
    const inDistrict = subtree(district.maDinhDanh);
    expect(inDistrict.size).toBeGreaterThan(5); // its communes and schools too
    const cases: [Record<string, unknown>, (s: StaffWire) => boolean][] = [
      [{ unitCode: district.maDinhDanh }, (s) => inDistrict.has(s.maDinhDanhDonVi)],
      [{ unitCode: units[0]!.maDinhDanh }, () => true], // the province holds everyone
      [
        { unitCode: merged.maDinhDanh, status: 'SERVING' },
        (s) => inMerged.has(s.maDinhDanhDonVi) && s.trangThai === 'DANG_CONG_TAC',
      ],
      [{ category: 'CADRE' }, (s) => CATEGORY[s.phanLoai] === 'CADRE'],
      [{ qualification: 'MASTER' }, (s) => !!s.trinhDoChuyenMon && QUALIFICATION[s.trinhDoChuyenMon] === 'MASTER'],
      [{ status: 'RETIRED' }, (s) => STATUS[s.trangThai] === 'RETIRED'],
      [{ meetsStandard: false }, (s) => !s.datChuan],
      [
        { unitCode: district.maDinhDanh, category: 'CIVIL_SERVANT', status: 'SERVING', meetsStandard: true },
        (s) =>
          inDistrict.has(s.maDinhDanhDonVi) &&
          s.phanLoai === 'CONG_CHUC' &&
          s.trangThai === 'DANG_CONG_TAC' &&
          s.datChuan,
      ],
    ];
    for (const [filter, keep] of cases) {
      const expected = ids(keep);
      const { seen, total } = await walk(filter, 100);
      expect(seen, JSON.stringify(filter)).toEqual(expected);
      expect(total).toBe(expected.length);
    }
  });

  it.each(['nguyen van', 'NGUYỄN VĂN', 'Nguyễn Văn'.normalize('NFD'), 'van nguyen', 'thi hang', 'đức', '100%', '_'])(
    'searches %j in full names ignoring case and diacritics',
    async (search) => {
      const expected = ids((s) => nameMatches(s.hoTen, search));
      if (search.startsWith('nguyen')) {
        expect(expected.length).toBeGreaterThan(10);
        expect(people.filter((s) => expected.includes(s.soHieu)).every((s) => s.hoTen.includes('Nguyễn'))).toBe(true);
      }
      const { seen, total } = await walk({ search }, 100);
      expect(seen).toEqual(expected);
      expect(total).toBe(expected.length);
    },
  );

  it('shows a staff member, their personal data masked without read:pii and whole with it, and their unit', async () => {
    const person = people.find((s) => s.ngaySinh !== null && s.chucVu !== null)!;
    const STAFF_MEMBER = `query($id: String!) { staffMember(id: $id) { id staffId fullName fullNameMasked birthDate
        birthDateMasked gender category rankCode position qualification meetsStandard status syncedAt unit { code } } }`;
    const { data, errors } = await hub.gql(STAFF_MEMBER, { id: person.soHieu });
    // The anonymous development consumer has no read:pii: one FORBIDDEN error per personal field.
    expect(errors?.map((e) => e.path?.join('.')).sort()).toEqual([
      'staffMember.birthDate',
      'staffMember.fullName',
      'staffMember.gender',
    ]);
    const words = person.hoTen.normalize('NFC').split(' ');
    const personal = {
      fullName: person.hoTen.normalize('NFC'),
      birthDate: person.ngaySinh,
      gender: person.gioiTinh === 'NAM' ? 'MALE' : 'FEMALE',
    };
    const masked = {
      // The given name's initial only; of the birth date, only that it is recorded.
      fullNameMasked: `*** ${words.at(-1)![0]}.`,
      birthDateMasked: '****-**-**',
    };
    expect(data.staffMember).toMatchObject({
      staffId: person.soHieu,
      fullName: null,
      birthDate: null,
      gender: null,
      ...masked,
      category: CATEGORY[person.phanLoai],
      rankCode: person.maNgach,
      position: person.chucVu,
      meetsStandard: person.datChuan,
      status: STATUS[person.trangThai],
      unit: { code: person.maDinhDanhDonVi },
    });
    expect(data.staffMember.fullNameMasked).not.toContain(words.at(-1)!.slice(1));
    const whole = await hub.gql(STAFF_MEMBER, { id: person.soHieu }, PII);
    expect(whole.errors).toBeUndefined();
    expect(whole.data.staffMember).toMatchObject({ ...personal, ...masked, staffId: person.soHieu });
    const node = await hub.gql('query($id: ID!) { node(id: $id) { ... on Staff { staffId } } }', {
      id: data.staffMember.id,
    });
    expect(node.data.node).toEqual({ staffId: person.soHieu });
    expect(await hub.gql('{ staffMember(id: "NO-SUCH") { staffId } }')).toEqual({ data: { staffMember: null } });
  });

  it.each([5, 50])('loads the units of a staff page of %i in two statements (no N+1)', async (first) => {
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(`{ staff(first: ${first}) { edges { node { staffId unit { name } } } } }`);
    expect(errors).toBeUndefined();
    expect(data.staff.edges).toHaveLength(first);
    expect(counted.statements).toHaveLength(2); // the page; every unit in one batch
  });

  it('answers bad staff arguments with precise errors', async () => {
    const tooBig = await hub.gql(STAFF_PAGE, { first: 101 });
    expect(tooBig.errors?.[0]).toMatchObject({
      message: '"first" must be between 0 and 100, got 101',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const badCursor = await hub.gql(STAFF_PAGE, { first: 5, after: '!!' });
    expect(badCursor.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(badCursor.errors?.[0]?.message).toMatch(/^Invalid cursor/);
    const badEnum = await hub.gql(STAFF_PAGE, { first: 5, filter: { category: 'VOLUNTEER' } });
    expect(badEnum.errors?.[0]?.message).toMatch(/VOLUNTEER/);
  });

  // ─── Autonomy of public service units ───────────────────────────────────────────────────────────────────────────

  /** Decree 60/2021 art. 9 bands, by hand: the group a level (a fraction) places a unit in. */
  const groupOfLevel = (own: number, spending: number, assigned: number) => {
    if (own === 0) return 4;
    const level = own / spending;
    if (level >= 1) return assigned === 1 ? 1 : 2;
    return level >= 0.1 ? 3 : 4;
  };

  it('gives each public service unit its autonomy with the level computed from its two amounts', async () => {
    const year = 2026;
    const rows = world.psuFinance(year);
    expect(rows.length).toBeGreaterThan(20);
    const { data, errors } = await hub.gql(`{
      units(first: 100, filter: { kind: PUBLIC_SERVICE_UNIT }) { edges { node { code sector parent { code }
        autonomy(year: ${year}) { ${AUTONOMY_FIELDS} unit { code } } } } }
    }`);
    expect(errors).toBeUndefined();
    const graph = new Map<string, any>(data.units.edges.map((e: any) => [e.node.code, e.node]));
    const mismatched: string[] = [];
    for (const row of rows) {
      const code = unitOfBudgetCode.get(row.maQHNS)!;
      const node = graph.get(code);
      const own = Number(row.thuSuNghiep);
      const spending = Number(row.chiThuongXuyen);
      const group = groupOfLevel(own, spending, row.nhomTuChu);
      if (group !== row.nhomTuChu) mismatched.push(code);
      expect(node.autonomy).toMatchObject({
        year,
        assignedGroup: row.nhomTuChu,
        decisionNo: row.soQuyetDinh,
        ownRevenue: String(row.thuSuNghiep),
        recurrentExpenditure: String(row.chiThuongXuyen),
        computedGroup: group,
        contradictsAssignedGroup: group !== row.nhomTuChu,
        unit: { code },
      });
      expect(node.autonomy.selfFinancingPercent).toBeCloseTo((own / spending) * 100, 8);
    }
    // Units that did not exist in 2026 (dissolved with the districts) have no row.
    const withRows = new Set(rows.map((r) => unitOfBudgetCode.get(r.maQHNS)));
    for (const [code, node] of graph) if (!withRows.has(code)) expect(node.autonomy).toBeNull();
    // The generator's planted mismatches: a hospital above its group and one school per district below.
    expect(mismatched.length).toBeGreaterThanOrEqual(2);
    const schools = mismatched.filter((code) => graph.get(code).sector === 'EDUCATION');
    expect(schools.length).toBeGreaterThanOrEqual(1);
    const flagged = [...graph.values()].filter((n) => n.autonomy?.contradictsAssignedGroup).map((n) => n.code);
    expect(flagged.sort()).toEqual(mismatched.sort());
  });

  it('places a known mismatched school and its band by hand', async () => {
    const row = world
      .psuFinance(2025)
      .find((r) => r.nhomTuChu === 4 && Number(r.thuSuNghiep) * 10 >= Number(r.chiThuongXuyen))!;
    expect(row).toBeDefined();
    const code = unitOfBudgetCode.get(row.maQHNS)!;
    const { data } = await hub.gql(`{ unit(code: "${code}") { kind autonomy(year: 2025) { ${AUTONOMY_FIELDS} } } }`);
    const level = Number(row.thuSuNghiep) / Number(row.chiThuongXuyen);
    expect(level).toBeLessThan(0.3);
    expect(data.unit.autonomy).toMatchObject({
      assignedGroup: 4,
      computedGroup: 3,
      selfFinancingBand: 'FROM_10_UNDER_30',
      contradictsAssignedGroup: true,
    });
  });

  it('answers null autonomy for a unit without figures, and for a year outside the budget system', async () => {
    const province = units[0]!.maDinhDanh;
    const { data, errors } = await hub.gql(`{ unit(code: "${province}") { autonomy(year: 2024) { year } } }`);
    expect(errors).toBeUndefined();
    expect(data.unit.autonomy).toBeNull();
    const psu = unitOfBudgetCode.get(world.psuFinance(2024)[0]!.maQHNS)!;
    const old = await hub.gql(
      `{ unit(code: "${psu}") { a: autonomy(year: 2010) { year } b: autonomy(year: 2024) { year id } } }`,
    );
    expect(old.data.unit.a).toBeNull();
    expect(old.data.unit.b.year).toBe(2024);
    const node = await hub.gql('query($id: ID!) { node(id: $id) { ... on PsuAutonomy { year unit { code } } } }', {
      id: old.data.unit.b.id,
    });
    expect(node.data.node).toEqual({ year: 2024, unit: { code: psu } });
    const bad = await hub.gql(`{ unit(code: "${psu}") { autonomy(year: 99) { year } } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it.each([5, 50])('loads the autonomy of a units page of %i in two statements (no N+1)', async (first) => {
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(
      `{ units(first: ${first}) { edges { node { code autonomy(year: 2026) { computedGroup } } } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.units.edges).toHaveLength(first);
    expect(counted.statements).toHaveLength(2); // the page; every unit's autonomy in one batch
  });

  // ─── Budget execution and public investment ─────────────────────────────────────────────────────────────────────

  /** The latest month of the year whose report holds lines of the unit, and those lines. */
  const latestExecution = (budgetCode: string, year: number) => {
    for (let month = 12; month >= 1; month--) {
      const lines = world.budgetExecution(year, month).filter((l) => l[0] === budgetCode);
      if (lines.length > 0) return { month, lines };
    }
    return null;
  };

  it("sums a People's Committee's execution exactly, with its lines by budget classification", async () => {
    const province = units[0]!; // UBND tỉnh: it collects revenue as well as spending
    const year = 2026;
    const expected = latestExecution(province.maQHNS!, year)!;
    expect(expected.month).toBe(10); // the world's clock stands in November
    const total = (direction: 'THU' | 'CHI', column: 6 | 7) =>
      expected.lines.filter((l) => l[5] === direction).reduce((sum, l) => sum + BigInt(l[column]), 0n);
    const { data, errors } = await hub.gql(`{
      finance(unitCode: "${province.maDinhDanh}", year: ${year}) {
        id unitCode year unit { code } syncedAt
        execution { asOfMonth
          revenue { estimate executed rate } spending { estimate executed rate }
          lines { direction chapterCode categoryCode itemCode subItemCode estimate executed rate } }
      }
    }`);
    expect(errors).toBeUndefined();
    const finance = data.finance;
    expect(finance).toMatchObject({ unitCode: province.maDinhDanh, year, unit: { code: province.maDinhDanh } });
    expect(finance.execution.asOfMonth).toBe(10);
    for (const [field, direction] of [
      ['revenue', 'THU'],
      ['spending', 'CHI'],
    ] as const) {
      const estimate = total(direction, 6);
      const executed = total(direction, 7);
      expect(estimate).toBeGreaterThan(0n);
      expect(finance.execution[field]).toMatchObject({ estimate: String(estimate), executed: String(executed) });
      expect(finance.execution[field].rate).toBeCloseTo((Number(executed) / Number(estimate)) * 100, 8);
    }
    const lines = expected.lines
      .map((l) => ({
        direction: l[5] === 'THU' ? 'REVENUE' : 'SPENDING',
        chapterCode: l[1],
        categoryCode: l[2],
        itemCode: l[3],
        subItemCode: l[4],
        estimate: l[6],
        executed: l[7],
      }))
      .sort((a, b) => byId(a.direction + a.itemCode + a.subItemCode, b.direction + b.itemCode + b.subItemCode));
    expect(finance.execution.lines.map(({ rate: _, ...line }: any) => line)).toEqual(lines);
    expect(finance.execution.lines[0].rate).toBeCloseTo(
      (Number(lines[0]!.executed) / Number(lines[0]!.estimate)) * 100,
      8,
    );
  });

  it('gives the earlier asOfMonth of a past year, and a school without revenue a revenue total of 0 with no rate', async () => {
    const school = units.find((u) => u.loaiDonVi === 'DVSNCL' && u.hieuLucDen === null)!;
    const expected = latestExecution(school.maQHNS!, 2024)!;
    expect(expected.month).toBe(12);
    const { data, errors } = await hub.gql(`{ finance(unitCode: "${school.maDinhDanh}", year: 2024) {
      execution { asOfMonth revenue { estimate executed rate } spending { executed } } investment { projectCount } } }`);
    expect(errors).toBeUndefined();
    expect(data.finance.execution).toEqual({
      asOfMonth: 12,
      revenue: { estimate: '0', executed: '0', rate: null },
      spending: { executed: String(expected.lines.reduce((sum, l) => sum + BigInt(l[7]), 0n)) },
    });
    expect(data.finance.investment).toBeNull(); // schools own no projects
  });

  it('sums the public investment of a project owner, to the latest month', async () => {
    const year = 2026;
    let month = 12;
    while (world.publicInvestment(year, month).length === 0) month--;
    const projects = world.publicInvestment(year, month);
    const owner = projects[0]!.maQHNS;
    const mine = projects.filter((p) => p.maQHNS === owner).sort((a, b) => byId(a.maDuAn, b.maDuAn));
    const plan = mine.reduce((sum, p) => sum + BigInt(p.keHoachVon), 0n);
    const disbursed = mine.reduce((sum, p) => sum + BigInt(p.giaiNganLuyKe), 0n);
    const { data, errors } = await hub.gql(`{ finance(unitCode: "${unitOfBudgetCode.get(owner)}", year: ${year}) {
      investment { asOfMonth projectCount capitalPlan disbursed rate projects { projectCode name capitalPlan disbursed rate } } } }`);
    expect(errors).toBeUndefined();
    const investment = data.finance.investment;
    expect(investment).toMatchObject({
      asOfMonth: month,
      projectCount: mine.length,
      capitalPlan: String(plan),
      disbursed: String(disbursed),
    });
    expect(investment.rate).toBeCloseTo((Number(disbursed) / Number(plan)) * 100, 8);
    expect(investment.projects.map((p: any) => [p.projectCode, p.name, p.capitalPlan, p.disbursed])).toEqual(
      mine.map((p) => [p.maDuAn, p.tenDuAn.normalize('NFC'), String(p.keHoachVon), String(p.giaiNganLuyKe)]),
    );
  });

  it('answers BAD_USER_INPUT for an unknown unit, empty figures for a known one with none, and errors for a bad year', async () => {
    for (const unitCode of ['no.such', 'a/b']) {
      const unknown = await hub.gql('query ($u: String!) { finance(unitCode: $u, year: 2026) { year } }', {
        u: unitCode,
      });
      expect(unknown.data?.finance ?? null).toBeNull();
      expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    const staff = await hub.gql('{ staff(filter: { unitCode: "no.such.unit" }) { totalCount } }', {}, PII);
    expect(staff.errors?.map((e) => e.extensions?.argument)).toEqual(['filter.unitCode']);
    const known = units[0]!.maDinhDanh;
    const empty = await hub.gql(
      `{ finance(unitCode: "${known}", year: 2015) { id year execution { asOfMonth } investment { asOfMonth } syncedAt } }`,
    );
    expect(empty.data.finance).toMatchObject({ year: 2015, execution: null, investment: null, syncedAt: null });
    const node = await hub.gql('query($id: ID!) { node(id: $id) { ... on Finance { unitCode year } } }', {
      id: empty.data.finance.id,
    });
    expect(node.data.node).toEqual({ unitCode: known, year: 2015 });
    const bad = await hub.gql(`{ finance(unitCode: "${known}", year: 20260) { year } }`);
    expect(bad.errors?.[0]).toMatchObject({
      message: '"year" must be a year from 2000 to 2100, got 20260',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('parses VND amounts strictly', () => {
    expect(parseVnd('1250000000')).toBe('1250000000');
    expect(parseVnd('-0042')).toBe('-42');
    expect(parseVnd('+7')).toBe('7');
    expect(parseVnd('9223372036854775807')).toBe('9223372036854775807');
    for (const bad of [1250000000, '12.5', '1e9', '', ' 12', '1 000', '9223372036854775808', '12345678901234567890']) {
      expect(() => parseVnd(bad)).toThrow(/VND/);
    }
  });
});
