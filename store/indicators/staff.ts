/**
 * The cadre database's figures for a batch of roots, in one statement. Staff
 * are a stock: the assignments (staff_assignments, migration 0018) in force
 * on the period's last day, at the units of the dated scope's `stock` (units
 * in existence on that day, held by the root on it under AS_WAS, on the
 * hierarchyDate under AS_IS): a past period shows the staff it had, where the
 * cadre database gives the working history (without it, the hub's observed
 * assignments start when it first saw each person).
 */
import type { StaffFigures } from './figures.ts';
import { datedScopeItems, figureFunction, figureSql } from './scope.ts';

const NAMES: readonly (keyof StaffFigures)[] = [
  'serving',
  'servingCadres',
  'servingCivilServants',
  'servingPublicEmployees',
  'servingContractWorkers',
  'headcountQuota',
  'headcountFilled',
  'communeCadres',
  'communeCadresMeetingStandard',
];

/**
 * Staff are counted per unit first (one pass over the staff of the units in
 * scope, however many roots hold a unit), then the per-unit counts and quotas
 * are summed per root: a quota is a unit's, so it must be summed over units,
 * not over staff rows. A null quota is no quota recorded, not a quota of 0.
 * headcountFilled counts the serving cadres, civil servants and public
 * employees of the units that have a quota only (contract workers hold no
 * quota post, and staff of units without a quota would fill nothing), so
 * filled ÷ quota compares like with like. communeCadres (cadres and civil
 * servants of commune-level units) feed PAR INDEX 5.6.
 */
const SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  -- Each unit's assignments through staff_assignments_unit_idx (LATERAL), whatever the planner guesses of the
  -- scope's size: a commune never reads the province's assignments.
  staff_of_unit AS (
    SELECT c.code AS unit_code, a.*
      FROM (SELECT DISTINCT code FROM stock) AS c
      CROSS JOIN LATERAL (
        SELECT count(*) AS serving,
               count(*) FILTER (WHERE category = 'CADRE') AS cadres,
               count(*) FILTER (WHERE category = 'CIVIL_SERVANT') AS civil_servants,
               count(*) FILTER (WHERE category = 'PUBLIC_EMPLOYEE') AS public_employees,
               count(*) FILTER (WHERE category = 'CONTRACT_WORKER') AS contract_workers,
               count(*) FILTER (WHERE category IN ('CADRE', 'CIVIL_SERVANT') AND meets_standard) AS cadres_meeting_standard
          FROM staff_assignments
         -- In force on the last day (valid_during @> $3), in the index's own columns.
         WHERE unit_code = c.code AND starts_on <= $3::date AND (ends_on IS NULL OR $3::date < ends_on)
      ) AS a
  )
  SELECT s.root,
         coalesce(sum(b.serving), 0) AS "serving",
         coalesce(sum(b.cadres), 0) AS "servingCadres",
         coalesce(sum(b.civil_servants), 0) AS "servingCivilServants",
         coalesce(sum(b.public_employees), 0) AS "servingPublicEmployees",
         coalesce(sum(b.contract_workers), 0) AS "servingContractWorkers",
         coalesce(sum(s.headcount_quota), 0) AS "headcountQuota",
         coalesce(sum(b.cadres + b.civil_servants + b.public_employees)
                    FILTER (WHERE s.headcount_quota IS NOT NULL), 0) AS "headcountFilled",
         coalesce(sum(b.cadres + b.civil_servants) FILTER (WHERE s.level = 'COMMUNE'), 0) AS "communeCadres",
         coalesce(sum(b.cadres_meeting_standard) FILTER (WHERE s.level = 'COMMUNE'), 0)
           AS "communeCadresMeetingStandard"
    FROM stock s
    LEFT JOIN staff_of_unit b ON b.unit_code = s.code
   GROUP BY s.root`,
);

/**
 * The staff figures of each root (with `own`, of the root alone) at the end of `range`, aligned
 * with `roots` (an unknown root gets zeros).
 */
export const staffFigures = figureFunction<StaffFigures>(SQL, NAMES);
