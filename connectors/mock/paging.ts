/**
 * Slicing a list into the pages the upstreams serve by position (page number
 * or offset), with the two paging faults: `duplicates` (records of one page
 * served again on the next) and `offset-shift` (records already paged past
 * change and move to the end, so the rest of the list slides forward and a
 * pager that trusts offsets skips records). Both are computed from the
 * request alone, so the same request always gets the same page.
 */
import type { Injection } from './faults.ts';

/** How many records a paging fault repeats or moves at each page boundary. */
export const OVERLAP = 2;

function note<T>(injection: Injection, records: readonly T[], keyOf: (record: T) => string, reason: string) {
  for (const record of records) injection.records.push({ key: keyOf(record), reason });
}

/**
 * Page `page` (from 1) of `pageSize`. With duplicates, a page after the first
 * begins with the last records of the page before, on top of its own: a
 * pager that counts pages still sees every record, some twice.
 */
export function numberedPage<T>(
  list: readonly T[],
  page: number,
  pageSize: number,
  injection: Injection | null,
  keyOf: (record: T) => string,
): T[] {
  const start = (page - 1) * pageSize;
  const from = injection?.fault === 'duplicates' ? Math.max(0, start - OVERLAP) : start;
  if (injection && from < start) note(injection, list.slice(from, start), keyOf, 'repeated from the page before');
  return list.slice(from, start + pageSize);
}

/**
 * The list as seen at page `k` of an offset-shift walk: by then the oldest
 * OVERLAP records per page boundary passed have changed (update time `now`)
 * and moved to the end, in key order as ties on time are. Each page sees the
 * moves of the pages before it, so consecutive pages stay consistent.
 */
function shiftedList<T extends { ngayCapNhat: string }>(
  list: readonly T[],
  k: number,
  limit: number,
  keyOf: (record: T) => string,
  now: string,
) {
  const count = Math.min(OVERLAP * k, limit * k, list.length);
  const moved = list
    .slice(0, count)
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
    .map((record) => ({ ...record, ngayCapNhat: now }));
  return { count, list: [...list.slice(count), ...moved] };
}

/**
 * `limit` records from `offset`. With duplicates, each page starts a little
 * further back than the one before, so pagers stepping by the limit or by the
 * page's length see every record, some twice (the last page runs to the end
 * of the list). With offset-shift, records already paged past move to the end
 * between pages and the rest slides forward: a pager trusting offsets skips
 * OVERLAP records at each boundary and may meet the moved ones again later.
 */
export function offsetPage<T extends { ngayCapNhat: string }>(
  list: readonly T[],
  offset: number,
  limit: number,
  injection: Injection | null,
  keyOf: (record: T) => string,
  now: string,
): T[] {
  // Pages before this one, for a pager stepping by the limit or by full pages.
  const k = Math.ceil(offset / limit);
  if (injection?.fault === 'duplicates' && k > 0) {
    // Each page starts `overlap` further back than the one before, so that every boundary repeats records.
    const overlap = Math.min(OVERLAP, limit - 1);
    const start = Math.max(0, offset - overlap * k);
    note(injection, list.slice(start, start + overlap), keyOf, 'repeated from the page before');
    // The last page still reaches the end of the list, so that pagers stopping at `total` miss nothing.
    return list.slice(start, offset + limit >= list.length ? list.length : start + limit);
  }
  if (injection?.fault === 'offset-shift' && k > 0) {
    const before = shiftedList(list, k - 1, limit, keyOf, now);
    const after = shiftedList(list, k, limit, keyOf, now);
    note(injection, list.slice(before.count, after.count), keyOf, 'changed and moved to the end');
    const slid = before.list.slice(offset, offset + after.count - before.count);
    note(injection, slid, keyOf, 'slid before the offset: skipped by an offset pager');
    return after.list.slice(offset, offset + limit);
  }
  return list.slice(offset, offset + limit);
}
