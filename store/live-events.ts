/**
 * The live event log (migration 0014): what subscribers are told, kept in
 * PostgreSQL for a retention window so a subscriber that reconnects with the
 * last event id it saw gets what it missed. Written by the instance that ran
 * the sync, after the sync's commit, then published on the pubsub with the id
 * the log gave it. Shared by the producer (live/) and the subscriptions
 * (schema/live/): the types, the log's reads and writes, and the producer's
 * key/value memory, live_state. Ids increase in commit order (LIVE_LOG_LOCK),
 * so a catch-up read "after id n" never skips an event committed later.
 */
import type { Queryable } from './db.ts';
import { UNRESOLVED_CLOSED_STATUSES } from './dossiers.ts';

export const LIVE_EVENT_KINDS = ['INDICATOR_CHANGED', 'DOSSIER', 'ALERT', 'SOURCE_STATUS'] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

export const DOSSIER_EVENT_KINDS = ['RECEIVED', 'RESOLVED', 'OVERDUE', 'RETURNED'] as const;
export type DossierEventKind = (typeof DOSSIER_EVENT_KINDS)[number];

export const ALERT_KINDS = [
  'INDICATOR_TARGET_MISSED',
  'INDICATOR_TARGET_MET',
  'DOSSIER_OVERDUE',
  'SOURCE_STALE',
  'CIRCUIT_OPEN',
  'DATA_QUALITY_VIOLATED',
  'FEED_REJECTING_RECORDS',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/**
 * Everything an IndicatorValue (indicators/evaluate.ts IndicatorEvaluation)
 * is built from, so a subscriber gets one without reading the store.
 */
export interface IndicatorChangedPayload {
  /** Catalog code, e.g. "ON_TIME_RATE" (indicators/catalog.ts). */
  indicatorCode: string;
  unitCode: string;
  unitLevel: string;
  /** Canonical period label ('2026', '2026-Q4', '2026-11'). */
  period: string;
  convention: 'CALENDAR' | 'REPORTING';
  numerator: number;
  denominator: number | null;
  value: number | null;
  parts: { code: string; value: number }[];
  /** ISO instant the figures were read. */
  computedAt: string;
  /** The value before the sync pass that changed it. */
  previousValue: number | null;
  /** AS_IS: the day whose tree restated the figures; absent (events logged before issue 20) or null: AS_WAS. */
  hierarchyDate?: string | null;
  /** The units folded in through lineage (IndicatorValue.foldedUnits); absent: none. */
  foldedUnitCodes?: string[];
  /** The records counted at province level only (IndicatorValue.unattributedRecords); absent: 0. */
  unattributedRecords?: number;
}

export interface DossierEventPayload {
  kind: DossierEventKind;
  dossierCode: string;
  /** The receiving unit. */
  unitCode: string;
}

export interface AlertValue {
  /** What the number is, in English: "value", "target", "overdue days", "violations" … */
  name: string;
  value: number | string | null;
}

export interface AlertPayload {
  kind: AlertKind;
  severity: AlertSeverity;
  /** The unit the alert is about; null for province-wide ones (a source going stale). */
  unitCode: string | null;
  messageVi: string;
  messageEn: string;
  values: AlertValue[];
  /** What the alert is about, when it is one thing: an indicator code, a dossier code, a source, a rule. */
  subject: string | null;
}

export interface SourceStatusPayload {
  source: 'ONE_STOP_SHOP' | 'CADRE_DB' | 'BUDGET';
  /**
   * FRESH: synced within its staleness limit; STALE: not; FAILING: its last pass failed; CIRCUIT_OPEN: calls fail
   * fast; DEGRADED: synced, but a feed's last pass quarantined (or stored with flaws) more than the threshold's share.
   */
  status: 'FRESH' | 'DEGRADED' | 'STALE' | 'FAILING' | 'CIRCUIT_OPEN';
  previousStatus: 'FRESH' | 'DEGRADED' | 'STALE' | 'FAILING' | 'CIRCUIT_OPEN' | null;
  lastSuccessAt: string | null;
  error: string | null;
}

interface LiveEventOf<Kind extends LiveEventKind, Payload> {
  /** Increasing id from the log (bigint as a decimal string): what a subscriber passes back to catch up. */
  id: string;
  /** ISO instant the event was logged. */
  at: string;
  kind: Kind;
  /** The unit the event is about and every ancestor of it, so a subtree subscription matches by membership; [] for province-wide events. */
  unitPath: string[];
  payload: Payload;
}

/** JSON-safe, so it crosses Redis as is. */
export type LiveEvent =
  | LiveEventOf<'INDICATOR_CHANGED', IndicatorChangedPayload>
  | LiveEventOf<'DOSSIER', DossierEventPayload>
  | LiveEventOf<'ALERT', AlertPayload>
  | LiveEventOf<'SOURCE_STATUS', SourceStatusPayload>;

/** The pubsub topic live events travel on. */
export const LIVE_TOPIC = 'live:events';

// ─── The log ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** What a writer gives appendLiveEvents: an event without its id, time and unit path, which the log assigns. */
type DraftOf<E> = E extends LiveEvent
  ? {
      kind: E['kind'];
      /** The unit the event is about (its unit path is computed from unit_tree); null for province-wide events. */
      unitCode: string | null;
      payload: E['payload'];
    }
  : never;
export type LiveEventDraft = DraftOf<LiveEvent>;

/**
 * One lock for every writer of the log (and the producer's compare-and-write
 * on live_state), taken for the transaction before its rows get their ids, so
 * no transaction can commit a lower id after a reader has seen a higher one.
 * Writes are a few per sync batch, so the lock costs nothing that matters;
 * keep the transactions that take it short (never a sync batch's own).
 */
export const LIVE_LOG_LOCK = 4_201_700_014;

/** Takes the log's lock until the end of the caller's transaction; a no-op outside one would be useless, so call it in one. */
export async function lockLiveLog(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LIVE_LOG_LOCK]);
}

interface LiveEventRow {
  id: string;
  at: Date;
  kind: LiveEventKind;
  unitPath: string[];
  payload: unknown;
}

const EVENT_COLUMNS = `id::text AS id, at, kind, unit_path AS "unitPath", payload`;

const toEvent = (row: LiveEventRow): LiveEvent =>
  ({
    id: row.id,
    at: new Date(row.at).toISOString(),
    kind: row.kind,
    unitPath: row.unitPath,
    payload: row.payload,
  }) as LiveEvent;

const hasTransaction = (
  db: Queryable,
): db is Queryable & { transaction: <T>(work: (tx: Queryable) => Promise<T>) => Promise<T> } =>
  typeof (db as { transaction?: unknown }).transaction === 'function';

/**
 * Writes events to the log, in the order given, and returns them with their
 * ids, times and unit paths (the unit first, then its ancestors up to the
 * province; [] for province-wide events; [unit] for a unit unit_tree does not
 * know). Given a Db it runs in a transaction of its own; given a transaction,
 * in that one (then the events become visible, and may be published, only
 * once the caller commits). Takes the log's lock (LIVE_LOG_LOCK), unless
 * `lockHeld` says the caller's transaction already took it (lockLiveLog), as
 * a writer that reads and writes under the lock does.
 */
export async function appendLiveEvents(
  db: Queryable,
  drafts: readonly LiveEventDraft[],
  { lockHeld = false }: { lockHeld?: boolean } = {},
): Promise<LiveEvent[]> {
  if (drafts.length === 0) return [];
  if (hasTransaction(db)) return db.transaction((tx) => appendLiveEvents(tx, drafts));
  if (!lockHeld) await lockLiveLog(db);
  const rows = await db.query<LiveEventRow>(
    `INSERT INTO live_events (kind, unit_path, payload)
     SELECT d.draft ->> 'kind',
            CASE WHEN d.draft ->> 'unitCode' IS NULL THEN '{}'::text[]
                 ELSE coalesce((SELECT array_agg(t.ancestor_code::text ORDER BY t.depth)
                                  FROM unit_tree t WHERE t.unit_code = d.draft ->> 'unitCode'),
                               ARRAY[d.draft ->> 'unitCode']) END,
            d.draft -> 'payload'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS d (draft, n)
      ORDER BY d.n
     RETURNING ${EVENT_COLUMNS}`,
    [JSON.stringify(drafts.map(({ kind, unitCode, payload }) => ({ kind, unitCode, payload })))],
  );
  return rows.map(toEvent).sort((a, b) => compareIds(a.id, b.id));
}

/** Orders two log ids (decimal strings of a bigint). */
export const compareIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** The greatest live event id: PostgreSQL's bigint maximum, 2^63 - 1. */
export const MAX_LIVE_EVENT_ID = 9_223_372_036_854_775_807n;

/**
 * A live event id as text (decimal digits, what a subscriber passes back as
 * lastEventId) as its value; null when the text is not one, including a
 * number past the bigint range, which PostgreSQL would refuse with an error.
 */
export function parseLiveEventId(text: string): bigint | null {
  if (!/^\d{1,19}$/.test(text)) return null;
  const id = BigInt(text);
  return id <= MAX_LIVE_EVENT_ID ? id : null;
}

function checkId(id: string, what: string): string {
  if (parseLiveEventId(id) === null)
    throw new RangeError(`${what} must be a live event id (a decimal number), not ${JSON.stringify(id)}`);
  return id;
}

export interface LiveEventsAfterOptions {
  /** The last id the subscriber saw; events with a greater id are returned. '0' (or null): from the start of the log. */
  afterId: string | null;
  /** Only these kinds; all when absent. */
  kinds?: readonly LiveEventKind[] | undefined;
  /** Only events about this unit or a unit below it (unit_path contains it); all units when absent. */
  unitCode?: string | null | undefined;
  /** With a unitCode: also the province-wide events (unit path []), e.g. a source's status; default true. */
  provinceWide?: boolean | undefined;
  /** At most this many (1–10,000); a caller that gets `limit` events reads again after the last one. */
  limit: number;
}

/** The events after an id, in id order (see LiveEventsAfterOptions). A catch-up read for a reconnecting subscriber. */
export async function liveEventsAfter(db: Queryable, options: LiveEventsAfterOptions): Promise<LiveEvent[]> {
  const { afterId, kinds, unitCode, provinceWide = true, limit } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError('limit must be from 1 to 10,000');
  const rows = await db.query<LiveEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM live_events
      WHERE id > $1::bigint
        AND ($2::text[] IS NULL OR kind = ANY ($2::text[]))
        AND ($3::text IS NULL OR unit_path @> ARRAY[$3::text] OR ($4::boolean AND unit_path = '{}'))
      ORDER BY live_events.id
      LIMIT $5`,
    [checkId(afterId ?? '0', 'afterId'), kinds ? [...kinds] : null, unitCode ?? null, provinceWide, limit],
  );
  return rows.map(toEvent);
}

/** The id of the oldest event still in the log; null when it is empty. */
export async function oldestLiveEventId(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ id: string | null }>('SELECT min(id)::text AS id FROM live_events');
  return row?.id ?? null;
}

/** The id of the newest event in the log; null when it is empty. */
export async function latestLiveEventId(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM live_events');
  return row?.id ?? null;
}

const PRUNED_THROUGH = 'live_events:pruned_through';

/**
 * Whether events after `afterId` have been pruned, so a catch-up from it
 * cannot be complete: pruning removes a prefix of the ids and remembers the
 * last one it removed. (Comparing with oldestLiveEventId cannot tell: ids
 * have gaps where a transaction rolled back.)
 */
export async function liveEventsLostAfter(db: Queryable, afterId: string): Promise<boolean> {
  const [row] = await db.query<{ lost: boolean }>(
    `SELECT coalesce((SELECT (value #>> '{}')::bigint FROM live_state WHERE key = $1), 0) > $2::bigint AS lost`,
    [PRUNED_THROUGH, checkId(afterId, 'afterId')],
  );
  return row?.lost ?? false;
}

/**
 * Removes the events logged before `olderThan` (always a prefix of the ids:
 * every event up to the newest one that old) and remembers the last id
 * removed; returns how many were removed.
 */
export async function pruneLiveEvents(db: Queryable, olderThan: Date): Promise<number> {
  const [row] = await db.query<{ removed: number }>(
    `WITH last AS (SELECT max(id) AS id FROM live_events WHERE at < $1),
          gone AS (DELETE FROM live_events WHERE id <= (SELECT id FROM last) RETURNING id),
          mark AS (
            INSERT INTO live_state AS s (key, value)
            SELECT $2, to_jsonb(max(id)::text) FROM gone HAVING count(*) > 0
            ON CONFLICT (key) DO UPDATE
              SET value = to_jsonb(greatest((s.value #>> '{}')::bigint, (excluded.value #>> '{}')::bigint)::text),
                  updated_at = now()
          )
     SELECT count(*)::int AS removed FROM gone`,
    [olderThan, PRUNED_THROUGH],
  );
  return Number(row?.removed ?? 0);
}

// ─── live_state: what the producer last reported ─────────────────────────────────────────────────────────────────

/** Values by key; absent keys are absent from the map. */
export async function readLiveState<T = unknown>(db: Queryable, keys: readonly string[]): Promise<Map<string, T>> {
  if (keys.length === 0) return new Map();
  const rows = await db.query<{ key: string; value: T }>(
    'SELECT key, value FROM live_state WHERE key = ANY ($1::text[])',
    [[...keys]],
  );
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** Every key that starts with `prefix`, with its value. */
export async function readLiveStateWithPrefix<T = unknown>(db: Queryable, prefix: string): Promise<Map<string, T>> {
  const rows = await db.query<{ key: string; value: T }>(
    `SELECT key, value FROM live_state WHERE starts_with(key, $1) ORDER BY key`,
    [prefix],
  );
  return new Map(rows.map((row) => [row.key, row.value]));
}

/** Sets values (JSON-safe), one statement for the batch; a key given twice keeps its last value. */
export async function writeLiveState(db: Queryable, entries: ReadonlyMap<string, unknown>): Promise<void> {
  if (entries.size === 0) return;
  await db.query(
    `INSERT INTO live_state (key, value)
     SELECT e.key, e.value FROM jsonb_each($1::jsonb) AS e
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [JSON.stringify(Object.fromEntries(entries))],
  );
}

/** Removes keys; returns how many existed. */
export async function deleteLiveState(db: Queryable, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await db.query('DELETE FROM live_state WHERE key = ANY ($1::text[]) RETURNING key', [[...keys]]);
  return rows.length;
}

// ─── What the producer reads of the rest of the store ────────────────────────────────────────────────────────────

/** A source's passes as sync_runs records them. */
export interface SourceRunState {
  source: string;
  /** When its last successful pass ended; null when none has. */
  lastSuccessAt: Date | null;
  /** Whether its last finished pass failed, and why; false/null when it succeeded or none has finished. */
  lastFailed: boolean;
  lastError: string | null;
  /**
   * Whether any pass has ended, succeeded or failed (a source never synced has no status to report): a first pass
   * still running has told nothing of the source yet, however long it takes.
   */
  everFinished: boolean;
}

/** For each source asked, its pass history in brief (aligned with `sources`). */
export async function readSourceRunStates(db: Queryable, sources: readonly string[]): Promise<SourceRunState[]> {
  const rows = await db.query<{
    source: string;
    lastSuccessAt: Date | null;
    lastStatus: string | null;
    lastError: string | null;
    everFinished: boolean;
  }>(
    `SELECT s.source,
            (SELECT max(finished_at) FROM sync_runs WHERE source = s.source AND status = 'SUCCEEDED') AS "lastSuccessAt",
            f.status AS "lastStatus", f.error AS "lastError",
            EXISTS (SELECT 1 FROM sync_runs WHERE source = s.source AND status <> 'RUNNING') AS "everFinished"
       FROM unnest($1::text[]) WITH ORDINALITY AS s (source, n)
       LEFT JOIN LATERAL (SELECT status, error FROM sync_runs
                           WHERE source = s.source AND status <> 'RUNNING' ORDER BY id DESC LIMIT 1) f ON true
      ORDER BY s.n`,
    [[...sources]],
  );
  return rows.map((row) => ({
    source: row.source,
    lastSuccessAt: row.lastSuccessAt,
    lastFailed: row.lastStatus === 'FAILED',
    lastError: row.lastStatus === 'FAILED' ? row.lastError : null,
    everFinished: row.everFinished,
  }));
}

/** What an event about a dossier says of it. */
export interface LiveDossierFacts {
  code: string;
  unitCode: string;
  unitName: string;
  procedureCode: string;
  procedureName: string;
  /** Open: neither finished nor closed unresolved (refused, withdrawn, stopped). */
  open: boolean;
  receivedAt: Date;
  dueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
}

const CLOSED = `(${UNRESOLVED_CLOSED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

const FACT_COLUMNS = `d.code::text AS code, d.unit_code::text AS "unitCode", u.name AS "unitName",
  d.procedure_code::text AS "procedureCode", p.name AS "procedureName",
  (d.finished_at IS NULL AND d.status NOT IN ${CLOSED}) AS open,
  d.received_at AS "receivedAt", d.due_at AS "dueAt", d.finished_at AS "finishedAt", d.returned_at AS "returnedAt"`;

/** The dossiers by code, with their unit's and procedure's names; unknown codes are absent. */
export function readLiveDossierFacts(db: Queryable, codes: readonly string[]): Promise<LiveDossierFacts[]> {
  if (codes.length === 0) return Promise.resolve([]);
  return db.query<LiveDossierFacts>(
    `SELECT ${FACT_COLUMNS}
       FROM dossiers d JOIN units u ON u.code = d.unit_code JOIN procedures p ON p.code = d.procedure_code
      WHERE d.code = ANY ($1::text[])`,
    [[...codes]],
  );
}

/** Open dossiers whose due instant is in [from, to), by due instant then code. */
export function openDossiersDueBetween(db: Queryable, from: Date, to: Date): Promise<LiveDossierFacts[]> {
  return db.query<LiveDossierFacts>(
    `SELECT ${FACT_COLUMNS}
       FROM dossiers d JOIN units u ON u.code = d.unit_code JOIN procedures p ON p.code = d.procedure_code
      WHERE d.finished_at IS NULL AND d.due_at >= $1 AND d.due_at < $2 AND d.status NOT IN ${CLOSED}
      ORDER BY d.due_at, d.code`,
    [from, to],
  );
}

/**
 * Of the dossiers given, those the log already holds an OVERDUE event for.
 * Its conditions are those of the partial index live_events_overdue_dossier_idx
 * (migration 0014), word for word, so the planner can use it: keep them so.
 */
export async function dossiersLoggedOverdue(db: Queryable, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.query<{ code: string }>(
    `SELECT DISTINCT payload ->> 'dossierCode' AS code FROM live_events
      WHERE kind = 'DOSSIER' AND payload ->> 'kind' = 'OVERDUE' AND payload ->> 'dossierCode' = ANY ($1::text[])`,
    [[...codes]],
  );
  return new Set(rows.map((row) => row.code));
}

/** The units at the top of the tree (no parent) valid on a day: the province, for province-wide checks. */
export async function rootUnitsOn(db: Queryable, day: string): Promise<{ code: string; name: string }[]> {
  return db.query<{ code: string; name: string }>(
    `SELECT code::text AS code, name FROM units
      WHERE parent_code IS NULL AND (valid_from IS NULL OR valid_from <= $1::date) AND (valid_to IS NULL OR $1::date < valid_to)
      ORDER BY code`,
    [day],
  );
}
