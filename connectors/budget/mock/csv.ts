/**
 * The budget execution export as the budget system writes it: UTF-8 with a
 * byte-order mark, comma-separated, CRLF line ends, a header row. Cells are
 * codes and digits, so nothing needs quoting. With the csv-bad-row fault the
 * file ends with rows that break it, noted on the injection by line number
 * (the header is line 1).
 */
import type { Injection } from '../../mock/faults.ts';
import type { BudgetExecutionLine } from '../../mock/world.ts';
import { BUDGET_EXECUTION_COLUMNS } from '../contract.ts';
import { UNKNOWN_BUDGET_CODE } from './invalid-records.ts';

function badRows(template: BudgetExecutionLine): { cells: readonly string[]; reason: string }[] {
  return [
    { cells: template.slice(0, -1), reason: `${template.length - 1} columns instead of ${template.length}` },
    { cells: [...template.slice(0, -1), '812.000.000'], reason: 'thuc_hien is not digits' },
    { cells: [UNKNOWN_BUDGET_CODE, ...template.slice(1)], reason: `unknown ma_qhns ${UNKNOWN_BUDGET_CODE}` },
  ];
}

export function budgetExecutionCsv(lines: readonly BudgetExecutionLine[], injection: Injection | null): string {
  const rows: (readonly string[])[] = [BUDGET_EXECUTION_COLUMNS, ...lines];
  const template = lines.at(-1);
  if (injection?.fault === 'csv-bad-row' && template) {
    for (const { cells, reason } of badRows(template)) {
      rows.push(cells);
      injection.records.push({ key: `line ${rows.length}`, reason });
    }
  }
  return `\uFEFF${rows.map((cells) => `${cells.join(',')}\r\n`).join('')}`;
}
