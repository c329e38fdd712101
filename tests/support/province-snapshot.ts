/**
 * The whole province two ways, in one comparable shape: as the store holds it
 * after a sync, and as a MockWorld serves it (each record validated by its
 * contract and mapped, as a connector would). A full sync is right when the
 * two are equal.
 */
import {
  BUDGET_EXECUTION_COLUMNS,
  budgetExecutionRow,
  psuFinanceRecord,
  publicInvestmentRecord,
} from '../../connectors/budget/contract.ts';
import { toBudgetExecutionLine, toInvestment, toPsuFinance } from '../../connectors/budget/map.ts';
import { staffRecord, unitRecord } from '../../connectors/cadre-db/contract.ts';
import { toStaff, toUnit } from '../../connectors/cadre-db/map.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { dossierRecord, procedureRecord } from '../../connectors/one-stop-shop/contract.ts';
import { toDossier, toProcedure } from '../../connectors/one-stop-shop/map.ts';
import type { Mapped } from '../../connectors/common/mapped.ts';
import type { Queryable } from '../../store/db.ts';

export interface ProvinceSnapshot {
  /** Rows by table, each row a plain object keyed by column, sorted by the table's key. */
  [table: string]: Record<string, unknown>[];
}

/** Every canonical table, with its key columns (for ordering) and the columns a sync writes. */
const TABLES: Record<string, { key: string[]; columns: string[] }> = {
  units: {
    key: ['code'],
    columns: [
      'code',
      'budget_code',
      'name',
      'parent_code',
      'level',
      'kind',
      'sector',
      'headcount_quota',
      'valid_from',
      'valid_to',
      'source_updated_at',
    ],
  },
  procedures: {
    key: ['code'],
    columns: ['code', 'name', 'field_code', 'field_name', 'levels', 'online_service', 'has_fee'],
  },
  dossiers: {
    key: ['code'],
    columns: [
      'code',
      'procedure_code',
      'unit_code',
      'channel',
      'status',
      'applicant_name',
      'applicant_phone',
      'received_at',
      'due_at',
      'finished_at',
      'returned_at',
      'full_process_online',
      'has_fee',
      'online_payment',
      'digitised',
      'electronic_result',
      'source_updated_at',
    ],
  },
  staff: {
    key: ['id'],
    columns: [
      'id',
      'full_name',
      'birth_date',
      'gender',
      'unit_code',
      'category',
      'rank_code',
      'position',
      'qualification',
      'meets_standard',
      'status',
      'source_updated_at',
    ],
  },
  psu_finance: {
    key: ['unit_code', 'year'],
    columns: ['unit_code', 'year', 'autonomy_group', 'decision_no', 'own_revenue', 'recurrent_expenditure'],
  },
  budget_execution_lines: {
    key: ['unit_code', 'year', 'month', 'direction', 'chapter_code', 'category_code', 'item_code', 'sub_item_code'],
    columns: [
      'unit_code',
      'year',
      'month',
      'direction',
      'chapter_code',
      'category_code',
      'item_code',
      'sub_item_code',
      'estimate',
      'executed',
    ],
  },
  investment_projects: { key: ['code'], columns: ['code', 'name', 'unit_code'] },
  investment_disbursements: {
    key: ['project_code', 'year', 'month'],
    columns: ['project_code', 'year', 'month', 'capital_plan', 'disbursed_to_date'],
  },
};

const compareKeys = (key: string[]) => (a: Record<string, unknown>, b: Record<string, unknown>) => {
  for (const column of key) {
    const x = String(a[column]);
    const y = String(b[column]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/** Values as text, so that rows read from either backend and rows built in memory compare equal. */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return value ?? null;
}

function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, normalise(value)]));
}

/** What the store holds, table by table, without sync bookkeeping (synced_at). */
export async function storeSnapshot(db: Queryable, { withVersions = true } = {}): Promise<ProvinceSnapshot> {
  const snapshot: ProvinceSnapshot = {};
  for (const [table, { key, columns }] of Object.entries(TABLES)) {
    const selected = withVersions ? columns : columns.filter((c) => c !== 'source_updated_at');
    const rows = await db.query<Record<string, unknown>>(`SELECT ${selected.join(', ')} FROM ${table}`);
    snapshot[table] = rows.map(normaliseRow).sort(compareKeys(key));
  }
  return snapshot;
}

function mapped<T>(result: Mapped<T>): T {
  if (!result.ok) throw new Error(`world record does not map: ${result.reason}`);
  return result.value;
}

/** What a full sync of the world, as of its clock, must leave in the store. */
export function worldSnapshot(
  world: MockWorld,
  { firstYear, withVersions = true }: { firstYear: number; withVersions?: boolean },
): ProvinceSnapshot {
  const units = world.units(null).map((u) => toUnit(unitRecord.parse(u)));
  const unitOfBudgetCode = new Map(units.flatMap((u) => (u.budgetCode ? [[u.budgetCode, u.code] as const] : [])));
  const resolve = (code: string) => unitOfBudgetCode.get(code);
  const rows: Record<string, Record<string, unknown>[]> = {
    units: units.map((u) => ({
      code: u.code,
      budget_code: u.budgetCode,
      name: u.name,
      parent_code: u.parentCode,
      level: u.level,
      kind: u.kind,
      sector: u.sector,
      headcount_quota: u.headcountQuota,
      valid_from: u.validFrom,
      valid_to: u.validTo,
      source_updated_at: u.sourceUpdatedAt,
    })),
    procedures: world.procedures().map((r) => {
      const p = toProcedure(procedureRecord.parse(r));
      return {
        code: p.code,
        name: p.name,
        field_code: p.fieldCode,
        field_name: p.fieldName,
        levels: p.levels,
        online_service: p.onlineService,
        has_fee: p.hasFee,
      };
    }),
    dossiers: world.dossiers(null, null, Number.MAX_SAFE_INTEGER).records.map((r) => {
      const d = toDossier(dossierRecord.parse(r));
      return {
        code: d.code,
        procedure_code: d.procedureCode,
        unit_code: d.unitCode,
        channel: d.channel,
        status: d.status,
        applicant_name: d.applicantName,
        applicant_phone: d.applicantPhone,
        received_at: d.receivedAt,
        due_at: d.dueAt,
        finished_at: d.finishedAt,
        returned_at: d.returnedAt,
        full_process_online: d.fullProcessOnline,
        has_fee: d.hasFee,
        online_payment: d.onlinePayment,
        digitised: d.digitised,
        electronic_result: d.electronicResult,
        source_updated_at: d.sourceUpdatedAt,
      };
    }),
    staff: world.staff(null).map((r) => {
      const s = toStaff(staffRecord.parse(r));
      return {
        id: s.id,
        full_name: s.fullName,
        birth_date: s.birthDate,
        gender: s.gender,
        unit_code: s.unitCode,
        category: s.category,
        rank_code: s.rankCode,
        position: s.position,
        qualification: s.qualification,
        meets_standard: s.meetsStandard,
        status: s.status,
        source_updated_at: s.sourceUpdatedAt,
      };
    }),
    psu_finance: [],
    budget_execution_lines: [],
    investment_projects: [],
    investment_disbursements: [],
  };
  const projects = new Map<string, Record<string, unknown>>();
  const thisYear = world.now().getUTCFullYear();
  for (let year = firstYear; year <= thisYear; year++) {
    for (const r of world.psuFinance(year)) {
      const f = mapped(toPsuFinance(psuFinanceRecord.parse(r), resolve));
      rows.psu_finance!.push({
        unit_code: f.unitCode,
        year: f.year,
        autonomy_group: f.autonomyGroup,
        decision_no: f.decisionNo,
        own_revenue: f.ownRevenue,
        recurrent_expenditure: f.recurrentExpenditure,
      });
    }
    for (let month = 1; month <= 12; month++) {
      for (const cells of world.budgetExecution(year, month)) {
        const record = Object.fromEntries(BUDGET_EXECUTION_COLUMNS.map((column, i) => [column, cells[i]]));
        const l = mapped(toBudgetExecutionLine(budgetExecutionRow.parse(record), year, month, resolve));
        rows.budget_execution_lines!.push({
          unit_code: l.unitCode,
          year: l.year,
          month: l.month,
          direction: l.direction,
          chapter_code: l.chapterCode,
          category_code: l.categoryCode,
          item_code: l.itemCode,
          sub_item_code: l.subItemCode,
          estimate: l.estimate,
          executed: l.executed,
        });
      }
      for (const r of world.publicInvestment(year, month)) {
        const { project, disbursement } = mapped(toInvestment(publicInvestmentRecord.parse(r), year, month, resolve));
        projects.set(project.code, { code: project.code, name: project.name, unit_code: project.unitCode });
        rows.investment_disbursements!.push({
          project_code: disbursement.projectCode,
          year,
          month,
          capital_plan: disbursement.capitalPlan,
          disbursed_to_date: disbursement.disbursedToDate,
        });
      }
    }
  }
  rows.investment_projects = [...projects.values()];
  const snapshot: ProvinceSnapshot = {};
  for (const [table, { key }] of Object.entries(TABLES)) {
    snapshot[table] = rows[table]!.map((row) => {
      if (!withVersions) delete row.source_updated_at;
      return normaliseRow(row);
    }).sort(compareKeys(key));
  }
  return snapshot;
}

/** The canonical tables a sync fills. */
export const CANONICAL_TABLES = Object.keys(TABLES);

/** Empties every table a sync writes, its bookkeeping included, for a sync from scratch. */
/** The cadre database's history (migration 0018), emptied with the rest. */
const HISTORY_TABLES = ['unit_versions', 'unit_events', 'unit_event_units', 'staff_assignments'];

export async function emptyStore(db: Queryable): Promise<void> {
  await db.exec(
    `TRUNCATE ${[...CANONICAL_TABLES, ...HISTORY_TABLES, 'sync_state', 'quarantine', 'record_flaws', 'sync_runs'].join(', ')} CASCADE`,
  );
}

/** Row counts per table, for a readable first assertion before the field-by-field one. */
export const counts = (snapshot: ProvinceSnapshot) =>
  Object.fromEntries(Object.entries(snapshot).map(([table, rows]) => [table, rows.length]));
