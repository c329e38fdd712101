/**
 * The cadre database's feeds for the sync engine: the unit tree first (staff
 * and every other upstream's records refer to units, and it is the budget
 * crosswalk), the units' versions and events (v2.1 history), then the staff
 * and their assignments. An upstream before v2.1 answers the history paths
 * 404: those feeds then throw PathMissingError, which the engine skips. Both are offset lists filtered by modification
 * time whose offsets slide while they are read; the overlapping pager of
 * ../common/paging.ts reads them without losing or repeating records, and
 * its cursor shape is documented there (offsetCursor).
 */
import type { Staff, StaffAssignment, Unit, UnitEvent, UnitVersion } from '../../store/model.ts';
import { STAFF_ASSIGNMENTS_FEED, UNIT_EVENTS_FEED, UNIT_VERSIONS_FEED } from '../../store/history.ts';
import { PathMissingError, type Batch, type Connector, type Feed, type Lookups, type Reject } from '../feed.ts';
import { UpstreamError, type UpstreamClient } from '../http/client.ts';
import { accepted, rejected } from '../common/mapped.ts';
import { pageSize, pullOffsetList, type OffsetListSpec } from '../common/paging.ts';
import { checkRecord } from '../common/flaws.ts';
import { compositeKey, readJsonRecord, retryJsonRecord, stringField, type JsonRecordSpec } from '../common/reject.ts';
import {
  MAX_LIMIT,
  offsetPage,
  STAFF_ASSIGNMENTS_PATH,
  STAFF_PATH,
  staffAssignmentContract,
  staffContract,
  UNIT_EVENTS_PATH,
  UNIT_VERSIONS_PATH,
  UNITS_PATH,
  unitContract,
  unitEventContract,
  unitVersionContract,
  type StaffAssignmentRecord,
  type StaffRecord,
  type UnitEventRecord,
  type UnitRecord,
  type UnitVersionRecord,
} from './contract.ts';
import { toStaff, toStaffAssignment, toUnit, toUnitEvent, toUnitVersion } from './map.ts';

export const UNITS_FEED = 'cadre-db/units';
export const STAFF_FEED = 'cadre-db/staff';
export { STAFF_ASSIGNMENTS_FEED, UNIT_EVENTS_FEED, UNIT_VERSIONS_FEED };

/** Records each page re-reads of the one before: more than the records that change during one page's read. */
export const DEFAULT_OVERLAP = 50;
/** How far back a page is looked for when the list slid further than the overlap, before giving up on the run. */
export const DEFAULT_MAX_STEP_BACK = 20;

export interface CadreDbOptions {
  /** Units per page; default and maximum 500. */
  unitsLimit?: number;
  /** Staff per page; default and maximum 500. */
  staffLimit?: number;
  /** Records per page of each history list (versions, events, assignments); default and maximum 500. */
  historyLimit?: number;
  /** Records each page re-reads of the page before; default 50, at most half the page size. */
  overlap?: number;
  /** Pages to step back, at most, to find the page before again; default 20. */
  maxStepBack?: number;
}

export interface CadreDbConnector extends Connector {
  readonly feeds: readonly [Feed<Unit>, Feed<UnitVersion>, Feed<UnitEvent>, Feed<StaffAssignment>, Feed<Staff>];
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

/** A version or assignment that ends on or before it starts has no place on the calendar. */
const endsBeforeItStarts = (record: { tuNgay: string; denNgay: string | null }) =>
  record.denNgay !== null && record.denNgay <= record.tuNgay
    ? `denNgay ${record.denNgay} is not after tuNgay ${record.tuNgay}: the range is empty`
    : null;

const UNIT_VERSION_KEY = compositeKey(['maDinhDanh', 'phienBan']);
const STAFF_ASSIGNMENT_KEY = compositeKey(['soHieu', 'tuNgay']);

/** A version's parent must be a unit the hub knows (retried until it does), as a unit's must. */
function unitVersionSpec(lookups: Lookups): JsonRecordSpec<UnitVersionRecord, UnitVersion> {
  return {
    check: (item) =>
      checkRecord(unitVersionContract, item, (version) =>
        version.maDinhDanhCha === version.maDinhDanh
          ? 'maDinhDanhCha: a unit cannot be its own parent'
          : endsBeforeItStarts(version),
      ),
    place: (version) => ({ unitCode: version.code, day: version.validFrom }),
    keyField: 'maDinhDanh',
    keyOf: UNIT_VERSION_KEY,
    version: (record) => ({ t: record.ngayCapNhat, k: `${record.maDinhDanh}@${record.phienBan}` }),
    map: (record) =>
      record.maDinhDanhCha === null || lookups.hasUnit(record.maDinhDanhCha)
        ? accepted(toUnitVersion(record))
        : rejected(`unknown parent unit ${record.maDinhDanhCha}`),
  };
}

/** Events are kept as sent: a unit on either side the hub does not know yet is still lineage worth keeping. */
const unitEventSpec: JsonRecordSpec<UnitEventRecord, UnitEvent> = {
  check: (item) => checkRecord(unitEventContract, item),
  place: (event) => ({ unitCode: event.unitsAfter[0] ?? event.unitsBefore[0] ?? null, day: event.effectiveOn }),
  keyField: 'maSuKien',
  version: (record) => ({ t: record.ngayCapNhat, k: record.maSuKien }),
  map: (record) => accepted(toUnitEvent(record)),
};

function staffAssignmentSpec(lookups: Lookups): JsonRecordSpec<StaffAssignmentRecord, StaffAssignment> {
  return {
    check: (item) => checkRecord(staffAssignmentContract, item, endsBeforeItStarts),
    place: (assignment) => ({ unitCode: assignment.unitCode, day: assignment.startsOn }),
    keyField: 'soHieu',
    keyOf: STAFF_ASSIGNMENT_KEY,
    version: (record) => ({ t: record.ngayCapNhat, k: `${record.soHieu}@${record.tuNgay}` }),
    map: (record) =>
      lookups.hasUnit(record.maDinhDanhDonVi)
        ? accepted(toStaffAssignment(record))
        : rejected(`unknown unit ${record.maDinhDanhDonVi}`),
  };
}

interface OffsetFeed {
  name: string;
  path: string;
  limit: number | undefined;
  keyField: string;
  keyOf?: (item: unknown) => string | undefined;
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
    ...(feed.keyOf ? { keyOf: feed.keyOf } : {}),
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
            batch.raws?.push(child.raw);
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

/** The pages of a v2.1 history list; a 404 (an upstream before v2.1) becomes PathMissingError. */
async function* historyPages<T>(spec: OffsetListSpec<T>, cursor: string | null, signal?: AbortSignal) {
  try {
    yield* pullOffsetList(spec, cursor, signal);
  } catch (error) {
    if (error instanceof UpstreamError && error.status === 404) {
      throw new PathMissingError(spec.feed, spec.path, { cause: error });
    }
    throw error;
  }
}

function historyFeed<O, T>(
  client: UpstreamClient,
  options: CadreDbOptions,
  feed: OffsetFeed,
  spec: (lookups: Lookups) => JsonRecordSpec<O, T>,
): Feed<T> {
  const pager = offsetPager(client, options, feed);
  return {
    name: feed.name,
    source: 'CADRE_DB',
    pull(cursor, lookups, signal) {
      const read = spec(lookups);
      return historyPages(
        pager((item) => readJsonRecord(read, item)),
        cursor,
        signal,
      );
    },
    retry: (reject, lookups) => retryJsonRecord(spec(lookups), reject),
  };
}

export function createCadreDbConnector(client: UpstreamClient, options: CadreDbOptions = {}): CadreDbConnector {
  const history = (name: string, path: string, keyField: string, keyOf?: (item: unknown) => string | undefined) => ({
    name,
    path,
    limit: options.historyLimit,
    keyField,
    ...(keyOf ? { keyOf } : {}),
  });
  return {
    source: 'CADRE_DB',
    feeds: [
      unitsFeed(client, options),
      historyFeed(
        client,
        options,
        history(UNIT_VERSIONS_FEED, UNIT_VERSIONS_PATH, 'maDinhDanh', UNIT_VERSION_KEY),
        unitVersionSpec,
      ),
      historyFeed(client, options, history(UNIT_EVENTS_FEED, UNIT_EVENTS_PATH, 'maSuKien'), () => unitEventSpec),
      // Assignments before the staff: a person whose history is already read is not versioned again by the store's
      // observation trigger (migration 0018), which would otherwise write and then replace one row per person.
      historyFeed(
        client,
        options,
        history(STAFF_ASSIGNMENTS_FEED, STAFF_ASSIGNMENTS_PATH, 'soHieu', STAFF_ASSIGNMENT_KEY),
        staffAssignmentSpec,
      ),
      staffFeed(client, options),
    ],
  };
}
