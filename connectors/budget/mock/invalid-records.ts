/**
 * How budget records break under the invalid-records fault (see
 * ../../mock/invalid-records.ts). A finance row is keyed by its 7-digit
 * budget-relation code, so the injected ones take codes from 9999991 up,
 * which no real unit has: whatever else they break, they cannot be placed.
 */
import { INVALID_PREFIX, omit, type InvalidRecord } from '../../mock/invalid-records.ts';
import type { PsuFinanceWire, PublicInvestmentWire } from '../contract.ts';

/** A budget-relation code that no unit has. */
export const UNKNOWN_BUDGET_CODE = '9999999';

export function invalidPsuFinance(template: PsuFinanceWire): InvalidRecord[] {
  return [
    {
      key: '9999991',
      reason: 'missing nhomTuChu',
      record: { ...omit(template, 'nhomTuChu'), maQHNS: '9999991' },
    },
    {
      key: '9999992',
      reason: 'thuSuNghiep written with thousands separators',
      record: { ...template, maQHNS: '9999992', thuSuNghiep: '1.250.000.000' },
    },
    { key: '9999993', reason: 'unknown maQHNS 9999993', record: { ...template, maQHNS: '9999993' } },
    {
      key: '9999994',
      reason: 'nhomTuChu 5 does not exist',
      record: { ...template, maQHNS: '9999994', nhomTuChu: 5 },
    },
    { key: '999995', reason: 'maQHNS has 6 digits', record: { ...template, maQHNS: '999995' } },
  ];
}

export function invalidPublicInvestment(template: PublicInvestmentWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.maDuAn}-${n}`;
  return [
    { key: key(1), reason: 'missing tenDuAn', record: { ...omit(template, 'tenDuAn'), maDuAn: key(1) } },
    {
      key: key(2),
      reason: 'keHoachVon is a string',
      record: { ...template, maDuAn: key(2), keHoachVon: '12,5 tỷ' },
      flaws: [{ rule: 'invalid-value', field: 'keHoachVon' }],
    },
    {
      key: key(3),
      reason: `unknown maQHNS ${UNKNOWN_BUDGET_CODE}`,
      record: { ...template, maDuAn: key(3), maQHNS: UNKNOWN_BUDGET_CODE },
    },
    {
      key: key(4),
      reason: 'negative giaiNganLuyKe',
      record: { ...template, maDuAn: key(4), giaiNganLuyKe: -1 },
      flaws: [{ rule: 'invalid-value', field: 'giaiNganLuyKe' }],
    },
  ];
}
