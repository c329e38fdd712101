import { z } from 'zod';

/** A position in a feed ordered by (update time, key): the time as the upstream writes it, and the key. */
export interface Mark {
  t: string;
  k: string;
}
export const markSchema = z.object({ t: z.string(), k: z.string() });

/**
 * Orders marks as the upstreams order their lists: by time, then key, both by
 * code unit (the times of one feed share one fixed-width format, so text order
 * is time order).
 */
export function compareMarks(a: Mark, b: Mark): number {
  if (a.t !== b.t) return a.t < b.t ? -1 : 1;
  return a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
}

export const maxMark = (a: Mark | null, b: Mark | null): Mark | null =>
  a === null ? b : b === null ? a : compareMarks(a, b) >= 0 ? a : b;
