/**
 * Budget system records (validated by ./contract.ts) to the canonical model.
 * Pure: no I/O. The budget system names a unit by its budget-relation code
 * (mã QHNS); the cadre database is the crosswalk to the unit code, so the
 * caller passes a resolver built from it. A code it does not know rejects the
 * record (to be quarantined and retried once the unit arrives), never guesses.
 * Amounts arrive as strings of digits and stay exact strings.
 */
import type {
  BudgetDirection,
  BudgetExecutionLine,
  InvestmentDisbursement,
  InvestmentProject,
  PsuFinance,
} from '../../store/model.ts';
import { accepted, nfc, rejected, textOrNull, type Mapped } from '../common/mapped.ts';
import type { BudgetExecutionRow, PsuFinanceRecord, PublicInvestmentRecord } from './contract.ts';

/** The unit code of a budget-relation code, or undefined when no known unit has it. */
export type BudgetCodeResolver = (budgetCode: string) => string | undefined;

const DIRECTION: Readonly<Record<BudgetExecutionRow['thu_chi'], BudgetDirection>> = {
  THU: 'REVENUE',
  CHI: 'SPENDING',
};

/** Builds the record for the unit the budget code resolves to, or rejects it with the code it could not resolve. */
function forUnit<T>(budgetCode: string, resolve: BudgetCodeResolver, build: (unitCode: string) => T): Mapped<T> {
  const unitCode = resolve(budgetCode);
  return unitCode === undefined ? rejected(`unknown budget-relation code ${budgetCode}`) : accepted(build(unitCode));
}

export function toPsuFinance(record: PsuFinanceRecord, resolve: BudgetCodeResolver): Mapped<PsuFinance> {
  return forUnit(record.maQHNS, resolve, (unitCode) => ({
    unitCode,
    year: record.nam,
    autonomyGroup: record.nhomTuChu,
    decisionNo: textOrNull(record.soQuyetDinh),
    ownRevenue: record.thuSuNghiep,
    recurrentExpenditure: record.chiThuongXuyen,
  }));
}

/** One CSV row of the execution report cumulative to the end of `month` of `year` (the period it was asked for). */
export function toBudgetExecutionLine(
  row: BudgetExecutionRow,
  year: number,
  month: number,
  resolve: BudgetCodeResolver,
): Mapped<BudgetExecutionLine> {
  return forUnit(row.ma_qhns, resolve, (unitCode) => ({
    unitCode,
    year,
    month,
    direction: DIRECTION[row.thu_chi],
    chapterCode: row.chuong,
    categoryCode: row.loai_khoan,
    itemCode: row.muc,
    subItemCode: row.tieu_muc,
    estimate: row.du_toan,
    executed: row.thuc_hien,
  }));
}

export interface Investment {
  project: InvestmentProject;
  disbursement: InvestmentDisbursement;
}

/** One project of the public investment list for the end of `month` of `year` (the period it was asked for). */
export function toInvestment(
  record: PublicInvestmentRecord,
  year: number,
  month: number,
  resolve: BudgetCodeResolver,
): Mapped<Investment> {
  return forUnit(record.maQHNS, resolve, (unitCode) => ({
    project: { code: record.maDuAn, name: nfc(record.tenDuAn), unitCode },
    disbursement: {
      projectCode: record.maDuAn,
      year,
      month,
      capitalPlan: record.keHoachVon,
      disbursedToDate: record.giaiNganLuyKe,
    },
  }));
}
