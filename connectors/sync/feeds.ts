/**
 * Every feed name, by source: the keys of sync_state and quarantine. Listed
 * here, from the connectors' own constants, so the graph can report on a
 * source this instance does not sync itself.
 */
import { BUDGET_EXECUTION_FEED, PSU_FINANCE_FEED, PUBLIC_INVESTMENT_FEED } from '../budget/connector.ts';
import {
  STAFF_ASSIGNMENTS_FEED,
  STAFF_FEED,
  UNIT_EVENTS_FEED,
  UNIT_VERSIONS_FEED,
  UNITS_FEED,
} from '../cadre-db/connector.ts';
import type { SourceName } from '../feed.ts';
import { DOSSIERS_FEED, PROCEDURES_FEED } from '../one-stop-shop/connector.ts';

export const FEEDS_OF_SOURCE: Readonly<Record<SourceName, readonly string[]>> = {
  ONE_STOP_SHOP: [PROCEDURES_FEED, DOSSIERS_FEED],
  CADRE_DB: [UNITS_FEED, UNIT_VERSIONS_FEED, UNIT_EVENTS_FEED, STAFF_FEED, STAFF_ASSIGNMENTS_FEED],
  BUDGET: [PSU_FINANCE_FEED, BUDGET_EXECUTION_FEED, PUBLIC_INVESTMENT_FEED],
};
