/** The mock budget system as msw handlers under `baseUrl`. */
import type { MockWorld } from '../../mock/world.ts';
import type { FaultController } from '../../mock/faults.ts';
import { mswHandlers } from '../../mock/msw.ts';
import { createBudgetApp } from './app.ts';

export function budgetHandlers(world: MockWorld, baseUrl: string, faults?: FaultController) {
  return mswHandlers(createBudgetApp(world, faults), baseUrl);
}
