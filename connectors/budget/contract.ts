/**
 * The budget system's wire format (docs/upstreams.md), field for
 * field: yearly public-service-unit finance, the monthly budget execution CSV
 * and the monthly public investment list. Units are named by budget-relation
 * code (mã QHNS); the cadre database resolves them. Unknown fields (and
 * unknown CSV columns) are tolerated. Amounts come out as strings of digits.
 */
import { z } from 'zod';
import { defineContract, type SoundOf, type WireOf } from '../common/flaws.ts';
import { amount, budgetRelationCode, code, optionalText } from '../common/wire.ts';

export const PSU_FINANCE_PATH = '/api/v1/psu-finance';
export const BUDGET_EXECUTION_PATH = '/api/v1/budget-execution.csv';
export const PUBLIC_INVESTMENT_PATH = '/api/v1/public-investment';

const year = z.number().int().min(2000).max(2100);

/**
 * nhomTuChu, Decree 60/2021/NĐ-CP: 1 covers recurrent and investment spending, 2 recurrent, 3 part, 4 state-funded.
 * A row is placed by its unit (maQHNS) and year (the connector also checks it is the year asked for).
 */
export const psuFinanceContract = defineContract(
  {
    maQHNS: budgetRelationCode,
    nam: year,
    nhomTuChu: z.literal([1, 2, 3, 4]),
    soQuyetDinh: optionalText,
    thuSuNghiep: amount,
    chiThuongXuyen: amount,
  },
  ['maQHNS', 'nam'],
);
export const psuFinanceRecord = psuFinanceContract.whole;
export type PsuFinanceWire = WireOf<typeof psuFinanceContract>;
export type PsuFinanceRecord = SoundOf<typeof psuFinanceContract>;

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

/** One CSV row, keyed by header name; every cell arrives as text. The key columns place it; amounts are flagged. */
export const budgetExecutionContract = defineContract(
  {
    ma_qhns: budgetRelationCode,
    chuong: digits(3),
    loai_khoan: digits(3),
    muc: digits(4),
    tieu_muc: digits(4),
    thu_chi: z.enum(['THU', 'CHI']),
    du_toan: z.string().regex(/^\d{1,18}$/, 'expected whole đồng'),
    thuc_hien: z.string().regex(/^\d{1,18}$/, 'expected whole đồng'),
  },
  ['ma_qhns', 'chuong', 'loai_khoan', 'muc', 'tieu_muc', 'thu_chi'],
);
export const budgetExecutionRow = budgetExecutionContract.whole;
export type BudgetExecutionRow = SoundOf<typeof budgetExecutionContract>;

/** A project is placed by its code and unit; its name is required by the hub. */
export const publicInvestmentContract = defineContract(
  {
    maDuAn: code,
    tenDuAn: z.string().trim().min(1),
    maQHNS: budgetRelationCode,
    keHoachVon: amount,
    giaiNganLuyKe: amount,
  },
  ['maDuAn', 'tenDuAn', 'maQHNS'],
);
export const publicInvestmentRecord = publicInvestmentContract.whole;
export type PublicInvestmentWire = WireOf<typeof publicInvestmentContract>;
export type PublicInvestmentRecord = SoundOf<typeof publicInvestmentContract>;

/** The two JSON lists are bare arrays. */
export const jsonList = z.array(z.unknown());
