/**
 * The `invalid-records` fault: a page that also carries records breaking the
 * contract, each made from a real record of the page with one defect. They
 * have keys of their own (INVALID_PREFIX), so the real records are served
 * untouched and a connector that quarantines bad records loses nothing real.
 * Each upstream says how its records break (connectors/<upstream>/mock/).
 */
import type { Injection } from './faults.ts';

/** Starts every injected record's key, so it cannot collide with a real one. */
export const INVALID_PREFIX = 'INVALID-';
/** A unit code that no unit has. */
export const UNKNOWN_UNIT = '999.99.99.Z99';

export interface InvalidRecord {
  key: string;
  reason: string;
  record: Record<string, unknown>;
}

/** The record without `field`: the "missing key" defect. */
export function omit<T extends object>(record: T, field: keyof T): Record<string, unknown> {
  const copy = { ...record } as Record<string, unknown>;
  delete copy[field as string];
  return copy;
}

/** The page, plus (with invalid-records) the broken records made from its last record, noted on the injection. */
export function withInvalidRecords<T>(
  records: readonly T[],
  injection: Injection | null,
  makeInvalid: (template: T) => InvalidRecord[],
): unknown[] {
  const template = records.at(-1);
  if (injection?.fault !== 'invalid-records' || template === undefined) return [...records];
  const invalid = makeInvalid(template);
  for (const { key, reason } of invalid) injection.records.push({ key, reason });
  return [...records, ...invalid.map(({ record }) => record)];
}
