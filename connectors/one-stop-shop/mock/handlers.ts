/** The mock one-stop-shop as msw handlers under `baseUrl`. */
import type { MockWorld } from '../../mock/world.ts';
import type { FaultController } from '../../mock/faults.ts';
import { mswHandlers } from '../../mock/msw.ts';
import { createOneStopShopApp } from './app.ts';

export function oneStopShopHandlers(world: MockWorld, baseUrl: string, faults?: FaultController) {
  return mswHandlers(createOneStopShopApp(world, faults), baseUrl);
}
