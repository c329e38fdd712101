/**
 * Procedures and dossiers in the graph, on a store filled by a real sync of
 * the `tiny` world. Every expectation is computed here, in plain code, from the
 * world's own records (the wire format, local times parsed with the wire
 * helpers), never by SQL like the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import type { DossierWire, ProcedureWire } from '../../connectors/one-stop-shop/contract.ts';
import { parseCompactLocal, vietnamDay } from '../../connectors/common/wire.ts';
import { DOSSIER_COUNT_OUTCOMES } from '../../store/dossiers.ts';
import { countDossiersOfUnits } from '../../store/units.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig } from '../support/sync-rig.ts';

/** A province-wide consumer that may read personal data (read:pii). */
const PII = 'a-personal-data-reader';

const PROVINCE = '000.00.00.H40';
const COMMUNE = '201.00.00.H40'; // Xã Yên Thế, formed 2025-07-01; its schools sit below it
const SCHOOL = '100.00.12.H40'; // a school under the commune: a grandchild of the province
const AGENCY = '000.19.00.H40'; // Sở Nông nghiệp và Môi trường, with public service units below it
const WITHDRAWN = 'H40.00.03.000-261022-0001'; // withdrawn, its due date long past

const CHANNELS = { 1: 'IN_PERSON', 2: 'ONLINE', 3: 'POSTAL' } as const;
const STATUSES = [
  'REGISTERED',
  'RECEIVED',
  'REFUSED',
  'PROCESSING',
  'SUPPLEMENT_REQUESTED',
  'AWAITING_PAYMENT',
  'WITHDRAWN',
  'STOPPED',
  'PROCESSED',
  'RETURNED',
] as const;
const LEVELS = { TINH: 'PROVINCE', HUYEN: 'DISTRICT', XA: 'COMMUNE' } as const;
const ONLINE_SERVICE = { TOAN_TRINH: 'FULL_PROCESS', MOT_PHAN: 'PARTIAL', KHONG: 'NONE' } as const;

/** A world dossier in the graph's terms, computed by hand from its wire record. */
interface Expected {
  code: string;
  procedureCode: string;
  unitCode: string;
  channel: string;
  status: string;
  receivedAt: Date;
  receivedDay: string;
  dueAt: Date | null;
  finishedAt: Date | null;
  finishedDay: string | null;
  returnedAt: Date | null;
  wire: DossierWire;
}

const instant = (local: string | null | undefined) => (local ? parseCompactLocal(local)! : null);

function expected(wire: DossierWire): Expected {
  const receivedAt = instant(wire.NgayTiepNhan)!;
  const finishedAt = instant(wire.NgayKetThucXuLy);
  return {
    code: wire.MaHoSo,
    procedureCode: wire.MaTTHC,
    unitCode: wire.MaDonVi,
    channel: CHANNELS[wire.KenhThucHien],
    status: STATUSES[wire.TrangThaiHoSo - 1]!,
    receivedAt,
    receivedDay: vietnamDay(receivedAt),
    dueAt: instant(wire.NgayHenTra),
    finishedAt,
    finishedDay: finishedAt && vietnamDay(finishedAt),
    returnedAt: instant(wire.NgayTra),
    wire,
  };
}

/** The outcome rule, written out: finished by Vietnam day against the due day; open by the due instant against now. */
function outcomeOf(d: Expected, now: Date): string | null {
  // Closed without resolution first: such a dossier may carry a finishing time too.
  if (['REFUSED', 'WITHDRAWN', 'STOPPED'].includes(d.status)) return null;
  if (d.finishedAt) {
    if (!d.dueAt) return null;
    const [finished, due] = [vietnamDay(d.finishedAt), vietnamDay(d.dueAt)];
    return finished < due ? 'EARLY' : finished === due ? 'ON_TIME' : 'LATE';
  }
  return d.dueAt && d.dueAt < now ? 'OPEN_OVERDUE' : 'OPEN';
}

/** Newest received first, then by code, both descending. */
const byReceivedDesc = (a: Expected, b: Expected) =>
  b.receivedAt.getTime() - a.receivedAt.getTime() || (a.code < b.code ? 1 : a.code > b.code ? -1 : 0);

/** Lower-case and strip Vietnamese diacritics, independently of the SQL fold_vi(). */
const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();

const DOSSIER_PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: DossierFilter) {
  dossiers(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { code outcome } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Connection {
  totalCount: number;
  edges: { cursor: string; node: { code: string; outcome: string | null } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
}

describe.each(testBackends)('procedures and dossiers in the graph on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;
  let world: MockWorld;
  let all: Expected[];
  let procedures: readonly ProcedureWire[];
  let subtree: (code: string) => Set<string>;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    const mocks = await startMocks(world);
    const rig = syncRig(store.db, world, mocks);
    await rig.engine.runAll({ trigger: 'COMMAND' });
    await rig.close();
    await mocks.close();

    all = world.dossiers(null, null, Number.MAX_SAFE_INTEGER).records.map(expected).sort(byReceivedDesc);
    procedures = world.procedures();
    const children = new Map<string, string[]>();
    for (const unit of world.units(null)) {
      if (unit.maDinhDanhCha)
        children.set(unit.maDinhDanhCha, [...(children.get(unit.maDinhDanhCha) ?? []), unit.maDinhDanh]);
    }
    subtree = (code) => {
      const found = new Set<string>();
      const walk = (c: string) => {
        found.add(c);
        for (const child of children.get(c) ?? []) walk(child);
      };
      walk(code);
      return found;
    };

    counted = countingDb(store.db);
    hub = await startTestHub(counted.db, {
      viewers: { [PII]: testViewer('personal-data-reader', ['read:aggregates', 'read:dossiers', 'read:pii']) },
    });
  });
  afterAll(async () => {
    await hub?.hub.stop(); // closes the store too
    await store?.dispose();
  });

  /** Every page of a dossier connection, forward, checking the page flags on the way. */
  async function walk(filter: Record<string, unknown>, first: number): Promise<Connection['edges']> {
    const edges: Connection['edges'] = [];
    let after: string | undefined;
    for (;;) {
      const { data, errors } = await hub.gql<{ dossiers: Connection }>(DOSSIER_PAGE, { first, after, filter });
      expect(errors).toBeUndefined();
      const page = data!.dossiers;
      expect(page.edges.length).toBeLessThanOrEqual(first);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      edges.push(...page.edges);
      if (!page.pageInfo.hasNextPage) return edges;
      expect(page.edges).toHaveLength(first);
      after = page.pageInfo.endCursor;
    }
  }

  it('synced the whole tiny world (a precondition of every expectation here)', async () => {
    const { data } = await hub.gql('{ dossiers(first: 0) { totalCount } procedures(first: 0) { totalCount } }');
    expect(data).toEqual({ dossiers: { totalCount: all.length }, procedures: { totalCount: procedures.length } });
    expect(all.length).toBeGreaterThan(1000);
  });

  it('walks every dossier, newest first, with no gap or repeat, each with its outcome as of now', async () => {
    const now = new Date();
    const edges = await walk({}, 100);
    expect(edges.map((e) => e.node.code)).toEqual(all.map((d) => d.code));
    expect(edges.map((e) => e.node.outcome)).toEqual(all.map((d) => outcomeOf(d, now)));
    // Every outcome occurs, so each branch of the rule was compared.
    expect(new Set(edges.map((e) => e.node.outcome))).toEqual(
      new Set(['EARLY', 'ON_TIME', 'LATE', 'OPEN', 'OPEN_OVERDUE', null]),
    );
  });

  it('walks backward with last/before to the same order', async () => {
    const filter = { unitCode: AGENCY };
    const codes: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { data, errors } = await hub.gql<{ dossiers: Connection }>(DOSSIER_PAGE, { last: 40, before, filter });
      expect(errors).toBeUndefined();
      codes.unshift(...data!.dossiers.edges.map((e) => e.node.code));
      if (!data!.dossiers.pageInfo.hasPreviousPage) break;
      before = data!.dossiers.pageInfo.startCursor;
    }
    expect(codes).toEqual(all.filter((d) => d.unitCode === AGENCY).map((d) => d.code));
    expect(codes.length).toBeGreaterThan(40 * 3);
  });

  it('counts the online dossiers of a subtree received in a week, by Vietnam day', async () => {
    // Monday 21 to Sunday 27 September 2026, Vietnam days.
    const inWeek = (d: Expected) => d.receivedDay >= '2026-09-21' && d.receivedDay <= '2026-09-27';
    for (const unitCode of [PROVINCE, COMMUNE, AGENCY]) {
      const units = subtree(unitCode);
      const want = all.filter((d) => units.has(d.unitCode) && d.channel === 'ONLINE' && inWeek(d));
      const filter = { unitCode, channel: 'ONLINE', receivedFrom: '2026-09-21', receivedTo: '2026-09-27' };
      const edges = await walk(filter, 30);
      expect(edges.map((e) => e.node.code)).toEqual(want.map((d) => d.code));
      const { data } = await hub.gql(DOSSIER_PAGE, { first: 1, filter });
      expect(data.dossiers.totalCount).toBe(want.length);
    }
    // The province is everything, the commune is its own desk here; the numbers themselves, for the record.
    const week = all.filter((d) => d.channel === 'ONLINE' && inWeek(d));
    expect(week.length).toBe(80);
    expect(week.filter((d) => d.unitCode === COMMUNE).length).toBe(40);
    // The bounds are Vietnam days, not UTC ones: a dossier received before 07:00 on Monday is in the
    // week though its UTC day is Sunday, and one received before 07:00 the next Monday is not.
    const utcDay = (d: Expected) => d.receivedAt.toISOString().slice(0, 10);
    const mondayDawn = all.filter((d) => d.receivedDay === '2026-09-21' && utcDay(d) === '2026-09-20');
    const nextMondayDawn = all.filter((d) => d.receivedDay === '2026-09-28' && utcDay(d) === '2026-09-27');
    expect(mondayDawn.length).toBeGreaterThan(0);
    expect(nextMondayDawn.length).toBeGreaterThan(0);
    const codes = (await walk({ receivedFrom: '2026-09-21', receivedTo: '2026-09-27' }, 100)).map((e) => e.node.code);
    for (const d of mondayDawn) expect(codes).toContain(d.code);
    for (const d of nextMondayDawn) expect(codes).not.toContain(d.code);
  });

  it('takes the whole subtree of a unit, at any depth', async () => {
    // The tiny world receives dossiers only one level below the province, so one is added two levels below.
    await store.db.query(
      `INSERT INTO dossiers (code, procedure_code, unit_code, channel, status, received_at, full_process_online,
                             has_fee, digitised, electronic_result, source_updated_at)
       VALUES ('TEST-DEPTH-0001', $1, $2, 'ONLINE', 'RECEIVED', '2026-09-08T02:00:00Z', false, false, false, false, now())`,
      [procedures[0]!.MaTTHC, SCHOOL],
    );
    try {
      const count = async (unitCode: string) =>
        (await hub.gql(DOSSIER_PAGE, { first: 0, filter: { unitCode } })).data.dossiers.totalCount;
      const own = (codes: Set<string>) => all.filter((d) => codes.has(d.unitCode)).length;
      expect(subtree(COMMUNE).has(SCHOOL)).toBe(true);
      expect(await count(SCHOOL)).toBe(1);
      expect(await count(COMMUNE)).toBe(own(subtree(COMMUNE)) + 1);
      expect(await count(PROVINCE)).toBe(all.length + 1);
      expect(await count(AGENCY)).toBe(own(subtree(AGENCY)));
      const page = await hub.gql(DOSSIER_PAGE, { first: 100, filter: { unitCode: COMMUNE, receivedTo: '2026-09-08' } });
      expect(page.data.dossiers.edges.map((e: any) => e.node.code)).toContain('TEST-DEPTH-0001');
      // A unit with no dossiers in its subtree: empty; one the hub does not know: an error naming it.
      expect(await count('000.00.12.H40')).toBe(0);
      const unknown = await hub.gql(DOSSIER_PAGE, { first: 5, filter: { unitCode: 'no.such' } });
      expect(unknown.data?.dossiers ?? null).toBeNull();
      expect(unknown.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'filter.unitCode',
        unitCode: 'no.such',
      });
    } finally {
      await store.db.query(`DELETE FROM dossiers WHERE code = 'TEST-DEPTH-0001'`);
    }
  });

  it('filters by channel, status, outcome, procedure and finish days', async () => {
    const now = new Date();
    const count = async (filter: Record<string, unknown>) => {
      const { data, errors } = await hub.gql(DOSSIER_PAGE, { first: 0, filter });
      expect(errors).toBeUndefined();
      return data.dossiers.totalCount as number;
    };
    for (const channel of Object.values(CHANNELS)) {
      expect(await count({ channel })).toBe(all.filter((d) => d.channel === channel).length);
    }
    for (const status of STATUSES) {
      expect(await count({ status })).toBe(all.filter((d) => d.status === status).length);
    }
    for (const outcome of ['EARLY', 'ON_TIME', 'LATE', 'OPEN', 'OPEN_OVERDUE']) {
      const want = all.filter((d) => outcomeOf(d, now) === outcome);
      expect(want.length).toBeGreaterThan(0);
      expect(await count({ outcome })).toBe(want.length);
    }
    // The counts' own outcomes (Unit.dossierCounts), by the same rule: closed without resolution, or resolved undated.
    const withdrawnOrRefused = (d: Expected) => ['WITHDRAWN', 'REFUSED'].includes(d.status);
    const stopped = (d: Expected) => d.status === 'STOPPED';
    const extra = {
      WITHDRAWN_OR_REFUSED: withdrawnOrRefused,
      STOPPED: stopped,
      RESOLVED_WITHOUT_DUE_DATE: (d: Expected) =>
        !withdrawnOrRefused(d) && !stopped(d) && d.finishedAt !== null && d.dueAt === null,
    };
    for (const [outcome, rule] of Object.entries(extra)) {
      const want = all.filter(rule);
      if (outcome === 'WITHDRAWN_OR_REFUSED') expect(want.length).toBeGreaterThan(0);
      expect(await count({ outcome }), outcome).toBe(want.length);
      expect(await count({ outcome, unitCode: COMMUNE }), outcome).toBe(
        want.filter((d) => subtree(COMMUNE).has(d.unitCode)).length,
      );
    }
    const busiest = '1.001084';
    expect(await count({ procedureCode: busiest })).toBe(all.filter((d) => d.procedureCode === busiest).length);
    const october = (d: Expected) =>
      d.finishedDay !== null && d.finishedDay >= '2026-10-01' && d.finishedDay <= '2026-10-31';
    expect(await count({ finishedFrom: '2026-10-01', finishedTo: '2026-10-31' })).toBe(all.filter(october).length);
    const lateInCommune = all.filter((d) => d.unitCode === COMMUNE && october(d) && outcomeOf(d, now) === 'LATE');
    const edges = await walk(
      { unitCode: COMMUNE, outcome: 'LATE', finishedFrom: '2026-10-01', finishedTo: '2026-10-31' },
      5,
    );
    expect(edges.map((e) => e.node.code)).toEqual(lateInCommune.map((d) => d.code));
    // One day as both bounds is a range of one day.
    expect(await count({ receivedFrom: '2026-09-07', receivedTo: '2026-09-07' })).toBe(
      all.filter((d) => d.receivedDay === '2026-09-07').length,
    );
  });

  it('answers one dossier with every field, its procedure and its unit, personal data masked', async () => {
    const d = all.find((x) => x.status === 'RETURNED' && x.wire.DuocThanhToanTrucTuyen === 2)!;
    const DOSSIER = `query($code: String!) { dossier(code: $code) {
        id code channel status receivedAt dueAt finishedAt returnedAt outcome fullProcessOnline hasFee paidOnline
        onlinePaymentChannel digitised electronicResult applicantName applicantNameMasked applicantPhone
        applicantPhoneMasked syncedAt procedure { code name } unit { code name }
      } }`;
    const { data, errors } = await hub.gql(DOSSIER, { code: d.code });
    // The anonymous development consumer has no read:pii: the real values are null, each with a FORBIDDEN error.
    expect(errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['dossier.applicantName', 'FORBIDDEN'],
      ['dossier.applicantPhone', 'FORBIDDEN'],
    ]);
    expect(data.dossier).toMatchObject({ applicantName: null, applicantPhone: null });
    const procedure = procedures.find((p) => p.MaTTHC === d.procedureCode)!;
    const unit = world.units(null).find((u) => u.maDinhDanh === d.unitCode)!;
    expect(data.dossier).toMatchObject({
      code: d.code,
      channel: d.channel,
      status: 'RETURNED',
      receivedAt: d.receivedAt.toISOString(),
      dueAt: d.dueAt!.toISOString(),
      finishedAt: d.finishedAt!.toISOString(),
      returnedAt: d.returnedAt!.toISOString(),
      outcome: outcomeOf(d, new Date()),
      fullProcessOnline: d.wire.ToanTrinh === 1,
      hasFee: true,
      paidOnline: true,
      onlinePaymentChannel: 'PROVINCE_GATEWAY',
      digitised: d.wire.HoSoCoThanhPhanSoHoa === 1,
      electronicResult: d.wire.KetQuaDienTu === 1,
      procedure: { code: procedure.MaTTHC, name: procedure.TenTTHC },
      unit: { code: unit.maDinhDanh, name: unit.tenDonVi },
    });
    // Masked: the given name's initial and the phone's last 3 digits, behind fixed prefixes; never the real value.
    const name = data.dossier.applicantNameMasked as string;
    const holder = d.wire.ChuHoSo!;
    const givenName = holder.normalize('NFC').split(' ').at(-1)!;
    expect(name).toBe(`*** ${givenName[0]}.`);
    const phone = d.wire.SoDienThoai!;
    expect(data.dossier.applicantPhoneMasked).toBe(`*******${phone.replace(/\D/g, '').slice(-3)}`);
    expect(data.dossier.applicantPhoneMasked).not.toBe(phone);
    expect(JSON.stringify(data)).not.toContain(holder);
    // With read:pii, the real values, as the upstream sent them.
    const whole = await hub.gql(DOSSIER, { code: d.code }, PII);
    expect(whole.errors).toBeUndefined();
    expect(whole.data.dossier).toMatchObject({
      applicantName: holder.normalize('NFC'),
      applicantPhone: phone,
      applicantNameMasked: name,
    });
  });

  it('gives a dossier closed without being resolved no outcome, however late', async () => {
    const { data } = await hub.gql(`{ dossier(code: "${WITHDRAWN}") { status dueAt finishedAt outcome } }`);
    expect(data.dossier).toEqual({
      status: 'WITHDRAWN',
      dueAt: '2026-11-12T10:00:00.000Z',
      finishedAt: null,
      outcome: null,
    });
  });

  it('returns null for unknown codes, not an error', async () => {
    expect(await hub.gql('{ dossier(code: "no.such") { code } procedure(code: "no.such") { code } }')).toEqual({
      data: { dossier: null, procedure: null },
    });
  });

  it('round-trips dossier and procedure global IDs through node', async () => {
    const d = all[0]!;
    const { data } = await hub.gql(`{ dossier(code: "${d.code}") { id procedure { id code } } }`);
    const nodes = await hub.gql(
      'query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Dossier { code } ... on Procedure { code } } }',
      { ids: [data.dossier.id, data.dossier.procedure.id] },
    );
    expect(nodes.data.nodes).toEqual([
      { __typename: 'Dossier', code: d.code },
      { __typename: 'Procedure', code: d.procedureCode },
    ]);
    expect(data.dossier.id).not.toContain(d.code);
  });

  it('answers bad arguments with precise BAD_USER_INPUT errors', async () => {
    const reversed = await hub.gql(DOSSIER_PAGE, {
      first: 5,
      filter: { receivedFrom: '2026-09-13', receivedTo: '2026-09-07' },
    });
    expect(reversed.errors?.[0]).toMatchObject({
      message: '"receivedFrom" (2026-09-13) is after "receivedTo" (2026-09-07)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const finished = await hub.gql(DOSSIER_PAGE, {
      first: 5,
      filter: { finishedFrom: '2026-10-02', finishedTo: '2026-10-01' },
    });
    expect(finished.errors?.[0]).toMatchObject({
      message: '"finishedFrom" (2026-10-02) is after "finishedTo" (2026-10-01)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const nested = await hub.gql(
      '{ procedure(code: "1.001084") { dossiers(filter: { receivedFrom: "2026-09-02", receivedTo: "2026-09-01" }) { totalCount } } }',
    );
    expect(nested.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooBig = await hub.gql(DOSSIER_PAGE, { first: 101 });
    expect(tooBig.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    for (const after of [
      'garbage!',
      Buffer.from('yesterday H40').toString('base64url'),
      Buffer.from('2026-09-01T00:00:00.000Z').toString('base64url'),
    ]) {
      const bad = await hub.gql(DOSSIER_PAGE, { first: 5, after });
      expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(bad.errors?.[0]?.message).toMatch(/^Invalid cursor/);
    }
    const badDay = await hub.gql(DOSSIER_PAGE, { first: 5, filter: { receivedFrom: '2026-02-30' } });
    expect(badDay.errors?.[0]?.message).toMatch(/Date must be a real day/);
  });

  it('gives a procedure its fields, from the catalogue', async () => {
    const p = procedures.find((x) => x.CapThucHien.length > 1)!;
    const { data, errors } = await hub.gql(
      `{ procedure(code: "${p.MaTTHC}") { code name fieldCode fieldName levels onlineService hasFee syncedAt } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.procedure).toMatchObject({
      code: p.MaTTHC,
      name: p.TenTTHC,
      fieldCode: p.MaLinhVuc,
      fieldName: p.TenLinhVuc,
      onlineService: ONLINE_SERVICE[p.MucDoDVC],
      hasFee: p.CoPhiLePhi,
    });
    expect([...data.procedure.levels].sort()).toEqual(p.CapThucHien.map((l) => LEVELS[l]).sort());
  });

  it('pages through procedures by code and filters them', async () => {
    const PAGE = `query($first: Int, $after: String, $filter: ProcedureFilter) {
      procedures(first: $first, after: $after, filter: $filter) {
        totalCount edges { node { code } } pageInfo { hasNextPage endCursor }
      }
    }`;
    const codes = async (filter: Record<string, unknown>, first = 30) => {
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const { data, errors } = await hub.gql(PAGE, { first, after, filter });
        expect(errors).toBeUndefined();
        seen.push(...data.procedures.edges.map((e: any) => e.node.code));
        expect(data.procedures.totalCount).toBeGreaterThanOrEqual(seen.length);
        if (!data.procedures.pageInfo.hasNextPage) return seen;
        after = data.procedures.pageInfo.endCursor;
      }
    };
    const want = (keep: (p: ProcedureWire) => boolean) =>
      procedures
        .filter(keep)
        .map((p) => p.MaTTHC)
        .sort();
    expect(await codes({})).toEqual(want(() => true));
    expect(await codes({ fieldCode: 'HT' }, 7)).toEqual(want((p) => p.MaLinhVuc === 'HT'));
    expect(await codes({ level: 'DISTRICT' })).toEqual(want((p) => p.CapThucHien.includes('HUYEN')));
    expect(await codes({ onlineService: 'FULL_PROCESS', level: 'COMMUNE' })).toEqual(
      want((p) => p.MucDoDVC === 'TOAN_TRINH' && p.CapThucHien.includes('XA')),
    );
    // Each word begins a word of the name, ignoring case and diacritics.
    const search = (words: string) => (p: ProcedureWire) => {
      const nameWords = fold(p.TenTTHC).split(/[\s()[\],.;:/"-]+/);
      return fold(words)
        .split(/\s+/)
        .filter(Boolean)
        .every((w) => nameWords.some((n) => n.startsWith(w)));
    };
    expect(await codes({ search: 'KHAI SINH' })).toEqual(want(search('khai sinh')));
    expect(await codes({ search: 'khai sinh' })).toHaveLength(3);
    expect(await codes({ search: 'đăng ký' })).toEqual(want(search('dang ky')));
    expect((await codes({ search: 'dang ky' })).length).toBeGreaterThan(3);
    expect(await codes({ search: 'ai sinh' })).toEqual([]);
    // Words in brackets begin words too.
    const bracketed = await codes({ search: 'dang ky thanh lap cong ty' });
    expect(bracketed).toEqual(want(search('dang ky thanh lap cong ty')));
    expect(bracketed).toContain('1.001343'); // "… (đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên)"
    expect(await codes({ search: '100%' })).toEqual([]);
  });

  it("pages through a procedure's own dossiers, filtered", async () => {
    const now = new Date();
    const busiest = '1.001084';
    const want = all.filter((d) => d.procedureCode === busiest && d.channel === 'ONLINE');
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data, errors } = await hub.gql(
        `query($after: String) { procedure(code: "${busiest}") {
          dossiers(first: 9, after: $after, filter: { channel: ONLINE }) {
            totalCount edges { node { code outcome procedure { code } } } pageInfo { hasNextPage endCursor }
          } } }`,
        { after },
      );
      expect(errors).toBeUndefined();
      const page: { totalCount: number; edges: any[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
        data.procedure.dossiers;
      expect(page.totalCount).toBe(want.length);
      for (const e of page.edges) expect(e.node.procedure.code).toBe(busiest);
      seen.push(...page.edges.map((e: any) => e.node.code));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(want.map((d) => d.code));
    // The same field on a whole page of procedures, each with its own first dossiers and count.
    const { data } = await hub.gql(`{ procedures(first: 40) { edges { node { code
      dossiers(first: 2, filter: { outcome: EARLY }) { totalCount edges { node { code } } } } } } }`);
    for (const { node } of data.procedures.edges) {
      const own = all.filter((d) => d.procedureCode === node.code && outcomeOf(d, now) === 'EARLY');
      expect(node.dossiers.totalCount).toBe(own.length);
      expect(node.dossiers.edges.map((e: any) => e.node.code)).toEqual(own.slice(0, 2).map((d) => d.code));
    }
  });

  it.each([5, 50])(
    'loads a page of %i dossiers with procedure and unit in three statements (no N+1)',
    async (first) => {
      counted.statements.length = 0;
      const { data, errors } = await hub.gql(`{
      dossiers(first: ${first}) { edges { node { code procedure { name } unit { name parent { code } } } } }
    }`);
      expect(errors).toBeUndefined();
      expect(data.dossiers.edges).toHaveLength(first);
      // the page; every procedure in one batch; every unit in one batch; their parents in one more
      const kinds = counted.statements.map((sql) =>
        sql.includes('FROM dossiers') ? 'page' : sql.includes('FROM procedures') ? 'procedures' : 'units',
      );
      expect(kinds.sort()).toEqual(['page', 'procedures', 'units', 'units']);
    },
  );

  it.each([5, 50])('loads the dossiers of a page of %i procedures in a fixed number of statements', async (first) => {
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(`{
      procedures(first: ${first}) { totalCount edges { node { code
        dossiers(first: 3, filter: { channel: ONLINE }) { totalCount edges { node { code unit { name } } } }
        again: dossiers(first: 3, filter: { channel: ONLINE }) { totalCount }
      } } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.procedures.edges).toHaveLength(first);
    // procedures page and count; every procedure's dossier page in one statement and their counts
    // in one (the alias with the same arguments shares them); every unit in one batch
    expect(counted.statements).toHaveLength(5);
  });

  it('counts each unit’s own dossiers by outcome from the rollups, whole months and partial ones (Unit.dossierCounts)', async () => {
    const now = new Date();
    const units = [COMMUNE, AGENCY, PROVINCE, 'no.such'];
    /** The count's outcome rule, written out: left without resolution, resolved by day, open by the due instant. */
    const countOutcomeOf = (d: Expected) =>
      ['WITHDRAWN', 'REFUSED'].includes(d.status)
        ? 'WITHDRAWN_OR_REFUSED'
        : d.status === 'STOPPED'
          ? 'STOPPED'
          : d.finishedAt
            ? (outcomeOf(d, now) ?? 'RESOLVED_WITHOUT_DUE_DATE')
            : d.dueAt && d.dueAt < now
              ? 'OPEN_OVERDUE'
              : 'OPEN';
    const ranges = [
      {}, // everything
      { from: '2026-01-01', to: '2026-12-31' }, // whole months only
      { from: '2026-03-17', to: '2026-10-04' }, // partial months at both ends
      { from: '2026-05-10', to: '2026-05-20' }, // inside one month
      { to: '2026-08-09' },
      { from: '2026-02-28' },
    ];
    let nonZero = 0;
    for (const range of ranges) {
      const lists = await countDossiersOfUnits(store.db, units, range);
      units.forEach((unit, i) => {
        const want = new Map<string, number>(DOSSIER_COUNT_OUTCOMES.map((o) => [o, 0]));
        for (const d of all) {
          if (d.unitCode !== unit) continue;
          if (range.from && d.receivedDay < range.from) continue;
          if (range.to && d.receivedDay > range.to) continue;
          want.set(countOutcomeOf(d), want.get(countOutcomeOf(d))! + 1);
        }
        expect(new Map(lists[i]!.map((r) => [r.outcome, r.count])), `${unit} ${JSON.stringify(range)}`).toEqual(want);
        nonZero += [...want.values()].filter((n) => n > 0).length;
      });
    }
    expect(nonZero).toBeGreaterThan(20); // the comparison is not between empty lists
    // Its own dossiers only: the province receives none itself.
    expect((await countDossiersOfUnits(store.db, [PROVINCE]))[0]!.every((r) => r.count === 0)).toBe(true);
  });
});
