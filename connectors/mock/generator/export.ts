/**
 * The simulated province written out as the upstreams would serve it at the
 * simulated start: one NDJSON file per list, the budget CSV month by month.
 * Dossiers and staff are streamed (a day, or a unit, at a time), so memory
 * stays flat however large the scale; only units and procedures are held.
 */
import { BUDGET_EXECUTION_COLUMNS } from '../../budget/contract.ts';
import { dayOf, monthStart } from './calendar.ts';
import { dossiersBetween, dossierWire } from './dossiers.ts';
import { FIRST_BUDGET_YEAR, budgetExecution, psuFinance, publicInvestment } from './finance.ts';
import { procedureWire } from './procedures.ts';
import { buildProvince } from './province.ts';
import { scaleNamed, type ScaleName } from './scales.ts';
import { staffOf, staffWireAt } from './staff.ts';
import { unitWireAt } from './units.ts';

/** Where the files go: called with whole lines, in order, per file. */
export interface ExportSink {
  write(file: string, chunk: string): void | Promise<void>;
}

export type ExportCounts = Record<
  'units' | 'procedures' | 'dossiers' | 'staff' | 'psuFinance' | 'budgetLines' | 'investments',
  number
>;

const CHUNK = 1 << 16;
const pad = (n: number) => String(n).padStart(2, '0');

export async function exportProvince(
  options: { scale: ScaleName; seed: number },
  sink: ExportSink,
): Promise<ExportCounts> {
  const province = buildProvince(scaleNamed(options.scale), options.seed);
  const now = province.start;
  const counts: ExportCounts = {
    units: 0,
    procedures: 0,
    dossiers: 0,
    staff: 0,
    psuFinance: 0,
    budgetLines: 0,
    investments: 0,
  };

  // Lines are gathered into chunks so that a sink sees few, large writes.
  let file = '';
  let buffer = '';
  const flush = async () => {
    if (buffer) await sink.write(file, buffer);
    buffer = '';
  };
  const line = async (to: string, text: string) => {
    if (to !== file) {
      await flush();
      file = to;
    }
    buffer += text + '\n';
    if (buffer.length >= CHUNK) await flush();
  };
  const json = (to: string, kind: keyof ExportCounts, record: unknown) => {
    counts[kind]++;
    return line(to, JSON.stringify(record));
  };

  for (const unit of province.units) {
    const wire = unitWireAt(unit, now);
    if (wire) await json('units.ndjson', 'units', wire);
  }
  for (const procedure of province.procedures) await json('procedures.ndjson', 'procedures', procedureWire(procedure));
  for (const facts of dossiersBetween(province, province.dossiersFrom, dayOf(now) + 1)) {
    const wire = dossierWire(province, facts, now);
    if (wire) await json('dossiers.ndjson', 'dossiers', wire);
  }
  for (const person of staffOf(province)) {
    const wire = staffWireAt(person, now);
    if (wire) await json('staff.ndjson', 'staff', wire);
  }
  const lastYear = new Date(now * 1000).getUTCFullYear();
  for (let year = FIRST_BUDGET_YEAR; year <= lastYear; year++) {
    for (const row of psuFinance(province, year, now)) await json('psu-finance.ndjson', 'psuFinance', row);
    for (let month = 1; month <= 12 && monthStart(year, month) <= dayOf(now); month++) {
      const lines = budgetExecution(province, year, month, now);
      if (lines.length === 0) continue;
      const csv = `budget-execution/${year}-${pad(month)}.csv`;
      await line(csv, '\uFEFF' + BUDGET_EXECUTION_COLUMNS.join(','));
      for (const cells of lines) {
        counts.budgetLines++;
        await line(csv, cells.join(','));
      }
      for (const project of publicInvestment(province, year, month, now)) {
        await json('public-investment.ndjson', 'investments', { ...project, nam: year, thang: month });
      }
    }
  }
  await flush();
  return counts;
}
