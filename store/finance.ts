/**
 * Upserts of the budget system's figures, keyed by unit code (the sync has
 * resolved budget-relation codes already). The budget system sends no update
 * times: each figure is a snapshot for its year or month, so the latest read
 * wins. Amounts are bigint, passed as strings of digits so they stay exact.
 * Each returns how many rows were written; an unknown unit or project fails the batch.
 */
import type { Queryable } from './db.ts';
import type {
  AutonomyGroup,
  BudgetDirection,
  BudgetExecutionLine,
  InvestmentDisbursement,
  InvestmentProject,
  PsuFinance,
  Vnd,
} from './model.ts';
import { defineUpsert } from './upsert.ts';

export const upsertPsuFinance = defineUpsert<PsuFinance>({
  table: 'psu_finance',
  key: ['unit_code', 'year'],
  versioned: false,
  columns: {
    unit_code: ['text', (f) => f.unitCode],
    year: ['smallint', (f) => f.year],
    autonomy_group: ['smallint', (f) => f.autonomyGroup],
    decision_no: ['text', (f) => f.decisionNo],
    own_revenue: ['bigint', (f) => f.ownRevenue],
    recurrent_expenditure: ['bigint', (f) => f.recurrentExpenditure],
  },
});

export const upsertBudgetExecutionLines = defineUpsert<BudgetExecutionLine>({
  table: 'budget_execution_lines',
  key: ['unit_code', 'year', 'month', 'direction', 'chapter_code', 'category_code', 'item_code', 'sub_item_code'],
  versioned: false,
  columns: {
    unit_code: ['text', (l) => l.unitCode],
    year: ['smallint', (l) => l.year],
    month: ['smallint', (l) => l.month],
    direction: ['text', (l) => l.direction],
    chapter_code: ['text', (l) => l.chapterCode],
    category_code: ['text', (l) => l.categoryCode],
    item_code: ['text', (l) => l.itemCode],
    sub_item_code: ['text', (l) => l.subItemCode],
    estimate: ['bigint', (l) => l.estimate],
    executed: ['bigint', (l) => l.executed],
  },
});

/** Names are stored NFC-normalised, whoever calls. */
export const upsertInvestmentProjects = defineUpsert<InvestmentProject>({
  table: 'investment_projects',
  key: ['code'],
  versioned: false,
  columns: {
    code: ['text', (p) => p.code],
    name: ['text', (p) => p.name.normalize('NFC')],
    unit_code: ['text', (p) => p.unitCode],
  },
});

/** The projects must be upserted first. */
export const upsertInvestmentDisbursements = defineUpsert<InvestmentDisbursement>({
  table: 'investment_disbursements',
  key: ['project_code', 'year', 'month'],
  versioned: false,
  columns: {
    project_code: ['text', (d) => d.projectCode],
    year: ['smallint', (d) => d.year],
    month: ['smallint', (d) => d.month],
    capital_plan: ['bigint', (d) => d.capitalPlan],
    disbursed_to_date: ['bigint', (d) => d.disbursedToDate],
  },
});

/*
 * Reads, each for a whole batch of keys in one statement (for loaders). Sums
 * are taken in SQL over bigint and come back as numeric text, so they stay
 * exact; nothing here passes an amount through a JS number.
 */

/** A unit's figures for one year. */
export interface UnitYear {
  unitCode: string;
  year: number;
}

/** The keys as two parallel arrays, for `unnest($1::text[], $2::int[])`. */
const keyArrays = (keys: readonly UnitYear[]) => [keys.map((k) => k.unitCode), keys.map((k) => k.year)];

export interface PsuAutonomyRow {
  unitCode: string;
  /** The unit's budget-relation code, which keys the budget system's row (and its flaws). */
  budgetCode: string | null;
  year: number;
  autonomyGroup: AutonomyGroup | null;
  decisionNo: string | null;
  ownRevenue: Vnd | null;
  recurrentExpenditure: Vnd | null;
  syncedAt: Date;
}

/** Public service units' autonomy figures for each (unit, year) that has a row; others are absent. */
export function findPsuAutonomy(db: Queryable, keys: readonly UnitYear[]): Promise<PsuAutonomyRow[]> {
  return db.query<PsuAutonomyRow>(
    `SELECT f.unit_code AS "unitCode", (SELECT u.budget_code FROM units u WHERE u.code = f.unit_code) AS "budgetCode",
            f.year::int AS year, f.autonomy_group::int AS "autonomyGroup",
            f.decision_no AS "decisionNo", f.own_revenue AS "ownRevenue",
            f.recurrent_expenditure AS "recurrentExpenditure", f.synced_at AS "syncedAt"
       FROM psu_finance f
       JOIN unnest($1::text[], $2::int[]) AS k(unit_code, year) ON f.unit_code = k.unit_code AND f.year = k.year`,
    keyArrays(keys),
  );
}

export interface FinanceSummaryRow {
  unitCode: string;
  year: number;
  /** The latest month of the year with execution lines for the unit; null when none. */
  executionMonth: number | null;
  /** The latest month of the year with disbursement figures for the unit's projects; null when none. */
  investmentMonth: number | null;
  /** When the hub last stored any of these figures; null when there are none. */
  syncedAt: Date | null;
}

/** For each (unit, year) whose unit exists, the months its figures stand at; unknown units are absent. */
export function findFinanceSummaries(db: Queryable, keys: readonly UnitYear[]): Promise<FinanceSummaryRow[]> {
  return db.query<FinanceSummaryRow>(
    `SELECT DISTINCT k.unit_code AS "unitCode", k.year, e.month AS "executionMonth", i.month AS "investmentMonth",
            greatest(e.synced_at, i.synced_at) AS "syncedAt"
       FROM unnest($1::text[], $2::int[]) AS k(unit_code, year)
       JOIN units u ON u.code = k.unit_code
       LEFT JOIN LATERAL (
         SELECT max(b.month)::int AS month, max(b.synced_at) AS synced_at
           FROM budget_execution_lines b WHERE b.unit_code = k.unit_code AND b.year = k.year
       ) e ON true
       LEFT JOIN LATERAL (
         SELECT max(d.month)::int AS month, max(d.synced_at) AS synced_at
           FROM investment_projects p JOIN investment_disbursements d ON d.project_code = p.code
          WHERE p.unit_code = k.unit_code AND d.year = k.year
       ) i ON true`,
    keyArrays(keys),
  );
}

/** A unit's figures as they stood at the end of one month (cumulative since January). */
export interface UnitMonth extends UnitYear {
  month: number;
}

const monthArrays = (keys: readonly UnitMonth[]) => [...keyArrays(keys), keys.map((k) => k.month)];

export interface ExecutionLineRow {
  unitCode: string;
  year: number;
  month: number;
  direction: BudgetDirection;
  chapterCode: string;
  categoryCode: string;
  itemCode: string;
  subItemCode: string;
  estimate: Vnd | null;
  executed: Vnd | null;
}

/** Execution lines of each (unit, year, month), ordered by direction and budget classification. */
export function findExecutionLines(db: Queryable, keys: readonly UnitMonth[]): Promise<ExecutionLineRow[]> {
  return db.query<ExecutionLineRow>(
    `SELECT b.unit_code AS "unitCode", b.year::int AS year, b.month::int AS month, b.direction,
            b.chapter_code AS "chapterCode", b.category_code AS "categoryCode", b.item_code AS "itemCode",
            b.sub_item_code AS "subItemCode", b.estimate, b.executed
       FROM budget_execution_lines b
       JOIN unnest($1::text[], $2::int[], $3::int[]) AS k(unit_code, year, month)
         ON b.unit_code = k.unit_code AND b.year = k.year AND b.month = k.month
      ORDER BY b.unit_code, b.year, b.direction, b.chapter_code, b.category_code, b.item_code, b.sub_item_code`,
    monthArrays(keys),
  );
}

export interface ExecutionTotalRow {
  unitCode: string;
  year: number;
  month: number;
  direction: BudgetDirection;
  /** Exact sums, as text. */
  estimate: Vnd;
  executed: Vnd;
}

/** Revenue and spending totals of each (unit, year, month); a direction with no lines is absent. */
export function findExecutionTotals(db: Queryable, keys: readonly UnitMonth[]): Promise<ExecutionTotalRow[]> {
  return db.query<ExecutionTotalRow>(
    `SELECT b.unit_code AS "unitCode", b.year::int AS year, b.month::int AS month, b.direction,
            coalesce(sum(b.estimate), 0)::text AS estimate, coalesce(sum(b.executed), 0)::text AS executed
       FROM budget_execution_lines b
       JOIN unnest($1::text[], $2::int[], $3::int[]) AS k(unit_code, year, month)
         ON b.unit_code = k.unit_code AND b.year = k.year AND b.month = k.month
      GROUP BY b.unit_code, b.year, b.month, b.direction`,
    monthArrays(keys),
  );
}

export interface InvestmentFigureRow {
  unitCode: string;
  year: number;
  month: number;
  projectCode: string;
  name: string;
  capitalPlan: Vnd | null;
  disbursedToDate: Vnd | null;
  syncedAt: Date;
}

/** The projects of each (unit, year, month) with their plan and disbursement to that month, ordered by code. */
export function findInvestmentFigures(db: Queryable, keys: readonly UnitMonth[]): Promise<InvestmentFigureRow[]> {
  return db.query<InvestmentFigureRow>(
    `SELECT p.unit_code AS "unitCode", d.year::int AS year, d.month::int AS month, p.code AS "projectCode", p.name,
            d.capital_plan AS "capitalPlan", d.disbursed_to_date AS "disbursedToDate", d.synced_at AS "syncedAt"
       FROM investment_projects p
       JOIN investment_disbursements d ON d.project_code = p.code
       JOIN unnest($1::text[], $2::int[], $3::int[]) AS k(unit_code, year, month)
         ON p.unit_code = k.unit_code AND d.year = k.year AND d.month = k.month
      ORDER BY p.unit_code, d.year, p.code`,
    monthArrays(keys),
  );
}

export interface InvestmentTotalRow {
  unitCode: string;
  year: number;
  month: number;
  projects: number;
  /** Exact sums, as text. */
  capitalPlan: Vnd;
  disbursedToDate: Vnd;
}

/** The plan and disbursement of all of each (unit, year, month)'s projects together. */
export function findInvestmentTotals(db: Queryable, keys: readonly UnitMonth[]): Promise<InvestmentTotalRow[]> {
  return db.query<InvestmentTotalRow>(
    `SELECT p.unit_code AS "unitCode", d.year::int AS year, d.month::int AS month, count(*)::int AS projects,
            coalesce(sum(d.capital_plan), 0)::text AS "capitalPlan",
            coalesce(sum(d.disbursed_to_date), 0)::text AS "disbursedToDate"
       FROM investment_projects p
       JOIN investment_disbursements d ON d.project_code = p.code
       JOIN unnest($1::text[], $2::int[], $3::int[]) AS k(unit_code, year, month)
         ON p.unit_code = k.unit_code AND d.year = k.year AND d.month = k.month
      GROUP BY p.unit_code, d.year, d.month`,
    monthArrays(keys),
  );
}
