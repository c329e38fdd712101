/**
 * The mock cadre database: units and staff, and their v2.1 history (unit
 * versions, unit events, staff assignments), as offset pages filtered by
 * modification time, read from the MockWorld. With its history off (the
 * `history` option, or `POST /__admin/history {"enabled": false}`), or over a
 * world without history, it is an upstream before v2.1: the history paths
 * answer 404.
 */
import { formatIsoLocal, isRealDay, parseIsoLocal } from '../../common/wire.ts';
import type { MockWorld } from '../../mock/world.ts';
import { createMockApp, type Endpoint, type MockApp } from '../../mock/app.ts';
import { createFaultController, type FaultController } from '../../mock/faults.ts';
import {
  BadParameter,
  badRequest,
  intParam,
  json,
  methodNotAllowed,
  notFound,
  optionalParam,
} from '../../mock/http.ts';
import { withInvalidRecords, type InvalidRecord } from '../../mock/invalid-records.ts';
import { offsetPage } from '../../mock/paging.ts';
import {
  MAX_LIMIT,
  STAFF_ASSIGNMENTS_PATH,
  STAFF_PATH,
  UNIT_EVENTS_PATH,
  UNIT_VERSIONS_PATH,
  UNITS_PATH,
} from '../contract.ts';
import {
  invalidStaff,
  invalidStaffAssignments,
  invalidUnitEvents,
  invalidUnits,
  invalidUnitVersions,
} from './invalid-records.ts';

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

export const HISTORY_ADMIN_PATH = '/__admin/history';

export interface CadreDbMockOptions {
  /** Serve the v2.1 history paths (default true); false answers them 404, as an upstream before v2.1. */
  history?: boolean;
}

/** The answer of `GET`/`POST /__admin/history`, where the history paths are switched on and off. */
async function historySwitch(request: Request, state: { history: boolean }): Promise<Response> {
  if (request.method === 'POST') {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return badRequest(new BadParameter('body', 'the body must be JSON'));
    }
    const enabled = (body as { enabled?: unknown } | null)?.enabled;
    if (typeof enabled !== 'boolean') return badRequest(new BadParameter('enabled', 'expected true or false'));
    state.history = enabled;
  } else if (request.method !== 'GET') return methodNotAllowed('GET, POST');
  return json({ history: state.history });
}

export function createCadreDbApp(
  world: MockWorld,
  faults: FaultController = createFaultController(),
  options: CadreDbMockOptions = {},
): MockApp {
  const state = { history: options.history ?? true };
  /** A history list, or a 404 while history is off or the world has none. */
  const historyList = <T extends { ngayCapNhat: string }>(
    read: ((since: string | null) => readonly T[]) | undefined,
    keyOf: (record: T) => string,
    makeInvalid: (template: T) => InvalidRecord[],
  ): Endpoint => {
    const list = read ? offsetList(world, read, keyOf, makeInvalid) : null;
    return {
      format: 'json',
      dataFaults: list?.dataFaults ?? [],
      serve: (url, injection) => (list && state.history ? list.serve(url, injection) : notFound(url.pathname)),
    };
  };
  const app = createMockApp(world, faults, {
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
    [UNIT_VERSIONS_PATH]: historyList(
      world.unitVersions?.bind(world),
      (v) => `${v.maDinhDanh}@${v.phienBan}`,
      invalidUnitVersions,
    ),
    [UNIT_EVENTS_PATH]: historyList(world.unitEvents?.bind(world), (e) => e.maSuKien, invalidUnitEvents),
    [STAFF_ASSIGNMENTS_PATH]: historyList(
      world.staffAssignments?.bind(world),
      (a) => `${a.soHieu}@${a.tuNgay}`,
      invalidStaffAssignments,
    ),
  });
  return (request) =>
    new URL(request.url).pathname === HISTORY_ADMIN_PATH ? historySwitch(request, state) : app(request);
}
