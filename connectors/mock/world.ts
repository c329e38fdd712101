/**
 * The simulated province behind the three mock upstreams: everything they
 * serve is read from a MockWorld, as of its simulated clock. The servers only
 * add the wire details (paging, cursors, CSV, faults); the world decides what
 * exists and when it changed.
 *
 * Every list is ordered by (update time, key), as the upstream contracts
 * expect, so a change feed is "records whose update time is at or after the
 * mark". Advancing the clock makes new dossiers arrive, moves open ones
 * through their statuses and retires, hires and transfers staff; a record
 * that changes gets a new update time and so appears again in the feeds.
 */
import type { DossierWire, ProcedureWire } from '../one-stop-shop/contract.ts';
import type { StaffAssignmentWire, StaffWire, UnitEventWire, UnitVersionWire, UnitWire } from '../cadre-db/contract.ts';
import type { PsuFinanceWire, PublicInvestmentWire } from '../budget/contract.ts';

/** A position in the dossier feed: the last record's update time (NgayCapNhat) and code (MaHoSo). */
export interface DossierFeedKey {
  updatedAt: string;
  code: string;
}

export interface DossierFeedPage {
  records: DossierWire[];
  /** True when records exist after the last one returned. */
  more: boolean;
}

/** One line of the budget execution CSV, cells as text, in BUDGET_EXECUTION_COLUMNS order. */
export type BudgetExecutionLine = readonly [
  maQhns: string,
  chuong: string,
  loaiKhoan: string,
  muc: string,
  tieuMuc: string,
  thuChi: 'THU' | 'CHI',
  duToan: string,
  thucHien: string,
];

export interface MockWorld {
  readonly seed: number;
  readonly scale: string;
  /** The simulated clock. */
  now(): Date;
  /** Moves the clock forward (never back) and returns the new time. */
  advance(ms: number): Date;

  /** The whole procedure catalogue, ordered by code. */
  procedures(): readonly ProcedureWire[];

  /**
   * Dossiers as of now whose NgayCapNhat is at or after `updatedFrom`
   * (`yyyyMMddHHmmss`, local; null for all), ordered by (NgayCapNhat, MaHoSo),
   * strictly after `after` when given, at most `limit`.
   */
  dossiers(updatedFrom: string | null, after: DossierFeedKey | null, limit: number): DossierFeedPage;

  /** Units as of now with ngayCapNhat at or after `modifiedSince` (ISO local; null for all), ordered by (ngayCapNhat, maDinhDanh). */
  units(modifiedSince: string | null): readonly UnitWire[];
  /** Staff as of now, filtered and ordered like units (by soHieu within a time). */
  staff(modifiedSince: string | null): readonly StaffWire[];

  /**
   * The v2.1 history as of now, filtered by ngayCapNhat like units, each in
   * its documented order: versions by (maDinhDanh, phienBan), events by
   * (ngayHieuLuc, maSuKien), assignments by (soHieu, tuNgay). A world
   * without them is an upstream before v2.1 (its history paths answer 404).
   */
  unitVersions?(modifiedSince: string | null): readonly UnitVersionWire[];
  unitEvents?(modifiedSince: string | null): readonly UnitEventWire[];
  staffAssignments?(modifiedSince: string | null): readonly StaffAssignmentWire[];

  /** One row per public service unit that existed in the year; empty for a year not yet started. */
  psuFinance(year: number): readonly PsuFinanceWire[];
  /** Execution cumulative to the end of the month; empty until the month has ended. */
  budgetExecution(year: number, month: number): readonly BudgetExecutionLine[];
  /** Projects of the year with disbursement to the end of the month; empty until the month has ended. */
  publicInvestment(year: number, month: number): readonly PublicInvestmentWire[];
}
