/**
 * How each upstream's copy in the hub is doing, for /ready and /metrics: the
 * same statuses the live producer tells subscribers (live/sources.ts,
 * `statusOf`: CIRCUIT_OPEN, STALE, FAILING, DEGRADED, FRESH, with the same staleness
 * limit, LIVE_STALE_AFTER_MINUTES), plus NEVER_SYNCED for a source no pass has
 * ended on yet (its first pass may still be running, however long it takes),
 * and the records each source holds in quarantine.
 *
 * Which sources: those this instance syncs; an instance that syncs nothing (a
 * gateway-only instance) reports the sources the store has passes of, as the
 * syncing instances wrote them, without a breaker (it has none of its own).
 */
import { SOURCE_NAMES, type SourceName } from '../../connectors/feed.ts';
import type { CircuitState } from '../../connectors/http/client.ts';
import type { Queryable } from '../../store/db.ts';
import { countFlawsByRule } from '../../store/flaws.ts';
import { readSourceRunStates } from '../../store/live-events.ts';
import {
  DEFAULT_DEGRADED_ABOVE_PERCENT,
  feedDataHealth,
  statusOf,
  type FeedDataHealth,
  type SourceStatus,
} from '../../live/sources.ts';
import { readFeedStates } from '../../store/sync.ts';
import { FEEDS_OF_SOURCE } from '../../connectors/sync/feeds.ts';

export type SourceHealthStatus = SourceStatus | 'NEVER_SYNCED';

export interface SourceHealth {
  name: SourceName;
  status: SourceHealthStatus;
  /** ISO instant the last successful pass ended; null when none has. */
  lastSuccessAt: string | null;
  /** Seconds since then; null when no pass has succeeded. */
  lagSeconds: number | null;
  /** Records of the source held in quarantine now (all feeds). */
  quarantined: number;
  /** Each feed's last pass: what it read, quarantined and flagged, its unknown fields, whether it is degraded. */
  feeds: FeedDataHealth[];
}

/** Open quarantine entries of one feed, split by whether a later pass retries them. */
export interface QuarantineCount {
  source: SourceName;
  feed: string;
  retryable: boolean;
  count: number;
}

/** Stored records' open flaws of one feed and rule. */
export interface FlawCount {
  source: SourceName;
  feed: string;
  rule: string;
  count: number;
}

export interface SourceHealthReport {
  sources: SourceHealth[];
  quarantine: QuarantineCount[];
  flaws: FlawCount[];
}

export interface SourceHealthOptions {
  /** The sources this instance syncs (the engine's); empty or absent: the ones the store has passes of. */
  synced?: readonly SourceName[] | undefined;
  /** This instance's breaker of a source it syncs; null when it has none. */
  circuit?: ((source: SourceName) => CircuitState | null) | undefined;
  /** A source with no successful pass for longer is STALE. */
  staleAfterMs: number;
  /** A feed's last pass above this share (percent) of rejected or flawed records makes its source DEGRADED. */
  degradedAbovePercent?: number | undefined;
  now?: Date;
}

/** A source "is fine" when FRESH; anything else makes the hub degraded (it still serves what it has). */
export const isHealthy = (source: SourceHealth) => source.status === 'FRESH';

const SOURCE_OF_FEED = new Map(
  Object.entries(FEEDS_OF_SOURCE).flatMap(([source, feeds]) => feeds.map((feed) => [feed, source as SourceName])),
);

/** Open quarantine entries by feed and retryability (the quarantine_open_idx partial index covers it). */
async function readQuarantineCounts(db: Queryable): Promise<QuarantineCount[]> {
  const rows = await db.query<{ feed: string; retryable: boolean; count: number }>(
    `SELECT source AS feed, retryable, count(*)::int AS count
       FROM quarantine WHERE resolved_at IS NULL
      GROUP BY source, retryable ORDER BY source, retryable`,
  );
  return rows.flatMap((row) => {
    const source = SOURCE_OF_FEED.get(row.feed);
    return source ? [{ source, feed: row.feed, retryable: row.retryable, count: row.count }] : [];
  });
}

/** Open flaws of stored records by feed and rule. */
async function readFlawCounts(db: Queryable): Promise<FlawCount[]> {
  return (await countFlawsByRule(db)).flatMap((row) => {
    const source = SOURCE_OF_FEED.get(row.feed);
    return source ? [{ source, feed: row.feed, rule: row.rule, count: row.flaws }] : [];
  });
}

/** Each reported source's status, freshness, quarantine and flaws, in three reads. */
export async function readSourceHealth(db: Queryable, options: SourceHealthOptions): Promise<SourceHealthReport> {
  const now = options.now ?? new Date();
  const syncing = options.synced?.length ? options.synced : null;
  const runs = await readSourceRunStates(db, syncing ?? SOURCE_NAMES);
  const quarantine = await readQuarantineCounts(db);
  const flaws = await readFlawCounts(db);
  const threshold = options.degradedAbovePercent ?? DEFAULT_DEGRADED_ABOVE_PERCENT;
  const states = await readFeedStates(
    db,
    runs.flatMap((run) => FEEDS_OF_SOURCE[run.source as SourceName] ?? []),
  );
  const sources = runs.flatMap((run): SourceHealth[] => {
    const name = run.source as SourceName;
    // A gateway-only instance reports only what some instance has synced.
    if (!syncing && !run.everFinished) return [];
    const circuit = syncing ? (options.circuit?.(name) ?? null) : null;
    const feeds = FEEDS_OF_SOURCE[name].flatMap((feed) => {
      const state = states.find((s) => s.feed === feed);
      const health = state ? feedDataHealth(state, threshold) : null;
      return health ? [health] : [];
    });
    const degraded = feeds.some((feed) => feed.degraded);
    const status: SourceHealthStatus =
      !run.everFinished && circuit !== 'OPEN'
        ? 'NEVER_SYNCED'
        : statusOf(run, circuit, now, options.staleAfterMs, degraded);
    const lastSuccessAt = run.lastSuccessAt;
    return [
      {
        name,
        status,
        lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
        lagSeconds: lastSuccessAt ? Math.max(0, Math.round((now.getTime() - lastSuccessAt.getTime()) / 1000)) : null,
        quarantined: quarantine.filter((q) => q.source === name).reduce((sum, q) => sum + q.count, 0),
        feeds,
      },
    ];
  });
  return { sources, quarantine, flaws };
}
