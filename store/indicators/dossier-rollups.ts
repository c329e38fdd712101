/**
 * The one-stop-shop's figures (dossiers.ts, which stays the reference) read
 * from dossier_figure_rollups (migration 0011) instead of the dossiers: the
 * same numbers, from a few rows per unit. Every figure is a sum of per-day
 * events, so over the days [first, last], with A = first, B = last + 1 and
 * P(<D) a unit's sum over the days before D, a flow (received, resolved) is
 * P(<B) − P(<A), and what is open at A (carried over) or at B (pending) is
 * P(<A) or P(<B) of received − closed.
 */
import type { DossierFigures } from './figures.ts';
import { figureFunction, figureSql, scopeItems } from './scope.ts';

/** Each figure as a sum over the rollup rows read for a unit (r), weighted by wa (in P(<A)) and wb (in P(<B)). */
const FIGURES: Readonly<Record<keyof DossierFigures, string>> = {
  received: `r.received * (wb - wa)`,
  receivedOnline: `r.received_online * (wb - wa)`,
  receivedInPerson: `r.received_in_person * (wb - wa)`,
  receivedPostal: `r.received_postal * (wb - wa)`,
  carriedOver: `(r.received - r.closed) * wa`,
  receivedFullProcessEligible: `r.received_full_process_eligible * (wb - wa)`,
  receivedFullProcessOnline: `r.received_full_process_online * (wb - wa)`,
  receivedWithFee: `r.received_with_fee * (wb - wa)`,
  receivedPaidOnline: `r.received_paid_online * (wb - wa)`,
  receivedDigitised: `r.received_digitised * (wb - wa)`,
  resolved: `r.resolved * (wb - wa)`,
  resolvedEarly: `r.resolved_early * (wb - wa)`,
  resolvedOnTime: `r.resolved_on_time * (wb - wa)`,
  resolvedLate: `r.resolved_late * (wb - wa)`,
  resolvedElectronicResult: `r.resolved_electronic_result * (wb - wa)`,
  pending: `(r.received - r.closed) * wb`,
  pendingWithinDeadline: `(r.received - r.closed - r.due + r.due_closed) * wb`,
  pendingOverdue: `(r.due - r.due_closed) * wb`,
};
const NAMES = Object.keys(FIGURES) as (keyof DossierFigures)[];

/**
 * Whether a rollup row (r) falls in the prefix before day `d`, whose year starts at `y` and month at `m`: the unit's
 * year rows before d's year, its month rows of d's year before d's month, and its day rows of d's month before d.
 */
const before = (d: string, y: string, m: string) => `(CASE r.grain
           WHEN 'year' THEN r.start < ${y}
           WHEN 'month' THEN r.start >= ${y} AND r.start < ${m}
           ELSE r.start >= ${m} AND r.start < ${d} END)::int`;

/** A unit's rollup rows over one range of starts of one grain (an index range of the primary key). */
const rows = (grain: string, from: string | null, to: string) =>
  `SELECT * FROM dossier_figure_rollups
            WHERE unit_code = c.code AND grain = '${grain}'${from ? ` AND start >= ${from}` : ''} AND start < ${to}`;

/**
 * `WITH` items naming `k` (the range's bounds) and `by_unit (code, figures…)`:
 * the figures of each unit that `units` (a SELECT of unit codes) lists, each
 * unit read once through its own index ranges (LATERAL). The five ranges
 * (disjoint, so no row counts twice; each row weighted by wa and wb):
 * years before B's year (they hold A's years too), A's months and then B's
 * months not already read, A's days and then B's days not already read. The
 * range's days are $2 and $3. Units without any rollup row are skipped at once
 * (the partial index of year rows).
 */
export function rollupFiguresOfUnits(units: string, names: readonly (keyof DossierFigures)[] = NAMES): string {
  return `k AS (
    SELECT a, b, date_trunc('year', a::timestamp)::date AS ya, date_trunc('month', a::timestamp)::date AS ma,
           date_trunc('year', b::timestamp)::date AS yb, date_trunc('month', b::timestamp)::date AS mb
      FROM (SELECT $2::date AS a, $3::date + 1 AS b) AS k
  ),
  by_unit AS (
    SELECT c.code, f.*
      FROM k CROSS JOIN unnest(ARRAY(
             SELECT u.code FROM (${units}) AS u (code)
              WHERE u.code IN (SELECT h.unit_code FROM dossier_figure_rollups h WHERE h.grain = 'year')
           )) AS c (code)
      CROSS JOIN LATERAL (
        SELECT ${names.map((name) => `coalesce(sum(${FIGURES[name]}), 0) AS "${name}"`).join(',\n               ')}
          FROM (
            SELECT r.*, ${before('k.a', 'k.ya', 'k.ma')} AS wa, ${before('k.b', 'k.yb', 'k.mb')} AS wb
              FROM (${rows('year', null, 'k.yb')}
                    UNION ALL ${rows('month', 'k.ya', 'k.ma')}
                    UNION ALL ${rows('month', 'greatest(k.yb, k.ma)', 'k.mb')}
                    UNION ALL ${rows('day', 'k.ma', 'k.a')}
                    UNION ALL ${rows('day', 'greatest(k.mb, k.a)', 'k.b')}) AS r
          ) AS r
      ) AS f
  )`;
}

/** As in dossiers.ts, each unit in scope (valid in the period) is read once, then the units' sums are added up per root. */
const SQL = figureSql(
  (own) => `WITH RECURSIVE ${scopeItems('$1', { first: '$2', last: '$3' }, { own })},
  ${rollupFiguresOfUnits('SELECT DISTINCT s.code FROM scope s WHERE s.in_period')}
SELECT s.root,
       ${NAMES.map((name) => `sum(b."${name}")::bigint AS "${name}"`).join(',\n       ')}
  FROM scope s JOIN by_unit b ON b.code = s.code -- by_unit holds only the units valid in the period
 GROUP BY s.root`,
);

/**
 * The one-stop-shop's figures of each root's subtree (with `own`, of the root
 * alone) over the period, aligned with `roots` (unknown: all zeros): the same
 * results as dossierFigures, from the rollups.
 */
export const dossierFiguresFromRollups = figureFunction<DossierFigures>(SQL, NAMES);
