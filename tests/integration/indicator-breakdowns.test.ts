/**
 * Breakdowns, rankings and trends through the graph, over a real hub socket,
 * on a small province built here. Every expected number is worked out by hand
 * from the table below (the arithmetic is in the comments).
 *
 *   P   UBND tỉnh (province): pa; staff 2
 *   ├─ D1  UBND huyện: d1a; staff 1
 *   │  ├─ C1  xã: c1a c1b; staff 3          on time 1 / 2
 *   │  ├─ C2  xã: c2a … c2e                  on time 2 / 4 (equal to C1's, as a fraction)
 *   │  └─ C3  xã dissolved 2024-04-01: c3a   on time 1 / 1 (not valid at the end of 2024-H1)
 *   └─ D2  UBND huyện: d2z (carried over from 2023)
 *      ├─ C4  xã: c4a (open)                 nothing resolved: null
 *      ├─ C5  xã: c5a c5b c5c; staff 1        on time 3 / 3
 *      └─ C6  xã: c6a … c6d                  on time 1 / 4
 *
 * Procedures: PA in field F1 (Hộ tịch), PB in field F2 (Đất đai). All 2024
 * unless written; received at 08:00, due at 17:00, finished at 10:00 (Vietnam
 * time). E early, OT on time (finished on the due day), L late.
 *
 *        unit proc channel    received    due     finished  outcome
 *   pa   P    PA   ONLINE     03-10       03-20   03-25     L
 *   d1a  D1   PB   IN_PERSON  02-10       02-20   02-12     E
 *   d2z  D2   PB   IN_PERSON  2023-12-20  01-10   01-09     E   (carried over into 2024)
 *   c1a  C1   PA   ONLINE     01-05       01-15   01-10     E
 *   c1b  C1   PB   IN_PERSON  02-01       02-10   02-20     L
 *   c2a  C2   PA   ONLINE     01-03       01-20   01-20     OT
 *   c2b  C2   PA   POSTAL     03-01       03-10   03-15     L
 *   c2c  C2   PB   IN_PERSON  03-02       03-20   03-05     E
 *   c2d  C2   PB   ONLINE     04-01       04-05   04-09     L
 *   c2e  C2   PB   POSTAL     06-25       06-28   open      pending, overdue at the end of June
 *   c3a  C3   PA   ONLINE     01-10       01-20   01-12     E
 *   c4a  C4   PA   ONLINE     06-20       07-10   open      pending, within the deadline
 *   c5a  C5   PA   ONLINE     02-01       02-15   02-02     E
 *   c5b  C5   PA   ONLINE     05-01       05-15   05-15     OT
 *   c5c  C5   PB   POSTAL     05-02       05-20   05-03     E
 *   c6a  C6   PA   IN_PERSON  01-02       01-05   01-08     L
 *   c6b  C6   PA   IN_PERSON  02-02       02-05   02-08     L
 *   c6c  C6   PB   IN_PERSON  06-01       06-05   06-09     L
 *   c6d  C6   PB   ONLINE     06-02       06-20   06-04     E
 *
 * In 2024-H1 over P: resolved 17 (all but c2e, c4a), on time (E or OT) 10;
 * received 18 and carried over 1 (d2z); pending 2 (c2e, c4a).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import { dossierFiguresBy } from '../../store/indicators/dossiers-by.ts';
import { dossierFigures } from '../../store/indicators/dossiers.ts';
import { FIGURE_GROUPS, type DayRange, type FigureGroup } from '../../store/indicators/index.ts';
import { findDescendantsOfUnits } from '../../store/units.ts';
import type { Dossier, DossierChannel, Procedure, Staff, Unit } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import type { Queryable } from '../../store/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { FIN, loadFinanceFixture } from '../support/finance-fixture.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

// ─── The fixture ─────────────────────────────────────────────────────────────────────────────────────────────────

const P = '000.00.00.K77';
const D1 = '000.00.31.K77';
const D2 = '000.00.32.K77';
const C1 = '001.31.00.K77';
const C2 = '002.31.00.K77';
const C3 = '003.31.00.K77';
const C4 = '004.32.00.K77';
const C5 = '005.32.00.K77';
const C6 = '006.32.00.K77';
const PA = '2.000101';
const PB = '2.000102';

const RECORDED_AT = new Date('2024-01-01T00:00:00+07:00');
const vn = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

const unit = (code: string, name: string, parentCode: string | null, level: Unit['level'], validTo?: string): Unit => ({
  code,
  budgetCode: null,
  name,
  parentCode,
  level,
  kind: 'PEOPLES_COMMITTEE',
  sector: null,
  headcountQuota: null,
  validFrom: '2019-01-01',
  validTo: validTo ?? null,
  sourceUpdatedAt: RECORDED_AT,
});

const UNITS: Unit[] = [
  unit(P, 'UBND tỉnh Thử Nghiệm', null, 'PROVINCE'),
  unit(D1, 'UBND huyện Đông', P, 'DISTRICT'),
  unit(D2, 'UBND huyện Tây', P, 'DISTRICT'),
  unit(C1, 'UBND xã Một', D1, 'COMMUNE'),
  unit(C2, 'UBND xã Hai', D1, 'COMMUNE'),
  unit(C3, 'UBND xã Ba', D1, 'COMMUNE', '2024-04-01'),
  unit(C4, 'UBND xã Bốn', D2, 'COMMUNE'),
  unit(C5, 'UBND xã Năm', D2, 'COMMUNE'),
  unit(C6, 'UBND xã Sáu', D2, 'COMMUNE'),
];

const procedure = (code: string, fieldCode: string, fieldName: string): Procedure => ({
  code,
  name: `Thủ tục ${code}`,
  fieldCode,
  fieldName,
  levels: ['PROVINCE', 'DISTRICT', 'COMMUNE'],
  onlineService: 'FULL_PROCESS',
  hasFee: false,
});

/** A dossier: dates 'MM-DD' of 2024 unless a year is given; finished null for an open one. */
function dossier(
  code: string,
  unitCode: string,
  procedureCode: string,
  channel: DossierChannel,
  received: string,
  due: string,
  finished: string | null,
): Dossier {
  const day = (d: string) => (d.length === 5 ? `2024-${d}` : d);
  const finishedAt = finished === null ? null : vn(`${day(finished)} 10:00`);
  const receivedAt = vn(`${day(received)} 08:00`);
  return {
    code,
    procedureCode,
    unitCode,
    channel,
    status: finished === null ? 'PROCESSING' : 'PROCESSED',
    applicantName: null,
    applicantPhone: null,
    receivedAt,
    dueAt: vn(`${day(due)} 17:00`),
    finishedAt,
    returnedAt: null,
    fullProcessOnline: false,
    hasFee: false,
    onlinePayment: null,
    digitised: false,
    electronicResult: false,
    sourceUpdatedAt: finishedAt ?? receivedAt,
  };
}

const DOSSIERS: Dossier[] = [
  dossier('pa', P, PA, 'ONLINE', '03-10', '03-20', '03-25'),
  dossier('d1a', D1, PB, 'IN_PERSON', '02-10', '02-20', '02-12'),
  dossier('d2z', D2, PB, 'IN_PERSON', '2023-12-20', '01-10', '01-09'),
  dossier('c1a', C1, PA, 'ONLINE', '01-05', '01-15', '01-10'),
  dossier('c1b', C1, PB, 'IN_PERSON', '02-01', '02-10', '02-20'),
  dossier('c2a', C2, PA, 'ONLINE', '01-03', '01-20', '01-20'),
  dossier('c2b', C2, PA, 'POSTAL', '03-01', '03-10', '03-15'),
  dossier('c2c', C2, PB, 'IN_PERSON', '03-02', '03-20', '03-05'),
  dossier('c2d', C2, PB, 'ONLINE', '04-01', '04-05', '04-09'),
  dossier('c2e', C2, PB, 'POSTAL', '06-25', '06-28', null),
  dossier('c3a', C3, PA, 'ONLINE', '01-10', '01-20', '01-12'),
  dossier('c4a', C4, PA, 'ONLINE', '06-20', '07-10', null),
  dossier('c5a', C5, PA, 'ONLINE', '02-01', '02-15', '02-02'),
  dossier('c5b', C5, PA, 'ONLINE', '05-01', '05-15', '05-15'),
  dossier('c5c', C5, PB, 'POSTAL', '05-02', '05-20', '05-03'),
  dossier('c6a', C6, PA, 'IN_PERSON', '01-02', '01-05', '01-08'),
  dossier('c6b', C6, PA, 'IN_PERSON', '02-02', '02-05', '02-08'),
  dossier('c6c', C6, PB, 'IN_PERSON', '06-01', '06-05', '06-09'),
  dossier('c6d', C6, PB, 'ONLINE', '06-02', '06-20', '06-04'),
];

const person = (id: string, unitCode: string): Staff => ({
  id,
  fullName: 'Trần Thị Bình',
  birthDate: null,
  gender: null,
  unitCode,
  category: 'CIVIL_SERVANT',
  rankCode: null,
  position: null,
  qualification: null,
  meetsStandard: true,
  status: 'SERVING',
  sourceUpdatedAt: RECORDED_AT,
});

/** P 2, D1 1, C1 3, C5 1: 7 in all. */
const STAFF: Staff[] = [
  person('s1', P),
  person('s2', P),
  person('s3', D1),
  person('s4', C1),
  person('s5', C1),
  person('s6', C1),
  person('s7', C5),
];

async function buildFixture(db: Queryable): Promise<void> {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, [procedure(PA, 'F1', 'Hộ tịch'), procedure(PB, 'F2', 'Đất đai')]);
  await upsertDossiers(db, DOSSIERS);
  await upsertStaff(db, STAFF);
}

// ─── The queries ─────────────────────────────────────────────────────────────────────────────────────────────────

const BREAKDOWN = `query B($code: String!, $unitCode: String!, $period: String!, $by: BreakdownDimension!, $convention: PeriodConvention) {
  indicatorBreakdown(code: $code, unitCode: $unitCode, period: $period, by: $by, convention: $convention) {
    by
    total { code numerator denominator value unitCode period }
    parts { key label labelEn numerator denominator value units { code } }
  }
}`;

const RANKING = `query R($code: String!, $level: UnitLevel!, $kind: UnitKind, $period: String!, $parentCode: String, $first: Int) {
  ranking(code: $code, level: $level, kind: $kind, period: $period, parentCode: $parentCode, first: $first) {
    rank unit { code } value { numerator denominator value unitCode }
  }
}`;

const POINT = 'code period convention firstDay lastDay numerator denominator value unitCode';
const TREND = `query T($code: String!, $unitCode: String!, $from: String!, $to: String!, $step: TrendStep!, $convention: PeriodConvention) {
  trend(code: $code, unitCode: $unitCode, from: $from, to: $to, step: $step, convention: $convention) { ${POINT} }
}`;
const INDICATORS = `query I($unitCode: String!, $period: String!, $codes: [String!], $convention: PeriodConvention) {
  indicators(unitCode: $unitCode, period: $period, codes: $codes, convention: $convention) { ${POINT} }
}`;

interface Part {
  key: string;
  label: string;
  labelEn: string;
  numerator: number;
  denominator: number | null;
  value: number | null;
  units: { code: string }[];
}
interface Breakdown {
  by: string;
  total: { code: string; numerator: number; denominator: number | null; value: number | null; unitCode: string };
  parts: Part[];
}
interface Ranked {
  rank: number | null;
  unit: { code: string };
  value: { numerator: number; denominator: number | null; value: number | null; unitCode: string };
}

const sum = (values: readonly (number | null)[]) => values.reduce<number>((t, v) => t + (v ?? 0), 0);

describe.each(testBackends)('breakdowns, rankings and trends on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await buildFixture(store.db);
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db);
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  async function breakdown(code: string, unitCode: string, period: string, by: string): Promise<Breakdown> {
    const { data, errors } = await hub.gql<{ indicatorBreakdown: Breakdown }>(BREAKDOWN, {
      code,
      unitCode,
      period,
      by,
    });
    expect(errors).toBeUndefined();
    return data!.indicatorBreakdown;
  }
  /** key → [numerator, denominator, value] */
  const partFigures = (b: Breakdown) =>
    Object.fromEntries(b.parts.map((p) => [p.key, [p.numerator, p.denominator, p.value]]));
  /** The parts' numerators and denominators add up to the total's. */
  function expectSums(b: Breakdown) {
    expect(sum(b.parts.map((p) => p.numerator))).toBe(b.total.numerator);
    if (b.total.denominator === null) expect(b.parts.every((p) => p.denominator === null)).toBe(true);
    else expect(sum(b.parts.map((p) => p.denominator))).toBe(b.total.denominator);
  }

  async function ranking(variables: Record<string, unknown>): Promise<Ranked[] | null> {
    const { data, errors } = await hub.gql<{ ranking: Ranked[] | null }>(RANKING, variables);
    expect(errors).toBeUndefined();
    return data!.ranking;
  }

  async function errorOf(query: string, variables: Record<string, unknown>) {
    const { data, errors } = await hub.gql(query, variables);
    expect(errors).toHaveLength(1);
    expect(Object.values(data ?? {}).every((v) => v === null)).toBe(true);
    return errors![0]!;
  }

  // ─── Breakdowns ─────────────────────────────────────────────────────────────────────────────────────────────────

  it('splits the province’s on-time rate by child unit, with its own records apart', async () => {
    const b = await breakdown('ON_TIME_RATE', P, '2024-H1', 'CHILD_UNIT');
    // 10 on time / 17 resolved over the whole province
    expect(b.total).toMatchObject({ code: 'ON_TIME_RATE', numerator: 10, denominator: 17, value: 1_000 / 17 });
    expect(partFigures(b)).toEqual({
      // D1: C1 1/2 + C2 2/4 + C3 1/1 + D1's own d1a 1/1 = 5/8
      [D1]: [5, 8, 62.5],
      // D2: d2z 1/1 + C4 0/0 + C5 3/3 + C6 1/4 = 5/8
      [D2]: [5, 8, 62.5],
      // P's own: pa, late: 0/1
      OWN: [0, 1, 0],
    });
    expect(b.parts.map((p) => [p.key, p.label, p.labelEn, p.units.map((u) => u.code)])).toEqual([
      [D1, 'UBND huyện Đông', 'UBND huyện Đông', [D1]],
      [D2, 'UBND huyện Tây', 'UBND huyện Tây', [D2]],
      ['OWN', 'UBND tỉnh Thử Nghiệm (riêng đơn vị)', 'UBND tỉnh Thử Nghiệm (own records)', [P]],
    ]);
    expectSums(b);
  });

  it('lists a dissolved child while it was valid, and leaves it out after', async () => {
    const h1 = await breakdown('ON_TIME_RATE', D1, '2024-H1', 'CHILD_UNIT');
    // C1 1/2, C2 2/4, C3 1/1 (valid until 2024-03-31), D1's own 1/1: 5/8
    expect(partFigures(h1)).toEqual({ [C1]: [1, 2, 50], [C2]: [2, 4, 50], [C3]: [1, 1, 100], OWN: [1, 1, 100] });
    expectSums(h1);
    // 2024-H2: C3 was dissolved before it and counts nothing; nothing is resolved anywhere
    const h2 = await breakdown('ON_TIME_RATE', D1, '2024-H2', 'CHILD_UNIT');
    expect(partFigures(h2)).toEqual({ [C1]: [0, 0, null], [C2]: [0, 0, null], OWN: [0, 0, null] });
    expect(h2.total).toMatchObject({ numerator: 0, denominator: 0, value: null });
  });

  it('sums the own records of the units of each level', async () => {
    const b = await breakdown('ON_TIME_RATE', P, '2024-H1', 'LEVEL');
    expect(partFigures(b)).toEqual({
      PROVINCE: [0, 1, 0], // pa
      DISTRICT: [2, 2, 100], // d1a, d2z
      COMMUNE: [8, 14, (8 * 100) / 14], // C1 1/2 + C2 2/4 + C3 1/1 + C4 0/0 + C5 3/3 + C6 1/4
    });
    expect(b.parts.map((p) => [p.key, p.label, p.labelEn, p.units.map((u) => u.code)])).toEqual([
      ['PROVINCE', 'Cấp tỉnh', 'Province level', [P]],
      ['DISTRICT', 'Cấp huyện', 'District level', [D1, D2]],
      ['COMMUNE', 'Cấp xã', 'Commune level', [C1, C2, C3, C4, C5, C6]],
    ]);
    expectSums(b);
    // Below a district, only its own level and the communes
    const d2 = await breakdown('DOSSIER_RESOLVED', D2, '2024-H1', 'LEVEL');
    // d2z; C5 3 + C6 4 (C4 none)
    expect(partFigures(d2)).toEqual({ DISTRICT: [1, null, 1], COMMUNE: [7, null, 7] });
    expectSums(d2);
  });

  it('breaks non-dossier indicators down by unit and level too', async () => {
    const byChild = await breakdown('STAFF_COUNT', P, '2024-H1', 'CHILD_UNIT');
    // D1 1 + C1 3 = 4; C5 1; P's own 2
    expect(partFigures(byChild)).toEqual({ [D1]: [4, null, 4], [D2]: [1, null, 1], OWN: [2, null, 2] });
    expect(byChild.total).toMatchObject({ numerator: 7, denominator: null, value: 7 });
    expectSums(byChild);
    const byLevel = await breakdown('STAFF_COUNT', P, '2024-H1', 'LEVEL');
    expect(partFigures(byLevel)).toEqual({
      PROVINCE: [2, null, 2],
      DISTRICT: [1, null, 1],
      COMMUNE: [4, null, 4],
    });
    expectSums(byLevel);
  });

  it('splits dossier indicators by channel, carried-over and pending dossiers by their own channel', async () => {
    const onTime = await breakdown('ON_TIME_RATE', P, '2024-H1', 'CHANNEL');
    expect(partFigures(onTime)).toEqual({
      // c2c d1a d2z on time of c1b c2c c6a c6b c6c d1a d2z
      IN_PERSON: [3, 7, 300 / 7],
      // c1a c2a c3a c5a c5b c6d of those and c2d pa
      ONLINE: [6, 8, 75],
      // c5c of c2b c5c
      POSTAL: [1, 2, 50],
    });
    expect(onTime.parts.map((p) => [p.key, p.label, p.labelEn, p.units])).toEqual([
      ['IN_PERSON', 'Trực tiếp', 'In person', []],
      ['ONLINE', 'Trực tuyến', 'Online', []],
      ['POSTAL', 'Qua dịch vụ bưu chính công ích', 'By public postal service', []],
    ]);
    expectSums(onTime);
    const received = await breakdown('DOSSIER_RECEIVED', P, '2024-H1', 'CHANNEL');
    // received + carried over: in person c1b c2c c6a c6b c6c d1a + d2z carried over = 7;
    // online c1a c2a c2d c3a c4a c5a c5b c6d pa = 9; postal c2b c2e c5c = 3; 19 in all
    expect(partFigures(received)).toEqual({ IN_PERSON: [7, null, 7], ONLINE: [9, null, 9], POSTAL: [3, null, 3] });
    expect(received.total.numerator).toBe(19);
    expectSums(received);
    const pending = await breakdown('DOSSIER_PENDING', P, '2024-H1', 'CHANNEL');
    // c4a online, c2e postal; no channel is left out
    expect(partFigures(pending)).toEqual({ IN_PERSON: [0, null, 0], ONLINE: [1, null, 1], POSTAL: [1, null, 1] });
    expectSums(pending);
  });

  it('splits dossier indicators by procedure field', async () => {
    const onTime = await breakdown('ON_TIME_RATE', P, '2024-H1', 'PROCEDURE_FIELD');
    expect(partFigures(onTime)).toEqual({
      // PA: c1a c2a c3a c5a c5b on time of those and c2b c6a c6b pa = 5/9
      F1: [5, 9, 500 / 9],
      // PB: c2c c5c c6d d1a d2z on time of those and c1b c2d c6c = 5/8
      F2: [5, 8, 62.5],
    });
    expect(onTime.parts.map((p) => [p.key, p.label, p.labelEn])).toEqual([
      ['F1', 'Hộ tịch', 'Hộ tịch'],
      ['F2', 'Đất đai', 'Đất đai'],
    ]);
    expectSums(onTime);
    // Carried over (d2z, PB) and pending (c4a PA, c2e PB) by field
    const received = await breakdown('DOSSIER_RECEIVED', D2, '2024-H1', 'PROCEDURE_FIELD');
    // D2: PA c4a c5a c5b c6a c6b = 5; PB c5c c6c c6d + d2z carried over = 4
    expect(partFigures(received)).toEqual({ F1: [5, null, 5], F2: [4, null, 4] });
    expectSums(received);
    const pending = await breakdown('DOSSIER_PENDING', P, '2024-H1', 'PROCEDURE_FIELD');
    expect(partFigures(pending)).toEqual({ F1: [1, null, 1], F2: [1, null, 1] });
    // C1 resolved nothing in June: no field counts
    expect((await breakdown('ON_TIME_RATE', C1, '2024-06', 'PROCEDURE_FIELD')).parts).toEqual([]);
  });

  it('refuses a dossier dimension for an indicator that reads other figures, and unknown codes', async () => {
    const staff = await errorOf(BREAKDOWN, { code: 'STAFF_COUNT', unitCode: P, period: '2024', by: 'CHANNEL' });
    expect(staff.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'by' });
    expect(staff.message).toContain('STAFF.serving');
    const cross = await errorOf(BREAKDOWN, {
      code: 'DOSSIERS_PER_CIVIL_SERVANT',
      unitCode: P,
      period: '2024',
      by: 'PROCEDURE_FIELD',
    });
    expect(cross.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'by' });
    expect(cross.message).toContain('CROSS.civilServantsOfReceivingUnits');
    const unknown = await errorOf(BREAKDOWN, { code: 'NO_SUCH', unitCode: P, period: '2024', by: 'LEVEL' });
    expect(unknown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'code' });
    const period = await errorOf(BREAKDOWN, { code: 'ON_TIME_RATE', unitCode: P, period: '2024-Q5', by: 'LEVEL' });
    expect(period.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'period' });
    const unit = await errorOf(BREAKDOWN, {
      code: 'ON_TIME_RATE',
      unitCode: '999.99.99.K77',
      period: '2024',
      by: 'LEVEL',
    });
    expect(unit.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'unitCode' });
  });

  // ─── Rankings ───────────────────────────────────────────────────────────────────────────────────────────────────

  const rows = (r: Ranked[] | null) => r!.map((x) => [x.rank, x.unit.code, x.value.numerator, x.value.denominator]);

  it('ranks the communes by on-time rate, ties sharing a rank, null last', async () => {
    const r = await ranking({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-H1' });
    expect(rows(r)).toEqual([
      [1, C5, 3, 3], // 100 %
      [2, C1, 1, 2], // 50 %
      [2, C2, 2, 4], // 50 %, the same fraction: a tie, then by code
      [4, C6, 1, 4], // 25 %
      [null, C4, 0, 0], // nothing resolved: unranked, last
    ]);
    // C3 was dissolved on 2024-04-01: not valid at the end of 2024-H1, not ranked. In 2024-Q1 it was.
    const q1 = await ranking({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-Q1' });
    // Q1: C1 1/2, C2 2/3 (c2a c2c of c2a c2b c2c), C3 1/1, C5 1/1, C6 0/2, C4 0/0
    expect(rows(q1)).toEqual([
      [1, C3, 1, 1],
      [1, C5, 1, 1],
      [3, C2, 2, 3],
      [4, C1, 1, 2],
      [5, C6, 0, 2],
      [null, C4, 0, 0],
    ]);
    expect(r!.map((x) => x.value.unitCode)).toEqual([C5, C1, C2, C6, C4]);
    // Every unit of the fixture is a People's Committee: filtering on that kind keeps them all, on another none.
    const committees = await ranking({
      code: 'ON_TIME_RATE',
      level: 'COMMUNE',
      kind: 'PEOPLES_COMMITTEE',
      period: '2024-H1',
    });
    expect(rows(committees)).toEqual(rows(r));
    const schools = { code: 'ON_TIME_RATE', level: 'COMMUNE', kind: 'PUBLIC_SERVICE_UNIT', period: '2024-H1' };
    expect(await ranking(schools)).toEqual([]);
    expect(await ranking({ ...schools, parentCode: D2 })).toEqual([]);
  });

  it('ranks counts highest first, below a parent and cut to the first few', async () => {
    const r = await ranking({ code: 'DOSSIER_RESOLVED', level: 'COMMUNE', period: '2024-H1' });
    // resolved: C2 4, C6 4, C5 3, C1 2, C4 0 (a count of 0 is a value, ranked)
    expect(rows(r)).toEqual([
      [1, C2, 4, null],
      [1, C6, 4, null],
      [3, C5, 3, null],
      [4, C1, 2, null],
      [5, C4, 0, null],
    ]);
    const below = await ranking({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-H1', parentCode: D2 });
    expect(rows(below)).toEqual([
      [1, C5, 3, 3],
      [2, C6, 1, 4],
      [null, C4, 0, 0],
    ]);
    const districts = await ranking({ code: 'ON_TIME_RATE', level: 'DISTRICT', period: '2024-H1', first: 1 });
    // Both 5/8 (see the breakdown by child unit): tied, the first by code
    expect(rows(districts)).toEqual([[1, D1, 5, 8]]);
    const parent = await errorOf(RANKING, { code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024', parentCode: 'x' });
    expect(parent.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'parentCode' });
    const first = await errorOf(RANKING, { code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024', first: -1 });
    expect(first.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    const code = await errorOf(RANKING, { code: 'NOPE', level: 'COMMUNE', period: '2024' });
    expect(code.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'code' });
  });

  it('costs a fixed number of statements whatever the number of units ranked', async () => {
    const statementsOf = async (variables: Record<string, unknown>) => {
      counted.statements.length = 0;
      const r = await ranking(variables);
      return { units: r!.length, statements: counted.statements.length };
    };
    // The parent checked (it exists), the parent, the units below it, and one statement for the dossier figures of all
    const two = await statementsOf({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-H1', parentCode: D1 });
    const five = await statementsOf({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-H1', parentCode: P });
    expect(two).toEqual({ units: 2, statements: 4 });
    expect(five).toEqual({ units: 5, statements: 4 });
    // Without a parent: the units of the level, then the figures
    const all = await statementsOf({ code: 'ON_TIME_RATE', level: 'COMMUNE', period: '2024-H1' });
    expect(all).toEqual({ units: 5, statements: 2 });
    // Two figure groups (dossiers and cross-system): one more statement, still for every unit at once
    const cross = await statementsOf({ code: 'DOSSIERS_PER_CIVIL_SERVANT', level: 'COMMUNE', period: '2024-H1' });
    expect(cross).toEqual({ units: 5, statements: 3 });
  });

  // ─── Trends ─────────────────────────────────────────────────────────────────────────────────────────────────────

  interface Point {
    code: string;
    period: string;
    convention: string;
    firstDay: string;
    lastDay: string;
    numerator: number;
    denominator: number | null;
    value: number | null;
    unitCode: string;
  }
  async function trend(variables: Record<string, unknown>): Promise<Point[] | null> {
    const { data, errors } = await hub.gql<{ trend: Point[] | null }>(TREND, { code: 'ON_TIME_RATE', ...variables });
    expect(errors).toBeUndefined();
    return data!.trend;
  }
  async function single(unitCode: string, period: string, code: string, convention?: string): Promise<Point> {
    const { data, errors } = await hub.gql<{ indicators: Point[] }>(INDICATORS, {
      unitCode,
      period,
      codes: [code],
      convention,
    });
    expect(errors).toBeUndefined();
    return data!.indicators[0]!;
  }

  it('gives one point per month, each equal to the single month’s evaluation', async () => {
    const points = await trend({ unitCode: P, from: '2024-01', to: '2024-08', step: 'MONTH' });
    expect(points!.map((p) => [p.period, p.numerator, p.denominator, p.value])).toEqual([
      ['2024-01', 4, 5, 80], // c1a c2a c3a d2z of those and c6a
      ['2024-02', 2, 4, 50], // c5a d1a of those and c1b c6b
      ['2024-03', 1, 3, 100 / 3], // c2c of c2b c2c pa
      ['2024-04', 0, 1, 0], // c2d
      ['2024-05', 2, 2, 100], // c5b c5c
      ['2024-06', 1, 2, 50], // c6d of c6c c6d
      ['2024-07', 0, 0, null],
      ['2024-08', 0, 0, null],
    ]);
    // 4 + 2 + 1 + 0 + 2 + 1 = 10 of 5 + 4 + 3 + 1 + 2 + 2 = 17, as the half-year
    expect(sum(points!.slice(0, 6).map((p) => p.numerator))).toBe(10);
    expect(sum(points!.slice(0, 6).map((p) => p.denominator))).toBe(17);
    for (const point of points!) expect(point).toEqual(await single(P, point.period, 'ON_TIME_RATE'));
  });

  it('steps by quarter, half and year, in either convention', async () => {
    const quarters = await trend({ unitCode: D2, from: '2023-Q4', to: '2024-Q2', step: 'QUARTER' });
    // D2: 2023-Q4 nothing; Q1 d2z c5a E + c6a c6b L = 2/4; Q2 c5b c5c c6d of those and c6c = 3/4
    expect(quarters!.map((p) => [p.period, p.numerator, p.denominator])).toEqual([
      ['2023-Q4', 0, 0],
      ['2024-Q1', 2, 4],
      ['2024-Q2', 3, 4],
    ]);
    const halves = await trend({ unitCode: P, from: '2024-H1', to: '2024-H2', step: 'HALF' });
    expect(halves!.map((p) => [p.period, p.numerator, p.denominator])).toEqual([
      ['2024-H1', 10, 17],
      ['2024-H2', 0, 0],
    ]);
    const years = await trend({ unitCode: P, from: '2023', to: '2024', step: 'YEAR', code: 'DOSSIER_RECEIVED' });
    // 2023: d2z received; 2024: 18 received + d2z carried over
    expect(years!.map((p) => [p.period, p.numerator])).toEqual([
      ['2023', 1],
      ['2024', 19],
    ]);
    const reporting = await trend({
      unitCode: P,
      from: '2024-01',
      to: '2024-03',
      step: 'MONTH',
      convention: 'REPORTING',
    });
    // Reporting January is 2023-12-15 … 2024-01-14: c1a c3a d2z early, c6a late (c2a finished on the 20th)
    expect(reporting![0]).toMatchObject({
      firstDay: '2023-12-15',
      lastDay: '2024-01-14',
      numerator: 3,
      denominator: 4,
    });
    for (const point of reporting!) {
      expect(point).toEqual(await single(P, point.period, 'ON_TIME_RATE', 'REPORTING'));
    }
  });

  it('refuses reversed, mixed and too long ranges', async () => {
    const reversed = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: P,
      from: '2024-06',
      to: '2024-01',
      step: 'MONTH',
    });
    expect(reversed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    const mixedFrom = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: P,
      from: '2024-Q1',
      to: '2024-06',
      step: 'MONTH',
    });
    expect(mixedFrom.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
    const mixedTo = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: P,
      from: '2024-Q1',
      to: '2024-06',
      step: 'QUARTER',
    });
    expect(mixedTo.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    const malformed = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: P,
      from: '2024-13',
      to: '2024-12',
      step: 'MONTH',
    });
    expect(malformed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
    // 2015-01 … 2025-01 is 121 months; 2015-01 … 2024-12 is 120, the most
    const long = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: P,
      from: '2015-01',
      to: '2025-01',
      step: 'MONTH',
    });
    expect(long.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    expect(long.message).toContain('121');
    // Years before 2000 are not periods
    const early = await errorOf(TREND, { code: 'ON_TIME_RATE', unitCode: P, from: '1995', to: '2024', step: 'YEAR' });
    expect(early.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from' });
    const unknown = await errorOf(TREND, { code: 'NOPE', unitCode: P, from: '2024', to: '2024', step: 'YEAR' });
    expect(unknown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'code' });
    const nobody = await errorOf(TREND, {
      code: 'ON_TIME_RATE',
      unitCode: 'nobody',
      from: '2024',
      to: '2024',
      step: 'YEAR',
    });
    expect(nobody.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'unitCode' });
  });

  it('evaluates a ten-year monthly trend (120 points)', async () => {
    const points = await trend({ unitCode: C1, from: '2015-01', to: '2024-12', step: 'MONTH' });
    expect(points).toHaveLength(120);
    expect(points![0]!.period).toBe('2015-01');
    expect(points![119]!.period).toBe('2024-12');
    // C1: c1a in January 2024 (early), c1b in February (late)
    expect(points!.filter((p) => p.denominator !== 0).map((p) => [p.period, p.numerator, p.denominator])).toEqual([
      ['2024-01', 1, 1],
      ['2024-02', 0, 1],
    ]);
  }, 60_000);
});

// ─── The store: own figures and splits add up, for every group and figure ───────────────────────────────────────

/**
 * On the figures' own fixture (tests/support/finance-fixture.ts: units valid,
 * dissolved and merged, staff, public service units, budget lines, projects
 * and dossiers), over periods before, across and after dissolutions: the own
 * figures of every unit of a subtree (dissolved ones included) add up to the
 * subtree's, for every figure of every group; and the dossier figures split by
 * channel or field add up to the unsplit ones.
 */
describe.each(testBackends)('own figures and dossier splits on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    await loadFinanceFixture(store.db);
  }, 120_000);
  afterAll(() => store?.dispose());

  const RANGES: DayRange[] = [
    { first: '2021-07-01', last: '2021-12-31' },
    { first: '2023-01-01', last: '2023-06-30' },
    { first: '2023-07-01', last: '2023-12-31' },
    { first: '2022-12-15', last: '2023-06-14' },
    { first: '2024-01-01', last: '2024-12-31' },
  ];
  const ROOTS = [FIN.province, FIN.yenThe, FIN.tanYen, FIN.cauGo];
  const add = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(a).map((name) => [name, a[name]! + b[name]!]));

  it.each(Object.keys(FIGURE_GROUPS) as FigureGroup[])('%s: own figures add up to the subtree’s', async (group) => {
    const figures = FIGURE_GROUPS[group] as unknown as (
      ...args: Parameters<(typeof FIGURE_GROUPS)['STAFF']>
    ) => Promise<Record<string, number>[]>;
    const below = await findDescendantsOfUnits(store.db, ROOTS);
    let nonZero = 0;
    for (const range of RANGES) {
      const subtree = await figures(store.db, ROOTS, range);
      const units = [...new Set([...ROOTS, ...below.map((u) => u.code)])];
      const own = await figures(store.db, units, range, { own: true });
      const ownOf = new Map(units.map((code, i) => [code, own[i]!]));
      ROOTS.forEach((root, i) => {
        const members = [root, ...below.filter((u) => u.root === root).map((u) => u.code)];
        const summed = members.map((code) => ownOf.get(code)!).reduce(add);
        expect(summed).toEqual(subtree[i]);
        nonZero += Object.values(subtree[i]!).filter((v) => v !== 0).length;
      });
    }
    expect(nonZero).toBeGreaterThan(0);
  });

  it('counts a root’s own records only with own', async () => {
    const range = { first: '2023-01-01', last: '2023-06-30' };
    const [subtree] = await FIGURE_GROUPS.PSU(store.db, [FIN.yenThe], range);
    const [own] = await FIGURE_GROUPS.PSU(store.db, [FIN.yenThe], range, { own: true });
    // Yên Thế's 61 public service units at 2023-06-30 are all below it; the district itself is none
    expect(subtree!.psuCount).toBe(61);
    expect(own!.psuCount).toBe(0);
  });

  it('splits every dossier figure by channel and by field without losing a dossier', async () => {
    let nonZero = 0;
    for (const range of RANGES) {
      const totals = await dossierFigures(store.db, ROOTS, range);
      for (const split of ['CHANNEL', 'PROCEDURE_FIELD'] as const) {
        const parts = await dossierFiguresBy(store.db, ROOTS, range, split);
        ROOTS.forEach((_root, i) => {
          const zero = Object.fromEntries(Object.keys(totals[i]!).map((name) => [name, 0]));
          const summed = parts[i]!.map((part) => part.figures as unknown as Record<string, number>).reduce(add, zero);
          expect(summed).toEqual(totals[i]);
          if (split === 'CHANNEL') expect(parts[i]!.map((part) => part.key)).toEqual(['IN_PERSON', 'ONLINE', 'POSTAL']);
        });
      }
      nonZero += totals.reduce((n, t) => n + Object.values(t).filter((v) => v !== 0).length, 0);
    }
    expect(nonZero).toBeGreaterThan(0);
  });
});
