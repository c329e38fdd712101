/**
 * How each feed's canonical records reach the store, inside the batch's
 * transaction, and what the write changed (for the change event). The
 * connectors know nothing of SQL; this is the only place that maps a feed to
 * its tables.
 */
import { BUDGET_EXECUTION_FEED, PSU_FINANCE_FEED, PUBLIC_INVESTMENT_FEED } from '../budget/connector.ts';
import type { Investment } from '../budget/map.ts';
import {
  STAFF_ASSIGNMENTS_FEED,
  STAFF_FEED,
  UNIT_EVENTS_FEED,
  UNIT_VERSIONS_FEED,
  UNITS_FEED,
} from '../cadre-db/connector.ts';
import { DOSSIERS_FEED, PROCEDURES_FEED } from '../one-stop-shop/connector.ts';
import type { Queryable } from '../../store/db.ts';
import { upsertDossiersReportingChanges, type StoredDossierDates } from '../../store/dossiers.ts';
import {
  upsertBudgetExecutionLines,
  upsertInvestmentDisbursements,
  upsertInvestmentProjects,
  upsertPsuFinance,
} from '../../store/finance.ts';
import type {
  BudgetExecutionLine,
  Dossier,
  Procedure,
  PsuFinance,
  Staff,
  StaffAssignment,
  Unit,
  UnitEvent,
  UnitVersion,
} from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertStaff } from '../../store/staff.ts';
import { upsertUnits } from '../../store/units.ts';
import {
  writeStaffAssignments,
  writeUnitEvents,
  writeUnitVersions,
  type HistoryWritten,
  type Refusal,
} from '../../store/unit-history-upserts.ts';
import type { ChangedEntity, DossierChange, DossierChangeKind } from './changes.ts';

export interface Written {
  written: number;
  unitCodes: string[];
  dossiers: DossierChange[];
  /**
   * Records of the batch the store would not take (by index), with why: a
   * history version overlapping another. The engine quarantines them
   * (retryable) instead of resolving their keys.
   */
  refused?: Refusal[];
}

export interface FeedWriter<T> {
  entity: ChangedEntity;
  write(tx: Queryable, records: readonly T[]): Promise<Written>;
}

const distinct = (codes: Iterable<string>) => [...new Set(codes)];

/** A writer whose change is "these units' data changed". */
function byUnit<T>(
  entity: ChangedEntity,
  upsert: (tx: Queryable, records: readonly T[]) => Promise<number>,
  unitOf: (record: T) => string | null,
): FeedWriter<T> {
  return {
    entity,
    async write(tx, records) {
      const written = await upsert(tx, records);
      const unitCodes = distinct(records.flatMap((record) => unitOf(record) ?? []));
      return { written, unitCodes, dossiers: [] };
    },
  };
}

/** What a dossier's new version changed against the version the hub held (undefined: none). */
function dossierChangeKinds(record: Dossier, previous: StoredDossierDates | undefined, now: Date): DossierChangeKind[] {
  const kinds: DossierChangeKind[] = [];
  if (!previous) kinds.push('RECEIVED');
  if (record.finishedAt && !previous?.finishedAt) kinds.push('FINISHED');
  if (record.returnedAt && !previous?.returnedAt) kinds.push('RETURNED');
  // Overdue "since it was last synced": open and past due now, but not yet past due when the hub last wrote it.
  const overdueNow = !record.finishedAt && record.dueAt !== null && record.dueAt < now;
  const overdueBefore =
    previous && !previous.finishedAt && previous.dueAt !== null && previous.dueAt < previous.syncedAt;
  if (overdueNow && !overdueBefore) kinds.push('OVERDUE');
  return kinds;
}

const dossierWriter: FeedWriter<Dossier> = {
  entity: 'DOSSIERS',
  async write(tx, records) {
    const { written, before } = await upsertDossiersReportingChanges(tx, records);
    const stored = new Map(before.map((row) => [row.code, row]));
    const now = new Date();
    const dossiers = records.flatMap((record) => {
      const kinds = dossierChangeKinds(record, stored.get(record.code), now);
      return kinds.length ? [{ code: record.code, unitCode: record.unitCode, kinds }] : [];
    });
    return { written, unitCodes: distinct(records.map((d) => d.unitCode)), dossiers };
  },
};

const investmentWriter: FeedWriter<Investment> = {
  entity: 'FINANCE',
  async write(tx, records) {
    // A project before its disbursements: they refer to it.
    await upsertInvestmentProjects(
      tx,
      records.map((r) => r.project),
    );
    const written = await upsertInvestmentDisbursements(
      tx,
      records.map((r) => r.disbursement),
    );
    return { written, unitCodes: distinct(records.map((r) => r.project.unitCode)), dossiers: [] };
  },
};

/** A history writer, whose refused records are quarantined by the engine. */
function history<T>(
  entity: ChangedEntity,
  write: (tx: Queryable, records: readonly T[]) => Promise<HistoryWritten>,
  unitOf: (record: T) => string,
): FeedWriter<T> {
  return {
    entity,
    async write(tx, records) {
      const { written, refused } = await write(tx, records);
      return { written, unitCodes: distinct(records.map(unitOf)), dossiers: [], refused };
    },
  };
}

const unitEventWriter: FeedWriter<UnitEvent> = {
  entity: 'UNITS',
  async write(tx, records) {
    const written = await writeUnitEvents(tx, records);
    return { written, unitCodes: distinct(records.flatMap((e) => [...e.unitsBefore, ...e.unitsAfter])), dossiers: [] };
  },
};

/** The writer of every feed, by feed name. */
export const FEED_WRITERS: Readonly<Record<string, FeedWriter<never>>> = {
  [UNITS_FEED]: byUnit<Unit>('UNITS', upsertUnits, (u) => u.code),
  [STAFF_FEED]: byUnit<Staff>('STAFF', upsertStaff, (s) => s.unitCode),
  [UNIT_VERSIONS_FEED]: history<UnitVersion>('UNITS', writeUnitVersions, (v) => v.code),
  [UNIT_EVENTS_FEED]: unitEventWriter,
  [STAFF_ASSIGNMENTS_FEED]: history<StaffAssignment>('STAFF', writeStaffAssignments, (a) => a.unitCode),
  [PROCEDURES_FEED]: byUnit<Procedure>('PROCEDURES', upsertProcedures, () => null),
  [DOSSIERS_FEED]: dossierWriter,
  [PSU_FINANCE_FEED]: byUnit<PsuFinance>('FINANCE', upsertPsuFinance, (f) => f.unitCode),
  [BUDGET_EXECUTION_FEED]: byUnit<BudgetExecutionLine>('FINANCE', upsertBudgetExecutionLines, (l) => l.unitCode),
  [PUBLIC_INVESTMENT_FEED]: investmentWriter,
};
