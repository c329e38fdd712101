/**
 * The budget execution export as the budget system writes it: UTF-8 with a
 * byte-order mark, comma-separated, CRLF line ends, a header row. Cells are
 * codes and digits, so nothing needs quoting. With the csv-bad-row fault the
 * file ends with rows that break it, noted on the injection by the key the
 * hub quarantines them under: the row's natural key (budget code, chapter,
 * item, sub-item, direction), followed by a hash of the row's text when it
 * repeats the key of a sound row (the first two repeat the template's).
 */
import type { Injection } from '../../mock/faults.ts';
import type { BudgetExecutionLine } from '../../mock/world.ts';
import { BUDGET_EXECUTION_COLUMNS } from '../contract.ts';
import { hashKey } from '../../common/reject.ts';
import { UNKNOWN_BUDGET_CODE } from './invalid-records.ts';

/** The key columns (ma_qhns … thu_chi) come first in a row. */
const naturalKey = (cells: readonly string[]) => cells.slice(0, 6).join('/');

function badRows(template: BudgetExecutionLine): { cells: readonly string[]; reason: string; key: string }[] {
  const wrongWidth = template.slice(0, -1);
  const notDigits = [...template.slice(0, -1), '812.000.000'];
  const unknownCode = [UNKNOWN_BUDGET_CODE, ...template.slice(1)];
  return [
    {
      cells: wrongWidth,
      reason: `${template.length - 1} columns instead of ${template.length}`,
      key: `${naturalKey(wrongWidth)}/${hashKey(wrongWidth.join(','))}`,
    },
    {
      cells: notDigits,
      reason: 'thuc_hien is not digits',
      key: `${naturalKey(notDigits)}/${hashKey(notDigits.join(','))}`,
    },
    { cells: unknownCode, reason: `unknown ma_qhns ${UNKNOWN_BUDGET_CODE}`, key: naturalKey(unknownCode) },
  ];
}

export function budgetExecutionCsv(lines: readonly BudgetExecutionLine[], injection: Injection | null): string {
  const rows: (readonly string[])[] = [BUDGET_EXECUTION_COLUMNS, ...lines];
  const template = lines.at(-1);
  if (injection?.fault === 'csv-bad-row' && template) {
    for (const { cells, reason, key } of badRows(template)) {
      rows.push(cells);
      injection.records.push({ key, reason });
    }
  }
  return `\uFEFF${rows.map((cells) => `${cells.join(',')}\r\n`).join('')}`;
}
