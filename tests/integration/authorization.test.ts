/**
 * Authorisation in the graph (issue 9): scopes on types and fields, unit
 * scoping, personal data and admin operations, through a real hub socket on a
 * small province built here. For each rule a consumer that has the scope (or
 * the unit) sees the data and one that lacks it does not: through root
 * fields, node(id), nodes, connections (pages and totalCount) and nested
 * fields. Every expected list and count is read off the fixture below.
 *
 *   P    UBND tỉnh (province)
 *   ├─ D1    UBND huyện 1: 1 dossier of its own (HS-D1-1), staff ST-03
 *   │  ├─ S1    public service unit: finance 2024 (group 2 assigned, 50 of 100 own revenue: a mismatch)
 *   │  ├─ C11   UBND xã: dossiers HS-C11-1 … HS-C11-3, staff ST-01, ST-02
 *   │  └─ C12   UBND xã: dossiers HS-C12-1, HS-C12-2 (HS-C12-2 is due before it was received)
 *   └─ D2    UBND huyện 2
 *      ├─ S2    public service unit: finance 2024 (group 2 assigned, 100 of 100: no mismatch), staff ST-05
 *      └─ C21   UBND xã: dossiers HS-C21-1, HS-C21-2, staff ST-04
 *
 * So D1's subtree holds units D1, S1, C11, C12; dossiers 6 of 8; staff 3 of 5.
 * Every dossier was received in March 2024, so DOSSIER_RECEIVED for 2024 is
 * the count of the subtree's dossiers.
 */
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../schema/index.ts';
import { SCOPES, type Scope } from '../../store/access.ts';
import type { Queryable } from '../../store/db.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertBudgetExecutionLines, upsertPsuFinance } from '../../store/finance.ts';
import type { Dossier, Staff } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { quarantine } from '../../store/sync.ts';
import { upsertUnits } from '../../store/units.ts';
import { startTestHub, testViewer, type GraphQLResponse, type TestHub } from '../support/hub.ts';
import { RECORDED_AT, unit, vn } from '../support/records.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.Z01';
const D1 = '000.00.11.Z01';
const S1 = '000.60.11.Z01';
const C11 = '001.11.00.Z01';
const C12 = '002.11.00.Z01';
const D2 = '000.00.12.Z01';
const S2 = '000.60.12.Z01';
const C21 = '001.12.00.Z01';
const PROCEDURE = '1.000001';

const UNITS = [
  unit(P, null, 'PROVINCE'),
  unit(D1, P, 'DISTRICT'),
  unit(S1, D1, 'DISTRICT', { kind: 'PUBLIC_SERVICE_UNIT', sector: 'HEALTH' }),
  unit(C11, D1, 'COMMUNE'),
  unit(C12, D1, 'COMMUNE'),
  unit(D2, P, 'DISTRICT'),
  unit(S2, D2, 'DISTRICT', { kind: 'PUBLIC_SERVICE_UNIT', sector: 'HEALTH' }),
  unit(C21, D2, 'COMMUNE'),
];

/** Applicants: a name and a phone each (the last dossier of C11 has neither). */
const APPLICANTS: Record<string, [string | null, string | null]> = {
  'HS-D1-1': ['Hoàng Văn Đức', '0987000001'],
  'HS-C11-1': ['Nguyễn Văn An', '0912345678'],
  'HS-C11-2': ['Trần Thị Bình', '0912000002'],
  'HS-C11-3': [null, null],
  'HS-C12-1': ['Lê Văn Cường', '0912000003'],
  'HS-C12-2': ['Phạm Thị Dung', '0912000004'],
  'HS-C21-1': ['Vũ Văn Em', '0912000005'],
  'HS-C21-2': ['Đỗ Thị Giang', '0912000006'],
};
const UNIT_OF = (code: string) => ({ D1, C11, C12, C21 })[code.split('-')[1] as 'D1' | 'C11' | 'C12' | 'C21'];

/** Dossier n (in the order above) was received on 2024-03-(n+1) at 09:00 Vietnam time, due 5 days later. */
const DOSSIERS: Dossier[] = Object.entries(APPLICANTS).map(([code, [applicantName, applicantPhone]], n) => {
  const receivedAt = vn(`2024-03-${String(n + 2).padStart(2, '0')} 09:00`);
  const dueBeforeReceived = code === 'HS-C12-2';
  return {
    code,
    procedureCode: PROCEDURE,
    unitCode: UNIT_OF(code)!,
    channel: 'ONLINE',
    status: 'RECEIVED',
    applicantName,
    applicantPhone,
    receivedAt,
    dueAt: new Date(receivedAt.getTime() + (dueBeforeReceived ? -1 : 5) * 86_400_000),
    finishedAt: null,
    returnedAt: null,
    fullProcessOnline: true,
    hasFee: false,
    onlinePayment: null,
    digitised: false,
    electronicResult: false,
    sourceUpdatedAt: receivedAt,
  };
});
const D1_DOSSIERS = ['HS-D1-1', 'HS-C11-1', 'HS-C11-2', 'HS-C11-3', 'HS-C12-1', 'HS-C12-2'];

const person = (id: string, unitCode: string, fullName: string, birthDate: string | null, gender: Staff['gender']) =>
  ({
    id,
    fullName,
    birthDate,
    gender,
    unitCode,
    category: 'CIVIL_SERVANT',
    rankCode: '01.003',
    position: null,
    qualification: 'BACHELOR',
    meetsStandard: true,
    status: 'SERVING',
    sourceUpdatedAt: RECORDED_AT,
  }) satisfies Staff;

const STAFF: Staff[] = [
  person('ST-01', C11, 'Nguyễn Thị Hoa', '1985-04-12', 'FEMALE'),
  person('ST-02', C11, 'Nguyễn Văn Hùng', null, 'MALE'),
  person('ST-03', D1, 'Trần Văn Khải', '1979-11-30', 'MALE'),
  person('ST-04', C21, 'Nguyễn Văn Long', '1990-01-05', 'MALE'),
  person('ST-05', S2, 'Lê Thị Mai', '1988-08-08', 'FEMALE'),
];

async function buildFixture(db: Queryable) {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, [
    {
      code: PROCEDURE,
      name: 'Đăng ký khai sinh',
      fieldCode: 'G09-HT',
      fieldName: 'Hộ tịch',
      levels: ['COMMUNE'],
      onlineService: 'FULL_PROCESS',
      hasFee: false,
    },
  ]);
  await upsertDossiers(db, DOSSIERS);
  await upsertStaff(db, STAFF);
  await upsertPsuFinance(db, [
    {
      unitCode: S1,
      year: 2024,
      autonomyGroup: 2,
      decisionNo: '1/QĐ-UBND',
      ownRevenue: '50',
      recurrentExpenditure: '100',
    },
    {
      unitCode: S2,
      year: 2024,
      autonomyGroup: 2,
      decisionNo: '2/QĐ-UBND',
      ownRevenue: '100',
      recurrentExpenditure: '100',
    },
  ]);
  const line = { year: 2024, month: 6, chapterCode: '622', categoryCode: '132', itemCode: '6000', subItemCode: '6001' };
  await upsertBudgetExecutionLines(db, [
    { unitCode: S1, direction: 'SPENDING', estimate: '1000', executed: '400', ...line },
    { unitCode: S2, direction: 'SPENDING', estimate: '2000', executed: '500', ...line },
  ]);
  await quarantine(db, 'one-stop-shop/dossiers', [
    { key: 'HS-BAD-1', reason: 'NgayTiepNhan: invalid date', raw: '{"ChuHoSo":"Ngô Văn Phúc"}', retryable: false },
  ]);
}

const READS: Scope[] = ['read:aggregates', 'read:dossiers', 'read:staff', 'read:finance'];

/** Bearer tokens and the consumers they act as. */
const VIEWERS = {
  province: testViewer('province-reader', [...READS, 'read:pii']),
  provinceNoPii: testViewer('province-no-pii', READS),
  district: testViewer('district-reader', [...READS, 'read:pii'], D1),
  districtNoPii: testViewer('district-no-pii', READS, D1),
  aggregates: testViewer('aggregates-only', ['read:aggregates']),
  aggregatesDossiers: testViewer('aggregates-and-dossiers', ['read:aggregates', 'read:dossiers']),
  dossiers: testViewer('dossiers-only', ['read:dossiers']),
  staff: testViewer('staff-only', ['read:staff']),
  finance: testViewer('finance-only', ['read:finance']),
  admin: testViewer('province-admin', SCOPES),
  adminNoPii: testViewer('admin-without-pii', ['read:aggregates', 'admin']),
  districtAdmin: testViewer('district-admin', SCOPES, D1),
};
type Token = keyof typeof VIEWERS;

/** What each request's audit trail held once it had executed, in order. */
interface Audited {
  consumer: string;
  personalData: { field: string; recordId: string }[];
  adminOperations: string[];
}

/** A Yoga plugin that copies each request's audit trail when its execution is done. */
function auditCapture(into: Audited[]): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as Context;
      return {
        onExecuteDone() {
          into.push({
            consumer: ctx.viewer.consumer,
            personalData: [...ctx.audit.personalData],
            adminOperations: [...ctx.audit.adminOperations],
          });
        },
      };
    },
  };
}

const forbidden = (response: GraphQLResponse) =>
  (response.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');

describe.each(testBackends)('authorisation in the graph on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;
  const audited: Audited[] = [];
  /** Global IDs, read by an administrator. */
  const ids: Record<string, string> = {};

  const as = <Data = any>(token: Token | null, query: string, variables?: Record<string, unknown>) =>
    hub.gql<Data>(query, variables, token ?? undefined);

  /** The audit trail of the last request. */
  const lastAudit = () => audited.at(-1)!;
  /** The audit log's newest entry: an admin change writes its own, in the change's transaction. */
  const newestEntry = async () =>
    (
      await store.db.query<{ consumer: string; adminOperations: string[] }>(
        'SELECT consumer, admin_operations AS "adminOperations" FROM audit_log ORDER BY id DESC LIMIT 1',
      )
    )[0];

  beforeAll(async () => {
    store = await openTestStore(backend);
    await buildFixture(store.db);
    hub = await startTestHub(store.db, { viewers: VIEWERS, plugins: [auditCapture(audited)] });
    const { data, errors } = await as(
      'admin',
      `{ d1: unit(code: "${D1}") { id } d2: unit(code: "${D2}") { id } c11: unit(code: "${C11}") { id }
         c21dossier: dossier(code: "HS-C21-1") { id } c11dossier: dossier(code: "HS-C11-1") { id }
         st01: staffMember(id: "ST-01") { id } st04: staffMember(id: "ST-04") { id }
         s1: unit(code: "${S1}") { autonomy(year: 2024) { id } } s2: unit(code: "${S2}") { autonomy(year: 2024) { id } }
         f1: finance(unitCode: "${S1}", year: 2024) { id } f2: finance(unitCode: "${S2}", year: 2024) { id } }`,
    );
    expect(errors).toBeUndefined();
    for (const [key, value] of Object.entries(data)) {
      ids[key] = (value as { id?: string; autonomy?: { id: string } }).id ?? (value as any).autonomy.id;
    }
  }, 120_000);
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  describe('read:aggregates', () => {
    const AGGREGATE_FIELDS: [string, string][] = [
      ['units', '{ units { totalCount } }'],
      ['unit', `{ unit(code: "${D1}") { name } }`],
      ['procedures', '{ procedures { totalCount } }'],
      ['indicators', `{ indicators(unitCode: "${D1}", period: "2024", codes: ["DOSSIER_RECEIVED"]) { value } }`],
      ['indicatorCatalog', '{ indicatorCatalog { code } }'],
      ['ranking', '{ ranking(code: "DOSSIER_RECEIVED", level: COMMUNE, period: "2024") { rank } }'],
      [
        'trend',
        `{ trend(code: "DOSSIER_RECEIVED", unitCode: "${D1}", from: "2024", to: "2024", step: YEAR) { value } }`,
      ],
      [
        'indicatorBreakdown',
        `{ indicatorBreakdown(code: "DOSSIER_RECEIVED", unitCode: "${D1}", period: "2024", by: LEVEL) { by } }`,
      ],
      ['dataQuality', `{ dataQuality(unitCode: "${D1}", period: "2024") { ruleCode } }`],
      ['dataQualityRules', '{ dataQualityRules { code } }'],
      ['sources', '{ sources { name } }'],
      ['quarantine', '{ quarantine(source: ONE_STOP_SHOP) { edges { node { key } } } }'],
    ];

    it.each(AGGREGATE_FIELDS)('answers %s to a consumer with the scope', async (_, query) => {
      const response = await as('aggregates', query);
      expect(response.errors).toBeUndefined();
      expect(response.data).not.toBeNull();
    });

    it.each(AGGREGATE_FIELDS)('refuses %s to consumers without it (FORBIDDEN, no data)', async (field, query) => {
      for (const token of ['dossiers', 'staff', 'finance'] as const) {
        const response = await as(token, query);
        // Nullable fields answer null; a refused non-null field nulls the whole response.
        expect(response.data?.[field] ?? null).toBeNull();
        expect(forbidden(response)).toHaveLength(1);
        expect(forbidden(response)[0]!.message).toBe(`Query.${field}: needs the read:aggregates scope`);
      }
    });

    it('keeps the counts beneath a unit from a consumer that reads it only as a row’s label', async () => {
      const response = await as('dossiers', `{ dossier(code: "HS-C11-1") { unit { name childCount } } }`);
      expect(response.data?.dossier ?? null).toBeNull(); // childCount is non-null: its refusal nulls the dossier
      expect(forbidden(response).map((e) => e.message)).toEqual(['Unit.childCount: needs the read:aggregates scope']);
      const labelled = await as('dossiers', `{ dossier(code: "HS-C11-1") { unit { code name parent { code } } } }`);
      expect(labelled).toEqual({
        data: { dossier: { unit: { code: C11, name: `Đơn vị ${C11}`, parent: { code: D1 } } } },
      });
    });
  });

  describe('read:dossiers', () => {
    it('shows dossiers through the root fields, node(id), nodes and Procedure.dossiers', async () => {
      const list = await as('dossiers', '{ dossiers(first: 100) { totalCount edges { node { code } } } }');
      expect(list.errors).toBeUndefined();
      expect(list.data.dossiers.totalCount).toBe(8);
      expect(list.data.dossiers.edges.map((e: any) => e.node.code).sort()).toEqual(Object.keys(APPLICANTS).sort());
      const one = await as(
        'dossiers',
        `query($id: ID!) { dossier(code: "HS-C21-1") { code } node(id: $id) { ... on Dossier { code } } }`,
        {
          id: ids.c21dossier,
        },
      );
      expect(one).toEqual({ data: { dossier: { code: 'HS-C21-1' }, node: { code: 'HS-C21-1' } } });
      const byProcedure = await as(
        'aggregatesDossiers',
        `{ procedure(code: "${PROCEDURE}") { dossiers(first: 2) { totalCount edges { node { code } } } } }`,
      );
      expect(byProcedure.errors).toBeUndefined();
      expect(byProcedure.data.procedure.dossiers.totalCount).toBe(8);
    });

    it('refuses dossiers to a consumer without the scope, however they are reached', async () => {
      const list = await as('aggregates', '{ dossiers { totalCount } }');
      expect(list.data ?? null).toBeNull();
      expect(forbidden(list).map((e) => e.message)).toEqual(['Query.dossiers: needs the read:dossiers scope']);

      const single = await as('aggregates', '{ dossier(code: "HS-C11-1") { code } }');
      expect(single.data).toEqual({ dossier: null });
      expect(forbidden(single)).toHaveLength(1);

      const node = await as('aggregates', 'query($id: ID!) { node(id: $id) { id ... on Dossier { code } } }', {
        id: ids.c11dossier,
      });
      expect(node.data).toEqual({ node: null });
      expect(forbidden(node)).toHaveLength(1);
      expect(forbidden(node)[0]!.message).toContain('read:dossiers');

      const nodes = await as('aggregates', 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Unit { code } } }', {
        ids: [ids.d1, ids.c11dossier],
      });
      expect(nodes.data).toEqual({ nodes: [{ id: ids.d1, code: D1 }, null] });
      expect(forbidden(nodes).map((e) => e.path)).toEqual([['nodes', 1]]);

      const nested = await as('aggregates', `{ procedure(code: "${PROCEDURE}") { name dossiers { totalCount } } }`);
      expect(nested.data).toEqual({ procedure: null });
      expect(forbidden(nested).map((e) => e.message)).toEqual(['Procedure.dossiers: needs the read:dossiers scope']);
    });
  });

  describe('read:staff', () => {
    it('shows staff to a consumer with the scope', async () => {
      const list = await as('staff', '{ staff(first: 100) { totalCount edges { node { staffId fullNameMasked } } } }');
      expect(list.errors).toBeUndefined();
      expect(list.data.staff.totalCount).toBe(5);
      expect(list.data.staff.edges.map((e: any) => e.node.staffId)).toEqual(STAFF.map((s) => s.id));
      expect(list.data.staff.edges[0].node.fullNameMasked).toBe('*** H.');
      const node = await as('staff', 'query($id: ID!) { node(id: $id) { ... on Staff { staffId } } }', {
        id: ids.st04,
      });
      expect(node).toEqual({ data: { node: { staffId: 'ST-04' } } });
    });

    it('refuses staff without it: list, staffMember, node(id)', async () => {
      const list = await as('dossiers', '{ staff { totalCount } }');
      expect(forbidden(list).map((e) => e.message)).toEqual(['Query.staff: needs the read:staff scope']);
      const member = await as('finance', '{ staffMember(id: "ST-01") { staffId } }');
      expect(member.data).toEqual({ staffMember: null });
      expect(forbidden(member)).toHaveLength(1);
      const node = await as('aggregates', 'query($id: ID!) { node(id: $id) { id } }', { id: ids.st01 });
      expect(node.data).toEqual({ node: null });
      expect(forbidden(node)[0]!.message).toContain('read:staff');
    });
  });

  describe('read:finance', () => {
    const FINANCE = `query($id: ID!) {
      finance(unitCode: "${S1}", year: 2024) { execution { spending { estimate executed } } }
      node(id: $id) { ... on PsuAutonomy { assignedGroup computedGroup } }
    }`;

    it('shows finance rows to a consumer with the scope', async () => {
      const response = await as('finance', FINANCE, { id: ids.s1 });
      expect(response).toEqual({
        data: {
          finance: { execution: { spending: { estimate: '1000', executed: '400' } } },
          node: { assignedGroup: 2, computedGroup: 3 },
        },
      });
    });

    it('refuses them without it, and Unit.autonomy nested in a unit', async () => {
      const response = await as('aggregates', FINANCE, { id: ids.s1 });
      expect(response.data).toEqual({ finance: null, node: null });
      expect(forbidden(response)).toHaveLength(2);
      const nested = await as('aggregates', `{ unit(code: "${S1}") { name autonomy(year: 2024) { assignedGroup } } }`);
      expect(nested.data).toEqual({ unit: { name: `Đơn vị ${S1}`, autonomy: null } });
      expect(forbidden(nested).map((e) => e.message)).toEqual(['Unit.autonomy: needs the read:finance scope']);
    });
  });

  describe('row identifiers behind data-quality violations', () => {
    const QUALITY = `{ dataQuality(unitCode: "${D1}", period: "2024") { ruleCode unitCode records } }`;

    it('lists the records to a consumer with the rows’ scope, and not to one with aggregates only', async () => {
      const allowed = await as('aggregatesDossiers', QUALITY);
      const due = allowed.data.dataQuality.find((v: any) => v.ruleCode === 'DOSSIER_DUE_BEFORE_RECEIVED');
      expect(due).toEqual({ ruleCode: 'DOSSIER_DUE_BEFORE_RECEIVED', unitCode: C12, records: ['HS-C12-2'] });
      // The PSU mismatch of S1 is finance: its records need read:finance, which this consumer lacks.
      const mismatch = allowed.data.dataQuality.find((v: any) => v.ruleCode === 'PSU_GROUP_MISMATCH');
      expect(mismatch).toEqual({ ruleCode: 'PSU_GROUP_MISMATCH', unitCode: S1, records: null });
      expect(forbidden(allowed).map((e) => e.message)).toEqual([
        'DataQualityViolation.records: needs the read:finance scope',
      ]);

      const refused = await as('aggregates', QUALITY);
      const refusedDue = refused.data.dataQuality.find((v: any) => v.ruleCode === 'DOSSIER_DUE_BEFORE_RECEIVED');
      expect(refusedDue).toEqual({ ruleCode: 'DOSSIER_DUE_BEFORE_RECEIVED', unitCode: C12, records: null });
      expect(forbidden(refused).map((e) => e.message)).toContain(
        'DataQualityViolation.records: needs the read:dossiers scope',
      );
    });
  });

  describe('read:pii', () => {
    const PERSONAL = `{
      staffMember(id: "ST-01") { staffId fullName fullNameMasked birthDate birthDateMasked gender }
      dossier(code: "HS-C11-1") { code applicantName applicantNameMasked applicantPhone applicantPhoneMasked }
    }`;

    it('answers personal data with the scope, and writes each value returned to the audit trail', async () => {
      const response = await as('province', PERSONAL);
      expect(response).toEqual({
        data: {
          staffMember: {
            staffId: 'ST-01',
            fullName: 'Nguyễn Thị Hoa',
            fullNameMasked: '*** H.',
            birthDate: '1985-04-12',
            birthDateMasked: '****-**-**',
            gender: 'FEMALE',
          },
          dossier: {
            code: 'HS-C11-1',
            applicantName: 'Nguyễn Văn An',
            applicantNameMasked: '*** A.',
            applicantPhone: '0912345678',
            applicantPhoneMasked: '*******678',
          },
        },
      });
      expect(lastAudit().consumer).toBe('province-reader');
      expect(lastAudit().personalData).toEqual(
        expect.arrayContaining([
          { field: 'Staff.fullName', recordId: 'ST-01' },
          { field: 'Staff.birthDate', recordId: 'ST-01' },
          { field: 'Staff.gender', recordId: 'ST-01' },
          { field: 'Dossier.applicantName', recordId: 'HS-C11-1' },
          { field: 'Dossier.applicantPhone', recordId: 'HS-C11-1' },
        ]),
      );
      expect(lastAudit().personalData).toHaveLength(5);
    });

    it('audits only the values a page returns, not the null ones', async () => {
      const response = await as(
        'province',
        `{ dossiers(first: 2, filter: { unitCode: "${C11}" }) { edges { node { code applicantName } } } }`,
      );
      // C11's dossiers newest first: HS-C11-3 (no applicant recorded), then HS-C11-2.
      expect(response.data.dossiers.edges).toEqual([
        { node: { code: 'HS-C11-3', applicantName: null } },
        { node: { code: 'HS-C11-2', applicantName: 'Trần Thị Bình' } },
      ]);
      expect(lastAudit().personalData).toEqual([{ field: 'Dossier.applicantName', recordId: 'HS-C11-2' }]);
    });

    it('answers null with a FORBIDDEN error per field without the scope, the masked forms still there', async () => {
      for (const token of ['provinceNoPii', null] as const) {
        const response = await as(token, PERSONAL);
        expect(response.data).toEqual({
          staffMember: {
            staffId: 'ST-01',
            fullName: null,
            fullNameMasked: '*** H.',
            birthDate: null,
            birthDateMasked: '****-**-**',
            gender: null,
          },
          dossier: {
            code: 'HS-C11-1',
            applicantName: null,
            applicantNameMasked: '*** A.',
            applicantPhone: null,
            applicantPhoneMasked: '*******678',
          },
        });
        expect(
          forbidden(response)
            .map((e) => e.path!.join('.'))
            .sort(),
        ).toEqual([
          'dossier.applicantName',
          'dossier.applicantPhone',
          'staffMember.birthDate',
          'staffMember.fullName',
          'staffMember.gender',
        ]);
        expect(forbidden(response).map((e) => e.message)).toContain('Staff.fullName: needs the read:pii scope');
        expect(JSON.stringify(response)).not.toContain('Nguyễn Thị Hoa');
        expect(lastAudit().personalData).toEqual([]);
      }
    });

    it('searches staff by name only with the scope, auditing the people found', async () => {
      const SEARCH = '{ staff(filter: { search: "nguyen van" }) { totalCount edges { node { staffId } } } }';
      const refused = await as('provinceNoPii', SEARCH);
      expect(refused.data ?? null).toBeNull();
      expect(forbidden(refused)).toEqual([
        expect.objectContaining({
          message: 'filter.search matches staff by full name, which is personal data: it needs the read:pii scope',
          extensions: expect.objectContaining({ argument: 'filter.search' }),
        }),
      ]);
      const found = await as('province', SEARCH);
      expect(found.data.staff).toEqual({
        totalCount: 2,
        edges: [{ node: { staffId: 'ST-02' } }, { node: { staffId: 'ST-04' } }],
      });
      expect(lastAudit().personalData).toEqual([
        { field: 'StaffFilter.search', recordId: 'ST-02' },
        { field: 'StaffFilter.search', recordId: 'ST-04' },
      ]);
    });
  });

  describe('admin', () => {
    const SET = `mutation { setIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${C11}", year: 2024, target: 97.5) {
      unitCode target setBy } }`;
    const TARGET = `{ indicators(unitCode: "${C11}", period: "2024", codes: ["ON_TIME_RATE"]) { target targetSource } }`;

    it('refuses target mutations without the scope and changes nothing', async () => {
      for (const token of ['province', null] as const) {
        const response = await as(token, SET);
        expect(response.data ?? null).toBeNull();
        expect(forbidden(response).map((e) => e.message)).toEqual([
          'Mutation.setIndicatorTarget: needs the admin scope',
        ]);
        expect(lastAudit().adminOperations).toEqual([]);
      }
      expect((await as('province', TARGET)).data.indicators[0].targetSource).toBe('DEFAULT');
    });

    it('sets a target as the consumer, records the admin operation, and removes it', async () => {
      const response = await as('admin', SET);
      expect(response).toEqual({
        data: { setIndicatorTarget: { unitCode: C11, target: 97.5, setBy: 'province-admin' } },
      });
      expect(await newestEntry()).toEqual({ consumer: 'province-admin', adminOperations: ['setIndicatorTarget'] });
      expect((await as('province', TARGET)).data.indicators[0]).toEqual({
        target: 97.5,
        targetSource: 'STORED_FOR_UNIT',
      });
      const removed = await as(
        'admin',
        `mutation { removeIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${C11}", year: 2024) { target } }`,
      );
      expect(removed).toEqual({ data: { removeIndicatorTarget: { target: 97.5 } } });
      expect(await newestEntry()).toEqual({ consumer: 'province-admin', adminOperations: ['removeIndicatorTarget'] });
    });

    it('lets a unit-bound administrator set targets in its subtree only', async () => {
      const outside = await as('districtAdmin', SET.replace(C11, C21));
      expect(outside.data ?? null).toBeNull();
      expect(outside.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'unitCode' }),
        }),
      ]);
      const inside = await as('districtAdmin', SET);
      expect(inside.data.setIndicatorTarget.setBy).toBe('district-admin');
      await as(
        'admin',
        `mutation { removeIndicatorTarget(code: "ON_TIME_RATE", unitCode: "${C11}", year: 2024) { target } }`,
      );
    });

    it('runs syncNow only for an administrator (this hub syncs nothing, so the admin gets BAD_USER_INPUT)', async () => {
      const SYNC = 'mutation { syncNow(source: BUDGET) { name } }';
      expect(forbidden(await as('province', SYNC)).map((e) => e.message)).toEqual([
        'Mutation.syncNow: needs the admin scope',
      ]);
      const admitted = await as('admin', SYNC);
      expect(admitted.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(lastAudit().adminOperations).toEqual(['syncNow']);
    });

    it('shows a quarantined raw payload only with admin and read:pii, and audits it', async () => {
      const RAW = '{ quarantine(source: ONE_STOP_SHOP) { edges { node { key reason rawPayload } } } }';
      const shown = await as('admin', RAW);
      expect(shown).toEqual({
        data: {
          quarantine: {
            edges: [
              {
                node: {
                  key: 'HS-BAD-1',
                  reason: 'NgayTiepNhan: invalid date',
                  rawPayload: '{"ChuHoSo":"Ngô Văn Phúc"}',
                },
              },
            ],
          },
        },
      });
      expect(lastAudit().personalData).toEqual([
        { field: 'QuarantinedRecord.rawPayload', recordId: 'one-stop-shop/dossiers/HS-BAD-1' },
      ]);
      for (const token of ['adminNoPii', 'province'] as const) {
        const hidden = await as(token, RAW);
        expect(hidden.data.quarantine.edges[0].node).toEqual({
          key: 'HS-BAD-1',
          reason: 'NgayTiepNhan: invalid date',
          rawPayload: null,
        });
        expect(forbidden(hidden)).toHaveLength(1);
      }
    });
  });

  describe('unit scoping', () => {
    it('narrows the unit list, its pages and totalCount to the subtree', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: GraphQLResponse = await as(
          'district',
          'query($after: String) { units(first: 3, after: $after) { totalCount edges { node { code } } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        expect(page.errors).toBeUndefined();
        expect(page.data.units.totalCount).toBe(4);
        seen.push(...page.data.units.edges.map((e: any) => e.node.code));
        if (!page.data.units.pageInfo.hasNextPage) break;
        after = page.data.units.pageInfo.endCursor;
      }
      expect(seen).toEqual([D1, S1, C11, C12].sort());
      const province = await as('province', '{ units { totalCount } }');
      expect(province.data.units.totalCount).toBe(UNITS.length);
    });

    it('refuses a unit argument outside the subtree as it refuses an unknown unit: BAD_USER_INPUT naming the argument', async () => {
      const cases: [string, string, string][] = [
        [`{ units(filter: { parentCode: "${D2}" }) { totalCount } }`, 'filter.parentCode', D2],
        [`{ dossiers(filter: { unitCode: "${C21}" }) { totalCount } }`, 'filter.unitCode', C21],
        [`{ staff(filter: { unitCode: "${P}" }) { totalCount } }`, 'filter.unitCode', P],
        [`{ finance(unitCode: "${S2}", year: 2024) { year } }`, 'unitCode', S2],
        [`{ indicators(unitCode: "${D2}", period: "2024") { value } }`, 'unitCode', D2],
        [
          `{ trend(code: "DOSSIER_RECEIVED", unitCode: "${C21}", from: "2024", to: "2024", step: YEAR) { value } }`,
          'unitCode',
          C21,
        ],
        [
          `{ indicatorBreakdown(code: "DOSSIER_RECEIVED", unitCode: "${P}", period: "2024", by: CHILD_UNIT) { by } }`,
          'unitCode',
          P,
        ],
        [
          `{ ranking(code: "DOSSIER_RECEIVED", level: COMMUNE, period: "2024", parentCode: "${D2}") { rank } }`,
          'parentCode',
          D2,
        ],
        [`{ dataQuality(unitCode: "${D2}", period: "2024") { ruleCode } }`, 'unitCode', D2],
      ];
      const UNKNOWN = '999.99.99.Z99';
      /** The errors as a client compares them: all but the request id, which differs per request. */
      const errorsOf = (response: GraphQLResponse) =>
        JSON.stringify(
          response.errors?.map(({ extensions: { requestId: _id, ...rest } = {}, ...e }) => ({ ...e, rest })),
        );
      for (const [query, argument, outside] of cases) {
        const refused = await as('district', query);
        expect(refused.data?.[Object.keys(refused.data ?? {})[0]!] ?? null, query).toBeNull();
        expect(refused.errors, query).toEqual([
          expect.objectContaining({
            message: `unknown or not visible unit "${outside}" (argument ${argument})`,
            extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument, unitCode: outside }),
          }),
        ]);
        // An unknown unit gets the same answer, byte for byte: nothing tells which codes exist outside the subtree.
        const unknown = (token: Token) => as(token, query.replace(outside, UNKNOWN));
        expect(errorsOf(await unknown('district')).replaceAll(UNKNOWN, outside), query).toBe(errorsOf(refused));
        // For a consumer that sees the whole province: answered, and an unknown unit is the same error.
        expect((await as('province', query)).errors, query).toBeUndefined();
        expect(errorsOf(await unknown('province')).replaceAll(UNKNOWN, outside), query).toBe(errorsOf(refused));
      }
    });

    it('narrows dossiers and staff (pages and totalCount) and Procedure.dossiers to the subtree', async () => {
      const dossiers = await as(
        'district',
        '{ dossiers(first: 4) { totalCount edges { node { code } } pageInfo { hasNextPage } } }',
      );
      expect(dossiers.data.dossiers.totalCount).toBe(6);
      // Newest received first: D1_DOSSIERS were received one day apart in that order.
      expect(dossiers.data.dossiers.edges.map((e: any) => e.node.code)).toEqual([...D1_DOSSIERS].reverse().slice(0, 4));
      expect(dossiers.data.dossiers.pageInfo.hasNextPage).toBe(true);
      const commune = await as('district', `{ dossiers(filter: { unitCode: "${C11}" }) { totalCount } }`);
      expect(commune.data.dossiers.totalCount).toBe(3);
      const byProcedure = await as('district', `{ procedure(code: "${PROCEDURE}") { dossiers { totalCount } } }`);
      expect(byProcedure.data.procedure.dossiers.totalCount).toBe(6);
      const staff = await as('district', '{ staff { totalCount edges { node { staffId } } } }');
      expect(staff.data.staff).toEqual({
        totalCount: 3,
        edges: [{ node: { staffId: 'ST-01' } }, { node: { staffId: 'ST-02' } }, { node: { staffId: 'ST-03' } }],
      });
      // A name search is narrowed too: "nguyen van" finds ST-02 in D1's subtree, not ST-04 of C21.
      const search = await as('district', '{ staff(filter: { search: "nguyen van" }) { totalCount } }');
      expect(search.data.staff.totalCount).toBe(1);
    });

    it('answers single objects outside the subtree as unknown (null, no error), by their root field, node(id) and nodes', async () => {
      const response = await as(
        'district',
        `query($d2: ID!, $c11: ID!, $dossier: ID!, $staff: ID!, $autonomy: ID!, $finance: ID!) {
          unit(code: "${D2}") { code }
          dossier(code: "HS-C21-1") { code }
          staffMember(id: "ST-04") { staffId }
          d2: node(id: $d2) { id }
          dossierNode: node(id: $dossier) { id }
          staffNode: node(id: $staff) { id }
          autonomyNode: node(id: $autonomy) { id }
          financeNode: node(id: $finance) { id }
          nodes(ids: [$c11, $d2]) { ... on Unit { code } }
        }`,
        { d2: ids.d2, c11: ids.c11, dossier: ids.c21dossier, staff: ids.st04, autonomy: ids.s2, finance: ids.f2 },
      );
      expect(response.data).toEqual({
        unit: null,
        dossier: null,
        staffMember: null,
        d2: null,
        dossierNode: null,
        staffNode: null,
        autonomyNode: null,
        financeNode: null,
        nodes: [{ code: C11 }, null],
      });
      expect(response.errors).toBeUndefined();
      expect(JSON.stringify(response)).not.toContain('Vũ Văn Em');
      // The same objects inside the subtree are answered.
      const inside = await as(
        'district',
        `query($id: ID!, $f: ID!) { unit(code: "${C11}") { code } dossier(code: "HS-C11-1") { unit { code } }
          staffMember(id: "ST-01") { unit { code } } node(id: $id) { ... on PsuAutonomy { year } }
          finance: node(id: $f) { ... on Finance { unitCode } } }`,
        { id: ids.s1, f: ids.f1 },
      );
      expect(inside).toEqual({
        data: {
          unit: { code: C11 },
          dossier: { unit: { code: C11 } },
          staffMember: { unit: { code: C11 } },
          node: { year: 2024 },
          finance: { unitCode: S1 },
        },
      });
    });

    it('gives byte-identical answers for a record outside the subtree and an unknown key', async () => {
      /** The raw answer to a lookup: status and body as bytes, nothing parsed. */
      const raw = async (query: string, variables: Record<string, unknown>) => {
        const response = await fetch(`${hub.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer district' },
          body: JSON.stringify({ query, variables }),
        });
        return `${response.status} ${await response.text()}`;
      };
      const globalId = (typename: string, key: string) => Buffer.from(`${typename}:${key}`).toString('base64');
      const lookups: [string, Record<string, unknown>, Record<string, unknown>][] = [
        ['query($k: String!) { staffMember(id: $k) { staffId fullName } }', { k: 'ST-04' }, { k: 'ST-99' }],
        ['query($k: String!) { dossier(code: $k) { code applicantName } }', { k: 'HS-C21-1' }, { k: 'HS-C21-9' }],
        ['query($k: String!) { unit(code: $k) { code name } }', { k: D2 }, { k: '999.99.99.Z01' }],
        ['query($k: ID!) { node(id: $k) { id } }', { k: ids.st04 }, { k: globalId('Staff', 'ST-99') }],
        ['query($k: ID!) { node(id: $k) { id } }', { k: ids.f2 }, { k: globalId('Finance', `${S2}/1999`) }],
        ['query($k: [ID!]!) { nodes(ids: $k) { id } }', { k: [ids.c21dossier] }, { k: [globalId('Dossier', 'X')] }],
      ];
      for (const [query, outside, unknown] of lookups) {
        const answer = await raw(query, outside);
        expect(answer, query).toBe(await raw(query, unknown));
        expect(answer, query).not.toContain('FORBIDDEN');
      }
      // The subtree's own records are answered, so the lookups above did look.
      expect(await raw(lookups[0]![0], { k: 'ST-01' })).toContain('"staffId":"ST-01"');
    });

    it('ends the tree at the root of the subtree: parent null, ancestors up to the root, no errors', async () => {
      const TREE = `{ root: unit(code: "${D1}") { parent { code } ancestors { code } }
        commune: unit(code: "${C11}") { parent { code } ancestors { code } } }`;
      expect(await as('district', TREE)).toEqual({
        data: { root: { parent: null, ancestors: [] }, commune: { parent: { code: D1 }, ancestors: [{ code: D1 }] } },
      });
      expect(await as('province', TREE)).toEqual({
        data: {
          root: { parent: { code: P }, ancestors: [{ code: P }] },
          commune: { parent: { code: D1 }, ancestors: [{ code: D1 }, { code: P }] },
        },
      });
    });

    it('evaluates indicators of units in the subtree only: rankings, breakdowns and Unit.indicators', async () => {
      const indicators = await as(
        'district',
        `{ indicators(unitCode: "${D1}", period: "2024", codes: ["DOSSIER_RECEIVED"]) { value orgUnit { code } } }`,
      );
      expect(indicators.data.indicators).toEqual([{ value: 6, orgUnit: { code: D1 } }]);

      const RANKING =
        '{ ranking(code: "DOSSIER_RECEIVED", level: COMMUNE, period: "2024") { rank unit { code } value { value } } }';
      expect((await as('district', RANKING)).data.ranking).toEqual([
        { rank: 1, unit: { code: C11 }, value: { value: 3 } },
        { rank: 2, unit: { code: C12 }, value: { value: 2 } },
      ]);
      expect((await as('province', RANKING)).data.ranking).toEqual([
        { rank: 1, unit: { code: C11 }, value: { value: 3 } },
        // A tie shares the rank and is listed by code: 001.12.00 before 002.11.00.
        { rank: 2, unit: { code: C21 }, value: { value: 2 } },
        { rank: 2, unit: { code: C12 }, value: { value: 2 } },
      ]);
      // Districts ranked for the district consumer: its own district only (the root is in its subtree).
      const districts = await as(
        'district',
        '{ ranking(code: "DOSSIER_RECEIVED", level: DISTRICT, kind: PEOPLES_COMMITTEE, period: "2024") { unit { code } value { value } } }',
      );
      expect(districts.data.ranking).toEqual([{ unit: { code: D1 }, value: { value: 6 } }]);

      const breakdown = await as(
        'district',
        `{ indicatorBreakdown(code: "DOSSIER_RECEIVED", unitCode: "${D1}", period: "2024", by: CHILD_UNIT) {
          total { value } parts { key numerator } } }`,
      );
      expect(breakdown.data.indicatorBreakdown).toEqual({
        total: { value: 6 },
        parts: [
          { key: S1, numerator: 0 },
          { key: C11, numerator: 3 },
          { key: C12, numerator: 2 },
          { key: 'OWN', numerator: 1 },
        ],
      });

      const perUnit = await as(
        'district',
        `{ units(filter: { level: COMMUNE }) { edges { node { code indicators(period: "2024", codes: ["DOSSIER_RECEIVED"]) { value } } } } }`,
      );
      expect(perUnit.data.units.edges).toEqual([
        { node: { code: C11, indicators: [{ value: 3 }] } },
        { node: { code: C12, indicators: [{ value: 2 }] } },
      ]);
    });

    it('refuses quarantined records to a unit-bound consumer (they cannot be placed in a unit)', async () => {
      const response = await as('district', '{ quarantine(source: ONE_STOP_SHOP) { edges { node { key } } } }');
      expect(response.data ?? null).toBeNull();
      expect(forbidden(response)).toHaveLength(1);
    });

    it('audits the personal data a unit-bound consumer reads through a narrowed list', async () => {
      const response = await as('district', '{ staff { edges { node { staffId fullName } } } }');
      expect(response.data.staff.edges.map((e: any) => e.node.fullName)).toEqual([
        'Nguyễn Thị Hoa',
        'Nguyễn Văn Hùng',
        'Trần Văn Khải',
      ]);
      const { consumer, personalData, adminOperations } = lastAudit();
      expect({ consumer, adminOperations }).toEqual({ consumer: 'district-reader', adminOperations: [] });
      expect(personalData.map((read) => `${read.field} ${read.recordId}`).sort()).toEqual([
        'Staff.fullName ST-01',
        'Staff.fullName ST-02',
        'Staff.fullName ST-03',
      ]);
    });
  });

  describe('the anonymous development consumer', () => {
    it('reads every row type but not personal data or admin operations', async () => {
      const response = await as(
        null,
        `{ units { totalCount } dossiers { totalCount } staff { totalCount } finance(unitCode: "${S1}", year: 2024) { year }
           staffMember(id: "ST-03") { fullNameMasked fullName } }`,
      );
      expect(response.data).toEqual({
        units: { totalCount: UNITS.length },
        dossiers: { totalCount: 8 },
        staff: { totalCount: 5 },
        finance: { year: 2024 },
        staffMember: { fullNameMasked: '*** K.', fullName: null },
      });
      expect(forbidden(response).map((e) => e.message)).toEqual(['Staff.fullName: needs the read:pii scope']);
      expect(lastAudit()).toMatchObject({ consumer: 'anonymous', personalData: [] });
    });
  });
});
