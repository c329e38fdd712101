/**
 * The sync engine's bookkeeping in the store: each feed's cursor and status
 * (sync_state), the records it could not accept (quarantine) and the history
 * of passes (sync_runs). The cursor is written in the same transaction as the
 * batch it covers, which is what makes a crash at any point resumable.
 */
import type { Queryable } from './db.ts';

export interface FeedState {
  feed: string;
  cursor: string | null;
  status: 'IDLE' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** Since when the upstream answers the feed's path 404 (an older upstream); null when it serves it. */
  pathMissingSince: Date | null;
  lastStartedAt: Date | null;
  lastSucceededAt: Date | null;
  lastError: string | null;
  recordsSynced: string;
  /** The upstream's base URL (password redacted) the cursor was read against; null before the first pass. */
  upstreamUrl: string | null;
  /** What the feed's last pass that read records read, quarantined and stored with flaws; null before one. */
  lastPass: FeedPassHealth | null;
}

/** The data-level outcome of a feed's pass (what its records were like, not whether the upstream answered). */
export interface FeedPassHealth {
  /** Records read from the upstream (each at most once a page). */
  read: number;
  /** Of those, quarantined. */
  rejected: number;
  /** Of those, stored with flaws. */
  flawed: number;
  /** Fields the records carried that the contract does not know, with how many records carried each. */
  unknownFields: Record<string, number>;
}

const STATE_COLUMNS = `source AS feed, cursor, status, last_started_at AS "lastStartedAt",
  last_succeeded_at AS "lastSucceededAt", last_error AS "lastError", records_synced AS "recordsSynced",
  upstream_url AS "upstreamUrl", path_missing_since AS "pathMissingSince",
  CASE WHEN last_pass_read IS NULL THEN NULL ELSE json_build_object(
    'read', last_pass_read, 'rejected', last_pass_rejected, 'flawed', last_pass_flawed,
    'unknownFields', coalesce(last_pass_unknown_fields, '{}'::jsonb)) END AS "lastPass"`;

/** The unknown fields a pass keeps, at most: an upstream sending arbitrary names must not grow labels unbounded. */
export const MAX_UNKNOWN_FIELDS = 20;

/** Writes the data-level outcome of the feed's pass (read, rejected, flawed, unknown fields). */
export async function recordFeedPassHealth(db: Queryable, feed: string, health: FeedPassHealth): Promise<void> {
  const unknown = Object.entries(health.unknownFields)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, MAX_UNKNOWN_FIELDS)
    .map(([field, count]) => [field.slice(0, 64), count]);
  await db.query(
    `UPDATE sync_state SET last_pass_read = $2, last_pass_rejected = $3, last_pass_flawed = $4,
            last_pass_unknown_fields = $5::jsonb, updated_at = now()
      WHERE source = $1`,
    [feed, health.read, health.rejected, health.flawed, JSON.stringify(Object.fromEntries(unknown))],
  );
}

export async function readFeedState(db: Queryable, feed: string): Promise<FeedState | null> {
  const [row] = await db.query<FeedState>(`SELECT ${STATE_COLUMNS} FROM sync_state WHERE source = $1`, [feed]);
  return row ?? null;
}

export function readFeedStates(db: Queryable, feeds: readonly string[]): Promise<FeedState[]> {
  return db.query<FeedState>(`SELECT ${STATE_COLUMNS} FROM sync_state WHERE source = ANY($1::text[])`, [feeds]);
}

/** A pass starts reading the feed from `upstreamUrl`; a feed without a recorded URL adopts it. */
export async function markFeedStarted(db: Queryable, feed: string, upstreamUrl: string | null = null): Promise<void> {
  await db.query(
    `INSERT INTO sync_state (source, status, last_started_at, upstream_url) VALUES ($1, 'RUNNING', now(), $2)
     ON CONFLICT (source) DO UPDATE SET status = 'RUNNING', last_started_at = now(), updated_at = now(),
       upstream_url = coalesce(sync_state.upstream_url, EXCLUDED.upstream_url)`,
    [feed, upstreamUrl],
  );
}

/**
 * Starts the feed again from the beginning: its cursor and the URL it was read against are cleared (the next pass
 * reads everything again and upserts by key, so nothing is duplicated). False when the feed has no saved state.
 */
export async function resetFeedPosition(db: Queryable, feed: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE sync_state SET cursor = NULL, upstream_url = NULL, status = 'IDLE', updated_at = now()
      WHERE source = $1 RETURNING 1`,
    [feed],
  );
  return rows.length > 0;
}

/** Keeps the feed's position and records that it now belongs to `upstreamUrl` (an operator confirmed the move). */
export async function confirmFeedUpstream(db: Queryable, feed: string, upstreamUrl: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE sync_state SET upstream_url = $2, updated_at = now() WHERE source = $1 RETURNING 1`,
    [feed, upstreamUrl],
  );
  return rows.length > 0;
}

/** After a committed batch: where the feed stands and how many records it has written in all. */
export async function advanceFeed(db: Queryable, feed: string, cursor: string | null, records: number): Promise<void> {
  await db.query(
    `UPDATE sync_state SET cursor = $2, records_synced = records_synced + $3, updated_at = now() WHERE source = $1`,
    [feed, cursor, records],
  );
}

export async function markFeedFinished(db: Queryable, feed: string, error: string | null): Promise<void> {
  await db.query(
    error === null
      ? `UPDATE sync_state SET status = 'SUCCEEDED', last_succeeded_at = now(), last_error = NULL,
                               path_missing_since = NULL, updated_at = now()
          WHERE source = $1`
      : `UPDATE sync_state SET status = 'FAILED', last_error = $2, updated_at = now() WHERE source = $1`,
    error === null ? [feed] : [feed, error],
  );
}

/** Attempts after which a retryable record (an unknown unit, say) is retried no more: about a day of 5-minute passes. */
export const DEFAULT_RETRY_LIMIT = 300;

/**
 * The upstream answered the feed's path 404: the feed is skipped, not failed.
 * It goes back to IDLE (nothing read), keeps its cursor and its last success,
 * and is marked since the first such answer; a success clears the mark.
 */
export async function markFeedPathMissing(db: Queryable, feed: string): Promise<void> {
  await db.query(
    `UPDATE sync_state SET status = 'IDLE', last_error = NULL,
                           path_missing_since = coalesce(path_missing_since, now()), updated_at = now()
      WHERE source = $1`,
    [feed],
  );
}

export interface QuarantineEntry {
  key: string;
  reason: string;
  raw: string;
  retryable: boolean;
}

/**
 * Records a batch's rejects: a record seen again keeps its first sighting and
 * counts another attempt, with the latest reason and payload. A retryable
 * record that reaches `retryLimit` attempts is retried no more (retryable
 * false, the reason saying so): an operator retries or discards it. A
 * discarded entry received again with the same payload stays discarded; a
 * different payload (a later version of the record) opens it again.
 */
export async function quarantine(
  db: Queryable,
  feed: string,
  entries: readonly QuarantineEntry[],
  retryLimit = DEFAULT_RETRY_LIMIT,
): Promise<void> {
  if (entries.length === 0) return;
  // One row per key: PostgreSQL refuses to upsert the same row twice in a statement.
  const latest = new Map(entries.map((entry) => [entry.key, entry]));
  const rows = [...latest.values()];
  await db.query(
    `INSERT INTO quarantine AS q (source, record_key, reason, raw_payload, retryable)
     SELECT $1, r.key, r.reason, r.raw, r.retryable
       FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS r(key, reason, raw, retryable)
     ON CONFLICT (source, record_key) DO UPDATE SET
       reason = CASE WHEN EXCLUDED.retryable AND q.attempts + 1 >= $6
                     THEN EXCLUDED.reason || ' (not retried any more after ' || (q.attempts + 1) || ' attempts: retry or discard it)'
                     ELSE EXCLUDED.reason END,
       raw_payload = EXCLUDED.raw_payload, retryable = EXCLUDED.retryable AND q.attempts + 1 < $6,
       last_seen_at = now(), attempts = q.attempts + 1, resolved_at = NULL
     WHERE q.discarded_at IS NULL OR q.resolved_at IS NULL OR q.raw_payload <> EXCLUDED.raw_payload`,
    [
      feed,
      rows.map((r) => r.key),
      rows.map((r) => r.reason),
      rows.map((r) => r.raw),
      rows.map((r) => r.retryable),
      retryLimit,
    ],
  );
}

/** Accepted records resolve their open quarantine entries (a valid version arrived, or a retry succeeded). */
export async function resolveQuarantined(db: Queryable, feed: string, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await db.query(
    `UPDATE quarantine SET resolved_at = now()
      WHERE source = $1 AND record_key = ANY($2::text[]) AND resolved_at IS NULL
      RETURNING 1`,
    [feed, keys],
  );
  return rows.length;
}

export async function countOpenQuarantine(db: Queryable, feeds: readonly string[]): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM quarantine WHERE source = ANY($1::text[]) AND resolved_at IS NULL`,
    [feeds],
  );
  return row?.count ?? 0;
}

/** Open retryable entries of a feed, oldest first, one keyset page at a time. */
export function openRetryable(
  db: Queryable,
  feed: string,
  afterId: string | null,
  limit: number,
): Promise<{ id: string; key: string; raw: string }[]> {
  // `quarantine.id`, not `id`: ORDER BY would take the output column id::text and sort "27" before "3".
  return db.query(
    `SELECT id::text AS id, record_key AS key, raw_payload AS raw FROM quarantine
      WHERE source = $1 AND resolved_at IS NULL AND retryable AND ($2::bigint IS NULL OR id > $2::bigint)
      ORDER BY quarantine.id LIMIT $3`,
    [feed, afterId, limit],
  );
}

export interface QuarantinedRecordRow {
  id: string;
  feed: string;
  key: string;
  reason: string;
  rawPayload: string;
  retryable: boolean;
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  discardedAt: Date | null;
  discardedBy: string | null;
  discardReason: string | null;
}

const QUARANTINE_COLUMNS = `id::text AS id, source AS feed, record_key AS key, reason, raw_payload AS "rawPayload",
  retryable, attempts, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", resolved_at AS "resolvedAt",
  discarded_at AS "discardedAt", discarded_by AS "discardedBy", discard_reason AS "discardReason"`;

/** Open quarantine entries of the feeds, newest first by id, keyset-paged by id. */
export function listOpenQuarantine(
  db: Queryable,
  feeds: readonly string[],
  beforeId: string | null,
  limit: number,
): Promise<QuarantinedRecordRow[]> {
  // Ordered by the numeric id (quarantine.id: a bare `id` would be the text output column).
  return db.query<QuarantinedRecordRow>(
    `SELECT ${QUARANTINE_COLUMNS}
       FROM quarantine
      WHERE source = ANY($1::text[]) AND resolved_at IS NULL AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY quarantine.id DESC LIMIT $3`,
    [feeds, beforeId, limit],
  );
}

/** Quarantine entries by id, open or closed, in id order; ids not found are absent. */
export function readQuarantined(db: Queryable, ids: readonly string[]): Promise<QuarantinedRecordRow[]> {
  return db.query<QuarantinedRecordRow>(
    `SELECT ${QUARANTINE_COLUMNS} FROM quarantine WHERE id = ANY($1::bigint[]) ORDER BY quarantine.id`,
    [ids],
  );
}

/** Which entries an operator's action is about: these ids, or every open entry of these feeds. */
export type QuarantineSelection = { ids: readonly string[] } | { feeds: readonly string[] };

/**
 * Queues entries for the next pass's retry: open again (a discarded one too),
 * retryable, and their attempts counted afresh. The next pass reads each one
 * as a fresh copy would be read: it resolves, is stored with its flaws, or is
 * quarantined again with the reason of now. Returns the ids queued.
 */
export async function requeueQuarantined(db: Queryable, selection: QuarantineSelection): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    'ids' in selection
      ? `UPDATE quarantine SET retryable = true, attempts = 1, resolved_at = NULL,
                discarded_at = NULL, discarded_by = NULL, discard_reason = NULL
          WHERE id = ANY($1::bigint[]) AND (resolved_at IS NULL OR discarded_at IS NOT NULL)
          RETURNING id::text AS id`
      : `UPDATE quarantine SET retryable = true, attempts = 1
          WHERE source = ANY($1::text[]) AND resolved_at IS NULL
          RETURNING id::text AS id`,
    ['ids' in selection ? selection.ids : selection.feeds],
  );
  return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
}

/** Closes open entries for good (who, when, why kept on the row); returns the ids discarded. */
export async function discardQuarantined(
  db: Queryable,
  ids: readonly string[],
  by: string,
  reason: string,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE quarantine SET resolved_at = now(), discarded_at = now(), discarded_by = $2, discard_reason = $3,
            retryable = false
      WHERE id = ANY($1::bigint[]) AND resolved_at IS NULL
      RETURNING id::text AS id`,
    [ids, by, reason],
  );
  return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
}

export type SyncTrigger = 'SCHEDULE' | 'COMMAND' | 'MUTATION' | 'START';

export interface SyncRunRow {
  id: string;
  source: string;
  instance: string;
  trigger: SyncTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  records: string;
  rejected: string;
  error: string | null;
}

/** A source's passes, newest first, keyset-paged by id (the numeric one: a bare `id` would sort as text). */
export function listSyncRuns(
  db: Queryable,
  source: string,
  beforeId: string | null,
  limit: number,
): Promise<SyncRunRow[]> {
  return db.query<SyncRunRow>(
    `SELECT id::text AS id, source, instance, trigger, started_at AS "startedAt", finished_at AS "finishedAt", status,
            records::text AS records, rejected::text AS rejected, error
       FROM sync_runs WHERE source = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY sync_runs.id DESC LIMIT $3`,
    [source, beforeId, limit],
  );
}

export async function startRun(db: Queryable, source: string, instance: string, trigger: SyncTrigger) {
  const [row] = await db.query<{ id: string }>(
    'INSERT INTO sync_runs (source, instance, trigger) VALUES ($1, $2, $3) RETURNING id::text AS id',
    [source, instance, trigger],
  );
  return row!.id;
}

export async function finishRun(
  db: Queryable,
  id: string,
  outcome: { records: number; rejected: number; error: string | null; waitedMs?: number },
): Promise<void> {
  await db.query(
    `UPDATE sync_runs SET finished_at = clock_timestamp(), status = $2, records = $3, rejected = $4, error = $5,
            waited_ms = $6
      WHERE id = $1::bigint`,
    [
      id,
      outcome.error === null ? 'SUCCEEDED' : 'FAILED',
      outcome.records,
      outcome.rejected,
      outcome.error,
      outcome.waitedMs === undefined ? null : Math.round(outcome.waitedMs),
    ],
  );
}

/** What the engine's lookups are built from: every unit (with its budget code) and procedure the hub holds. */
export async function referenceKeys(db: Queryable) {
  const units = await db.query<{ code: string; budgetCode: string | null }>(
    'SELECT code, budget_code AS "budgetCode" FROM units',
  );
  const procedures = await db.query<{ code: string }>('SELECT code FROM procedures');
  return { units, procedures: procedures.map((p) => p.code) };
}

/**
 * Whether the upstream answered the feeds' paths: `missing` when one of them was last found missing (404,
 * path_missing_since), `answered` when one was read to the end and none is missing, null before either.
 */
export async function pathsAnswered(db: Queryable, feeds: readonly string[]): Promise<'answered' | 'missing' | null> {
  const [row] = await db.query<{ missing: boolean | null; answered: boolean | null }>(
    `SELECT bool_or(path_missing_since IS NOT NULL) AS missing, bool_or(last_succeeded_at IS NOT NULL) AS answered
       FROM sync_state WHERE source = ANY($1::text[])`,
    [feeds],
  );
  if (row?.missing) return 'missing';
  return row?.answered ? 'answered' : null;
}
