/**
 * The one-stop-shop's figures (form 06/VPCP/KSTT, docs/domain.md) for a
 * batch of roots over a period, in one statement: the reference that the
 * rollups (dossier-rollups.ts) must agree with. Over the dossiers of the units
 * in the dated scope (scope.ts `pieces`), a dossier is received, carried
 * over, resolved or pending as dossierRowsOf defines them, each counted by
 * the roots that held its unit on the day of that event (AS_WAS) or on the
 * hierarchyDate (AS_IS). A root that held a unit over the whole period (every
 * AS_IS root, and AS_WAS without history) sees the balance carried over +
 * received = resolved + pending + left during the period, which the hub can
 * check where the source reports do not add up.
 */
import { UNRESOLVED_CLOSED_STATUSES } from '../dossiers.ts';
import type { DossierFigures } from './figures.ts';
import { datedScopeItems, figureFunction, figureSql, vnDayEnd, vnDayStart } from './scope.ts';

const S = vnDayStart('$2');
const E = vnDayEnd('$3');
const LEFT = `(${UNRESOLVED_CLOSED_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/**
 * Each figure as a condition on one dossier row, over the flags the inner
 * select computes (received, carried_over, resolved, pending) and the
 * dossier's columns. Conditions that may be null (a missing due date) count as false.
 */
const FIGURES: Readonly<Record<keyof DossierFigures, string>> = {
  received: `received`,
  receivedOnline: `received AND channel = 'ONLINE'`,
  receivedInPerson: `received AND channel = 'IN_PERSON'`,
  receivedPostal: `received AND channel = 'POSTAL'`,
  carriedOver: `carried_over`,
  receivedFullProcessEligible: `received AND online_service = 'FULL_PROCESS'`,
  receivedFullProcessOnline: `received AND online_service = 'FULL_PROCESS' AND full_process_online`,
  receivedWithFee: `received AND has_fee`,
  receivedPaidOnline: `received AND has_fee AND paid_online`,
  receivedDigitised: `received AND digitised`,
  resolved: `resolved`,
  resolvedEarly: `resolved AND finish_outcome = 'EARLY'`,
  // Early, on time or late: the Vietnam day of finishing against the Vietnam day due. finish_outcome is null for a
  // finished dossier exactly when it has no due date: on time, as it had no deadline to miss and form 06 has no fourth
  // column for it, so resolved = early + on time + late always holds.
  resolvedOnTime: `resolved AND coalesce(finish_outcome, 'ON_TIME') = 'ON_TIME'`,
  resolvedLate: `resolved AND finish_outcome = 'LATE'`,
  resolvedElectronicResult: `resolved AND electronic_result`,
  pending: `pending`,
  pendingWithinDeadline: `pending AND NOT coalesce(due_at < ${E}, false)`,
  pendingOverdue: `pending AND due_at < ${E}`,
};
const NAMES = Object.keys(FIGURES) as (keyof DossierFigures)[];

/** The figures' conditions and names, for statements that group the same figures otherwise (dossiers-by.ts). */
export { FIGURES as DOSSIER_FIGURE_CONDITIONS, NAMES as DOSSIER_FIGURE_NAMES };

/** Every figure as a count over the rows of dossierRowsOf (a select list, each column named after its figure). */
export const DOSSIER_FIGURE_COUNTS = NAMES.map((name) => `count(*) FILTER (WHERE ${FIGURES[name]}) AS "${name}"`).join(
  ',\n               ',
);

/**
 * The dossiers of one piece of the scope (`c`, a row of scope.ts `pieces`:
 * c.code, c.lo, c.hi, c.carry, c.pend) that can count in some figure over
 * the period [$2, $3], with the columns and flags the figures' conditions
 * read, and `columns` besides (e.g. 'p.field_code'; d is the dossier, p its
 * procedure). The WHERE is explained below.
 *
 * With S the first instant of the period, E the first instant after it, and
 * LO, HI the first instants of the piece's days lo and hi:
 * - received: received_at in [LO, HI);
 * - carried over (when c.carry): received before S and still open at S: not
 *   finished before S, and not withdrawn, refused or stopped (LEFT) before S.
 *   Those statuses close a dossier without resolving it, at its last update
 *   (source_updated_at): the upstream records no other time for it;
 * - resolved: PROCESSED or RETURNED, finished in [LO, HI);
 * - pending (when c.pend): received before E, neither finished nor left
 *   before E; overdue when due before E (due on the period's last day or
 *   earlier: that day is over when the period ends).
 * The WHERE reads the whole period's dossiers of the unit (a piece is within it).
 */
export function dossierRowsOf(columns: readonly string[] = []): string {
  const LO = vnDayStart('c.lo');
  const HI = vnDayStart('c.hi');
  return `SELECT d.channel, d.full_process_online, d.has_fee, d.paid_online, d.digitised,
                   d.electronic_result, d.finish_outcome, d.due_at, p.online_service,${columns.map((c) => ` ${c},`).join('')}
                   d.received_at >= ${LO} AND d.received_at < ${HI} AS received,
                   c.carry AND d.received_at < ${S} AND (d.finished_at IS NULL OR d.finished_at >= ${S})
                     AND NOT (d.status IN ${LEFT} AND d.source_updated_at < ${S}) AS carried_over,
                   d.status IN ('PROCESSED', 'RETURNED') AND d.finished_at >= ${LO} AND d.finished_at < ${HI} AS resolved,
                   c.pend AND d.received_at < ${E} AND (d.finished_at IS NULL OR d.finished_at >= ${E})
                     AND NOT (d.status IN ${LEFT} AND d.source_updated_at < ${E}) AS pending
              FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
             WHERE d.unit_code = c.code
               AND ((d.received_at >= ${S} AND d.received_at < ${E})
                    OR (d.finished_at IS NULL AND d.received_at < ${E})
                    OR (d.finished_at >= ${S} AND d.finished_at < ${E})
                    OR (d.finished_at >= ${E} AND d.received_at < ${E}))`;
}

/**
 * The distinct pieces of the scope (one per unit for a root that held it over
 * the whole period, however many roots of the batch hold it), each read once.
 */
export const DISTINCT_PIECES = `SELECT DISTINCT code, lo, hi, carry, pend FROM pieces`;

/**
 * Each piece's dossiers are counted first (a unit held by every root over the
 * whole period is one piece), then the pieces' counts are summed per root: a
 * dossier is read once however many roots of the batch hold its unit the same
 * way (a ranking asks for every commune, its district and the province at
 * once). The pieces are walked one by one (LATERAL), so each reads its unit's
 * dossiers through its indexes whatever the planner guesses of the scope's
 * size: a commune never scans the province's dossiers. (A plain join to the
 * scope read every dossier of the province by sequential scan even for one
 * commune, measured on 300,000 dossiers on PostgreSQL 15.)
 *
 * The WHERE keeps the dossiers that can count in any figure (the FILTERs then
 * apply each definition exactly), as four arms, each a range of an index of
 * the unit (combined in a BitmapOr on PostgreSQL):
 *   received in [S, E)                      dossiers_unit_received_cover_idx
 *   open, received before E                 dossiers_unit_open_idx (every open dossier of the unit)
 *   finished in [S, E)                      dossiers_unit_finished_idx
 *   finished from E on, received before E   dossiers_unit_finished_idx (finished_at >= E)
 * A unit's history finished before the period is never read. The last arm
 * reads what the unit finished after the period to find the few dossiers open
 * across its end: nothing for a current period, more for an old one (no index
 * of the store bounds "open at an instant" from both sides).
 */
const SQL = figureSql(
  (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  by_piece AS (
    SELECT c.code, c.lo, c.hi, c.carry, c.pend, f.*
      FROM (${DISTINCT_PIECES}) AS c
      CROSS JOIN LATERAL (
        SELECT ${DOSSIER_FIGURE_COUNTS}
          FROM (${dossierRowsOf()}) AS d
      ) AS f
  )
SELECT s.root,
       ${NAMES.map((name) => `sum(b."${name}")::bigint AS "${name}"`).join(',\n       ')}
  FROM pieces s JOIN by_piece b USING (code, lo, hi, carry, pend)
 GROUP BY s.root`,
);

/**
 * The one-stop-shop's figures of each root's subtree (with `own`, of the root
 * alone) over the period, aligned with `roots` (unknown: all zeros).
 */
export const dossierFigures = figureFunction<DossierFigures>(SQL, NAMES);
