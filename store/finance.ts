/**
 * Upserts of the budget system's figures, keyed by unit code (the sync has
 * resolved budget-relation codes already). The budget system sends no update
 * times: each figure is a snapshot for its year or month, so the latest read
 * wins. Amounts are bigint, passed as strings of digits so they stay exact.
 * Each returns how many rows were written; an unknown unit or project fails the batch.
 */
import type { BudgetExecutionLine, InvestmentDisbursement, InvestmentProject, PsuFinance } from './model.ts';
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
