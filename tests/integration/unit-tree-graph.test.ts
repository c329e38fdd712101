/**
 * The unit tree beyond its direct edges (ancestors, descendants, child
 * counts) and the counts dashboards show beside a unit (serving staff by
 * category, dossiers by outcome), on the tiny province synced through the
 * real sync. Every expectation is computed here from the simulated
 * province's own records, with plain code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRecord, unitRecord } from '../../connectors/cadre-db/contract.ts';
import { toStaff, toUnit } from '../../connectors/cadre-db/map.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import { dossierRecord } from '../../connectors/one-stop-shop/contract.ts';
import { toDossier } from '../../connectors/one-stop-shop/map.ts';
import type { Dossier, Staff, Unit } from '../../store/model.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig } from '../support/sync-rig.ts';

const world = createMockWorld({ scale: 'tiny' });
const units: Unit[] = world
  .units(null)
  .map((u) => toUnit(unitRecord.parse(u)))
  .sort((a, b) => (a.code < b.code ? -1 : 1));
const staff: Staff[] = world.staff(null).map((s) => toStaff(staffRecord.parse(s)));
const dossiers: Dossier[] = world
  .dossiers(null, null, Number.MAX_SAFE_INTEGER)
  .records.map((r) => toDossier(dossierRecord.parse(r)));
const unitByCode = new Map(units.map((u) => [u.code, u]));

const PROVINCE = '000.00.00.H40';
const YEN_THE_DISTRICT = '000.00.12.H40'; // dissolved in the 2025 reorganisation
const YEN_THE_COMMUNE = '201.00.00.H40'; // formed on 2025-07-01 from the district's communes
const codes = (list: { code: string }[]) => list.map((u) => u.code);

// --- the expectations, in plain code over the province's records ---

function ancestorsOf(code: string): string[] {
  const chain: string[] = [];
  for (let parent = unitByCode.get(code)?.parentCode; parent; parent = unitByCode.get(parent)?.parentCode) {
    chain.push(parent);
  }
  return chain;
}

const isValidOn = (u: Unit, day: string | undefined) =>
  day === undefined || ((u.validFrom === null || u.validFrom <= day) && (u.validTo === null || day < u.validTo));

function descendantsOf(code: string, keep: (u: Unit) => boolean = () => true): string[] {
  return units
    .filter((u) => u.code !== code && ancestorsOf(u.code).includes(code) && keep(u))
    .map((u) => u.code)
    .sort();
}

/** The units' versions as the cadre database's history serves them (each unit's parent over [tuNgay, denNgay)). */
const versions = world.unitVersions!(null);
/** Without a day, the children by today's parent; on a day, by the versions in force that day (the tree as it stood). */
const childCountOf = (code: string, day?: string) =>
  day === undefined
    ? units.filter((u) => u.parentCode === code).length
    : new Set(
        versions
          .filter((v) => v.maDinhDanhCha === code && (v.tuNgay ?? '') <= day && (v.denNgay == null || day < v.denNgay))
          .map((v) => v.maDinhDanh),
      ).size;

const CATEGORIES = ['CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER'];
const staffCountsOf = (code: string) =>
  CATEGORIES.map((category) => ({
    category,
    count: staff.filter((s) => s.unitCode === code && s.status === 'SERVING' && s.category === category).length,
  }));

const OUTCOMES = [
  'EARLY',
  'ON_TIME',
  'LATE',
  'RESOLVED_WITHOUT_DUE_DATE',
  'WITHDRAWN_OR_REFUSED',
  'STOPPED',
  'OPEN',
  'OPEN_OVERDUE',
];
/** The Vietnam calendar day (UTC+7) of an instant. */
const vnDay = (instant: Date) => new Date(instant.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
function outcomeOf(d: Dossier, now: Date): string {
  if (d.status === 'WITHDRAWN' || d.status === 'REFUSED') return 'WITHDRAWN_OR_REFUSED';
  if (d.status === 'STOPPED') return 'STOPPED';
  if (d.finishedAt) {
    if (!d.dueAt) return 'RESOLVED_WITHOUT_DUE_DATE';
    const [finished, due] = [vnDay(d.finishedAt), vnDay(d.dueAt)];
    return finished < due ? 'EARLY' : finished === due ? 'ON_TIME' : 'LATE';
  }
  return d.dueAt && d.dueAt < now ? 'OPEN_OVERDUE' : 'OPEN';
}
function dossierCountsOf(code: string, now: Date, from?: string, to?: string) {
  const received = dossiers.filter(
    (d) =>
      d.unitCode === code &&
      (from === undefined || vnDay(d.receivedAt) >= from) &&
      (to === undefined || vnDay(d.receivedAt) <= to),
  );
  return OUTCOMES.map((outcome) => ({ outcome, count: received.filter((d) => outcomeOf(d, now) === outcome).length }));
}

describe.each(testBackends)('the unit tree and its counts on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const mocks = await startMocks(world);
    const rig = syncRig(store.db, world, mocks);
    const results = await rig.engine.runAll({ trigger: 'COMMAND' });
    await rig.close();
    await mocks.close();
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db);
  }, 60_000);
  afterAll(async () => {
    await hub?.hub.stop(); // closes the store too
    await store?.dispose();
  });

  /** Every unit of the province (84 < the maximum page of 100) with the fields asked. */
  async function allUnits(fields: string, variables: Record<string, unknown> = {}, params = '') {
    const { data, errors } = await hub.gql(
      `query${params} { units(first: 100) { totalCount edges { node { code ${fields} } } } }`,
      variables,
    );
    expect(errors).toBeUndefined();
    expect(data.units.totalCount).toBe(units.length);
    return data.units.edges.map((e: any) => e.node) as any[];
  }

  it('syncs the whole tiny province (the premise of every figure below)', async () => {
    expect(units).toHaveLength(84);
    const [row] = await store.db.query<{ u: number; s: number; d: number }>(
      'SELECT (SELECT count(*)::int FROM units) AS u, (SELECT count(*)::int FROM staff) AS s, (SELECT count(*)::int FROM dossiers) AS d',
    );
    expect(row).toEqual({ u: units.length, s: staff.length, d: dossiers.length });
  });

  it('lists the ancestors of every unit, nearest first, up to the province', async () => {
    const nodes = await allUnits('ancestors { code level }');
    expect(nodes.map((n) => n.code)).toEqual(codes(units));
    for (const node of nodes) expect(codes(node.ancestors), node.code).toEqual(ancestorsOf(node.code));
    const school = nodes.find((n) => n.code === '100.00.12.H40'); // a commune's nursery school
    expect(school.ancestors).toEqual([
      { code: YEN_THE_COMMUNE, level: 'COMMUNE' },
      { code: PROVINCE, level: 'PROVINCE' },
    ]);
    expect(nodes.find((n) => n.code === PROVINCE).ancestors).toEqual([]);
  });

  it('lists the whole subtree below every unit, ordered by code, with each filter', async () => {
    const nodes = await allUnits(`
      all: descendants { code }
      psus: descendants(filter: { kind: PUBLIC_SERVICE_UNIT }) { code }
      communes: descendants(filter: { level: COMMUNE }) { code }
      before: descendants(filter: { validOn: "2025-06-30" }) { code }
      after: descendants(filter: { validOn: "2025-07-01", level: COMMUNE, kind: PEOPLES_COMMITTEE }) { code }`);
    for (const node of nodes) {
      const code = node.code as string;
      expect(codes(node.all), code).toEqual(descendantsOf(code));
      expect(codes(node.psus), code).toEqual(descendantsOf(code, (u) => u.kind === 'PUBLIC_SERVICE_UNIT'));
      expect(codes(node.communes), code).toEqual(descendantsOf(code, (u) => u.level === 'COMMUNE'));
      expect(codes(node.before), code).toEqual(descendantsOf(code, (u) => isValidOn(u, '2025-06-30')));
      expect(codes(node.after), code).toEqual(
        descendantsOf(
          code,
          (u) => isValidOn(u, '2025-07-01') && u.level === 'COMMUNE' && u.kind === 'PEOPLES_COMMITTEE',
        ),
      );
    }
    const province = nodes.find((n) => n.code === PROVINCE);
    expect(province.all).toHaveLength(units.length - 1); // every other unit lies below the province
    expect(codes(province.after)).toEqual([YEN_THE_COMMUNE]);
    // Sở Nông nghiệp và Môi trường (formed 2025-03-01) took over units of the agencies merged into it.
    expect(codes(nodes.find((n) => n.code === '000.19.00.H40').all)).toEqual([
      '001.07.00.H40',
      '001.10.00.H40',
      '002.10.00.H40',
    ]);
  });

  it('counts the direct children of every unit, on a day or all of them', async () => {
    const nodes = await allUnits(`
      childCount
      before: childCount(validOn: "2025-06-30")
      after: childCount(validOn: "2025-07-01")`);
    for (const node of nodes) {
      expect([node.childCount, node.before, node.after], node.code).toEqual([
        childCountOf(node.code),
        childCountOf(node.code, '2025-06-30'),
        childCountOf(node.code, '2025-07-01'),
      ]);
    }
    expect(nodes.find((n) => n.code === YEN_THE_DISTRICT).after).toBe(0); // dissolved with all its children
    expect(nodes.some((n) => n.childCount > 0 && n.after !== n.childCount)).toBe(true);
  });

  it('counts the serving staff of every unit itself, by category', async () => {
    const nodes = await allUnits('staffCounts { category count }');
    for (const node of nodes) expect(node.staffCounts, node.code).toEqual(staffCountsOf(node.code));
    const total = nodes.reduce((sum, n) => sum + n.staffCounts.reduce((s: number, c: any) => s + c.count, 0), 0);
    expect(total).toBe(staff.filter((s) => s.status === 'SERVING').length);
    expect(total).toBeLessThan(staff.length); // retired, left and transferred staff are not counted
  });

  it('counts the dossiers of every unit by outcome, over all time and over a range of Vietnam days', async () => {
    const now = new Date();
    const nodes = await allUnits(
      `all: dossierCounts { outcome count }
       september: dossierCounts(receivedFrom: $from, receivedTo: $to) { outcome count }
       oneDay: dossierCounts(receivedFrom: $to, receivedTo: $to) { outcome count }
       since: dossierCounts(receivedFrom: $to) { outcome count }`,
      { from: '2026-09-01', to: '2026-09-30' },
      '($from: Date, $to: Date)',
    );
    for (const node of nodes) {
      const code = node.code as string;
      expect(node.all, code).toEqual(dossierCountsOf(code, now));
      expect(node.september, code).toEqual(dossierCountsOf(code, now, '2026-09-01', '2026-09-30'));
      expect(node.oneDay, code).toEqual(dossierCountsOf(code, now, '2026-09-30', '2026-09-30'));
      expect(node.since, code).toEqual(dossierCountsOf(code, now, '2026-09-30'));
    }
    const sum = (key: string, outcome?: string) =>
      nodes.reduce(
        (total, n) =>
          total +
          n[key].filter((c: any) => !outcome || c.outcome === outcome).reduce((s: number, c: any) => s + c.count, 0),
        0,
      );
    // Every dossier counted once, and the figures are not trivially zero.
    expect(sum('all')).toBe(dossiers.length);
    for (const outcome of ['EARLY', 'ON_TIME', 'LATE', 'OPEN_OVERDUE'])
      expect(sum('all', outcome), outcome).toBeGreaterThan(0);
    expect(sum('september')).toBeGreaterThan(sum('oneDay'));
    expect(sum('oneDay')).toBeGreaterThan(0);
  });

  it('counts a dossier received just after midnight in Vietnam on that Vietnam day', async () => {
    // The earliest reception of the day in Vietnam time is still the previous day in UTC.
    const early = dossiers
      .filter((d) => d.receivedAt.getUTCHours() >= 17)
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())[0]!;
    const day = vnDay(early.receivedAt);
    expect(day).not.toBe(early.receivedAt.toISOString().slice(0, 10));
    const { data, errors } = await hub.gql(
      `query($code: String!, $day: Date!) { unit(code: $code) { dossierCounts(receivedFrom: $day, receivedTo: $day) { outcome count } } }`,
      { code: early.unitCode, day },
    );
    expect(errors).toBeUndefined();
    expect(data.unit.dossierCounts).toEqual(dossierCountsOf(early.unitCode, new Date(), day, day));
    expect(data.unit.dossierCounts.reduce((s: number, c: any) => s + c.count, 0)).toBeGreaterThan(0);
  });

  it('finds a dissolved district by its old code, with its validity, across the 2025 reorganisation', async () => {
    const { data, errors } = await hub.gql(`{
      unit(code: "${YEN_THE_DISTRICT}") {
        id name level validFrom validTo
        ancestors { code }
        communes: descendants(filter: { level: COMMUNE, kind: PEOPLES_COMMITTEE }) { code name validTo }
        stillValid: descendants(filter: { validOn: "2025-07-01" }) { code }
      }
      successor: unit(code: "${YEN_THE_COMMUNE}") {
        name level validFrom validTo parent { code } childCount descendants { code name }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data.unit).toMatchObject({
      name: 'UBND huyện Yên Thế',
      level: 'DISTRICT',
      validFrom: '2019-01-01',
      validTo: '2025-07-01',
      ancestors: [{ code: PROVINCE }],
      stillValid: [],
    });
    const communes = units.filter((u) => u.parentCode === YEN_THE_DISTRICT && u.level === 'COMMUNE');
    expect(communes).toHaveLength(4);
    expect(data.unit.communes).toEqual(communes.map((u) => ({ code: u.code, name: u.name, validTo: '2025-07-01' })));
    // The commune that succeeded them, formed the day the district was dissolved, directly under the province;
    // the communes' schools now belong to it.
    expect(data.successor).toMatchObject({
      name: 'Xã Yên Thế',
      level: 'COMMUNE',
      validFrom: '2025-07-01',
      validTo: null,
      parent: { code: PROVINCE },
      childCount: 12,
    });
    const schoolNames = data.successor.descendants.map((u: any) => u.name as string);
    for (const commune of ['Cầu Gồ', 'Bố Hạ', 'Đồng Tâm', 'Tân Hiệp']) {
      expect(
        schoolNames.filter((name: string) => name.endsWith(commune)),
        commune,
      ).toHaveLength(3);
    }

    // The same unit through its global ID.
    const node = await hub.gql(
      'query($id: ID!) { node(id: $id) { id __typename ... on Unit { code validTo childCount ancestors { code } } } }',
      { id: data.unit.id },
    );
    expect(node).toEqual({
      data: {
        node: {
          id: data.unit.id,
          __typename: 'Unit',
          code: YEN_THE_DISTRICT,
          validTo: '2025-07-01',
          childCount: childCountOf(YEN_THE_DISTRICT),
          ancestors: [{ code: PROVINCE }],
        },
      },
    });
  });

  it('returns null for an unknown code, with no error', async () => {
    expect(await hub.gql('{ unit(code: "999.99.99.H40") { ancestors { code } staffCounts { count } } }')).toEqual({
      data: { unit: null },
    });
  });

  it('refuses a reversed reception range and a malformed day with BAD_USER_INPUT', async () => {
    const reversed = await hub.gql(
      `{ unit(code: "${PROVINCE}") { dossierCounts(receivedFrom: "2026-10-01", receivedTo: "2026-09-01") { count } } }`,
    );
    expect(reversed.errors?.[0]).toMatchObject({
      message: '"receivedTo" (2026-09-01) is before "receivedFrom" (2026-10-01)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const badDay = await hub.gql(`{ unit(code: "${PROVINCE}") { childCount(validOn: "2025-13-01") } }`);
    expect(badDay.errors?.[0]?.message).toMatch(/Date must be a real day written YYYY-MM-DD/);
    const badFilter = await hub.gql(
      `{ unit(code: "${PROVINCE}") { descendants(filter: { level: HAMLET }) { code } } }`,
    );
    expect(badFilter.errors?.[0]?.message).toMatch(/HAMLET/);
  });

  const PAGE_WITH_EVERYTHING = (first: number) => `{
    units(first: ${first}) { edges { node {
      code
      parent { code name }
      ancestors { code name }
      children { code }
      descendants(filter: { kind: PUBLIC_SERVICE_UNIT }) { code }
      childCount(validOn: "2025-07-01")
      staffCounts { category count }
      dossierCounts(receivedFrom: "2026-09-01", receivedTo: "2026-10-31") { outcome count }
    } } }
  }`;
  /** What a statement reads, by its shape. */
  const statementKind = (sql: string) =>
    sql.includes('LIMIT')
      ? 'page'
      : sql.includes('JOIN units u ON u.code = t.ancestor_code')
        ? 'ancestors'
        : sql.includes('JOIN units u ON u.code = t.unit_code')
          ? 'descendants'
          : sql.includes('FROM staff')
            ? 'staff counts'
            : sql.includes('FROM dossier_month_counts')
              ? 'dossier counts'
              : /GROUP BY (v\.)?parent_code/.test(sql)
                ? 'child counts'
                : sql.includes('parent_code = ANY')
                  ? 'children'
                  : 'units by code';

  it('loads a page of 10 and of all 84 units with every tree field and count in the same eight statements', async () => {
    const statementsFor = async (first: number) => {
      counted.statements.length = 0;
      const { data, errors } = await hub.gql(PAGE_WITH_EVERYTHING(first));
      expect(errors).toBeUndefined();
      expect(data.units.edges).toHaveLength(Math.min(first, units.length));
      return counted.statements.map(statementKind).sort();
    };
    const small = await statementsFor(10);
    const large = await statementsFor(100);
    expect(small).toEqual([
      'ancestors',
      'child counts',
      'children',
      'descendants',
      'dossier counts',
      'page',
      'staff counts',
      'units by code',
    ]);
    expect(large).toEqual(small);
  });
  // --- issue 24: enums, periods, labels and the fields a page needs ---

  it('gives the staff and dossier counts as enums beside their deprecated String aliases', async () => {
    const now = new Date();
    const nodes = await allUnits(
      'staffCounts { category staffCategory count } dossierCounts { outcome dossierOutcome count }',
    );
    for (const node of nodes) {
      expect(node.staffCounts.map((c: any) => c.staffCategory)).toEqual(CATEGORIES);
      expect(node.staffCounts.every((c: any) => c.staffCategory === c.category)).toBe(true);
      // Every outcome the store lists, the two that are not a dossier's own outcome included, is a DossierOutcome.
      expect(
        node.dossierCounts.map((c: any) => ({ outcome: c.dossierOutcome, count: c.count })),
        node.code,
      ).toEqual(dossierCountsOf(node.code, now));
    }
    const sum = (outcome: string) =>
      nodes.reduce((total, n) => total + n.dossierCounts.find((c: any) => c.dossierOutcome === outcome).count, 0);
    expect(sum('WITHDRAWN_OR_REFUSED')).toBeGreaterThan(0);
  });

  it('counts dossiers by a period as by the days it covers, under either convention; not both', async () => {
    const now = new Date();
    const busiest = units
      .map((u) => ({ code: u.code, n: dossiers.filter((d) => d.unitCode === u.code).length }))
      .sort((a, b) => b.n - a.n)[0]!.code;
    const { data, errors } = await hub.gql(
      `query($code: String!) { unit(code: $code) {
        h2: dossierCounts(period: "2026-H2") { outcome: dossierOutcome count }
        q3: dossierCounts(period: "2026-q3", convention: REPORTING) { outcome: dossierOutcome count }
        december: dossierCounts(period: "2026-12", convention: REPORTING) { outcome: dossierOutcome count }
      } }`,
      { code: busiest },
    );
    expect(errors).toBeUndefined();
    // The days written out by hand: the reporting Q3 runs from 15 June to 14 September (Decree 09/2019).
    expect(data.unit.h2).toEqual(dossierCountsOf(busiest, now, '2026-07-01', '2026-12-31'));
    expect(data.unit.q3).toEqual(dossierCountsOf(busiest, now, '2026-06-15', '2026-09-14'));
    expect(data.unit.december).toEqual(dossierCountsOf(busiest, now, '2026-11-15', '2026-12-14'));
    expect(data.unit.q3.reduce((s: number, c: any) => s + c.count, 0)).toBeGreaterThan(0);

    for (const args of [
      'period: "2026-H2", receivedFrom: "2026-07-01"',
      'period: "2026-H2", receivedTo: "2026-12-31"',
    ]) {
      const refused = await hub.gql(`{ unit(code: "${busiest}") { dossierCounts(${args}) { count } } }`);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'period' });
    }
    const malformed = await hub.gql(`{ unit(code: "${busiest}") { dossierCounts(period: "2026-H3") { count } } }`);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'period' });
  });

  it('names every unit shortly, without its administrative prefix, and labels it', async () => {
    const nodes = await allUnits('name shortName label { vi en }');
    const byCode = new Map(nodes.map((n) => [n.code, n]));
    expect(byCode.get(YEN_THE_DISTRICT)).toMatchObject({ name: 'UBND huyện Yên Thế', shortName: 'Yên Thế' });
    expect(byCode.get(YEN_THE_COMMUNE)).toMatchObject({ name: 'Xã Yên Thế', shortName: 'Yên Thế' });
    expect(byCode.get(PROVINCE)).toMatchObject({ name: 'UBND tỉnh Bắc Giang', shortName: 'Bắc Giang' });
    const short = (name: string) => nodes.find((n) => n.name === name)?.shortName;
    expect(short('Sở Tư pháp')).toBe('Tư pháp');
    expect(short('Thị trấn Bố Hạ')).toBe('Bố Hạ');
    expect(short('Trường THPT Ngô Sĩ Liên')).toBe('Trường THPT Ngô Sĩ Liên'); // no administrative prefix
    for (const node of nodes) {
      expect(node.name.endsWith(node.shortName), node.name).toBe(true);
      expect(node.shortName, node.name).not.toMatch(/^(UBND|tỉnh|huyện|xã|phường|thị trấn|Sở) /i);
      expect(node.label).toEqual({ vi: node.name, en: node.name });
    }
  });

  it('answers Unit.indicator with the element of Unit.indicators of that code', async () => {
    const codes = ['DOSSIER_RECEIVED', 'ON_TIME_RATE', 'STAFF_COUNT', 'PSU_COUNT'];
    const V = 'code value numerator denominator period convention firstDay lastDay measureUnit label { vi en } target';
    const one = codes
      .map((code) => `${code}: indicator(code: "${code}", period: "2026-H2", convention: REPORTING) { ${V} }`)
      .join('\n');
    const nodes = await allUnits(
      `all: indicators(period: "2026-H2", convention: REPORTING) { ${V} }
       ${one}`,
    );
    let nonZero = 0;
    for (const node of nodes) {
      for (const code of codes) {
        const fromList = node.all.find((v: any) => v.code === code);
        expect(node[code], `${node.code} ${code}`).toEqual(fromList);
        if (fromList.numerator > 0) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(20);
    const unknown = await hub.gql(
      `{ unit(code: "${PROVINCE}") { indicator(code: "ON_TIME", period: "2026") { value } } }`,
    );
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'code' });
  });

  it('tells the current period in Vietnam time, with its days and label', async () => {
    const { data, errors } = await hub.gql(`{
      half: currentPeriod(kind: HALF) { code kind convention from to label { vi en } }
      reportingYear: currentPeriod(kind: YEAR, convention: REPORTING) { code from to }
    }`);
    expect(errors).toBeUndefined();
    const today = vnDay(new Date());
    const year = Number(today.slice(0, 4));
    const firstHalf = today.slice(5) <= '06-30';
    expect(data.half).toMatchObject({
      code: `${year}-H${firstHalf ? 1 : 2}`,
      kind: 'HALF',
      convention: 'CALENDAR',
      from: firstHalf ? `${year}-01-01` : `${year}-07-01`,
      to: firstHalf ? `${year}-06-30` : `${year}-12-31`,
      label: firstHalf
        ? { vi: `6 tháng đầu năm ${year}`, en: `First half of ${year}` }
        : { vi: `6 tháng cuối năm ${year}`, en: `Second half of ${year}` },
    });
    // The reporting year runs from 15 December of the year before to 14 December.
    const reportingYear = today.slice(5) >= '12-15' ? year + 1 : year;
    expect(data.reportingYear).toEqual({
      code: String(reportingYear),
      from: `${reportingYear - 1}-12-15`,
      to: `${reportingYear}-12-14`,
    });
  });

  it('labels enum values from one table, one enum or all in one query', async () => {
    const { data, errors } = await hub.gql(`{
      outcomes: enumLabels(type: "DossierOutcome") { type value label { vi en } }
      all: enumLabels { type value }
    }`);
    expect(errors).toBeUndefined();
    expect(data.outcomes.map((l: any) => l.value)).toEqual(OUTCOMES);
    expect(data.outcomes.find((l: any) => l.value === 'ON_TIME')).toEqual({
      type: 'DossierOutcome',
      value: 'ON_TIME',
      label: { vi: 'Đúng hạn', en: 'On time' },
    });
    expect(new Set(data.all.map((l: any) => l.type))).toContain('IndicatorCode');
    const unknown = await hub.gql('{ enumLabels(type: "NoSuchEnum") { value } }');
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
  });
});
