/**
 * The one-stop-shop's figures (dossiers.ts, which stays the reference) read
 * from dossier_figure_rollups (migration 0011) instead of the dossiers: the
 * same numbers, from a few rows per unit. Every figure is a sum of per-day
 * events, so over the days [lo, hi) of a piece of the scope (scope.ts), with
 * P(<D) a unit's sum over the days before D, a flow (received, resolved) is
 * P(<hi) − P(<lo), and what is open at the period's first day (carried over)
 * or after its last (pending) is P(<first) or P(<last + 1) of received − closed.
 */
import type { DossierFigures } from './figures.ts';
import { datedScopeItems, figureFunction, figureSql } from './scope.ts';

/** The rollup columns, each summed into a prefix P(<D) (a cut). */
const COLUMNS = [
  'received',
  'received_online',
  'received_in_person',
  'received_postal',
  'received_full_process_eligible',
  'received_full_process_online',
  'received_with_fee',
  'received_paid_online',
  'received_digitised',
  'resolved',
  'resolved_early',
  'resolved_on_time',
  'resolved_late',
  'resolved_electronic_result',
  'closed',
  'due',
  'due_closed',
] as const;

/**
 * Each figure of a piece [lo, hi) of the scope from the prefixes at its cut
 * days, a = P(<lo) and b = P(<hi): a flow is b − a; what is open at the
 * period's start (carried over; lo is the first day when `carry`) is a's
 * received − closed, what is open at its end (pending; hi is the day after
 * the last when `pend`) is b's.
 */
const flow = (column: string) => `b.${column} - a.${column}`;
const FIGURES: Readonly<Record<keyof DossierFigures, string>> = {
  received: flow('received'),
  receivedOnline: flow('received_online'),
  receivedInPerson: flow('received_in_person'),
  receivedPostal: flow('received_postal'),
  carriedOver: `CASE WHEN c.carry THEN a.received - a.closed ELSE 0 END`,
  receivedFullProcessEligible: flow('received_full_process_eligible'),
  receivedFullProcessOnline: flow('received_full_process_online'),
  receivedWithFee: flow('received_with_fee'),
  receivedPaidOnline: flow('received_paid_online'),
  receivedDigitised: flow('received_digitised'),
  resolved: flow('resolved'),
  resolvedEarly: flow('resolved_early'),
  resolvedOnTime: flow('resolved_on_time'),
  resolvedLate: flow('resolved_late'),
  resolvedElectronicResult: flow('resolved_electronic_result'),
  pending: `CASE WHEN c.pend THEN b.received - b.closed ELSE 0 END`,
  pendingWithinDeadline: `CASE WHEN c.pend THEN b.received - b.closed - b.due + b.due_closed ELSE 0 END`,
  pendingOverdue: `CASE WHEN c.pend THEN b.due - b.due_closed ELSE 0 END`,
};
const NAMES = Object.keys(FIGURES) as (keyof DossierFigures)[];

/** A unit's rollup rows over one range of starts of one grain (an index range of the primary key). */
const rows = (grain: string, from: string | null, to: string) =>
  `SELECT * FROM dossier_figure_rollups
            WHERE unit_code = k.code AND grain = '${grain}'${from ? ` AND start >= ${from}` : ''} AND start < ${to}`;

/**
 * `WITH` items naming `cuts`, `prefix` and `by_piece (code, lo, hi, carry,
 * pend, figures…)`: the figures of each distinct piece of the scope's
 * `pieces` (scope.ts). Each (unit, cut day) prefix P(<D) is read once, however
 * many pieces and roots share it (a root that held a unit over the whole
 * period has the cuts first and last + 1, shared by every such root), through
 * three index ranges of the primary key: the unit's year rows before D's
 * year, its month rows of D's year before D's month, its day rows of D's
 * month before D. Units without any rollup row are skipped at once (the
 * partial index of year rows) and get no piece figures (zeros).
 */
export function rollupFiguresOfPieces(names: readonly (keyof DossierFigures)[] = NAMES): string {
  return `cuts AS (
    SELECT DISTINCT c.code, c.d, date_trunc('year', c.d::timestamp)::date AS y, date_trunc('month', c.d::timestamp)::date AS m
      FROM (SELECT code, lo AS d FROM pieces UNION SELECT code, hi FROM pieces) AS c
     WHERE c.code IN (SELECT h.unit_code FROM dossier_figure_rollups h WHERE h.grain = 'year')
  ),
  prefix AS (
    SELECT k.code, k.d, f.*
      FROM cuts k
      CROSS JOIN LATERAL (
        SELECT ${COLUMNS.map((column) => `coalesce(sum(r.${column}), 0) AS ${column}`).join(',\n               ')}
          FROM (${rows('year', null, 'k.y')}
                UNION ALL ${rows('month', 'k.y', 'k.m')}
                UNION ALL ${rows('day', 'k.m', 'k.d')}) AS r
      ) AS f
  ),
  by_piece AS (
    SELECT c.code, c.lo, c.hi, c.carry, c.pend,
           ${names.map((name) => `${FIGURES[name]} AS "${name}"`).join(',\n           ')}
      FROM (SELECT DISTINCT code, lo, hi, carry, pend FROM pieces) AS c
      JOIN prefix a ON a.code = c.code AND a.d = c.lo
      JOIN prefix b ON b.code = c.code AND b.d = c.hi
  )`;
}

/** As in dossiers.ts, each piece of the scope is read once, then the pieces' figures are added up per root. */
const SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  ${rollupFiguresOfPieces()}
SELECT s.root,
       ${NAMES.map((name) => `sum(b."${name}")::bigint AS "${name}"`).join(',\n       ')}
  FROM pieces s JOIN by_piece b USING (code, lo, hi, carry, pend)
 GROUP BY s.root`,
);

/**
 * The one-stop-shop's figures of each root's subtree (with `own`, of the root
 * alone) over the period, aligned with `roots` (unknown: all zeros): the same
 * results as dossierFigures, from the rollups.
 */
export const dossierFiguresFromRollups = figureFunction<DossierFigures>(SQL, NAMES);
