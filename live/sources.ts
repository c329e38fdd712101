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
import { circuitOpenMessage, staleMessage } from './messages.ts';

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
): SourceStatus {
  if (circuit === 'OPEN') return 'CIRCUIT_OPEN';
  if (run.lastSuccessAt === null || now.getTime() - run.lastSuccessAt.getTime() > staleAfterMs) return 'STALE';
  return run.lastFailed ? 'FAILING' : 'FRESH';
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
}

/** The SOURCE_STATUS event (and alert) if the status changed; writes the new status (call under the log's lock). */
export async function sourceStatusDrafts(tx: Queryable, check: StatusCheck): Promise<LiveEventDraft[]> {
  const { source, trigger, now, staleAfterMs } = check;
  const [run] = await readSourceRunStates(tx, [source]);
  if (!run?.everFinished && trigger === 'CLOCK') return [];
  const known = (await readLiveState<KnownStatus>(tx, [statusKey(source)])).get(statusKey(source));
  const previous = known?.status ?? null;
  const status = trigger === 'CIRCUIT_OPENED' ? 'CIRCUIT_OPEN' : statusOf(run!, check.circuit, now, staleAfterMs);
  if (status === previous) return [];
  if (trigger === 'CLOCK' && (status !== 'STALE' || previous === 'CIRCUIT_OPEN' || previous === null)) return [];

  await writeLiveState(tx, new Map([[statusKey(source), { status, at: now.toISOString() } satisfies KnownStatus]]));
  const lastSuccessAt = run!.lastSuccessAt?.toISOString() ?? null;
  const drafts: LiveEventDraft[] = [
    {
      kind: 'SOURCE_STATUS',
      unitCode: null,
      payload: { source, status, previousStatus: previous, lastSuccessAt, error: run!.lastError },
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
        { name: 'last error', value: run!.lastError },
      ]),
    );
  }
  return drafts;
}

function alert(
  kind: 'SOURCE_STALE' | 'CIRCUIT_OPEN',
  source: SourceName,
  message: { vi: string; en: string },
  values: AlertPayload['values'],
): LiveEventDraft {
  return {
    kind: 'ALERT',
    unitCode: null,
    payload: {
      kind,
      severity: 'CRITICAL',
      unitCode: null,
      messageVi: message.vi,
      messageEn: message.en,
      values: [{ name: 'source', value: source }, ...values],
      subject: source,
    },
  };
}
