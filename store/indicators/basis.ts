/**
 * The two bases every figure can be counted on (issue 20):
 *
 * - AS_WAS (the default): each record counts toward the units that held its
 *   unit on the record's own date, stocks on the period's last day: what was
 *   reported at the time.
 * - AS_IS: every record counts toward the units that hold its unit on
 *   `hierarchyDate`, a unit that had ended by then through its heirs (the
 *   restated series, comparable across the 2025 reorganisation).
 *
 * Both are read from unit_ancestry (migration 0018); scope.ts applies them.
 */
import type { IsoDate } from '../model.ts';

export const HIERARCHIES = ['AS_WAS', 'AS_IS'] as const;
export type Hierarchy = (typeof HIERARCHIES)[number];

export type HierarchyBasis = { hierarchy: 'AS_WAS' } | { hierarchy: 'AS_IS'; hierarchyDate: IsoDate };

export const AS_WAS: HierarchyBasis = { hierarchy: 'AS_WAS' };

/** Today's date in Vietnam (UTC+7), the default `hierarchyDate`. */
export function vietnamToday(now: Date = new Date()): IsoDate {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** A key that tells bases apart (loaders and caches keyed by basis). */
export const basisKey = (basis: HierarchyBasis) =>
  basis.hierarchy === 'AS_IS' ? `AS_IS ${basis.hierarchyDate}` : 'AS_WAS';
