import type { Queryable } from './db.ts';
import type { Dossier, DossierChannel, DossierStatus, IsoDate } from './model.ts';
import { defineReportingUpsert, defineUpsert, type UpsertSpec } from './upsert.ts';

/**
 * Inserts or updates dossiers in one statement; an older version (by
 * source_updated_at) never overwrites a newer one. The procedure and unit must
 * exist: a batch with an unknown one fails whole (the sync checks references
 * first and quarantines what does not resolve). Returns how many rows were written.
 */
const DOSSIERS: UpsertSpec<Dossier> = {
  table: 'dossiers',
  key: ['code'],
  versioned: true,
  columns: {
    code: ['text', (d) => d.code],
    procedure_code: ['text', (d) => d.procedureCode],
    unit_code: ['text', (d) => d.unitCode],
    channel: ['text', (d) => d.channel],
    status: ['text', (d) => d.status],
    applicant_name: ['text', (d) => d.applicantName?.normalize('NFC') ?? null],
    applicant_phone: ['text', (d) => d.applicantPhone],
    received_at: ['timestamptz', (d) => d.receivedAt],
    due_at: ['timestamptz', (d) => d.dueAt],
    finished_at: ['timestamptz', (d) => d.finishedAt],
    returned_at: ['timestamptz', (d) => d.returnedAt],
    full_process_online: ['boolean', (d) => d.fullProcessOnline],
    has_fee: ['boolean', (d) => d.hasFee],
    online_payment: ['text', (d) => d.onlinePayment],
    digitised: ['boolean', (d) => d.digitised],
    electronic_result: ['boolean', (d) => d.electronicResult],
    source_updated_at: ['timestamptz', (d) => d.sourceUpdatedAt],
  },
};

export const upsertDossiers = defineUpsert(DOSSIERS);

/** The dates that tell how a dossier moved on, as stored before an upsert. */
export interface StoredDossierDates {
  code: string;
  finishedAt: Date | null;
  returnedAt: Date | null;
  dueAt: Date | null;
  syncedAt: Date;
}

const upsertReportingDates = defineReportingUpsert(DOSSIERS, ['finished_at', 'returned_at', 'due_at', 'synced_at']);
const instant = (value: unknown) => (value == null ? null : new Date(value as string));

/** Upserts like upsertDossiers, and says what the store held for each dossier before (absent: it was new). */
export async function upsertDossiersReportingChanges(
  db: Queryable,
  dossiers: readonly Dossier[],
): Promise<{ written: number; before: StoredDossierDates[] }> {
  const { written, before } = await upsertReportingDates(db, dossiers);
  return {
    written,
    before: before.map((row) => ({
      code: row.code as string,
      finishedAt: instant(row.finished_at),
      returnedAt: instant(row.returned_at),
      dueAt: instant(row.due_at),
      syncedAt: instant(row.synced_at)!,
    })),
  };
}

// ---------------------------------------------------------------------------
// Reads for the graph.

/** How a dossier stands against its due date (finished ones from `finish_outcome`; open ones as of a given instant). */
export const DOSSIER_OUTCOMES = ['EARLY', 'ON_TIME', 'LATE', 'OPEN', 'OPEN_OVERDUE'] as const;
export type DossierOutcome = (typeof DOSSIER_OUTCOMES)[number];

/**
 * Every way a dossier can stand, in the order counts are listed: resolved
 * EARLY, ON_TIME or LATE (dossiers.finish_outcome, by Vietnam day);
 * RESOLVED_WITHOUT_DUE_DATE; WITHDRAWN_OR_REFUSED or STOPPED (left the open
 * count without being resolved); still OPEN, or OPEN_OVERDUE when its due date
 * has passed. The SQL function dossier_count_outcome (migrations 0010, 0019)
 * classifies the first six; the counts and the filter split OPEN as of a given instant.
 */
export const DOSSIER_COUNT_OUTCOMES = [
  'EARLY',
  'ON_TIME',
  'LATE',
  'RESOLVED_WITHOUT_DUE_DATE',
  'WITHDRAWN_OR_REFUSED',
  'STOPPED',
  'OPEN',
  'OPEN_OVERDUE',
] as const;
export type DossierCountOutcome = (typeof DOSSIER_COUNT_OUTCOMES)[number];

/**
 * Statuses that close a dossier without resolving it (refused, withdrawn by the
 * applicant, processing stopped): it has no outcome, neither open nor finished.
 */
export const UNRESOLVED_CLOSED_STATUSES: readonly DossierStatus[] = ['REFUSED', 'WITHDRAWN', 'STOPPED'];

export interface DossierRow extends Dossier {
  /** The generated `finish_outcome`: null while open or without a due date. */
  finishOutcome: 'EARLY' | 'ON_TIME' | 'LATE' | null;
  syncedAt: Date;
}

const DOSSIER_COLUMNS = `code, procedure_code AS "procedureCode", unit_code AS "unitCode", channel, status,
  applicant_name AS "applicantName", applicant_phone AS "applicantPhone", received_at AS "receivedAt",
  due_at AS "dueAt", finished_at AS "finishedAt", returned_at AS "returnedAt",
  full_process_online AS "fullProcessOnline", has_fee AS "hasFee", online_payment AS "onlinePayment",
  digitised, electronic_result AS "electronicResult", source_updated_at AS "sourceUpdatedAt",
  finish_outcome AS "finishOutcome", synced_at AS "syncedAt"`;

const CLOSED_LIST = UNRESOLVED_CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * A dossier's outcome as of `now`: one closed without being resolved null
 * (whether or not it carries a finishing time), a finished one by its
 * finish_outcome (null without a due date), an open one OPEN_OVERDUE once its
 * due instant has passed. The SQL of outcomeSql() says the same.
 */
export function dossierOutcome(
  dossier: Pick<DossierRow, 'finishedAt' | 'finishOutcome' | 'status' | 'dueAt'>,
  now: Date,
): DossierOutcome | null {
  if (dossier.status !== null && UNRESOLVED_CLOSED_STATUSES.includes(dossier.status)) return null;
  if (dossier.finishedAt !== null) return dossier.finishOutcome;
  return dossier.dueAt !== null && dossier.dueAt < now ? 'OPEN_OVERDUE' : 'OPEN';
}

/** dossierOutcome() in SQL, with `now` the given parameter. */
const outcomeSql = (now: string) => `CASE
    WHEN status IN (${CLOSED_LIST}) THEN NULL
    WHEN finished_at IS NOT NULL THEN finish_outcome
    WHEN due_at < ${now} THEN 'OPEN_OVERDUE'
    ELSE 'OPEN'
  END`;

/** Dossiers by code, in no particular order; unknown codes are absent (for loaders). */
export function findDossiersByCodes(db: Queryable, codes: readonly string[]): Promise<DossierRow[]> {
  return db.query<DossierRow>(`SELECT ${DOSSIER_COLUMNS} FROM dossiers WHERE code = ANY($1::text[])`, [codes]);
}

export interface DossierFilter {
  /** These units and every unit below them (by parent_code, at any depth); null: every unit. */
  unitCodes?: readonly string[] | null;
  procedureCode?: string | null;
  /** Any of these (null: any). */
  channels?: readonly DossierChannel[] | null;
  statuses?: readonly DossierStatus[] | null;
  /** As of the `now` the query is given. */
  outcome?: DossierCountOutcome | null;
  /** Vietnam days, both bounds inclusive. */
  receivedFrom?: IsoDate | null;
  receivedTo?: IsoDate | null;
  finishedFrom?: IsoDate | null;
  finishedTo?: IsoDate | null;
}

/** The dates dossiers can be listed by, and their columns (as stored, and as read into a DossierRow). */
export const DOSSIER_ORDER_FIELDS = {
  RECEIVED: { column: 'received_at', row: 'receivedAt' },
  DUE: { column: 'due_at', row: 'dueAt' },
  FINISHED: { column: 'finished_at', row: 'finishedAt' },
} as const;
export type DossierOrderField = keyof typeof DOSSIER_ORDER_FIELDS;

/** An order of the list: by a date, then by code in the same direction (the tiebreak that makes it total). */
export interface DossierOrder {
  field: DossierOrderField;
  direction: 'ASC' | 'DESC';
}

export const DEFAULT_DOSSIER_ORDER: DossierOrder = { field: 'RECEIVED', direction: 'DESC' };

/** A position in a dossier order: the dossier's date (null: it has none) and its code. */
export interface DossierKey {
  at: Date | null;
  code: string;
}

export interface DossierPage {
  /** Exclusive bounds in the order: `after` is later in the list. */
  after?: DossierKey | undefined;
  before?: DossierKey | undefined;
  limit: number;
  /** Read backwards from `before` (for `last`). */
  inverted: boolean;
  /** Default: DEFAULT_DOSSIER_ORDER. */
  order?: DossierOrder;
}

/**
 * The sort key of an order: the date, a missing one (no due date, not finished yet) counted as later than any
 * ('infinity'), so that such dossiers come last in ascending order and first in descending order.
 */
const sortKey = (field: DossierOrderField, alias = '') => {
  const column = alias ? `${alias}."${DOSSIER_ORDER_FIELDS[field].row}"` : DOSSIER_ORDER_FIELDS[field].column;
  return field === 'RECEIVED' ? column : `coalesce(${column}, 'infinity'::timestamptz)`;
};

/** Positional parameters collected while a statement is built. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * The instant a Vietnam day begins. Day bounds compare instants, so that the
 * received_at / finished_at indexes serve them: `received_at >= start(from)
 * AND received_at < start(to + 1)` is `vn_day(received_at) BETWEEN from AND to`.
 */
const vnDayStart = (day: string) => `((${day})::timestamp AT TIME ZONE INTERVAL '+07:00')`;

/** The conditions of a filter (all but unitCode, which the callers join as a subtree). */
function filterConditions(filter: DossierFilter, now: Date, p: Params): string[] {
  const where: string[] = [];
  if (filter.procedureCode != null) where.push(`procedure_code = ${p.add(filter.procedureCode, 'text')}`);
  if (filter.channels != null) where.push(`channel = ANY(${p.add(filter.channels, 'text[]')})`);
  if (filter.statuses != null) where.push(`status = ANY(${p.add(filter.statuses, 'text[]')})`);
  if (filter.receivedFrom != null) where.push(`received_at >= ${vnDayStart(p.add(filter.receivedFrom, 'date'))}`);
  if (filter.receivedTo != null) where.push(`received_at < ${vnDayStart(`${p.add(filter.receivedTo, 'date')} + 1`)}`);
  if (filter.finishedFrom != null) where.push(`finished_at >= ${vnDayStart(p.add(filter.finishedFrom, 'date'))}`);
  if (filter.finishedTo != null) where.push(`finished_at < ${vnDayStart(`${p.add(filter.finishedTo, 'date')} + 1`)}`);
  switch (filter.outcome) {
    case null:
    case undefined:
      break;
    case 'EARLY':
    case 'ON_TIME':
    case 'LATE':
      // Resolved only: a dossier closed without resolution (CLOSED_LIST) may carry a finishing time too.
      where.push(`finish_outcome = ${p.add(filter.outcome, 'text')} AND coalesce(status, '') NOT IN (${CLOSED_LIST})`);
      break;
    case 'OPEN':
      where.push(
        `finished_at IS NULL AND status NOT IN (${CLOSED_LIST}) AND (due_at IS NULL OR due_at >= ${p.add(now, 'timestamptz')})`,
      );
      break;
    case 'OPEN_OVERDUE':
      where.push(`finished_at IS NULL AND status NOT IN (${CLOSED_LIST}) AND due_at < ${p.add(now, 'timestamptz')}`);
      break;
    case 'RESOLVED_WITHOUT_DUE_DATE':
    case 'WITHDRAWN_OR_REFUSED':
    case 'STOPPED':
      // As Unit.dossierCounts classifies them: one definition, in SQL.
      where.push(`dossier_count_outcome(status, finished_at, finish_outcome) = ${p.add(filter.outcome, 'text')}`);
      break;
  }
  return where;
}

/** Keyset bounds in the page's order; the extra `key <=` / `>=` gives an index a range to scan. */
function keysetConditions(page: DossierPage, p: Params): string[] {
  const { field, direction } = page.order ?? DEFAULT_DOSSIER_ORDER;
  const key = sortKey(field);
  const later = direction === 'DESC' ? '<' : '>';
  const earlier = direction === 'DESC' ? '>' : '<';
  const where: string[] = [];
  for (const [bound, op] of [
    [page.after, later],
    [page.before, earlier],
  ] as const) {
    if (!bound) continue;
    const [at, code] = [p.add(bound.at ?? 'infinity', 'timestamptz'), p.add(bound.code, 'text')];
    where.push(`${key} ${op}= ${at} AND (${key}, code) ${op} (${at}, ${code})`);
  }
  return where;
}

/** The units and every unit below them, each once (unit_tree holds a unit itself at depth 0). */
const subtreeOf = (units: string) =>
  `(SELECT DISTINCT unit_code AS code FROM unit_tree WHERE ancestor_code = ANY(${units}))`;

const and = (conditions: string[]) => (conditions.length ? conditions.join(' AND ') : 'TRUE');

/** The ORDER BY of a page: its order, reversed when it reads backwards (`last`). */
function orderBy(page: DossierPage, alias = ''): string {
  const { field, direction } = page.order ?? DEFAULT_DOSSIER_ORDER;
  const dir = page.inverted === (direction === 'DESC') ? 'ASC' : 'DESC';
  return `${sortKey(field, alias)} ${dir}, ${alias ? `${alias}.` : ''}code ${dir}`;
}

/**
 * Dossiers matching the filter in the page's order (default received_at DESC, code DESC), one
 * keyset page at a time. Without a unit it walks dossiers_received_idx; with units it takes the
 * page's worth from each unit of their subtrees through dossiers_unit_received_cover_idx and merges
 * them, so a busy commune never sorts its whole history.
 */
export function listDossiers(
  db: Queryable,
  filter: DossierFilter,
  page: DossierPage,
  now: Date,
): Promise<DossierRow[]> {
  const p = new Params();
  const where = and([...filterConditions(filter, now, p), ...keysetConditions(page, p)]);
  const limit = p.add(page.limit, 'int');
  if (filter.unitCodes == null) {
    return db.query<DossierRow>(
      `SELECT ${DOSSIER_COLUMNS} FROM dossiers WHERE ${where} ORDER BY ${orderBy(page)} LIMIT ${limit}`,
      p.values,
    );
  }
  const units = p.add(filter.unitCodes, 'text[]');
  return db.query<DossierRow>(
    `SELECT d.* FROM ${subtreeOf(units)} s CROSS JOIN LATERAL (
      SELECT ${DOSSIER_COLUMNS} FROM dossiers
       WHERE unit_code = s.code AND ${where}
       ORDER BY ${orderBy(page)} LIMIT ${limit}
    ) d
    ORDER BY ${orderBy(page, 'd')} LIMIT ${limit}`,
    p.values,
  );
}

/** How many dossiers match the filter; with a unit, counted unit by unit of the subtree through its index. */
export async function countDossiers(db: Queryable, filter: DossierFilter, now: Date): Promise<number> {
  const p = new Params();
  const where = and(filterConditions(filter, now, p));
  const sql =
    filter.unitCodes == null
      ? `SELECT count(*)::int AS count FROM dossiers WHERE ${where}`
      : `SELECT coalesce(sum(n), 0)::int AS count FROM ${subtreeOf(p.add(filter.unitCodes, 'text[]'))} s CROSS JOIN LATERAL (
          SELECT count(*) AS n FROM dossiers WHERE unit_code = s.code AND ${where}
        ) c`;
  const [row] = await db.query<{ count: number }>(sql, p.values);
  return row?.count ?? 0;
}

/**
 * One keyset page of each procedure's dossiers (the filter's procedureCode is
 * ignored), in one statement: the rows of every procedure together, each
 * procedure's in the dossier order (for a loader of Procedure.dossiers).
 */
export function listDossiersOfProcedures(
  db: Queryable,
  procedureCodes: readonly string[],
  filter: DossierFilter,
  page: DossierPage,
  now: Date,
): Promise<DossierRow[]> {
  const p = new Params();
  const codes = p.add(procedureCodes, 'text[]');
  const where = [...filterConditions({ ...filter, procedureCode: null }, now, p), ...keysetConditions(page, p)];
  if (filter.unitCodes != null) where.push(`unit_code IN ${subtreeOf(p.add(filter.unitCodes, 'text[]'))}`);
  return db.query<DossierRow>(
    `SELECT d.* FROM unnest(${codes}) AS p (code) CROSS JOIN LATERAL (
      SELECT ${DOSSIER_COLUMNS} FROM dossiers
       WHERE procedure_code = p.code AND ${and(where)}
       ORDER BY ${orderBy(page)} LIMIT ${p.add(page.limit, 'int')}
    ) d
    ORDER BY d."procedureCode", ${orderBy(page, 'd')}`,
    p.values,
  );
}

/** How many dossiers of each procedure match the filter (procedures without any are absent). */
export function countDossiersOfProcedures(
  db: Queryable,
  procedureCodes: readonly string[],
  filter: DossierFilter,
  now: Date,
): Promise<{ procedureCode: string; count: number }[]> {
  const p = new Params();
  const where = [
    `procedure_code = ANY(${p.add(procedureCodes, 'text[]')})`,
    ...filterConditions({ ...filter, procedureCode: null }, now, p),
  ];
  if (filter.unitCodes != null) where.push(`unit_code IN ${subtreeOf(p.add(filter.unitCodes, 'text[]'))}`);
  return db.query(
    `SELECT procedure_code AS "procedureCode", count(*)::int AS count FROM dossiers
      WHERE ${and(where)} GROUP BY procedure_code`,
    p.values,
  );
}
