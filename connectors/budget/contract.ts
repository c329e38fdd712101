/**
 * The budget system's wire format (docs/upstreams.md), field for
 * field: yearly public-service-unit finance, the monthly budget execution CSV
 * and the monthly public investment list. Units are named by budget-relation
 * code (mã QHNS); the cadre database resolves them. Unknown fields (and
 * unknown CSV columns) are tolerated. Amounts come out as strings of digits.
 */
import { z } from 'zod';
import { amount, budgetRelationCode, code } from '../common/wire.ts';

export const PSU_FINANCE_PATH = '/api/v1/psu-finance';
export const BUDGET_EXECUTION_PATH = '/api/v1/budget-execution.csv';
export const PUBLIC_INVESTMENT_PATH = '/api/v1/public-investment';

const year = z.number().int().min(2000).max(2100);

/** nhomTuChu, Decree 60/2021/NĐ-CP: 1 covers recurrent and investment spending, 2 recurrent, 3 part, 4 state-funded. */
export const psuFinanceRecord = z.object({
  maQHNS: budgetRelationCode,
  nam: year,
  nhomTuChu: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  soQuyetDinh: z.string().nullable(),
  thuSuNghiep: amount,
  chiThuongXuyen: amount,
});
export type PsuFinanceWire = z.input<typeof psuFinanceRecord>;
export type PsuFinanceRecord = z.output<typeof psuFinanceRecord>;

/** The CSV's columns in order. The file is UTF-8 with a byte-order mark, comma-separated, with this header. */
export const BUDGET_EXECUTION_COLUMNS = [
  'ma_qhns',
  'chuong',
  'loai_khoan',
  'muc',
  'tieu_muc',
  'thu_chi',
  'du_toan',
  'thuc_hien',
] as const;

const digits = (n: number) => z.string().regex(new RegExp(`^\\d{${n}}$`), `expected ${n} digits`);

/** One CSV row, keyed by header name; every cell arrives as text. */
export const budgetExecutionRow = z.object({
  ma_qhns: budgetRelationCode,
  chuong: digits(3),
  loai_khoan: digits(3),
  muc: digits(4),
  tieu_muc: digits(4),
  thu_chi: z.enum(['THU', 'CHI']),
  du_toan: z.string().regex(/^\d{1,18}$/, 'expected whole đồng'),
  thuc_hien: z.string().regex(/^\d{1,18}$/, 'expected whole đồng'),
});
export type BudgetExecutionRow = z.output<typeof budgetExecutionRow>;

export const publicInvestmentRecord = z.object({
  maDuAn: code,
  tenDuAn: z.string().min(1),
  maQHNS: budgetRelationCode,
  keHoachVon: amount,
  giaiNganLuyKe: amount,
});
export type PublicInvestmentWire = z.input<typeof publicInvestmentRecord>;
export type PublicInvestmentRecord = z.output<typeof publicInvestmentRecord>;

/** The two JSON lists are bare arrays. */
export const jsonList = z.array(z.unknown());
