/**
 * Which version of its contract each upstream speaks (docs/upstreams.md lists
 * them). The one-stop-shop and the budget system have one version; the cadre
 * database speaks 2.1 when its history paths answer and 2.0 when they answer
 * 404, which the sync notes per feed (sync_state.path_missing_since).
 */
import type { Queryable } from '../store/db.ts';
import { HISTORY_FEEDS } from '../store/history.ts';
import { pathsAnswered } from '../store/sync.ts';
import type { SourceName } from './feed.ts';

export const CONTRACT_VERSIONS = {
  ONE_STOP_SHOP: '1.0',
  CADRE_DB: '2.1',
  BUDGET: '1.0',
} as const satisfies Record<SourceName, string>;

/** The cadre database before its history paths (v2.1). */
export const CADRE_DB_WITHOUT_HISTORY = '2.0';

/** The version the upstream speaks, from what it answered; null for the cadre database before its history is read. */
export async function contractVersionOf(db: Queryable, source: SourceName): Promise<string | null> {
  if (source !== 'CADRE_DB') return CONTRACT_VERSIONS[source];
  const history = await pathsAnswered(db, HISTORY_FEEDS);
  if (history === 'missing') return CADRE_DB_WITHOUT_HISTORY;
  return history === 'answered' ? CONTRACT_VERSIONS.CADRE_DB : null;
}
