/**
 * Figures that join two upstream systems (CrossFigures), for a batch of roots
 * in one statement, over the units in scope valid on some day of the period
 * (`in_period`). Staff are the cadre database's current state (see staff.ts).
 * R, the resolving units with spending: the units that resolved at least one
 * dossier in the period and have SPENDING execution lines in the budget year
 * up to its month M (a unit whose first report of the year comes after M has
 * no spending to show for the period, so it is not in R).
 */
import type { CrossFigures } from './figures.ts';
import { rollupFiguresOfUnits } from './dossier-rollups.ts';
import { BUDGET_MONTH, BUDGET_YEAR } from './finance.ts';
import { figureFunction, figureSql, scopeItems } from './scope.ts';

/**
 * M0: the month the period starts in, when it starts in the budget year; else
 * January. Execution lines are cumulative from January, so a unit's spending
 * within the period is its cumulative at its latest month <= M minus its
 * cumulative at its latest month < M0 (0 when there is none).
 */
const FIRST_MONTH = `CASE WHEN extract(year FROM $2::date) = extract(year FROM $3::date)
                          THEN extract(month FROM $2::date)::int ELSE 1 END`;

const NAMES: readonly (keyof CrossFigures)[] = [
  'civilServantsOfReceivingUnits',
  'spendingOfResolvingUnits',
  'resolvedByUnitsWithSpending',
];

/**
 * Per unit first (each unit's dossiers, staff and lines are read once however
 * many roots of the batch hold it), then summed per root. Whether a unit
 * received and how many it resolved come from the dossier rollups (the same
 * figures as dossiers.ts: received in [S, E); status PROCESSED or RETURNED
 * with finished_at in [S, E)), a few rows a unit instead of its dossiers.
 */
const SQL = figureSql(
  (own) => `WITH RECURSIVE ${scopeItems('$1', { first: '$2', last: '$3' }, { own })},
  units_in_period AS (SELECT DISTINCT code FROM scope WHERE in_period),
  ${rollupFiguresOfUnits('SELECT code FROM units_in_period', ['received', 'resolved'])},
  receiving AS (SELECT code AS unit_code FROM by_unit WHERE received > 0),
  cadres_of_receiving AS (
    SELECT unit_code, count(*) AS cadres
      FROM staff
     WHERE status = 'SERVING' AND category IN ('CADRE', 'CIVIL_SERVANT')
       AND unit_code IN (SELECT unit_code FROM receiving)
     GROUP BY unit_code
  ),
  resolving AS (SELECT code AS unit_code, resolved FROM by_unit WHERE resolved > 0),
  spending_by_month AS (
    SELECT unit_code, month, sum(executed) AS executed
      FROM budget_execution_lines
     WHERE year = ${BUDGET_YEAR} AND month <= ${BUDGET_MONTH} AND direction = 'SPENDING'
       AND unit_code IN (SELECT unit_code FROM resolving)
     GROUP BY unit_code, month
  ),
  -- Only units with spending lines up to M have a row here: joined to resolving, they are R.
  spending_in_period AS (
    SELECT unit_code,
           (array_agg(executed ORDER BY month DESC))[1]
             - coalesce((array_agg(executed ORDER BY month DESC) FILTER (WHERE month < ${FIRST_MONTH}))[1], 0)
             AS executed
      FROM spending_by_month
     GROUP BY unit_code
  )
  SELECT s.root,
         coalesce(sum(c.cadres), 0) AS "civilServantsOfReceivingUnits",
         coalesce(sum(p.executed), 0) AS "spendingOfResolvingUnits",
         coalesce(sum(r.resolved) FILTER (WHERE p.unit_code IS NOT NULL), 0) AS "resolvedByUnitsWithSpending"
    FROM scope s
    LEFT JOIN cadres_of_receiving c ON c.unit_code = s.code
    LEFT JOIN resolving r ON r.unit_code = s.code
    LEFT JOIN spending_in_period p ON p.unit_code = s.code
   WHERE s.in_period
   GROUP BY s.root`,
);

/**
 * The cross-system figures of each root (with `own`, of the root alone) for `range`, aligned with
 * `roots` (unknown: zeros).
 */
export const crossFigures = figureFunction<CrossFigures>(SQL, NAMES);
