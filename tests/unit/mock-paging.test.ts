/**
 * The paging faults keep their promises for many list lengths and page
 * sizes: duplicates repeat records at every boundary and never lose one,
 * whichever way a pager steps; offset-shift makes a naive offset pager lose
 * records, and notes each one; without a fault the pages are plain slices.
 */
import { describe, expect, it } from 'vitest';
import type { FaultMode, Injection } from '../../connectors/mock/faults.ts';
import { numberedPage, offsetPage, OVERLAP } from '../../connectors/mock/paging.ts';

interface Row {
  key: string;
  ngayCapNhat: string;
}

const NOW = '2024-06-15T10:00:00';
const rows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `K${String(i).padStart(3, '0')}`,
    ngayCapNhat: `2024-06-01T08:00:${String(i % 60).padStart(2, '0')}`,
  }));
const keyOf = (row: Row) => row.key;

function injection(fault: FaultMode): Injection {
  return {
    at: '',
    fault,
    source: 'query',
    method: 'GET',
    path: '/',
    query: '',
    retryAfterSeconds: 1,
    latencyMs: 0,
    records: [],
  };
}

/** Walks the list as an offset pager does, stepping by the page's length or by the limit; stops at `total`. */
function walk(list: Row[], limit: number, fault: FaultMode | null, step: 'length' | 'limit') {
  const served: string[] = [];
  const noted: Injection['records'] = [];
  for (let offset = 0; offset < list.length;) {
    const hit = fault && injection(fault);
    const page = offsetPage(list, offset, limit, hit, keyOf, NOW);
    served.push(...page.map(keyOf));
    noted.push(...(hit ? hit.records : []));
    if (page.length === 0) break;
    offset += step === 'length' ? page.length : limit;
  }
  return { served, noted };
}

const sizes = Array.from({ length: 60 }, (_, n) => n);
const limits = [1, 2, 3, 4, 7, 10, 13];

describe('offset pages', () => {
  it('without a fault, walk each list exactly once', () => {
    for (const n of sizes) {
      for (const limit of limits) {
        expect(walk(rows(n), limit, null, 'length').served).toEqual(rows(n).map(keyOf));
      }
    }
  });

  it('with duplicates, repeat records at every boundary but lose none, however the pager steps', () => {
    for (const n of sizes) {
      for (const limit of limits) {
        for (const step of ['length', 'limit'] as const) {
          const { served, noted } = walk(rows(n), limit, 'duplicates', step);
          expect(new Set(served)).toEqual(new Set(rows(n).map(keyOf)));
          const boundaries = Math.ceil(n / limit) - 1;
          if (limit > OVERLAP && boundaries > 0) {
            expect(served.length - n).toBeGreaterThanOrEqual(boundaries * OVERLAP);
            expect(noted.length).toBeGreaterThanOrEqual(boundaries * OVERLAP);
          }
        }
      }
    }
  });

  it('with offset-shift, make a naive pager skip records, each of them noted', () => {
    for (const n of sizes) {
      for (const limit of limits.filter((l) => l > OVERLAP)) {
        const { served, noted } = walk(rows(n), limit, 'offset-shift', 'length');
        const lost = rows(n)
          .map(keyOf)
          .filter((key) => !served.includes(key));
        const skipped = noted.filter((r) => r.reason.includes('skipped')).map((r) => r.key);
        expect(lost.every((key) => skipped.includes(key))).toBe(true);
        // The first boundary's skipped records are lost for good, unless so many pages pass that the moved
        // records (the oldest, OVERLAP per boundary) reach them.
        const pages = Math.ceil(n / limit);
        if (pages >= 3 && OVERLAP * pages <= limit)
          expect([n, limit, lost.length >= OVERLAP]).toEqual([n, limit, true]);
        expect(served).toHaveLength(n);
      }
    }
  });
});

describe('numbered pages', () => {
  it('with duplicates, begin each page after the first with the last records of the page before', () => {
    const list = rows(10);
    const hit = injection('duplicates');
    expect(numberedPage(list, 1, 4, hit, keyOf).map(keyOf)).toEqual(['K000', 'K001', 'K002', 'K003']);
    expect(numberedPage(list, 2, 4, hit, keyOf).map(keyOf)).toEqual(['K002', 'K003', 'K004', 'K005', 'K006', 'K007']);
    expect(numberedPage(list, 3, 4, null, keyOf).map(keyOf)).toEqual(['K008', 'K009']);
    expect(hit.records.map((r) => r.key)).toEqual(['K002', 'K003']);
  });
});
