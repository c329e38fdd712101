/** The mock cadre database as msw handlers under `baseUrl`. */
import type { MockWorld } from '../../mock/world.ts';
import type { FaultController } from '../../mock/faults.ts';
import { mswHandlers } from '../../mock/msw.ts';
import { createCadreDbApp, type CadreDbMockOptions } from './app.ts';

export function cadreDbHandlers(
  world: MockWorld,
  baseUrl: string,
  faults?: FaultController,
  options?: CadreDbMockOptions,
) {
  return mswHandlers(createCadreDbApp(world, faults, options), baseUrl);
}
