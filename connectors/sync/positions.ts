/**
 * Feeds' saved positions as an operator reads and moves them: a cursor put
 * into words (each connector's cursor is JSON of its own shape), and the
 * reset and upstream confirmation that `npm run sync -- --reset` /
 * `--confirm-upstream` and the resetFeed mutation share. Their callers move a
 * position under the source's sync lock (SyncEngine.withLock), so it never
 * lands in the middle of a pass.
 */
import type { Queryable } from '../../store/db.ts';
import { confirmFeedUpstream, resetFeedPosition } from '../../store/sync.ts';
import type { SourceName } from '../feed.ts';
import { positionUrl } from './engine.ts';
import { FEEDS_OF_SOURCE } from './feeds.ts';

/** The source a feed belongs to; undefined for a name no connector has. */
export function sourceOfFeed(feed: string): SourceName | undefined {
  return (Object.keys(FEEDS_OF_SOURCE) as SourceName[]).find((source) => FEEDS_OF_SOURCE[source].includes(feed));
}

export const ALL_FEEDS: readonly string[] = Object.values(FEEDS_OF_SOURCE).flat();

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isMark = (value: unknown): value is { t: string; k: string } =>
  isObject(value) && typeof value.t === 'string' && typeof value.k === 'string';

/**
 * A saved cursor in words: `updatedFrom 2026-10-01T08:00:00 (after 000.00.01.H12-261001-0001)` for a change
 * feed's watermark, `offset 1500 of modifiedSince 2026-10-01T08:00:00` for an offset feed, `page 3`, `period
 * 2026-10`, `year 2026`; "from the beginning" without one. A cursor of no known shape is shown as stored.
 */
export function describePosition(cursor: string | null): string {
  if (cursor === null) return 'from the beginning';
  let body: unknown;
  try {
    body = JSON.parse(cursor);
  } catch {
    return cursor;
  }
  if (!isObject(body)) return cursor;
  if (isMark(body)) return `updatedFrom ${body.t}${body.k ? ` (after ${body.k})` : ''}`;
  if (typeof body.offset === 'number' && 'since' in body) {
    const since = typeof body.since === 'string' ? `modifiedSince ${body.since}` : 'everything (no modifiedSince)';
    return `offset ${body.offset} of ${since}`;
  }
  if (typeof body.page === 'number') return `page ${body.page}`;
  if (typeof body.year === 'number' && typeof body.month === 'number') {
    return `period ${body.year}-${String(body.month).padStart(2, '0')} (the last month with data, read again)`;
  }
  if (typeof body.year === 'number') return `year ${body.year} (the last year with data, read again)`;
  return cursor;
}

/** Unknown feed name, for a usage error or BAD_USER_INPUT. */
export class UnknownFeedError extends Error {
  override name = 'UnknownFeedError';
  constructor(readonly feed: string) {
    super(`no feed is named ${JSON.stringify(feed)}; the feeds are ${ALL_FEEDS.join(', ')}`);
  }
}

/** Starts the feed again from the beginning (the caller holds the source's lock: SyncEngine.withLock). */
export const resetPosition = (db: Queryable, feed: string) => resetFeedPosition(db, feed);

/** Keeps the feed's position, now belonging to `upstreamUrl` (the caller holds the source's lock: SyncEngine.withLock). */
export const confirmUpstream = (db: Queryable, feed: string, upstreamUrl: string) =>
  confirmFeedUpstream(db, feed, positionUrl(upstreamUrl));
