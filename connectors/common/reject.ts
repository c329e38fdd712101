/**
 * Reading one received record into a canonical record (with its flaws, if
 * any) or a Reject, the same way on the first pull and on a retry from
 * quarantine, so that a quarantined record resolves exactly when a fresh copy
 * of it would. A record its contract cannot place (./flaws.ts) is rejected for
 * good (until the upstream sends a placeable version); a record the mapper
 * cannot place (an unknown unit, say) is rejected as retryable.
 */
import { createHash } from 'node:crypto';
import type { Reject } from '../feed.ts';
import { placeFlaws, type Checked, type Place, type RecordFlaw } from './flaws.ts';
import type { Mapped } from './mapped.ts';
import type { Mark } from './mark.ts';

/** A key for a record whose own key cannot be read: the same payload always gets the same key. */
export const hashKey = (raw: string): string => `sha256:${createHash('sha256').update(raw).digest('hex')}`;

/** A field of a record that may break its contract, when it is a non-empty string. */
export function stringField(item: unknown, field: string): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const value = (item as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A record's key made of several fields (a unit version's code and number, an
 * assignment's person and first day), joined by '@'; undefined when one of
 * them is not a non-empty string or a whole number.
 */
export function compositeKey(fields: readonly string[]): (item: unknown) => string | undefined {
  return (item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    const parts: string[] = [];
    for (const field of fields) {
      const value = (item as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '') parts.push(value);
      else if (typeof value === 'number' && Number.isSafeInteger(value)) parts.push(String(value));
      else return undefined;
    }
    return parts.join('@');
  };
}

/**
 * One record read. `version` is the record's position in its change feed
 * (update time and key) once it has passed its contract, null otherwise or
 * for feeds without one: what deduplication and watermarks go by.
 */
export type Reading<T> = (
  | { ok: true; key: string; version: Mark | null; value: T; flaws: readonly RecordFlaw[]; raw: string }
  | { ok: false; key: string; version: Mark | null; reject: Reject }
) & {
  /** The record's fields its contract does not know (counted per feed: a renamed field shows up here). */
  unknown?: readonly string[];
};

export function rejection<T>(
  key: string,
  version: Mark | null,
  raw: string,
  reason: string,
  retryable: boolean,
): Reading<T> {
  return { ok: false, key, version, reject: { key, reason, raw, retryable } };
}

/** How a feed reads a JSON record; `O` is what its contract outputs. */
export interface JsonRecordSpec<O, T> {
  /** The record checked against its contract (checkRecord of ./flaws.ts). */
  check: (item: unknown) => Checked<O>;
  /** Where a stored record counts, kept with its flaws. */
  place: (value: T) => Place;
  /** The field holding the record's key. */
  keyField: string;
  /** The key when it is made of several fields (compositeKey); `keyField` then only documents it. */
  keyOf?: (item: unknown) => string | undefined;
  /** Put before the key: the period, for budget records, whose own key repeats from period to period. */
  keyPrefix?: string;
  /** The record's position in its change feed, for feeds that have one. */
  version?: (record: O) => Mark;
  /** The mapping, which may reject a valid record for what the hub does not know yet. */
  map: (record: O) => Mapped<T>;
}

/** Reads one record of a page; `raw` defaults to the record's JSON text, as received. */
export function readJsonRecord<O, T>(
  spec: JsonRecordSpec<O, T>,
  item: unknown,
  raw = JSON.stringify(item),
): Reading<T> {
  const key =
    (spec.keyPrefix ?? '') + ((spec.keyOf ? spec.keyOf(item) : stringField(item, spec.keyField)) ?? hashKey(raw));
  const checked = spec.check(item);
  const unknown = checked.unknown;
  if (!checked.ok) return { ...rejection<T>(key, null, raw, checked.reason, false), unknown };
  const version = spec.version?.(checked.record) ?? null;
  const mapped = spec.map(checked.record);
  if (!mapped.ok) return { ...rejection<T>(key, version, raw, mapped.reason, true), unknown };
  const flaws = checked.flaws.length ? placeFlaws(key, checked.flaws, spec.place(mapped.value)) : [];
  return { ok: true, key, version, value: mapped.value, flaws, unknown, raw };
}

/** The retry result of a reading: the quarantined key and payload are kept as they were. */
export function retryResult<T>(reading: Reading<T>, reject: { key: string; raw: string }): Mapped<T> | Reject {
  if (!reading.ok) return { ...reading.reject, key: reject.key, raw: reject.raw };
  return reading.flaws.length
    ? { ok: true, value: reading.value, flaws: reading.flaws }
    : { ok: true, value: reading.value };
}

/** Reads a quarantined JSON record again. */
export function retryJsonRecord<O, T>(
  spec: JsonRecordSpec<O, T>,
  reject: { key: string; raw: string },
): Mapped<T> | Reject {
  let item: unknown;
  try {
    item = JSON.parse(reject.raw);
  } catch {
    return { key: reject.key, reason: 'the quarantined payload is not JSON', raw: reject.raw, retryable: false };
  }
  return retryResult(readJsonRecord(spec, item, reject.raw), reject);
}
