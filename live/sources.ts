/**
 * Each source's status as subscribers see it (SOURCE_STATUS), and the
 * CRITICAL alerts on entering STALE (SOURCE_STALE) or CIRCUIT_OPEN. FAILING
 * alone is not alerted: one failed pass is usually a blip the next pass
 * repairs, and the copy it leaves is still fresh enough; a source that keeps
 * failing becomes STALE at the limit, and that is what the operations centre
 * must hear about. The last status told is kept in live_state, so each change
 * is told once, across restarts and instances.
 */
import type { SourceName } from '../connectors/feed.ts';
import type { CircuitState } from '../connectors/http/client.ts';
import type { Queryable } from '../store/db.ts';
import {
  readLiveState,
  readSourceRunStates,
  writeLiveState,
  type AlertPayload,
  type LiveEventDraft,
  type SourceRunState,
  type SourceStatusPayload,
} from '../store/live-events.ts';
import { readFeedStates, type FeedState } from '../store/sync.ts';
import { FEEDS_OF_SOURCE } from '../connectors/sync/feeds.ts';
import { circuitOpenMessage, feedRejectingMessage, staleMessage } from './messages.ts';

/** A feed's last pass turns it DEGRADED above this share (percent) of rejected or flawed records, by default. */
export const DEFAULT_DEGRADED_ABOVE_PERCENT = 5;

/** A feed's data-level health: its last pass's shares, and whether one is above the threshold. */
export interface FeedDataHealth {
  feed: string;
  read: number;
  rejected: number;
  flawed: number;
  /** Percent of the records read, 0 when none was read. */
  rejectedPercent: number;
  flawedPercent: number;
  unknownFields: { field: string; records: number }[];
  degraded: boolean;
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);

/** The data-level health of a feed's last pass; null before any pass recorded it. */
export function feedDataHealth(state: FeedState, thresholdPercent: number): FeedDataHealth | null {
  const pass = state.lastPass;
  if (!pass) return null;
  const read = Number(pass.read);
  const rejected = Number(pass.rejected);
  const flawed = Number(pass.flawed);
  const rejectedPercent = percent(rejected, read);
  const flawedPercent = percent(flawed, read);
  return {
    feed: state.feed,
    read,
    rejected,
    flawed,
    rejectedPercent,
    flawedPercent,
    unknownFields: Object.entries(pass.unknownFields)
      .map(([field, records]) => ({ field, records: Number(records) }))
      .sort((a, b) => b.records - a.records || (a.field < b.field ? -1 : 1)),
    degraded: rejectedPercent > thresholdPercent || flawedPercent > thresholdPercent,
  };
}

/** The data-level health of each of the source's feeds that has a recorded pass, in sync order. */
export async function readFeedDataHealth(
  db: Queryable,
  source: SourceName,
  thresholdPercent: number,
): Promise<FeedDataHealth[]> {
  const feeds = FEEDS_OF_SOURCE[source];
  const states = await readFeedStates(db, feeds);
  return feeds.flatMap((feed) => {
    const state = states.find((s) => s.feed === feed);
    const health = state ? feedDataHealth(state, thresholdPercent) : null;
    return health ? [health] : [];
  });
}

export type SourceStatus = SourceStatusPayload['status'];

interface KnownStatus {
  status: SourceStatus;
  /** ISO instant it was told. */
  at: string;
}

const statusKey = (source: SourceName) => `source|${source}`;

/**
 * The status from the source's passes, its breaker (null: not known here) and
 * the wall clock. Worst first: CIRCUIT_OPEN, the breaker of the instance that
 * syncs it is open (calls fail fast); STALE, no pass has succeeded within the
 * staleness limit (or none ever); FAILING, its last pass failed but the copy
 * is still within the limit; FRESH, its last pass succeeded.
 */
export function statusOf(
  run: SourceRunState,
  circuit: CircuitState | null,
  now: Date,
  staleAfterMs: number,
  degraded = false,
): SourceStatus {
  if (circuit === 'OPEN') return 'CIRCUIT_OPEN';
  if (run.lastSuccessAt === null || now.getTime() - run.lastSuccessAt.getTime() > staleAfterMs) return 'STALE';
  if (run.lastFailed) return 'FAILING';
  // Answering, but with data the hub could not take: a feed above its threshold (feedDataHealth).
  return degraded ? 'DEGRADED' : 'FRESH';
}

/**
 * How the status is being decided: PASS_END (the instance that ran the pass,
 * which knows its breaker) and CIRCUIT_OPENED (the breaker's listener, between
 * passes too) set it; CLOCK, on every instance now and then, only turns FRESH
 * or FAILING into STALE (it knows no breaker): a source nobody syncs any more
 * goes stale without any pass ending.
 */
export type StatusTrigger = 'PASS_END' | 'CIRCUIT_OPENED' | 'CLOCK';

export interface StatusCheck {
  source: SourceName;
  trigger: StatusTrigger;
  /** The breaker's state on this instance; null when it does not sync the source. */
  circuit: CircuitState | null;
  /** Wall clock (sync_runs' times follow it). */
  now: Date;
  staleAfterMs: number;
  /** A feed's last pass above this share (percent) of rejected or flawed records makes the source DEGRADED. */
  degradedAbovePercent?: number;
  /** The breaker's last failure on this instance, when it opened it: what a CIRCUIT_OPEN alert names. */
  circuitError?: string | null;
}

/** The SOURCE_STATUS event (and alert) if the status changed; writes the new status (call under the log's lock). */
export async function sourceStatusDrafts(tx: Queryable, check: StatusCheck): Promise<LiveEventDraft[]> {
  const { source, trigger, now, staleAfterMs } = check;
  const [run] = await readSourceRunStates(tx, [source]);
  if (!run?.everFinished && trigger === 'CLOCK') return [];
  const known = (await readLiveState<KnownStatus>(tx, [statusKey(source)])).get(statusKey(source));
  const previous = known?.status ?? null;
  const threshold = check.degradedAbovePercent ?? DEFAULT_DEGRADED_ABOVE_PERCENT;
  // Data-level health is known once a pass ends; the clock keeps what the last pass said.
  const feeds = trigger === 'CLOCK' ? [] : await readFeedDataHealth(tx, source, threshold);
  const degraded = feeds.filter((feed) => feed.degraded);
  const status =
    trigger === 'CIRCUIT_OPENED'
      ? 'CIRCUIT_OPEN'
      : statusOf(run!, check.circuit, now, staleAfterMs, degraded.length > 0);
  if (status === previous) return [];
  if (trigger === 'CLOCK' && (status !== 'STALE' || previous === 'CIRCUIT_OPEN' || previous === null)) return [];

  await writeLiveState(tx, new Map([[statusKey(source), { status, at: now.toISOString() } satisfies KnownStatus]]));
  const lastSuccessAt = run!.lastSuccessAt?.toISOString() ?? null;
  // The pass opening the breaker has not ended yet: its error is the breaker's, not yet the run's.
  const lastError = (status === 'CIRCUIT_OPEN' ? check.circuitError : null) ?? run!.lastError;
  const drafts: LiveEventDraft[] = [
    {
      kind: 'SOURCE_STATUS',
      unitCode: null,
      payload: { source, status, previousStatus: previous, lastSuccessAt, error: lastError },
    },
  ];
  if (status === 'STALE') {
    const message = staleMessage(source, run!.lastSuccessAt, Math.round(staleAfterMs / 60_000));
    const minutes = run!.lastSuccessAt ? Math.floor((now.getTime() - run!.lastSuccessAt.getTime()) / 60_000) : null;
    drafts.push(
      alert('SOURCE_STALE', source, message, [
        { name: 'last success at', value: lastSuccessAt },
        { name: 'minutes since last success', value: minutes },
        { name: 'stale after minutes', value: staleAfterMs / 60_000 },
        { name: 'last error', value: run!.lastError },
      ]),
    );
  } else if (status === 'CIRCUIT_OPEN') {
    drafts.push(
      alert('CIRCUIT_OPEN', source, circuitOpenMessage(source), [
        { name: 'last success at', value: lastSuccessAt },
        { name: 'last error', value: lastError },
      ]),
    );
  } else if (status === 'DEGRADED') {
    // One alert per feed above the threshold, each with its figures (the exact ones travel in the values).
    for (const feed of degraded) {
      const message = feedRejectingMessage({ source, ...feed, thresholdPercent: threshold });
      drafts.push(
        alert(
          'FEED_REJECTING_RECORDS',
          source,
          message,
          [
            { name: 'feed', value: feed.feed },
            { name: 'records read', value: feed.read },
            { name: 'records quarantined', value: feed.rejected },
            { name: 'records stored with flaws', value: feed.flawed },
            { name: 'threshold percent', value: threshold },
            { name: 'unknown fields', value: feed.unknownFields.map((f) => f.field).join(', ') || null },
          ],
          'WARNING',
        ),
      );
    }
  }
  return drafts;
}

function alert(
  kind: 'SOURCE_STALE' | 'CIRCUIT_OPEN' | 'FEED_REJECTING_RECORDS',
  source: SourceName,
  message: { vi: string; en: string },
  values: AlertPayload['values'],
  severity: AlertPayload['severity'] = 'CRITICAL',
): LiveEventDraft {
  return {
    kind: 'ALERT',
    unitCode: null,
    payload: {
      kind,
      severity,
      unitCode: null,
      messageVi: message.vi,
      messageEn: message.en,
      values: [{ name: 'source', value: source }, ...values],
      subject: source,
    },
  };
}
