/**
 * Figures that join two upstream systems (CrossFigures), for a batch of roots
 * in one statement, over the units of the dated scope (scope.ts): a unit
 * receives or resolves for a root when the root counts that unit's dossiers
 * so (on the days the root held it under AS_WAS). Staff are the assignments
 * in force on the period's last day (see staff.ts).
 * R, the resolving units with spending: the units that resolved at least one
 * dossier in the period for the root and have SPENDING execution lines in the
 * budget year up to its month M (a unit whose first report of the year comes
 * after M has no spending to show for the period, so it is not in R).
 */
import type { CrossFigures } from './figures.ts';
import { rollupFiguresOfPieces } from './dossier-rollups.ts';
import { BUDGET_MONTH, BUDGET_YEAR } from './finance.ts';
import { datedScopeItems, figureFunction, figureSql } from './scope.ts';

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
 * received and how many it resolved for a root come from the dossier rollups
 * (the same figures as dossiers.ts: received in the root's days of the
 * period; status PROCESSED or RETURNED, finished in them), a few rows a unit
 * instead of its dossiers.
 */
const SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  ${rollupFiguresOfPieces(['received', 'resolved'])},
  by_root_unit AS (
    SELECT s.root, s.code, sum(b.received) AS received, sum(b.resolved) AS resolved
      FROM pieces s JOIN by_piece b USING (code, lo, hi, carry, pend)
     GROUP BY s.root, s.code
  ),
  receiving AS (SELECT DISTINCT code AS unit_code FROM by_root_unit WHERE received > 0),
  cadres_of_receiving AS (
    SELECT unit_code, count(*) AS cadres
      FROM staff_assignments
     WHERE valid_during @> $3::date AND category IN ('CADRE', 'CIVIL_SERVANT')
       AND unit_code IN (SELECT unit_code FROM receiving)
     GROUP BY unit_code
  ),
  resolving AS (SELECT DISTINCT code AS unit_code FROM by_root_unit WHERE resolved > 0),
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
         coalesce(sum(c.cadres) FILTER (WHERE s.received > 0), 0) AS "civilServantsOfReceivingUnits",
         coalesce(sum(p.executed) FILTER (WHERE s.resolved > 0), 0) AS "spendingOfResolvingUnits",
         coalesce(sum(s.resolved) FILTER (WHERE s.resolved > 0 AND p.unit_code IS NOT NULL), 0)
           AS "resolvedByUnitsWithSpending"
    FROM by_root_unit s
    LEFT JOIN cadres_of_receiving c ON c.unit_code = s.code
    LEFT JOIN spending_in_period p ON p.unit_code = s.code
   GROUP BY s.root`,
);

/**
 * The cross-system figures of each root (with `own`, of the root alone) for `range`, aligned with
 * `roots` (unknown: zeros).
 */
export const crossFigures = figureFunction<CrossFigures>(SQL, NAMES);
