/**
 * What the connectors' paging has in common: positions in a change feed
 * (marks), the connector-owned cursors and page envelopes (checked apart from
 * their records, so that a page is never silently empty), batches unique by
 * key, and the overlapping offset pager of the cadre database, whose offsets
 * slide while it is read.
 */
import { z } from 'zod';
import type { Query, UpstreamClient } from '../http/client.ts';
import type { Batch, Reject } from '../feed.ts';
import type { RecordFlaw } from './flaws.ts';
import type { Reading } from './reject.ts';
import { describeIssues } from './wire.ts';
import { compareMarks, markSchema, maxMark, type Mark } from './mark.ts';

/** A request as an error message names it. */
export function describeRequest(client: UpstreamClient, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const search = params.size > 0 ? `?${params}` : '';
  return `GET ${client.baseUrl.replace(/\/+$/, '')}${path}${search}`;
}

/** The page's envelope, or an error naming the feed, the request and what was wrong. */
export function checkEnvelope<O>(feed: string, schema: z.ZodType<O>, body: unknown, request: string): O {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new Error(
    `${feed}: ${request} answered a page that is not the documented shape: ${describeIssues(parsed.error)}`,
  );
}

/** A stored cursor read back; a cursor this connector did not write is an error, never "start again". */
export function parseCursor<O>(feed: string, schema: z.ZodType<O>, cursor: string | null): O | null {
  if (cursor === null) return null;
  let body: unknown;
  try {
    body = JSON.parse(cursor);
  } catch {
    throw new Error(`${feed}: the cursor ${JSON.stringify(cursor)} is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new Error(`${feed}: the cursor ${cursor} is not this feed's: ${describeIssues(parsed.error)}`);
}

/** A page size option: within the upstream's maximum, which is also the default. */
export function pageSize(feed: string, value: number | undefined, max: number): number {
  const size = value ?? max;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new Error(`${feed}: the page size must be a whole number from 1 to ${max}, not ${size}`);
  }
  return size;
}

/**
 * One batch's records and rejects, each unique by key: when a page repeats a
 * record, the newest version stays (the later one when versions tie or are
 * unknown). Records and rejects are kept apart, so that a broken copy of a
 * record (a CSV row repeated with a bad cell, say) is quarantined without
 * displacing the valid one.
 */
export class BatchBuilder<T> {
  private readonly records = new Map<string, Reading<T>>();
  private readonly rejects = new Map<string, Reading<T>>();

  add(reading: Reading<T>): void {
    const entries = reading.ok ? this.records : this.rejects;
    const held = entries.get(reading.key);
    if (held?.version && reading.version && compareMarks(reading.version, held.version) < 0) return;
    entries.delete(reading.key);
    entries.set(reading.key, reading);
  }

  hasRecord(key: string): boolean {
    return this.records.has(key);
  }

  /** Records first, then rejects. */
  readings(): Reading<T>[] {
    return [...this.records.values(), ...this.rejects.values()];
  }

  batch(cursor: string | null): Batch<T> {
    const records: T[] = [];
    const keys: string[] = [];
    const raws: string[] = [];
    const flaws: RecordFlaw[] = [];
    const rejects: Reject[] = [];
    for (const reading of this.records.values()) {
      if (!reading.ok) continue;
      records.push(reading.value);
      keys.push(reading.key);
      raws.push(reading.raw);
      flaws.push(...reading.flaws);
    }
    for (const reading of this.rejects.values()) if (!reading.ok) rejects.push(reading.reject);
    const unknownFields: Record<string, number> = {};
    for (const reading of this.readings()) {
      for (const field of reading.unknown ?? []) unknownFields[field] = (unknownFields[field] ?? 0) + 1;
    }
    return { records, keys, raws, flaws, rejects, cursor, unknownFields };
  }
}

/**
 * The cadre database's cursor (units and staff alike), JSON:
 *
 * - between pages of a run: `{"since": ISO|null, "offset": n, "anchor": [{t,k}...],
 *   "mark": {t,k}|null, "newest": {t,k}|null, "floor": ISO|null}`: the run's
 *   modifiedSince, the offset after the last page committed, that page's
 *   last records (update time and key) to find it again, where the run
 *   started (records at or before `mark` were committed by an earlier run),
 *   the newest record committed in this run so far, and the oldest update
 *   time of a record met again, changed, after it had been committed in this
 *   run (see `floor` below);
 * - after the last page: `{"since": ISO|null, "offset": 0, "mark": {t,k}|null}`,
 *   the newest record committed; the next run asks for modifiedSince=since
 *   (inclusive) and skips records at or before the mark.
 *
 * A record that changes while a run pages moves to the end of the list and
 * is met again; it was committed already in this run, so it is not yielded
 * twice, but its new version was not committed either. When that version's
 * update time is not after the newest record committed, the final mark is
 * lowered to the start of that time (`{"t": floor, "k": ""}`), so that the
 * next run reads it again (with whatever else changed at or after it).
 */
export const offsetCursor = z.object({
  since: z.string().nullable(),
  offset: z.number().int().nonnegative(),
  anchor: z.array(markSchema).optional(),
  mark: markSchema.nullable(),
  newest: markSchema.nullable().optional(),
  floor: z.string().nullable().optional(),
});
export type OffsetCursor = z.output<typeof offsetCursor>;

/** An offset page of the cadre database (connectors/cadre-db/contract.ts offsetPage). */
export interface OffsetPage {
  total: number;
  items: unknown[];
}

export interface OffsetListSpec<T> {
  feed: string;
  client: UpstreamClient;
  path: string;
  limit: number;
  /** Records each page re-reads of the page before; below the limit. */
  overlap: number;
  /** Pages stepped back, at most, to find the page before when the list slid further than the overlap. */
  maxStepBack: number;
  envelope: z.ZodType<OffsetPage>;
  keyField: string;
  /** The key when it is made of several fields (reject.ts compositeKey); `keyField` then only documents it. */
  keyOf?: (item: unknown) => string | undefined;
  timeField: string;
  /** Told of each page's records before they are read (all of them, the ones read before included). */
  onPage?(items: readonly unknown[]): void;
  /** Reads one record (with the run's lookups). */
  read(item: unknown): Reading<T>;
}

/** The position of the last record of `items` that is one of `anchor`, unchanged (same key and update time); -1 if none. */
function locate(items: readonly unknown[], anchor: readonly Mark[], spec: OffsetListSpec<unknown>): number {
  const wanted = new Set(anchor.map((mark) => `${mark.t}\u0000${mark.k}`));
  for (let i = items.length - 1; i >= 0; i--) {
    const mark = markOf(items[i], spec);
    if (mark && wanted.has(`${mark.t}\u0000${mark.k}`)) return i;
  }
  return -1;
}

function markOf(
  item: unknown,
  spec: { keyField: string; timeField: string; keyOf?: (item: unknown) => string | undefined },
): Mark | null {
  if (typeof item !== 'object' || item === null) return null;
  const { [spec.keyField]: field, [spec.timeField]: t } = item as Record<string, unknown>;
  const k = spec.keyOf ? spec.keyOf(item) : field;
  return typeof k === 'string' && typeof t === 'string' ? { t, k } : null;
}

/**
 * Pulls an offset list that may slide forward while it is read (records
 * already paged past change and move to the end). Each page after the first
 * is asked from `overlap` records before where the last one ended, and the
 * last unchanged record of the page before is found in it: what follows it
 * is new. If none of them is there, the list slid by more than the overlap,
 * so the pager steps back (further each time, bounded) until it finds one
 * or reaches offset 0. Records are deduplicated by key within the run.
 */
export async function* pullOffsetList<T>(
  spec: OffsetListSpec<T>,
  cursorText: string | null,
  signal?: AbortSignal,
): AsyncGenerator<Batch<T>> {
  const cursor = parseCursor(spec.feed, offsetCursor, cursorText) ?? { since: null, offset: 0, mark: null };
  const { since } = cursor;
  const committedBefore = cursor.mark;
  let newest = cursor.newest ?? null;
  let floor = cursor.floor ?? null;
  let offset = cursor.offset;
  let anchor = spec.overlap > 0 ? (cursor.anchor ?? []) : [];
  // Keys committed by earlier batches of this run, with the update time committed (null: rejected unread).
  const committed = new Map<string, string | null>();
  let idle = 0;

  const fetchPage = async (at: number) => {
    const query = { modifiedSince: since ?? undefined, offset: at, limit: spec.limit };
    const body = await spec.client.getJson(spec.path, query, signal);
    return checkEnvelope(spec.feed, spec.envelope, body, describeRequest(spec.client, spec.path, query));
  };

  for (;;) {
    signal?.throwIfAborted();
    let at = anchor.length > 0 ? Math.max(0, offset - spec.overlap) : offset;
    let page = await fetchPage(at);
    let start = 0;
    if (anchor.length > 0) {
      let found = locate(page.items, anchor, spec);
      // Steps back by the overlap, then twice as far each time (never by more than a page less the overlap, so
      // consecutive reads still overlap): a slide just past the overlap costs one small re-read.
      for (let back = 0; found < 0 && at > 0; back++) {
        if (back === spec.maxStepBack) {
          throw new Error(
            `${spec.feed}: the list slid too far while it was read: the page before offset ${offset} ` +
              `was not found again within ${back} steps back; pull again`,
          );
        }
        at = Math.max(0, at - Math.min(spec.limit - spec.overlap, spec.overlap * 2 ** back));
        page = await fetchPage(at);
        found = locate(page.items, anchor, spec);
      }
      // Not found even at offset 0: every record of the anchor changed; reading from the start misses nothing.
      start = found + 1;
    }

    spec.onPage?.(page.items);
    const batch = new BatchBuilder<T>();
    for (const item of page.items.slice(start)) {
      const reading = spec.read(item);
      const version = reading.version;
      if (version && committedBefore && compareMarks(version, committedBefore) <= 0) continue;
      if (committed.has(reading.key)) {
        // Met again, changed since this run committed it: not yielded twice, but the final mark must not pass it.
        const before = committed.get(reading.key);
        if (version && before != null && version.t > before && (floor === null || version.t < floor)) floor = version.t;
        continue;
      }
      batch.add(reading);
    }
    for (const reading of batch.readings()) {
      // A record and a broken copy of it may share a key: the record's version counts (records come first).
      if (reading.ok || !batch.hasRecord(reading.key)) committed.set(reading.key, reading.version?.t ?? null);
      if (reading.ok) newest = maxMark(newest, reading.version);
    }

    // A page never moves the offset by more than the limit, even when it carries more records than asked for.
    const end = at + Math.min(page.items.length, spec.limit);
    const last = page.items.length < spec.limit || end >= page.total;
    // A list that slides on every read could keep a full page coming back with nothing new: give up, bounded.
    idle = start >= page.items.length && !last ? idle + 1 : 0;
    if (idle > spec.maxStepBack) {
      throw new Error(`${spec.feed}: ${idle} pages in a row from offset ${at} brought nothing new; pull again`);
    }
    anchor =
      spec.overlap > 0
        ? page.items
            .slice(-spec.overlap)
            .map((item) => markOf(item, spec))
            .filter((mark): mark is Mark => mark !== null)
        : [];
    offset = end;
    let next: OffsetCursor;
    if (last) {
      const lowered = floor !== null && (newest === null || floor <= newest.t) ? { t: floor, k: '' } : newest;
      const mark = lowered ?? committedBefore;
      next = { since: mark?.t ?? since, offset: 0, mark };
    } else {
      next = { since, offset, anchor, mark: committedBefore, newest, floor };
    }
    yield batch.batch(JSON.stringify(next));
    if (last) return;
  }
}
