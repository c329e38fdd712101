/**
 * The MockWorld of the three mock upstreams: the simulated province at its
 * simulated clock. Dossiers are generated up to a month past the clock and
 * further as the clock advances; staff and units carry their whole history;
 * finance is computed on request. See ../world.ts for the contract.
 */
import type { ProcedureWire } from '../../one-stop-shop/contract.ts';
import type {
  StaffAssignmentWire,
  StaffWire,
  UnitEventWire,
  UnitVersionWire,
  UnitWire,
} from '../../cadre-db/contract.ts';
import { parseCompactLocal, parseIsoLocal } from '../../common/wire.ts';
import type { DossierFeedKey, DossierFeedPage, MockWorld } from '../world.ts';
import { dayOf } from './calendar.ts';
import { DossierTable } from './dossier-table.ts';
import { dossierCode, dossiersBetween, dossierWire, stateAt } from './dossiers.ts';
import { budgetExecution, psuFinance, publicInvestment } from './finance.ts';
import { procedureWire } from './procedures.ts';
import { buildProvince } from './province.ts';
import { scaleNamed, type ScaleName } from './scales.ts';
import { staffOf, staffWireAt, type GenStaff } from './staff.ts';
import { unitWireAt } from './units.ts';
import { staffAssignmentsWireAt, unitEvents, unitEventWireAt, unitVersionsWireAt } from './history.ts';

export const DEFAULT_SEED = 1;
/** How many days of dossiers exist ahead of the clock. */
const LOOKAHEAD_DAYS = 31;

export interface MockWorldOptions {
  scale: ScaleName;
  seed?: number;
}

/** Records of a list as of one clock reading, sorted by (update time, key), with their update times. */
interface Snapshot<T> {
  now: number;
  records: T[];
  times: number[];
}

function snapshot<T>(now: number, records: T[], time: (r: T) => number, key: (r: T) => string): Snapshot<T> {
  const keyed = records.map((record) => ({ record, t: time(record), k: key(record) }));
  keyed.sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return { now, records: keyed.map((x) => x.record), times: keyed.map((x) => x.t) };
}

/** Records at or after `since` (an instant in seconds, or null for all). */
function since<T>(snap: Snapshot<T>, from: number | null): T[] {
  if (from === null) return snap.records;
  let lo = 0;
  let hi = snap.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (snap.times[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return snap.records.slice(lo);
}

const seconds = (date: Date | null) => (date === null ? null : Math.floor(date.getTime() / 1000));
function parseMark(text: string | null, parse: (t: string) => Date | null, what: string): number | null {
  if (text === null) return null;
  const date = parse(text);
  if (!date) throw new RangeError(`${what} is not a valid local time: ${text}`);
  return seconds(date);
}

export function createMockWorld(options: MockWorldOptions): MockWorld {
  const scale = scaleNamed(options.scale);
  const seed = options.seed ?? DEFAULT_SEED;
  const province = buildProvince(scale, seed);
  let now = province.start;

  const procedures: ProcedureWire[] = province.procedures
    .map(procedureWire)
    .sort((a, b) => (a.MaTTHC < b.MaTTHC ? -1 : 1));
  const people: GenStaff[] = [...staffOf(province)];

  const table = new DossierTable();
  let horizon = province.dossiersFrom;
  function generateThrough(day: number) {
    if (day <= horizon) return;
    for (const facts of dossiersBetween(province, horizon, day)) table.push(facts);
    horizon = day;
    table.index();
  }
  generateThrough(dayOf(now) + LOOKAHEAD_DAYS);

  const events = unitEvents(province.units);
  /** A history list as of now, in its documented order, cached until the clock moves. */
  const historyList = <T extends { ngayCapNhat: string }>(build: () => T[]) => {
    let cached: { now: number; records: T[] } | null = null;
    return (modifiedSince: string | null): readonly T[] => {
      if (cached?.now !== now) cached = { now, records: build() };
      const from = parseMark(modifiedSince, parseIsoLocal, 'modifiedSince');
      return from === null ? cached.records : cached.records.filter((r) => isoTime(r) >= from);
    };
  };
  const unitVersions = historyList<UnitVersionWire>(() =>
    province.units
      .flatMap((u) => unitVersionsWireAt(u, now))
      .sort((a, b) => (a.maDinhDanh < b.maDinhDanh ? -1 : a.maDinhDanh > b.maDinhDanh ? 1 : a.phienBan - b.phienBan)),
  );
  const eventList = historyList<UnitEventWire>(() => events.flatMap((e) => unitEventWireAt(e, now) ?? []));
  const assignments = historyList<StaffAssignmentWire>(() =>
    people
      .flatMap((p) => staffAssignmentsWireAt(p, now))
      .sort((a, b) => (a.soHieu < b.soHieu ? -1 : a.soHieu > b.soHieu ? 1 : a.tuNgay < b.tuNgay ? -1 : 1)),
  );

  let unitSnapshot: Snapshot<UnitWire> | null = null;
  let staffSnapshot: Snapshot<StaffWire> | null = null;
  const isoTime = (wire: { ngayCapNhat: string }) => seconds(parseIsoLocal(wire.ngayCapNhat))!;

  return {
    seed,
    scale: scale.name,
    now: () => new Date(now * 1000),
    advance(ms: number) {
      if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
      now += Math.floor(ms / 1000);
      generateThrough(dayOf(now) + LOOKAHEAD_DAYS);
      return new Date(now * 1000);
    },
    procedures: () => procedures,

    dossiers(updatedFrom: string | null, after: DossierFeedKey | null, limit: number): DossierFeedPage {
      const from = parseMark(updatedFrom, parseCompactLocal, 'updatedFrom') ?? 0;
      const afterTime = after ? parseMark(after.updatedAt, parseCompactLocal, 'cursor time')! : null;
      const records: DossierFeedPage['records'] = [];
      let more = false;
      // Events of one second are ordered by code, so gather each second's current versions first.
      let second = -1;
      let group: { code: string; index: number }[] = [];
      const flush = (): boolean => {
        group.sort((a, b) => (a.code < b.code ? -1 : 1));
        for (const { code, index } of group) {
          if (afterTime === second && code <= after!.code) continue;
          if (records.length === limit) return ((more = true), false);
          records.push(dossierWire(province, table.get(index), now)!);
        }
        group = [];
        return true;
      };
      table.scanEvents(Math.max(from, afterTime ?? 0), now, (index, t) => {
        if (t !== second && !flush()) return false;
        second = t;
        const facts = table.get(index);
        // Only a dossier's latest event up to now is its current version; earlier events are history.
        if (stateAt(facts, now)!.updatedAt === t) group.push({ code: dossierCode(province, facts), index });
        return true;
      });
      if (!more) flush();
      return { records, more };
    },

    units(modifiedSince: string | null) {
      if (unitSnapshot?.now !== now) {
        const wires = province.units.flatMap((u) => unitWireAt(u, now) ?? []);
        unitSnapshot = snapshot(now, wires, isoTime, (w) => w.maDinhDanh);
      }
      return since(unitSnapshot, parseMark(modifiedSince, parseIsoLocal, 'modifiedSince'));
    },
    staff(modifiedSince: string | null) {
      if (staffSnapshot?.now !== now) {
        const wires = people.flatMap((p) => staffWireAt(p, now) ?? []);
        staffSnapshot = snapshot(now, wires, isoTime, (w) => w.soHieu);
      }
      return since(staffSnapshot, parseMark(modifiedSince, parseIsoLocal, 'modifiedSince'));
    },

    unitVersions,
    unitEvents: eventList,
    staffAssignments: assignments,

    psuFinance: (year) => psuFinance(province, year, now),
    budgetExecution: (year, month) => budgetExecution(province, year, month, now),
    publicInvestment: (year, month) => publicInvestment(province, year, month, now),
  };
}
