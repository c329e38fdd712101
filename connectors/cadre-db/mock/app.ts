/**
 * The mock cadre database: units and staff as offset pages, filtered by
 * modification time, read from the MockWorld.
 */
import { formatIsoLocal, isRealDay, parseIsoLocal } from '../../common/wire.ts';
import type { MockWorld } from '../../mock/world.ts';
import { createMockApp, type Endpoint, type MockApp } from '../../mock/app.ts';
import { createFaultController, type FaultController } from '../../mock/faults.ts';
import { intParam, json, optionalParam } from '../../mock/http.ts';
import { withInvalidRecords, type InvalidRecord } from '../../mock/invalid-records.ts';
import { offsetPage } from '../../mock/paging.ts';
import { MAX_LIMIT, STAFF_PATH, UNITS_PATH } from '../contract.ts';
import { invalidStaff, invalidUnits } from './invalid-records.ts';

const DEFAULT_LIMIT = 100;

/** ISO local time, or a bare day meaning its start; what the world's filters take. */
function modifiedSince(text: string): string | null {
  if (parseIsoLocal(text)) return text;
  return isRealDay(text) ? `${text}T00:00:00` : null;
}

function offsetList<T extends { ngayCapNhat: string }>(
  world: MockWorld,
  read: (since: string | null) => readonly T[],
  keyOf: (record: T) => string,
  makeInvalid: (template: T) => InvalidRecord[],
): Endpoint {
  return {
    format: 'json',
    dataFaults: ['invalid-records', 'flawed-records', 'duplicates', 'offset-shift'],
    serve(url, injection) {
      const since = optionalParam(url, 'modifiedSince', modifiedSince, 'a local time YYYY-MM-DDTHH:mm:ss');
      const offset = intParam(url, 'offset', { min: 0, fallback: 0 });
      const limit = intParam(url, 'limit', { min: 1, max: MAX_LIMIT, fallback: DEFAULT_LIMIT });
      const all = read(since);
      const records = offsetPage(all, offset, limit, injection, keyOf, formatIsoLocal(world.now()));
      return json({ total: all.length, offset, items: withInvalidRecords(records, injection, makeInvalid) });
    },
  };
}

export function createCadreDbApp(world: MockWorld, faults: FaultController = createFaultController()): MockApp {
  return createMockApp(world, faults, {
    [UNITS_PATH]: offsetList(
      world,
      (since) => world.units(since),
      (u) => u.maDinhDanh,
      invalidUnits,
    ),
    [STAFF_PATH]: offsetList(
      world,
      (since) => world.staff(since),
      (s) => s.soHieu,
      invalidStaff,
    ),
  });
}
