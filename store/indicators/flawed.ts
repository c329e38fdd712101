/**
 * How many of the records an indicator's figures read carry flaws (store/flaws.ts):
 * stored records that break a rule of their contract but are counted all the
 * same, by the rules their sound fields meet. Per figure group, over a root's
 * subtree and a period, the records as each group reads them (figures.ts):
 *
 * - DOSSIERS: the dossiers of the units valid in the period that take part in
 *   it (received in it, or received before its end and not finished or left
 *   before its start);
 * - STAFF: serving staff of the units valid at its end, and those units;
 * - PSU: public service unit finance of the year it ends in;
 * - BUDGET: execution lines and investment of that year up to its end;
 * - CROSS: the records of DOSSIERS, STAFF and BUDGET.
 *
 * Feeds are named as the sync names them (connectors/<upstream>/connector.ts).
 */
import { UNRESOLVED_CLOSED_STATUSES } from '../dossiers.ts';
import type { Queryable } from '../db.ts';
import type { FigureGroup } from './figures.ts';
import { scopeItems, vnDayEnd, vnDayStart, type DayRange } from './scope.ts';

const S = vnDayStart('$2');
const E = vnDayEnd('$3');
const LEFT = `(${UNRESOLVED_CLOSED_STATUSES.map((status) => `'${status}'`).join(', ')})`;
const YEAR_START = `make_date(extract(year FROM $3::date)::int, 1, 1)`;

type BaseGroup = Exclude<FigureGroup, 'CROSS'>;
const BASE_GROUPS: Readonly<Record<FigureGroup, readonly BaseGroup[]>> = {
  DOSSIERS: ['DOSSIERS'],
  STAFF: ['STAFF'],
  PSU: ['PSU'],
  BUDGET: ['BUDGET'],
  CROSS: ['DOSSIERS', 'STAFF', 'BUDGET'],
};

const SQL = `WITH RECURSIVE ${scopeItems('$1', { first: '$2', last: '$3' })}
SELECT
  (SELECT count(DISTINCT f.record_key) FROM record_flaws f JOIN dossiers d ON d.code = f.record_key
    WHERE f.source = 'one-stop-shop/dossiers' AND d.unit_code IN (SELECT code FROM scope WHERE in_period)
      AND d.received_at < ${E}
      AND (d.received_at >= ${S} OR ((d.finished_at IS NULL OR d.finished_at >= ${S})
           AND NOT (d.status IN ${LEFT} AND d.source_updated_at < ${S})))) AS "DOSSIERS",
  (SELECT count(DISTINCT f.record_key) FROM record_flaws f JOIN staff st ON st.id = f.record_key
    WHERE f.source = 'cadre-db/staff' AND st.status = 'SERVING'
      AND st.unit_code IN (SELECT code FROM scope WHERE at_end))
  + (SELECT count(DISTINCT f.record_key) FROM record_flaws f
      WHERE f.source = 'cadre-db/units' AND f.record_key IN (SELECT code FROM scope WHERE at_end)) AS "STAFF",
  (SELECT count(DISTINCT f.record_key) FROM record_flaws f
    WHERE f.source = 'budget/psu-finance' AND f.unit_code IN (SELECT code FROM scope WHERE at_end)
      AND f.day = ${YEAR_START}) AS "PSU",
  (SELECT count(DISTINCT (f.source, f.record_key)) FROM record_flaws f
    WHERE f.source IN ('budget/execution', 'budget/investment') AND f.unit_code IN (SELECT code FROM scope)
      AND f.day BETWEEN ${YEAR_START} AND $3::date) AS "BUDGET"`;

/** The flawed records among those the groups read over a root's subtree and a period (each record once). */
export async function countFlawedRecords(
  db: Queryable,
  root: string,
  range: DayRange,
  groups: Iterable<FigureGroup>,
): Promise<number> {
  const base = new Set([...groups].flatMap((group) => BASE_GROUPS[group]));
  if (base.size === 0) return 0;
  const [row] = await db.query<Record<BaseGroup, number | string>>(SQL, [[root], range.first, range.last]);
  return [...base].reduce((total, group) => total + Number(row?.[group] ?? 0), 0);
}
