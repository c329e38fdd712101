import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import {
  upsertBudgetExecutionLines,
  upsertInvestmentDisbursements,
  upsertInvestmentProjects,
  upsertPsuFinance,
} from '../../store/finance.ts';
import type {
  BudgetExecutionLine,
  Dossier,
  InvestmentDisbursement,
  Procedure,
  PsuFinance,
  Staff,
  Unit,
} from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import { defineUpsert } from '../../store/upsert.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';

const UNIT = '000.00.12.H40';
const OTHER_UNIT = '000.00.13.H40';
const PROCEDURE = '1.001193';
const JAN = new Date('2024-01-01T00:00:00Z');
const FEB = new Date('2024-02-01T00:00:00Z');
const MAR = new Date('2024-03-01T00:00:00Z');
/** 2^53 + 1: the smallest whole number a JavaScript number cannot hold. */
const PAST_SAFE = '9007199254740993';
const MAX_BIGINT = '9223372036854775807';

const unit = (code: string): Unit => ({
  code,
  budgetCode: null,
  name: `Đơn vị ${code}`,
  parentCode: null,
  level: 'DISTRICT',
  kind: 'PEOPLES_COMMITTEE',
  sector: null,
  headcountQuota: null,
  validFrom: null,
  validTo: null,
  sourceUpdatedAt: JAN,
});

const procedure = (code: string, extra: Partial<Procedure> = {}): Procedure => ({
  code,
  name: 'Đăng ký khai sinh',
  fieldCode: 'HT',
  fieldName: 'Hộ tịch',
  levels: ['PROVINCE', 'COMMUNE'],
  onlineService: 'FULL_PROCESS',
  hasFee: false,
  ...extra,
});

const dossier = (code: string, extra: Partial<Dossier> = {}): Dossier => ({
  code,
  procedureCode: PROCEDURE,
  unitCode: UNIT,
  channel: 'ONLINE',
  status: 'RETURNED',
  applicantName: 'Nguyễn Văn A',
  applicantPhone: '0912345678',
  receivedAt: new Date('2024-06-14T02:05:12Z'),
  dueAt: new Date('2024-06-17T10:00:00Z'),
  finishedAt: new Date('2024-06-17T03:15:00Z'),
  returnedAt: new Date('2024-06-17T07:30:00Z'),
  fullProcessOnline: true,
  hasFee: true,
  onlinePayment: 'PROVINCE_GATEWAY',
  digitised: true,
  electronicResult: false,
  sourceUpdatedAt: FEB,
  ...extra,
});

const staff = (id: string, extra: Partial<Staff> = {}): Staff => ({
  id,
  fullName: 'Trần Thị B',
  birthDate: '1988-11-02',
  gender: 'FEMALE',
  unitCode: UNIT,
  category: 'CIVIL_SERVANT',
  rankCode: '01.003',
  position: 'Chuyên viên',
  qualification: 'BACHELOR',
  meetsStandard: true,
  status: 'SERVING',
  sourceUpdatedAt: FEB,
  ...extra,
});

const psuFinance = (extra: Partial<PsuFinance> = {}): PsuFinance => ({
  unitCode: UNIT,
  year: 2024,
  autonomyGroup: 3,
  decisionNo: '50/QĐ-UBND',
  ownRevenue: '1250000000',
  recurrentExpenditure: '6100000000',
  ...extra,
});

const executionLine = (extra: Partial<BudgetExecutionLine> = {}): BudgetExecutionLine => ({
  unitCode: UNIT,
  year: 2024,
  month: 6,
  direction: 'SPENDING',
  chapterCode: '418',
  categoryCode: '341',
  itemCode: '6000',
  subItemCode: '6001',
  estimate: '1520000000',
  executed: '812000000',
  ...extra,
});

const disbursement = (extra: Partial<InvestmentDisbursement> = {}): InvestmentDisbursement => ({
  projectCode: 'DA-2024-0117',
  year: 2024,
  month: 5,
  capitalPlan: '12500000000',
  disbursedToDate: '3400000000',
  ...extra,
});

// Read back in the canonical shape, so a round trip compares with toEqual.
const DOSSIER_COLUMNS = `code, procedure_code AS "procedureCode", unit_code AS "unitCode", channel, status,
  applicant_name AS "applicantName", applicant_phone AS "applicantPhone", received_at AS "receivedAt",
  due_at AS "dueAt", finished_at AS "finishedAt", returned_at AS "returnedAt",
  full_process_online AS "fullProcessOnline", has_fee AS "hasFee", online_payment AS "onlinePayment",
  digitised, electronic_result AS "electronicResult", source_updated_at AS "sourceUpdatedAt"`;
const STAFF_COLUMNS = `id, full_name AS "fullName", birth_date AS "birthDate", gender, unit_code AS "unitCode", category,
  rank_code AS "rankCode", position, qualification, meets_standard AS "meetsStandard", status,
  source_updated_at AS "sourceUpdatedAt"`;

describe.each(testBackends)('store upserts on %s', (backend) => {
  let store: TestStore;
  const query = <Row>(sql: string, params?: unknown[]) => store.db.query<Row>(sql, params);
  const count = async (table: string) => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await upsertUnits(store.db, [unit(UNIT), unit(OTHER_UNIT)]);
  });
  afterAll(() => store.dispose());

  beforeEach(async () => {
    await store.db.exec(`TRUNCATE dossiers, staff, psu_finance, budget_execution_lines, investment_disbursements,
                                  investment_projects, procedures CASCADE`);
    await upsertProcedures(store.db, [procedure(PROCEDURE)]);
  });

  it('writes nothing, and sends no statement, for an empty batch', async () => {
    const { db, statements } = countingDb(store.db);
    expect(await upsertDossiers(db, [])).toBe(0);
    expect(await upsertStaff(db, [])).toBe(0);
    expect(await upsertPsuFinance(db, [])).toBe(0);
    expect(statements).toEqual([]);
  });

  it('carries text arrays whose elements hold commas, quotes, braces, backslashes or the word NULL', async () => {
    // No canonical text[] column can hold such values today (levels are a closed list): a scratch table can.
    await store.db.exec(
      'CREATE TABLE IF NOT EXISTS scratch_tags (k text PRIMARY KEY, tags text[], synced_at timestamptz)',
    );
    const upsertTags = defineUpsert<{ k: string; tags: string[] | null }>({
      table: 'scratch_tags',
      key: ['k'],
      versioned: false,
      columns: { k: ['text', (r) => r.k], tags: ['text[]', (r) => r.tags] },
    });
    const rows = [
      { k: 'a', tags: ['x, y', '"quoted"', '{braced}', 'back\\slash', 'NULL', '', 'Hộ tịch'] },
      { k: 'b', tags: [] },
      { k: 'c', tags: null },
    ];
    expect(await upsertTags(store.db, rows)).toBe(3);
    expect(await query('SELECT k, tags FROM scratch_tags ORDER BY k')).toEqual(rows);
  });

  describe('procedures', () => {
    it('inserts, re-upserts idempotently, and lets the latest read win', async () => {
      const other = procedure('1.000001', { levels: ['DISTRICT'], onlineService: 'NONE', hasFee: true });
      expect(await upsertProcedures(store.db, [procedure(PROCEDURE), other])).toBe(1); // PROCEDURE is already stored, identically, by beforeAll
      expect(await upsertProcedures(store.db, [procedure(PROCEDURE), other])).toBe(0); // identical rows are not rewritten
      expect(await count('procedures')).toBe(2);

      const renamed = procedure(PROCEDURE, { name: 'Đăng ký khai sinh lưu động'.normalize('NFD'), levels: [] });
      expect(await upsertProcedures(store.db, [renamed])).toBe(1);
      const rows = await query(
        `SELECT code, name, field_name, levels, online_service, has_fee FROM procedures ORDER BY code`,
      );
      expect(rows).toEqual([
        {
          code: '1.000001',
          name: 'Đăng ký khai sinh',
          field_name: 'Hộ tịch',
          levels: ['DISTRICT'],
          online_service: 'NONE',
          has_fee: true,
        },
        {
          code: PROCEDURE,
          name: 'Đăng ký khai sinh lưu động'.normalize('NFC'),
          field_name: 'Hộ tịch',
          levels: [],
          online_service: 'FULL_PROCESS',
          has_fee: false,
        },
      ]);
    });
  });

  describe('dossiers', () => {
    it('round-trips every field, nulls and awkward text included', async () => {
      const full = dossier('HS-1');
      const open = dossier('HS-2', {
        status: 'PROCESSING',
        channel: 'POSTAL',
        // characters that mean something in an array literal or to a CSV-minded driver are data
        applicantName: 'Nguyễn "Văn" A, {B} \\ NULL',
        applicantPhone: null,
        dueAt: null,
        finishedAt: null,
        returnedAt: null,
        onlinePayment: null,
        fullProcessOnline: false,
        hasFee: false,
      });
      const anonymous = dossier('HS-3', { applicantName: null, applicantPhone: 'NULL' });
      expect(await upsertDossiers(store.db, [full, open, anonymous])).toBe(3);
      expect(await query(`SELECT ${DOSSIER_COLUMNS} FROM dossiers ORDER BY code`)).toEqual([full, open, anonymous]);
      const paid = await query<{ code: string }>(`SELECT code FROM dossiers WHERE paid_online ORDER BY code`);
      expect(paid.map((row) => row.code)).toEqual(['HS-1', 'HS-3']);
    });

    it('re-upserts idempotently and never lets an older version overwrite a newer one', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => dossier(`HS-${String(i).padStart(4, '0')}`));
      expect(await upsertDossiers(store.db, batch)).toBe(1000);
      // the same version again is rewritten, unchanged
      expect(await upsertDossiers(store.db, batch)).toBe(0); // identical rows are not rewritten
      expect(await count('dossiers')).toBe(1000);

      const older = dossier('HS-0001', {
        status: 'PROCESSING',
        finishedAt: null,
        returnedAt: null,
        sourceUpdatedAt: JAN,
      });
      const newer = dossier('HS-0002', { status: 'PROCESSED', returnedAt: null, sourceUpdatedAt: MAR });
      expect(await upsertDossiers(store.db, [older, newer])).toBe(1);
      const rows = await query<Dossier>(
        `SELECT ${DOSSIER_COLUMNS} FROM dossiers WHERE code IN ('HS-0001', 'HS-0002') ORDER BY code`,
      );
      expect(rows).toEqual([batch[1], newer]);
    });

    it('marks a rewritten row as synced again', async () => {
      await upsertDossiers(store.db, [dossier('HS-1')]);
      const syncedAt = async () =>
        (await query<{ synced_at: Date }>(`SELECT synced_at FROM dossiers WHERE code = 'HS-1'`))[0]!.synced_at;
      const first = await syncedAt();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await upsertDossiers(store.db, [dossier('HS-1', { sourceUpdatedAt: MAR })]);
      expect((await syncedAt()).getTime()).toBeGreaterThan(first.getTime());
    });

    it('keeps the newest version of a dossier that comes twice in one batch, in either order', async () => {
      const older = dossier('HS-1', { status: 'PROCESSING', finishedAt: null, returnedAt: null, sourceUpdatedAt: JAN });
      const newer = dossier('HS-1', { sourceUpdatedAt: FEB });
      const status = () => query<{ status: string }>(`SELECT status FROM dossiers`);
      expect(await upsertDossiers(store.db, [newer, older])).toBe(1);
      expect(await status()).toEqual([{ status: 'RETURNED' }]);
      await store.db.exec('TRUNCATE dossiers');
      expect(await upsertDossiers(store.db, [older, newer])).toBe(1);
      expect(await status()).toEqual([{ status: 'RETURNED' }]);
    });

    it('fails the whole batch when a unit or procedure is unknown', async () => {
      await expect(
        upsertDossiers(store.db, [dossier('HS-1'), dossier('HS-2', { unitCode: 'no.such.unit' })]),
      ).rejects.toThrow(/foreign key/);
      await expect(upsertDossiers(store.db, [dossier('HS-3', { procedureCode: 'no.such' })])).rejects.toThrow(
        /foreign key/,
      );
      expect(await count('dossiers')).toBe(0);
    });
  });

  describe('staff', () => {
    it('round-trips, re-upserts idempotently and never lets an older version overwrite a newer one', async () => {
      const serving = staff('CC-1');
      const unknowns = staff('CC-2', {
        birthDate: null,
        gender: null,
        rankCode: null,
        position: null,
        qualification: null,
        fullName: 'Lê Văn C'.normalize('NFD'),
      });
      expect(await upsertStaff(store.db, [serving, unknowns])).toBe(2);
      expect(await upsertStaff(store.db, [serving, unknowns])).toBe(0);
      expect(await query(`SELECT ${STAFF_COLUMNS} FROM staff ORDER BY id`)).toEqual([
        serving,
        { ...unknowns, fullName: 'Lê Văn C'.normalize('NFC') },
      ]);

      const retired = staff('CC-1', { status: 'RETIRED', sourceUpdatedAt: MAR });
      expect(await upsertStaff(store.db, [retired])).toBe(1);
      expect(await upsertStaff(store.db, [staff('CC-1', { unitCode: OTHER_UNIT, sourceUpdatedAt: JAN })])).toBe(0);
      expect(await query(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = 'CC-1'`)).toEqual([retired]);
    });

    it('refuses staff of an unknown unit', async () => {
      await expect(upsertStaff(store.db, [staff('CC-1', { unitCode: 'no.such.unit' })])).rejects.toThrow(/foreign key/);
    });
  });

  describe('finance', () => {
    it('keeps public service unit amounts above 2^53 exact, and the latest read wins', async () => {
      const huge = psuFinance({ ownRevenue: PAST_SAFE, recurrentExpenditure: MAX_BIGINT });
      expect(await upsertPsuFinance(store.db, [huge, psuFinance({ year: 2023, decisionNo: null })])).toBe(2);
      expect(await upsertPsuFinance(store.db, [huge])).toBe(0);
      const select = `SELECT unit_code AS "unitCode", year, autonomy_group AS "autonomyGroup", decision_no AS "decisionNo",
                             own_revenue AS "ownRevenue", recurrent_expenditure AS "recurrentExpenditure"
                        FROM psu_finance ORDER BY year DESC`;
      expect(await query(select)).toEqual([huge, psuFinance({ year: 2023, decisionNo: null })]);

      const regrouped = psuFinance({ autonomyGroup: 2, ownRevenue: '1', recurrentExpenditure: '2' });
      expect(await upsertPsuFinance(store.db, [regrouped])).toBe(1);
      expect((await query(select))[0]).toEqual(regrouped);
    });

    it('keys execution lines by unit, period, direction and classification, amounts exact', async () => {
      const spending = executionLine({ estimate: PAST_SAFE, executed: '9007199254740992' });
      const revenue = executionLine({ direction: 'REVENUE', estimate: MAX_BIGINT });
      const nextMonth = executionLine({ month: 7 });
      const otherSubItem = executionLine({ subItemCode: '6003' });
      expect(await upsertBudgetExecutionLines(store.db, [spending, revenue, nextMonth, otherSubItem])).toBe(4);
      expect(await upsertBudgetExecutionLines(store.db, [spending, revenue, nextMonth, otherSubItem])).toBe(0);
      expect(await count('budget_execution_lines')).toBe(4);

      const rows = await query(
        `SELECT unit_code AS "unitCode", year, month, direction, chapter_code AS "chapterCode",
                category_code AS "categoryCode", item_code AS "itemCode", sub_item_code AS "subItemCode",
                estimate, executed
           FROM budget_execution_lines WHERE month = 6 AND sub_item_code = '6001' ORDER BY direction`,
      );
      expect(rows).toEqual([revenue, spending]);
    });

    it('writes projects, then their disbursements, amounts exact', async () => {
      const project = { code: 'DA-2024-0117', name: 'Đường giao thông liên xã Tân Sỏi', unitCode: UNIT };
      expect(await upsertInvestmentProjects(store.db, [project, project])).toBe(1);
      const may = disbursement({ capitalPlan: MAX_BIGINT, disbursedToDate: PAST_SAFE });
      const june = disbursement({ month: 6, disbursedToDate: '4100000000' });
      expect(await upsertInvestmentDisbursements(store.db, [may, june])).toBe(2);
      expect(await upsertInvestmentDisbursements(store.db, [may, june])).toBe(0);

      const moved = { ...project, unitCode: OTHER_UNIT };
      expect(await upsertInvestmentProjects(store.db, [moved])).toBe(1);
      expect(await query(`SELECT code, name, unit_code AS "unitCode" FROM investment_projects`)).toEqual([moved]);
      expect(
        await query(
          `SELECT project_code AS "projectCode", year, month, capital_plan AS "capitalPlan",
                  disbursed_to_date AS "disbursedToDate"
             FROM investment_disbursements ORDER BY month`,
        ),
      ).toEqual([may, june]);
    });

    it('refuses figures of an unknown unit or project', async () => {
      await expect(upsertPsuFinance(store.db, [psuFinance({ unitCode: 'no.such.unit' })])).rejects.toThrow(
        /foreign key/,
      );
      await expect(upsertBudgetExecutionLines(store.db, [executionLine({ unitCode: 'no.such.unit' })])).rejects.toThrow(
        /foreign key/,
      );
      await expect(
        upsertInvestmentProjects(store.db, [{ code: 'DA-1', name: 'Dự án', unitCode: 'no.such.unit' }]),
      ).rejects.toThrow(/foreign key/);
      await expect(upsertInvestmentDisbursements(store.db, [disbursement({ projectCode: 'no.such' })])).rejects.toThrow(
        /foreign key/,
      );
    });
  });
});
