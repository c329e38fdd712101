/**
 * Every feed name, by source: the keys of sync_state and quarantine. Fixed
 * here (not read from the connectors) so the graph can report on a source
 * this instance does not sync itself.
 */
import type { SourceName } from '../../connectors/feed.ts';

export const FEEDS_OF_SOURCE: Readonly<Record<SourceName, readonly string[]>> = {
  ONE_STOP_SHOP: ['one-stop-shop/procedures', 'one-stop-shop/dossiers'],
  CADRE_DB: ['cadre-db/units', 'cadre-db/staff'],
  BUDGET: ['budget/psu-finance', 'budget/execution', 'budget/investment'],
};
