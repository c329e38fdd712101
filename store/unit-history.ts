/**
 * Reads of the past as it stood (issue 20, the graph of history): each unit's
 * versions, the tree on a day, the administrative events and the lineage they
 * make, each person's assignments, and the staff serving on a day. The tables
 * are migration 0018's. Every read that serves a nested field takes a whole
 * page of keys and answers in one statement (for loaders).
 *
 * A consumer bound to a unit subtree sees the history of the units of that
 * subtree as it is today (unit_tree): `within` narrows a read to them, so that
 * what lies outside answers as nothing, like an unknown unit.
 */
import type { Queryable } from './db.ts';
import type { IsoDate, StaffCategory, UnitEventType, UnitVersion } from './model.ts';
import type { UnitRow } from './units.ts';
import type { StaffRow } from './staff.ts';
import type { KeysetPage } from './keyset.ts';
import { insideSubtree, staffCountsByUnit, type UnitStaffCountRow } from './units.ts';
import { matchesSearch, searchPatterns } from './search.ts';

export { UNIT_EVENT_TYPES, type UnitEventType } from './model.ts';

/** One version of a unit as stored: the upstream's (model.ts UnitVersion), or one the hub observed itself. */
export interface UnitVersionRow extends Omit<UnitVersion, 'validFrom' | 'sourceUpdatedAt'> {
  /** null: since before the hub knows. */
  validFrom: IsoDate | null;
  observed: boolean;
}

/** Every version of each unit, oldest first (grouped by code by the caller). */
export function findVersionsOfUnits(db: Queryable, codes: readonly string[]): Promise<UnitVersionRow[]> {
  return db.query<UnitVersionRow>(
    `SELECT code, version, valid_from AS "validFrom", valid_to AS "validTo", name, parent_code AS "parentCode", level,
            kind, sector, budget_code AS "budgetCode", headcount_quota AS "headcountQuota", observed
       FROM unit_versions WHERE code = ANY($1::text[])
      ORDER BY code, version`,
    [codes],
  );
}

/**
 * The parent each unit had on `day`, by the version in force that day: undefined when no version was (the unit did
 * not exist), null when the version had no parent. Aligned with `codes`.
 */
export async function findParentsOn(
  db: Queryable,
  codes: readonly string[],
  day: IsoDate,
): Promise<(string | null | undefined)[]> {
  const rows = await db.query<{ code: string; parentCode: string | null }>(
    `SELECT code, parent_code AS "parentCode" FROM unit_versions
      WHERE code = ANY($1::text[]) AND valid_during @> $2::date`,
    [codes, day],
  );
  const parents = new Map(rows.map((row) => [row.code, row.parentCode]));
  return codes.map((code) => (parents.has(code) ? parents.get(code)! : undefined));
}

/** A child on a day, with the parent it had that day (its `parentCode` is today's). */
export interface DatedChildRow extends UnitRow {
  heldBy: string;
}

/**
 * The tree as it stood on `day`: the units whose version in force that day names one of `parentCodes` as parent,
 * ordered by code, with the parent as `heldBy`. Only units the store holds (a Unit is read from `units`).
 */
export function findChildrenOn(
  db: Queryable,
  parentCodes: readonly string[],
  day: IsoDate,
  within: string | null,
): Promise<DatedChildRow[]> {
  return db.query<DatedChildRow>(
    `SELECT v.parent_code AS "heldBy", u.code, u.budget_code AS "budgetCode", u.name, u.parent_code AS "parentCode",
            u.level, u.kind, u.sector, u.headcount_quota AS "headcountQuota", u.valid_from AS "validFrom",
            u.valid_to AS "validTo", u.source_updated_at AS "sourceUpdatedAt", u.synced_at AS "syncedAt"
       FROM unit_versions v JOIN units u ON u.code = v.code
      WHERE v.parent_code = ANY($1::text[]) AND v.valid_during @> $2::date AND ${insideSubtree('u.code', '$3')}
      ORDER BY v.parent_code, u.code`,
    [parentCodes, day, within],
  );
}

/** How many children each unit had on `day`, by the versions' parents. Aligned with `codes`. */
export async function countChildrenOn(
  db: Queryable,
  codes: readonly string[],
  day: IsoDate,
  within: string | null,
): Promise<number[]> {
  const rows = await db.query<{ code: string; count: number }>(
    `SELECT v.parent_code AS code, count(*)::int AS count
       FROM unit_versions v JOIN units u ON u.code = v.code
      WHERE v.parent_code = ANY($1::text[]) AND v.valid_during @> $2::date AND ${insideSubtree('u.code', '$3')}
      GROUP BY v.parent_code`,
    [codes, day, within],
  );
  const counts = new Map(rows.map((row) => [row.code, row.count]));
  return codes.map((code) => counts.get(code) ?? 0);
}

// ---------------------------------------------------------------------------
// Events and lineage.

export interface UnitEventRow {
  id: string;
  type: UnitEventType;
  effectiveOn: IsoDate;
  legalBasis: string | null;
}

const EVENT_COLUMNS = (alias: string) =>
  `${alias}.id, ${alias}.type, ${alias}.effective_on AS "effectiveOn", ${alias}.legal_basis AS "legalBasis"`;

/** An event a unit took part in (before or after it), with the unit it was found for. */
export interface UnitEventOfUnitRow extends UnitEventRow {
  forUnit: string;
}

/** The events each unit took part in, on either side, by effective date then id. */
export function findEventsOfUnits(db: Queryable, codes: readonly string[]): Promise<UnitEventOfUnitRow[]> {
  return db.query<UnitEventOfUnitRow>(
    `SELECT DISTINCT x.unit_code AS "forUnit", ${EVENT_COLUMNS('e')}
       FROM unit_event_units x JOIN unit_events e ON e.id = x.event_id
      WHERE x.unit_code = ANY($1::text[])
      ORDER BY "forUnit", "effectiveOn", e.id`,
    [codes],
  );
}

/** The units before (or after) each event, by code; only units the store holds and, when bound, inside `within`. */
export async function findUnitsOfEvents(
  db: Queryable,
  eventIds: readonly string[],
  side: 'BEFORE' | 'AFTER',
  within: string | null,
): Promise<string[][]> {
  const rows = await db.query<{ eventId: string; code: string }>(
    `SELECT x.event_id AS "eventId", x.unit_code AS code
       FROM unit_event_units x JOIN units u ON u.code = x.unit_code
      WHERE x.event_id = ANY($1::text[]) AND x.side = $2 AND ${insideSubtree('x.unit_code', '$3')}
      ORDER BY x.event_id, x.unit_code`,
    [eventIds, side, within],
  );
  const byEvent = new Map<string, string[]>();
  for (const row of rows) byEvent.set(row.eventId, [...(byEvent.get(row.eventId) ?? []), row.code]);
  return eventIds.map((id) => byEvent.get(id) ?? []);
}

/** One lineage pair seen from one of its units: the other unit and the event that links them. */
export interface LineageLinkRow {
  forUnit: string;
  otherCode: string;
  event: UnitEventRow;
}

/**
 * The predecessors (or successors) of each unit by lineage (unit_lineage), by the event's date then the other
 * unit's code; only other units the store holds and, when bound, inside `within`.
 */
export async function findLineageOfUnits(
  db: Queryable,
  codes: readonly string[],
  direction: 'PREDECESSORS' | 'SUCCESSORS',
  within: string | null,
): Promise<LineageLinkRow[]> {
  const [self, other] =
    direction === 'PREDECESSORS' ? ['successor_code', 'predecessor_code'] : ['predecessor_code', 'successor_code'];
  const rows = await db.query<UnitEventRow & { forUnit: string; otherCode: string }>(
    `SELECT l.${self} AS "forUnit", l.${other} AS "otherCode", l.event_id AS id, l.type,
            l.effective_on AS "effectiveOn", l.legal_basis AS "legalBasis"
       FROM unit_lineage l JOIN units u ON u.code = l.${other}
      WHERE l.${self} = ANY($1::text[]) AND ${insideSubtree(`l.${other}`, '$2')}
      ORDER BY "forUnit", "effectiveOn", "otherCode", id`,
    [codes, within],
  );
  return rows.map(({ forUnit, otherCode, ...event }) => ({ forUnit, otherCode, event }));
}

export interface UnitEventFilter {
  type?: UnitEventType | null;
  /** First effective day, inclusive. */
  from?: IsoDate | null;
  /** Last effective day, inclusive. */
  to?: IsoDate | null;
  /** Only events this unit took part in, on either side. */
  unitCode?: string | null;
  /** Only events with a unit of this subtree (a bound consumer's); null: every event. */
  within?: string | null;
}

/** A position in the order of events: (effective date, id). */
export interface UnitEventKey {
  effectiveOn: IsoDate;
  id: string;
}

export interface UnitEventPage extends Omit<KeysetPage, 'after' | 'before'> {
  after?: UnitEventKey | undefined;
  before?: UnitEventKey | undefined;
}

function eventFilterClause(filter: UnitEventFilter): { where: string; params: unknown[] } {
  return {
    where: `($1::text IS NULL OR e.type = $1)
        AND ($2::date IS NULL OR e.effective_on >= $2)
        AND ($3::date IS NULL OR e.effective_on <= $3)
        AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM unit_event_units x WHERE x.event_id = e.id AND x.unit_code = $4))
        AND ($5::text IS NULL OR EXISTS (
              SELECT 1 FROM unit_event_units x JOIN unit_tree t ON t.unit_code = x.unit_code AND t.ancestor_code = $5
               WHERE x.event_id = e.id))`,
    params: [
      filter.type ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.unitCode ?? null,
      filter.within ?? null,
    ],
  };
}

/** Events matching the filter, by effective date then id, one keyset page at a time (unit_events_effective_idx). */
export function listUnitEvents(db: Queryable, filter: UnitEventFilter, page: UnitEventPage): Promise<UnitEventRow[]> {
  const { where, params } = eventFilterClause(filter);
  const dir = page.inverted ? 'DESC' : 'ASC';
  return db.query<UnitEventRow>(
    `SELECT ${EVENT_COLUMNS('e')} FROM unit_events e
      WHERE ${where}
        AND ($6::date IS NULL OR (e.effective_on, e.id) > ($6::date, $7::text))
        AND ($8::date IS NULL OR (e.effective_on, e.id) < ($8::date, $9::text))
      ORDER BY e.effective_on ${dir}, e.id ${dir}
      LIMIT $10`,
    [
      ...params,
      page.after?.effectiveOn ?? null,
      page.after?.id ?? null,
      page.before?.effectiveOn ?? null,
      page.before?.id ?? null,
      page.limit,
    ],
  );
}

/** How many events match the filter. */
export async function countUnitEvents(db: Queryable, filter: UnitEventFilter): Promise<number> {
  const { where, params } = eventFilterClause(filter);
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM unit_events e WHERE ${where}`,
    params,
  );
  return row?.count ?? 0;
}

// ---------------------------------------------------------------------------
// Staff assignments.

export interface StaffAssignmentRow {
  staffId: string;
  unitCode: string;
  category: StaffCategory | null;
  position: string | null;
  meetsStandard: boolean | null;
  /** null: the start is unknown (an assignment the hub observed from '-infinity'). */
  validFrom: IsoDate | null;
  validTo: IsoDate | null;
  observed: boolean;
}

/** Each person's assignments, oldest first; when bound, only those in units inside `within`. */
export function findAssignmentsOfStaff(
  db: Queryable,
  staffIds: readonly string[],
  within: string | null,
): Promise<StaffAssignmentRow[]> {
  return db.query<StaffAssignmentRow>(
    `SELECT staff_id AS "staffId", unit_code AS "unitCode", category, position, meets_standard AS "meetsStandard",
            CASE WHEN isfinite(starts_on) THEN starts_on END AS "validFrom", ends_on AS "validTo", observed
       FROM staff_assignments
      WHERE staff_id = ANY($1::text[]) AND ${insideSubtree('unit_code', '$2')}
      ORDER BY staff_id, starts_on`,
    [staffIds, within],
  );
}

/**
 * Staff by category of each unit itself on `day`, from the assignments in force that day, every category listed
 * (zero included). Aligned with `codes`.
 */
export async function countAssignedStaffOfUnits(
  db: Queryable,
  codes: readonly string[],
  day: IsoDate,
): Promise<UnitStaffCountRow[][]> {
  const rows = await db.query<{ code: string; label: string; count: number }>(
    `SELECT unit_code AS code, category AS label, count(*)::int AS count FROM staff_assignments
      WHERE unit_code = ANY($1::text[]) AND valid_during @> $2::date
      GROUP BY unit_code, category`,
    [codes, day],
  );
  return staffCountsByUnit(codes, rows);
}

export interface ServingStaffFilter {
  /** The day the assignment was in force. */
  servingOn: IsoDate;
  /** Staff assigned that day to this unit or a unit below it in the tree as it stood that day. */
  unitCode?: string | null;
  /** The assignment's category and standing that day. */
  category?: StaffCategory | null;
  meetsStandard?: boolean | null;
  /** The person's own record today. */
  qualification?: string | null;
  status?: string | null;
  /** Words that must each begin a word of the full name, ignoring case and diacritics. */
  search?: string | null;
  /** Only people whose unit today lies in this subtree (a bound consumer's). */
  within?: string | null;
}

const STAFF_COLUMNS = `s.id, s.full_name AS "fullName", s.birth_date AS "birthDate", s.gender, s.unit_code AS "unitCode",
  s.category, s.rank_code AS "rankCode", s.position, s.qualification, s.meets_standard AS "meetsStandard", s.status,
  s.source_updated_at AS "sourceUpdatedAt", s.synced_at AS "syncedAt"`;

function servingFilterClause(filter: ServingStaffFilter): { where: string; params: unknown[] } {
  return {
    where: `EXISTS (
          SELECT 1 FROM staff_assignments a
           WHERE a.staff_id = s.id AND a.valid_during @> $1::date
             AND ($2::text IS NULL OR EXISTS (
                   SELECT 1 FROM unit_ancestry x
                    WHERE x.ancestor_code = $2 AND x.unit_code = a.unit_code AND x.link = 'TREE'
                      AND x.valid_during @> $1::date))
             AND ($3::text IS NULL OR a.category = $3)
             AND ($4::boolean IS NULL OR a.meets_standard = $4))
        AND ($5::text IS NULL OR s.qualification = $5)
        AND ($6::text IS NULL OR s.status = $6)
        AND ${insideSubtree('s.unit_code', '$7')}
        AND ${matchesSearch(`' ' || s.full_name_folded`, '$8')}`,
    params: [
      filter.servingOn,
      filter.unitCode ?? null,
      filter.category ?? null,
      filter.meetsStandard ?? null,
      filter.qualification ?? null,
      filter.status ?? null,
      filter.within ?? null,
      searchPatterns(filter.search),
    ],
  };
}

/** The people with an assignment in force on the day (under the filter), by id, one keyset page at a time. */
export function listStaffServingOn(db: Queryable, filter: ServingStaffFilter, page: KeysetPage): Promise<StaffRow[]> {
  const { where, params } = servingFilterClause(filter);
  return db.query<StaffRow>(
    `SELECT ${STAFF_COLUMNS} FROM staff s
      WHERE ${where}
        AND ($9::text IS NULL OR s.id > $9) AND ($10::text IS NULL OR s.id < $10)
      ORDER BY s.id ${page.inverted ? 'DESC' : 'ASC'}
      LIMIT $11`,
    [...params, page.after ?? null, page.before ?? null, page.limit],
  );
}

/** How many people match a servingOn filter. */
export async function countStaffServingOn(db: Queryable, filter: ServingStaffFilter): Promise<number> {
  const { where, params } = servingFilterClause(filter);
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM staff s WHERE ${where}`, params);
  return row?.count ?? 0;
}
