/**
 * How much of the past the store holds (issue 20). The figures of a period are
 * counted on the tree and the assignments as they stood (migration 0018); that
 * history is complete only when the cadre database serves its v2.1 history
 * paths and they have been synced. Otherwise the hub counts on the versions it
 * has observed itself (`observed`), and every answer says so.
 */
import type { Queryable } from './db.ts';

/** The history feeds, as sync_state and quarantine name them. */
export const UNIT_VERSIONS_FEED = 'cadre-db/unit-versions';
export const UNIT_EVENTS_FEED = 'cadre-db/unit-events';
export const STAFF_ASSIGNMENTS_FEED = 'cadre-db/staff-assignments';
export const HISTORY_FEEDS = [UNIT_VERSIONS_FEED, UNIT_EVENTS_FEED, STAFF_ASSIGNMENTS_FEED] as const;

export interface HistoryCoverage {
  /** True when some figure may be counted on a tree or assignments the hub observed rather than read. */
  partial: boolean;
  /** Why, one line each (empty when complete): a history feed never synced, or its path missing upstream. */
  reasons: string[];
}

/**
 * The coverage of the store's history: partial while any history feed has not
 * yet synced, or its path is missing upstream, or a version or assignment the
 * hub only observed remains.
 */
export async function historyCoverage(db: Queryable): Promise<HistoryCoverage> {
  const [row] = await db.query<{ feeds: { feed: string; synced: boolean; missing: boolean }[]; observed: boolean }>(
    `SELECT coalesce((SELECT json_agg(json_build_object(
                        'feed', f.feed,
                        'synced', s.last_succeeded_at IS NOT NULL,
                        'missing', s.path_missing_since IS NOT NULL))
                        FROM unnest($1::text[]) AS f (feed) LEFT JOIN sync_state s ON s.source = f.feed), '[]') AS feeds,
            EXISTS (SELECT 1 FROM unit_versions WHERE observed)
              OR EXISTS (SELECT 1 FROM staff_assignments WHERE observed) AS observed`,
    [HISTORY_FEEDS],
  );
  const reasons: string[] = [];
  for (const feed of row?.feeds ?? []) {
    if (feed.missing) reasons.push(`${feed.feed}: the upstream does not serve this history path (404)`);
    else if (!feed.synced) reasons.push(`${feed.feed}: not synced yet`);
  }
  if (row?.observed)
    reasons.push('some unit versions or staff assignments were observed by the hub, not read from the upstream');
  return { partial: reasons.length > 0, reasons };
}
