/**
 * The cadre database's feeds for the sync engine: the unit tree first (staff
 * and every other upstream's records refer to units, and it is the budget
 * crosswalk), then the staff. Both are offset lists filtered by modification
 * time whose offsets slide while they are read; the overlapping pager of
 * ../common/paging.ts reads them without losing or repeating records, and
 * its cursor shape is documented there (offsetCursor).
 */
import type { Staff, Unit } from '../../store/model.ts';
import type { Batch, Connector, Feed, Lookups, Reject } from '../feed.ts';
import type { UpstreamClient } from '../http/client.ts';
import { accepted, rejected } from '../common/mapped.ts';
import { pageSize, pullOffsetList, type OffsetListSpec } from '../common/paging.ts';
import { checkRecord } from '../common/flaws.ts';
import { readJsonRecord, retryJsonRecord, stringField, type JsonRecordSpec } from '../common/reject.ts';
import {
  MAX_LIMIT,
  offsetPage,
  STAFF_PATH,
  staffContract,
  UNITS_PATH,
  unitContract,
  type StaffRecord,
  type UnitRecord,
} from './contract.ts';
import { toStaff, toUnit } from './map.ts';

export const UNITS_FEED = 'cadre-db/units';
export const STAFF_FEED = 'cadre-db/staff';

/** Records each page re-reads of the one before: more than the records that change during one page's read. */
export const DEFAULT_OVERLAP = 50;
/** How far back a page is looked for when the list slid further than the overlap, before giving up on the run. */
export const DEFAULT_MAX_STEP_BACK = 20;

export interface CadreDbOptions {
  /** Units per page; default and maximum 500. */
  unitsLimit?: number;
  /** Staff per page; default and maximum 500. */
  staffLimit?: number;
  /** Records each page re-reads of the page before; default 50, at most half the page size. */
  overlap?: number;
  /** Pages to step back, at most, to find the page before again; default 20. */
  maxStepBack?: number;
}

export interface CadreDbConnector extends Connector {
  readonly feeds: readonly [Feed<Unit>, Feed<Staff>];
}

/**
 * A unit whose parent the hub does not know is rejected as retryable, but a
 * parent counts as known when this run has met it anywhere in its pages so
 * far, the page being read included: lists are ordered by update time, so a
 * parent may well come after its children. A child whose parent comes on a
 * later page waits in quarantine and is yielded with that page (or, after a
 * crash, resolved by the engine's retry once the parent is stored).
 */
function unitSpec(isKnown: (code: string) => boolean): JsonRecordSpec<UnitRecord, Unit> {
  return {
    // A unit that is its own parent cannot be placed in the tree.
    check: (item) =>
      checkRecord(unitContract, item, (unit) =>
        unit.maDinhDanhCha === unit.maDinhDanh ? 'maDinhDanhCha: a unit cannot be its own parent' : null,
      ),
    place: (unit) => ({ unitCode: unit.code, day: null }),
    keyField: 'maDinhDanh',
    version: (record) => ({ t: record.ngayCapNhat, k: record.maDinhDanh }),
    map: (record) =>
      record.maDinhDanhCha === null || isKnown(record.maDinhDanhCha)
        ? accepted(toUnit(record))
        : rejected(`unknown parent unit ${record.maDinhDanhCha}`),
  };
}

function staffSpec(lookups: Lookups): JsonRecordSpec<StaffRecord, Staff> {
  return {
    check: (item) => checkRecord(staffContract, item),
    place: (staff) => ({ unitCode: staff.unitCode, day: null }),
    keyField: 'soHieu',
    version: (record) => ({ t: record.ngayCapNhat, k: record.soHieu }),
    map: (record) =>
      lookups.hasUnit(record.maDinhDanhDonVi)
        ? accepted(toStaff(record))
        : rejected(`unknown unit ${record.maDinhDanhDonVi}`),
  };
}

interface OffsetFeed {
  name: string;
  path: string;
  limit: number | undefined;
  keyField: string;
}

/** The pager of one list, options checked once; each pull gives it its reader. */
function offsetPager(client: UpstreamClient, options: CadreDbOptions, feed: OffsetFeed) {
  const limit = pageSize(feed.name, feed.limit, MAX_LIMIT);
  // At most half a page, so that every page still brings at least half a page of records not read before.
  const overlap = Math.max(0, Math.min(options.overlap ?? DEFAULT_OVERLAP, Math.floor(limit / 2)));
  return <T>(read: OffsetListSpec<T>['read'], onPage?: OffsetListSpec<T>['onPage']): OffsetListSpec<T> => ({
    feed: feed.name,
    client,
    path: feed.path,
    limit,
    overlap,
    maxStepBack: options.maxStepBack ?? DEFAULT_MAX_STEP_BACK,
    envelope: offsetPage,
    keyField: feed.keyField,
    timeField: 'ngayCapNhat',
    read,
    ...(onPage ? { onPage } : {}),
  });
}

function unitsFeed(client: UpstreamClient, options: CadreDbOptions): Feed<Unit> {
  const pager = offsetPager(client, options, {
    name: UNITS_FEED,
    path: UNITS_PATH,
    limit: options.unitsLimit,
    keyField: 'maDinhDanh',
  });
  return {
    name: UNITS_FEED,
    source: 'CADRE_DB',
    async *pull(cursor, lookups, signal): AsyncGenerator<Batch<Unit>> {
      const met = new Set<string>();
      const spec = unitSpec((code) => lookups.hasUnit(code) || met.has(code));
      // Children rejected for a parent not met yet, by parent code.
      const waiting = new Map<string, Reject[]>();
      const meet = (items: readonly unknown[]) => {
        for (const item of items) {
          const code = stringField(item, 'maDinhDanh');
          if (code) met.add(code);
        }
      };
      for await (const batch of pullOffsetList(
        pager((item) => readJsonRecord(spec, item), meet),
        cursor,
        signal,
      )) {
        for (const [parent, children] of waiting) {
          if (!met.has(parent)) continue;
          waiting.delete(parent);
          for (const child of children) {
            const result = retryJsonRecord(spec, child);
            if (!('ok' in result) || !result.ok) continue;
            // Its quarantine entry is resolved by this key, in this batch's transaction.
            batch.records.push(result.value);
            batch.keys.push(child.key);
            if (result.flaws) batch.flaws.push(...result.flaws);
          }
        }
        for (const reject of batch.rejects) {
          const parent = reject.retryable ? stringField(JSON.parse(reject.raw), 'maDinhDanhCha') : undefined;
          if (parent) waiting.set(parent, [...(waiting.get(parent) ?? []), reject]);
        }
        yield batch;
      }
    },
    retry: (reject, lookups) =>
      retryJsonRecord(
        unitSpec((code) => lookups.hasUnit(code)),
        reject,
      ),
  };
}

function staffFeed(client: UpstreamClient, options: CadreDbOptions): Feed<Staff> {
  const pager = offsetPager(client, options, {
    name: STAFF_FEED,
    path: STAFF_PATH,
    limit: options.staffLimit,
    keyField: 'soHieu',
  });
  return {
    name: STAFF_FEED,
    source: 'CADRE_DB',
    pull(cursor, lookups, signal) {
      const spec = staffSpec(lookups);
      return pullOffsetList(
        pager((item) => readJsonRecord(spec, item)),
        cursor,
        signal,
      );
    },
    retry: (reject, lookups) => retryJsonRecord(staffSpec(lookups), reject),
  };
}

export function createCadreDbConnector(client: UpstreamClient, options: CadreDbOptions = {}): CadreDbConnector {
  return { source: 'CADRE_DB', feeds: [unitsFeed(client, options), staffFeed(client, options)] };
}
