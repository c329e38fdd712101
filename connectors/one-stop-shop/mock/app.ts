/**
 * The mock one-stop-shop: the procedure catalogue by page number and the
 * dossier change feed by cursor, read from the MockWorld.
 */
import { parseCompactLocal } from '../../common/wire.ts';
import type { MockWorld } from '../../mock/world.ts';
import { createMockApp, type MockApp } from '../../mock/app.ts';
import { createFaultController, RENAMED_FIELDS, type FaultController } from '../../mock/faults.ts';
import { intParam, json, optionalParam } from '../../mock/http.ts';
import { withInvalidRecords, withRenamedField } from '../../mock/invalid-records.ts';
import { numberedPage, OVERLAP } from '../../mock/paging.ts';
import {
  DOSSIERS_MAX_LIMIT,
  DOSSIERS_PATH,
  PROCEDURES_MAX_PAGE_SIZE,
  PROCEDURES_PATH,
  type DossierWire,
} from '../contract.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { invalidDossiers, invalidProcedures } from './invalid-records.ts';

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_LIMIT = 100;

export function createOneStopShopApp(world: MockWorld, faults: FaultController = createFaultController()): MockApp {
  return createMockApp(world, faults, {
    [PROCEDURES_PATH]: {
      format: 'json',
      dataFaults: ['invalid-records', 'flawed-records', 'duplicates'],
      serve(url, injection) {
        const page = intParam(url, 'page', { min: 1, fallback: 1 });
        const pageSize = intParam(url, 'pageSize', {
          min: 1,
          max: PROCEDURES_MAX_PAGE_SIZE,
          fallback: DEFAULT_PAGE_SIZE,
        });
        const all = world.procedures();
        const records = numberedPage(all, page, pageSize, injection, (p) => p.MaTTHC);
        return json({ total: all.length, page, data: withInvalidRecords(records, injection, invalidProcedures) });
      },
    },

    [DOSSIERS_PATH]: {
      format: 'json',
      dataFaults: ['invalid-records', 'flawed-records', 'duplicates', 'renamed-field'],
      serve(url, injection) {
        const updatedFrom = optionalParam(
          url,
          'updatedFrom',
          (text) => (parseCompactLocal(text) ? text : null),
          'a local time yyyyMMddHHmmss',
        );
        const after = optionalParam(url, 'cursor', decodeCursor, 'a cursor from an earlier page');
        const limit = intParam(url, 'limit', { min: 1, max: DOSSIERS_MAX_LIMIT, fallback: DEFAULT_LIMIT });
        const { records, more } = world.dossiers(updatedFrom, after, limit);
        // With duplicates, the cursor points a little back, so the next page repeats this one's last records.
        let back = 0;
        if (injection?.fault === 'duplicates' && more) {
          back = Math.min(OVERLAP, records.length - 1);
          for (const repeated of records.slice(records.length - back)) {
            injection.records.push({ key: repeated.MaHoSo, reason: 'served again on the next page' });
          }
        }
        const last = records[records.length - 1 - back];
        const nextCursor = more && last ? encodeCursor({ updatedAt: last.NgayCapNhat, code: last.MaHoSo }) : null;
        const [from, to] = RENAMED_FIELDS[DOSSIERS_PATH]!;
        const served = withRenamedField(records, injection, from as keyof DossierWire, to, (d) => d.MaHoSo);
        return json({ data: withInvalidRecords(served as typeof records, injection, invalidDossiers), nextCursor });
      },
    },
  });
}
