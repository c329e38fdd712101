/**
 * Every feed's record contract, by feed name: what the hub checks each
 * received record against (common/flaws.ts), listed once for what reads the
 * contracts as a whole (the graph's data-quality rules, the README's table).
 */
import { BUDGET_EXECUTION_FEED, PSU_FINANCE_FEED, PUBLIC_INVESTMENT_FEED } from './budget/connector.ts';
import { budgetExecutionContract, psuFinanceContract, publicInvestmentContract } from './budget/contract.ts';
import { STAFF_FEED, UNITS_FEED } from './cadre-db/connector.ts';
import {
  staffAssignmentContract,
  staffContract,
  unitContract,
  unitEventContract,
  unitVersionContract,
} from './cadre-db/contract.ts';
import type { RecordContract } from './common/flaws.ts';
import { STAFF_ASSIGNMENTS_FEED, UNIT_EVENTS_FEED, UNIT_VERSIONS_FEED } from '../store/history.ts';
import { DOSSIERS_FEED, PROCEDURES_FEED } from './one-stop-shop/connector.ts';
import { dossierContract, procedureContract } from './one-stop-shop/contract.ts';

export interface FeedContract {
  feed: string;
  /** What the feed's records are called in rule codes, e.g. DOSSIERS. */
  records: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  contract: RecordContract<any, any>;
}

export const FEED_CONTRACTS: readonly FeedContract[] = [
  { feed: PROCEDURES_FEED, records: 'PROCEDURES', contract: procedureContract },
  { feed: DOSSIERS_FEED, records: 'DOSSIERS', contract: dossierContract },
  { feed: UNITS_FEED, records: 'UNITS', contract: unitContract },
  { feed: STAFF_FEED, records: 'STAFF', contract: staffContract },
  { feed: UNIT_VERSIONS_FEED, records: 'UNIT_VERSIONS', contract: unitVersionContract },
  { feed: UNIT_EVENTS_FEED, records: 'UNIT_EVENTS', contract: unitEventContract },
  { feed: STAFF_ASSIGNMENTS_FEED, records: 'STAFF_ASSIGNMENTS', contract: staffAssignmentContract },
  { feed: PSU_FINANCE_FEED, records: 'PSU_FINANCE', contract: psuFinanceContract },
  { feed: BUDGET_EXECUTION_FEED, records: 'BUDGET_EXECUTION', contract: budgetExecutionContract },
  { feed: PUBLIC_INVESTMENT_FEED, records: 'INVESTMENT', contract: publicInvestmentContract },
];
