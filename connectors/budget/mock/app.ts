/**
 * The mock budget system: yearly public-service-unit finance and monthly
 * public investment as bare JSON arrays, monthly budget execution as CSV,
 * read from the MockWorld.
 */
import type { MockWorld } from '../../mock/world.ts';
import { createMockApp, type MockApp } from '../../mock/app.ts';
import { createFaultController, type FaultController } from '../../mock/faults.ts';
import { intParam, json } from '../../mock/http.ts';
import { withInvalidRecords } from '../../mock/invalid-records.ts';
import { BUDGET_EXECUTION_PATH, PSU_FINANCE_PATH, PUBLIC_INVESTMENT_PATH } from '../contract.ts';
import { budgetExecutionCsv } from './csv.ts';
import { invalidPsuFinance, invalidPublicInvestment } from './invalid-records.ts';

const year = (url: URL) => intParam(url, 'nam', { min: 2000, max: 2100 });
const month = (url: URL) => intParam(url, 'thang', { min: 1, max: 12 });

export function createBudgetApp(world: MockWorld, faults: FaultController = createFaultController()): MockApp {
  return createMockApp(world, faults, {
    [PSU_FINANCE_PATH]: {
      format: 'json',
      dataFaults: ['invalid-records', 'flawed-records'],
      serve: (url, injection) => json(withInvalidRecords(world.psuFinance(year(url)), injection, invalidPsuFinance)),
    },

    [BUDGET_EXECUTION_PATH]: {
      format: 'csv',
      dataFaults: ['csv-bad-row'],
      serve: (url, injection) =>
        new Response(budgetExecutionCsv(world.budgetExecution(year(url), month(url)), injection), {
          headers: { 'content-type': 'text/csv; charset=utf-8' },
        }),
    },

    [PUBLIC_INVESTMENT_PATH]: {
      format: 'json',
      dataFaults: ['invalid-records', 'flawed-records'],
      serve: (url, injection) =>
        json(withInvalidRecords(world.publicInvestment(year(url), month(url)), injection, invalidPublicInvestment)),
    },
  });
}
