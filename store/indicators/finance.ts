/**
 * The budget system's figures for a batch of roots, one statement per group:
 * public service units and their financial autonomy (psuFigures), budget
 * execution and public investment (budgetFigures).
 *
 * Budget figures follow the calendar: the year Y and month M are those of the
 * period's last day, whatever the convention that chose its first day.
 */
import type { BudgetFigures, PsuFigures } from './figures.ts';
import { datedScopeItems, figureFunction, figureSql, heldOn } from './scope.ts';

/** The budget year Y: the calendar year of the period's last day ($3). */
export const BUDGET_YEAR = `extract(year FROM $3::date)::int`;
/** The month M the figures are read as of: the calendar month of the period's last day ($3). */
export const BUDGET_MONTH = `extract(month FROM $3::date)::int`;

/** The baseline day of PAR INDEX 4.1.3 (public service units cut since the end of 2021). */
const PSU_BASELINE_DAY = '2021-12-31';

// ─── Public service units ────────────────────────────────────────────────────────────────────────────────────────

const PSU_NAMES: readonly (keyof PsuFigures)[] = [
  'psuCount',
  'psuCount2021',
  'psuReduction',
  'psuSelfFinancing',
  'psuPartlySelfFinancing',
  'psuWithFinance',
  'psuOwnRevenue',
  'psuRecurrentExpenditure',
  'psuGroupMismatch',
];

/**
 * The autonomy group a unit's own figures place it in: the SQL twin of
 * schema/finance.ts `computedGroup(selfFinancingBand(...), assigned)`, with the
 * same exact integer comparisons on the bigint amounts (no division, so no
 * rounding decides a band edge), in the same order:
 *
 * - no revenue of its own (<= 0): group 4, even when it spends nothing;
 * - revenue >= recurrent spending (≥ 100 %, also with no spending at all):
 *   group 1 when assigned 1 (the budget system does not report investment
 *   spending, which group 1 must also cover), else 2;
 * - revenue × 10 >= spending (≥ 10 %): group 3 (its bands 70/30/10 % do not
 *   change the group);
 * - else (under 10 %): group 4.
 *
 * An overflow of revenue × 10 would be an error, not a wrong answer (bigint
 * arithmetic raises), and needs amounts near 10^18 đồng.
 */
export const COMPUTED_GROUP = `CASE
    WHEN f.own_revenue <= 0 THEN 4
    WHEN f.own_revenue >= f.recurrent_expenditure THEN CASE WHEN f.autonomy_group = 1 THEN 1 ELSE 2 END
    WHEN f.own_revenue * 10 >= f.recurrent_expenditure THEN 3
    ELSE 4
  END`;

/**
 * Public service units (units of kind PUBLIC_SERVICE_UNIT) in scope:
 *
 * - psuCount: in existence on the period's last day, of that day's kind (the
 *   dated scope's `stock`); psuCount2021: in existence on 2021-12-31, of that
 *   day's kind, whether or not they still are, placed on the tree of that day
 *   (AS_WAS) or of the hierarchyDate (AS_IS: through lineage for the units
 *   dissolved or merged away since); psuReduction: the difference (negative
 *   when the count grew).
 * - Of the psuCount units, with their psu_finance row for year Y:
 *   psuSelfFinancing (assigned group 1 or 2), psuPartlySelfFinancing (group 3),
 *   psuWithFinance (any row), psuOwnRevenue and psuRecurrentExpenditure (sums
 *   over those rows), psuGroupMismatch (computed group, above, differs from
 *   the assigned one). A unit without a row for Y counts in psuCount only.
 */
const PSU_SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  psu AS (
    SELECT s.root, true AS at_end, false AS valid_at_baseline,
           f.autonomy_group, f.own_revenue, f.recurrent_expenditure,
           ${COMPUTED_GROUP} AS computed_group
      FROM stock s
      LEFT JOIN psu_finance f ON f.unit_code = s.code AND f.year = ${BUDGET_YEAR}
     WHERE s.kind = 'PUBLIC_SERVICE_UNIT'
    UNION ALL
    SELECT b.root, false, true, NULL, NULL, NULL, NULL
      FROM (${heldOn(`DATE '${PSU_BASELINE_DAY}'`, variant)}) AS b
      JOIN unit_versions u ON u.code = b.code AND u.valid_during @> DATE '${PSU_BASELINE_DAY}'
     WHERE u.kind = 'PUBLIC_SERVICE_UNIT'
  )
  SELECT root,
         count(*) FILTER (WHERE at_end) AS "psuCount",
         count(*) FILTER (WHERE valid_at_baseline) AS "psuCount2021",
         count(*) FILTER (WHERE valid_at_baseline) - count(*) FILTER (WHERE at_end) AS "psuReduction",
         count(*) FILTER (WHERE at_end AND autonomy_group IN (1, 2)) AS "psuSelfFinancing",
         count(*) FILTER (WHERE at_end AND autonomy_group = 3) AS "psuPartlySelfFinancing",
         count(*) FILTER (WHERE at_end AND autonomy_group IS NOT NULL) AS "psuWithFinance",
         coalesce(sum(own_revenue) FILTER (WHERE at_end), 0) AS "psuOwnRevenue",
         coalesce(sum(recurrent_expenditure) FILTER (WHERE at_end), 0) AS "psuRecurrentExpenditure",
         count(*) FILTER (WHERE at_end AND computed_group <> autonomy_group) AS "psuGroupMismatch"
    FROM psu
   GROUP BY root`,
);

/**
 * The public service unit figures of each root (with `own`, of the root alone) for `range`, aligned
 * with `roots` (unknown: zeros).
 */
export const psuFigures = figureFunction<PsuFigures>(PSU_SQL, PSU_NAMES);

// ─── Budget execution and public investment ──────────────────────────────────────────────────────────────────────

const BUDGET_NAMES: readonly (keyof BudgetFigures)[] = [
  'revenueEstimate',
  'revenueExecuted',
  'spendingEstimate',
  'spendingExecuted',
  'investmentPlan',
  'investmentDisbursed',
];

/**
 * Budget execution over the units the root holds on the period's last day
 * (the dated scope's `at_end`; AS_IS on the hierarchyDate): the lines are as
 * of the period's end (below), so they are placed by the tree of that day. A
 * line's unit is the one the sync resolved its budget-relation code to (the
 * unit holding that code when the line was synced): the lines keep no budget
 * code of their own to re-resolve on another day. Execution lines are cumulative from
 * January, so a month's lines are the year so far and months must not be
 * added up: for each unit and direction, the figures are the sums over its
 * lines of its latest month m <= M of year Y that has lines of that direction
 * (a unit that has not reported month M yet counts as of its last report).
 * The latest month is taken per direction, so that a unit whose latest report
 * carries only spending lines keeps its earlier revenue (cross.ts reads
 * spending the same way).
 *
 * Public investment: for each project of those units, its latest month <= M of
 * year Y with a disbursement row; capital_plan and disbursed_to_date (both as
 * of that month) are summed.
 */
const BUDGET_SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  -- Per unit and direction, its latest month <= M, then that month's lines: two index ranges of the
  -- primary key (unit_code, year, month, …) a unit, instead of a window over every line of the year
  -- (the province's 150,000 lines a year took 175 ms; this reads only the months that count).
  budget_of_unit AS (
    SELECT u.code AS unit_code,
           sum(t.estimate) FILTER (WHERE d.direction = 'REVENUE') AS revenue_estimate,
           sum(t.executed) FILTER (WHERE d.direction = 'REVENUE') AS revenue_executed,
           sum(t.estimate) FILTER (WHERE d.direction = 'SPENDING') AS spending_estimate,
           sum(t.executed) FILTER (WHERE d.direction = 'SPENDING') AS spending_executed
      FROM (SELECT DISTINCT code FROM at_end) AS u
      CROSS JOIN (VALUES ('REVENUE'), ('SPENDING')) AS d (direction)
      CROSS JOIN LATERAL (
        SELECT sum(l.estimate) AS estimate, sum(l.executed) AS executed
          FROM budget_execution_lines l
         WHERE l.unit_code = u.code AND l.year = ${BUDGET_YEAR} AND l.direction = d.direction
           AND l.month = (SELECT max(m.month) FROM budget_execution_lines m
                           WHERE m.unit_code = u.code AND m.year = ${BUDGET_YEAR} AND m.month <= ${BUDGET_MONTH}
                             AND m.direction = d.direction)
      ) AS t
     GROUP BY u.code
  ),
  latest_disbursement AS (
    SELECT DISTINCT ON (d.project_code) p.unit_code, d.capital_plan, d.disbursed_to_date
      FROM investment_projects p
      JOIN investment_disbursements d ON d.project_code = p.code
     WHERE p.unit_code IN (SELECT code FROM at_end)
       AND d.year = ${BUDGET_YEAR} AND d.month <= ${BUDGET_MONTH}
     ORDER BY d.project_code, d.month DESC
  ),
  investment_of_unit AS (
    SELECT unit_code, sum(capital_plan) AS plan, sum(disbursed_to_date) AS disbursed
      FROM latest_disbursement
     GROUP BY unit_code
  )
  SELECT s.root,
         coalesce(sum(b.revenue_estimate), 0) AS "revenueEstimate",
         coalesce(sum(b.revenue_executed), 0) AS "revenueExecuted",
         coalesce(sum(b.spending_estimate), 0) AS "spendingEstimate",
         coalesce(sum(b.spending_executed), 0) AS "spendingExecuted",
         coalesce(sum(i.plan), 0) AS "investmentPlan",
         coalesce(sum(i.disbursed), 0) AS "investmentDisbursed"
    FROM at_end s
    LEFT JOIN budget_of_unit b ON b.unit_code = s.code
    LEFT JOIN investment_of_unit i ON i.unit_code = s.code
   GROUP BY s.root`,
);

/**
 * The budget figures of each root (with `own`, of the root alone) for `range`, aligned with `roots`
 * (unknown: zeros).
 */
export const budgetFigures = figureFunction<BudgetFigures>(BUDGET_SQL, BUDGET_NAMES);
