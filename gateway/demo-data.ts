/**
 * Demo data for a bare `npm start`: the simulated province of the mock
 * upstreams (demo scale: Yên Thế, calibrated on seed 001, and the province's
 * agencies), validated with the upstream contracts, mapped by the connectors'
 * mappers and written to an empty store in one transaction, so a start that is
 * interrupted leaves the store empty rather than half-loaded.
 *
 * This reads the mock world in process; once the sync engine exists, demo
 * mode will instead sync from the mock upstreams over HTTP.
 */
import type { z } from 'zod';
import {
  BUDGET_EXECUTION_COLUMNS,
  budgetExecutionRow,
  psuFinanceRecord,
  publicInvestmentRecord,
} from '../connectors/budget/contract.ts';
import { toBudgetExecutionLine, toInvestment, toPsuFinance } from '../connectors/budget/map.ts';
import { staffRecord, unitRecord } from '../connectors/cadre-db/contract.ts';
import { toStaff, toUnit } from '../connectors/cadre-db/map.ts';
import { FIRST_BUDGET_YEAR } from '../connectors/mock/generator/finance.ts';
import type { ScaleName } from '../connectors/mock/generator/scales.ts';
import { DEFAULT_SEED, createMockWorld } from '../connectors/mock/generator/world.ts';
import type { DossierFeedKey } from '../connectors/mock/world.ts';
import { dossierRecord, procedureRecord } from '../connectors/one-stop-shop/contract.ts';
import { toDossier, toProcedure } from '../connectors/one-stop-shop/map.ts';
import type { Mapped } from '../connectors/shared/mapped.ts';
import { describeIssues } from '../connectors/shared/wire.ts';
import type { Db } from '../store/db.ts';
import { upsertDossiers } from '../store/dossiers.ts';
import {
  upsertBudgetExecutionLines,
  upsertInvestmentDisbursements,
  upsertInvestmentProjects,
  upsertPsuFinance,
} from '../store/finance.ts';
import { upsertProcedures } from '../store/procedures.ts';
import { upsertStaff } from '../store/staff.ts';
import { upsertUnits } from '../store/units.ts';

const BATCH = 1_000;

export type DemoCounts = Record<'units' | 'procedures' | 'dossiers' | 'staff' | 'finance', number>;

/** Validates a record the generator made; a failure is a bug in the generator, so it throws. */
function valid<S extends z.ZodType>(schema: S, record: unknown, what: string): z.output<S> {
  const result = schema.safeParse(record);
  if (!result.success) throw new Error(`generated ${what} breaks its contract: ${describeIssues(result.error)}`);
  return result.data;
}
function mapped<T>(result: Mapped<T>, what: string): T {
  if (!result.ok) throw new Error(`generated ${what} does not map: ${result.reason}`);
  return result.value;
}

async function inBatches<T>(items: Iterable<T>, write: (batch: T[]) => Promise<unknown>): Promise<number> {
  let batch: T[] = [];
  let count = 0;
  for (const item of items) {
    batch.push(item);
    if (batch.length === BATCH) {
      await write(batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) await write(batch);
  return count + batch.length;
}

/**
 * Fills an empty store with the simulated province as its upstreams show it
 * at the simulated start. A store that has units is left alone (returns null).
 */
export async function loadDemoData(
  db: Db,
  options: { scale?: ScaleName; seed?: number } = {},
): Promise<DemoCounts | null> {
  const [row] = await db.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM units) AS present');
  if (row?.present) return null;
  const world = createMockWorld({ scale: options.scale ?? 'demo', seed: options.seed ?? DEFAULT_SEED });

  return db.transaction(async (tx) => {
    const units = world.units(null).map((u) => toUnit(valid(unitRecord, u, 'unit')));
    const unitByBudgetCode = new Map(units.flatMap((u) => (u.budgetCode ? [[u.budgetCode, u.code] as const] : [])));
    const resolve = (budgetCode: string) => unitByBudgetCode.get(budgetCode);
    const counts: DemoCounts = { units: 0, procedures: 0, dossiers: 0, staff: 0, finance: 0 };

    counts.units = await inBatches(units, (batch) => upsertUnits(tx, batch));
    counts.procedures = await inBatches(
      world.procedures().map((p) => toProcedure(valid(procedureRecord, p, 'procedure'))),
      (batch) => upsertProcedures(tx, batch),
    );
    for (let after: DossierFeedKey | null = null; ;) {
      const page = world.dossiers(null, after, BATCH);
      await upsertDossiers(
        tx,
        page.records.map((d) => toDossier(valid(dossierRecord, d, 'dossier'))),
      );
      counts.dossiers += page.records.length;
      const last = page.records.at(-1);
      if (!page.more || !last) break;
      after = { updatedAt: last.NgayCapNhat, code: last.MaHoSo };
    }
    counts.staff = await inBatches(
      world.staff(null).map((s) => toStaff(valid(staffRecord, s, 'staff record'))),
      (batch) => upsertStaff(tx, batch),
    );

    const thisYear = world.now().getUTCFullYear();
    for (let year = FIRST_BUDGET_YEAR; year <= thisYear; year++) {
      const finance = world
        .psuFinance(year)
        .map((r) => mapped(toPsuFinance(valid(psuFinanceRecord, r, 'PSU finance row'), resolve), 'PSU finance row'));
      counts.finance += await inBatches(finance, (batch) => upsertPsuFinance(tx, batch));
      for (let month = 1; month <= 12; month++) {
        const lines = world.budgetExecution(year, month).map((cells) => {
          const record = Object.fromEntries(BUDGET_EXECUTION_COLUMNS.map((column, i) => [column, cells[i]]));
          const parsed = valid(budgetExecutionRow, record, 'budget execution line');
          return mapped(toBudgetExecutionLine(parsed, year, month, resolve), 'budget execution line');
        });
        counts.finance += await inBatches(lines, (batch) => upsertBudgetExecutionLines(tx, batch));
        const investments = world
          .publicInvestment(year, month)
          .map((r) =>
            mapped(toInvestment(valid(publicInvestmentRecord, r, 'investment'), year, month, resolve), 'investment'),
          );
        await upsertInvestmentProjects(
          tx,
          investments.map((i) => i.project),
        );
        counts.finance += await inBatches(
          investments.map((i) => i.disbursement),
          (batch) => upsertInvestmentDisbursements(tx, batch),
        );
      }
    }
    return counts;
  });
}
