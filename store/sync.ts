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
}

const STATE_COLUMNS = `source AS feed, cursor, status, last_started_at AS "lastStartedAt",
  last_succeeded_at AS "lastSucceededAt", last_error AS "lastError", records_synced AS "recordsSynced",
  path_missing_since AS "pathMissingSince"`;

export async function readFeedState(db: Queryable, feed: string): Promise<FeedState | null> {
  const [row] = await db.query<FeedState>(`SELECT ${STATE_COLUMNS} FROM sync_state WHERE source = $1`, [feed]);
  return row ?? null;
}

export function readFeedStates(db: Queryable, feeds: readonly string[]): Promise<FeedState[]> {
  return db.query<FeedState>(`SELECT ${STATE_COLUMNS} FROM sync_state WHERE source = ANY($1::text[])`, [feeds]);
}

export async function markFeedStarted(db: Queryable, feed: string): Promise<void> {
  await db.query(
    `INSERT INTO sync_state (source, status, last_started_at) VALUES ($1, 'RUNNING', now())
     ON CONFLICT (source) DO UPDATE SET status = 'RUNNING', last_started_at = now(), updated_at = now()`,
    [feed],
  );
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
 * counts another attempt, with the latest reason and payload.
 */
export async function quarantine(db: Queryable, feed: string, entries: readonly QuarantineEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // One row per key: PostgreSQL refuses to upsert the same row twice in a statement.
  const latest = new Map(entries.map((entry) => [entry.key, entry]));
  const rows = [...latest.values()];
  await db.query(
    `INSERT INTO quarantine AS q (source, record_key, reason, raw_payload, retryable)
     SELECT $1, r.key, r.reason, r.raw, r.retryable
       FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS r(key, reason, raw, retryable)
     ON CONFLICT (source, record_key) DO UPDATE SET
       reason = EXCLUDED.reason, raw_payload = EXCLUDED.raw_payload, retryable = EXCLUDED.retryable,
       last_seen_at = now(), attempts = q.attempts + 1, resolved_at = NULL`,
    [feed, rows.map((r) => r.key), rows.map((r) => r.reason), rows.map((r) => r.raw), rows.map((r) => r.retryable)],
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
  return db.query(
    `SELECT id::text AS id, record_key AS key, raw_payload AS raw FROM quarantine
      WHERE source = $1 AND resolved_at IS NULL AND retryable AND ($2::bigint IS NULL OR id > $2::bigint)
      ORDER BY id LIMIT $3`,
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
}

/** Open quarantine entries of the feeds, newest first by id, keyset-paged by id. */
export function listOpenQuarantine(
  db: Queryable,
  feeds: readonly string[],
  beforeId: string | null,
  limit: number,
): Promise<QuarantinedRecordRow[]> {
  return db.query<QuarantinedRecordRow>(
    `SELECT id::text AS id, source AS feed, record_key AS key, reason, raw_payload AS "rawPayload", retryable,
            attempts, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
       FROM quarantine
      WHERE source = ANY($1::text[]) AND resolved_at IS NULL AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY id DESC LIMIT $3`,
    [feeds, beforeId, limit],
  );
}

export type SyncTrigger = 'SCHEDULE' | 'COMMAND' | 'MUTATION' | 'START';

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
  outcome: { records: number; rejected: number; error: string | null },
): Promise<void> {
  await db.query(
    `UPDATE sync_runs SET finished_at = clock_timestamp(), status = $2, records = $3, rejected = $4, error = $5
      WHERE id = $1::bigint`,
    [id, outcome.error === null ? 'SUCCEEDED' : 'FAILED', outcome.records, outcome.rejected, outcome.error],
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
