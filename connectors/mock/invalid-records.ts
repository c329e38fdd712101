/**
 * The `invalid-records` and `flawed-records` faults: a page that also carries
 * records breaking the contract, each made from a real record of the page
 * with one defect: with `invalid-records`, defects that leave a record
 * impossible to place (the hub must quarantine it); with `flawed-records`,
 * defects that leave it placeable (the hub must store it and record exactly
 * the flaws listed). They have keys of their own (INVALID_PREFIX), so the
 * real records are served untouched. Each upstream says how its records break
 * (connectors/<upstream>/mock/).
 */
import type { FlawSpec, Injection } from './faults.ts';

/** Starts every injected record's key, so it cannot collide with a real one. */
export const INVALID_PREFIX = 'INVALID-';
/** A unit code that no unit has. */
export const UNKNOWN_UNIT = '999.99.99.Z99';

export interface InvalidRecord {
  key: string;
  reason: string;
  record: Record<string, unknown>;
  /** The flaws the hub must store it with; absent: it cannot be placed, and must be quarantined. */
  flaws?: FlawSpec[];
}

/** The record without `field`: the "missing key" defect. */
export function omit<T extends object>(record: T, field: keyof T): Record<string, unknown> {
  const copy = { ...record } as Record<string, unknown>;
  delete copy[field as string];
  return copy;
}

/**
 * With renamed-field, the page's records with `from` sent as `to` (its value kept), each noted on the injection
 * with the reason the hub gives; otherwise the page as it is.
 */
export function withRenamedField<T extends object>(
  records: readonly T[],
  injection: Injection | null,
  from: keyof T & string,
  to: string,
  keyOf: (record: T) => string,
): unknown[] {
  if (injection?.fault !== 'renamed-field') return [...records];
  return records.map((record) => {
    injection.records.push({ key: keyOf(record), reason: `missing field ${from}` });
    const { [from]: value, ...rest } = record;
    return { ...rest, [to]: value };
  });
}

/**
 * The page, plus (with invalid-records or flawed-records) the broken records of that kind made from its last record,
 * noted on the injection.
 */
export function withInvalidRecords<T>(
  records: readonly T[],
  injection: Injection | null,
  makeInvalid: (template: T) => InvalidRecord[],
): unknown[] {
  const template = records.at(-1);
  const fault = injection?.fault;
  if ((fault !== 'invalid-records' && fault !== 'flawed-records') || template === undefined) return [...records];
  const invalid = makeInvalid(template).filter(({ flaws }) => (fault === 'flawed-records') === (flaws !== undefined));
  for (const { key, reason, flaws } of invalid) injection!.records.push({ key, reason, ...(flaws ? { flaws } : {}) });
  return [...records, ...invalid.map(({ record }) => record)];
}
