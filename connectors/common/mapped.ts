/**
 * Pieces every mapper (wire record → canonical model) shares: the result of a
 * mapping that can reject a record, the level codes two upstreams use, and
 * the clean-up of free text. Mappers take records their contract has already
 * validated, so what is left to reject is what only the hub knows about
 * (an unknown unit, say); the caller quarantines a rejection with its reason.
 */
import type { UnitLevel } from '../../store/model.ts';
import type { RecordFlaw } from './flaws.ts';

/** A mapped record; a record read again from quarantine also carries its flaws, if any. */
export type Mapped<T> = { ok: true; value: T; flaws?: readonly RecordFlaw[] } | { ok: false; reason: string };

export const accepted = <T>(value: T): Mapped<T> => ({ ok: true, value });
export const rejected = (reason: string): Mapped<never> => ({ ok: false, reason });

/** CapThucHien (one-stop-shop) and cap (cadre database) share these codes. */
export const UNIT_LEVEL: Readonly<Record<'TINH' | 'HUYEN' | 'XA', UnitLevel>> = {
  TINH: 'PROVINCE',
  HUYEN: 'DISTRICT',
  XA: 'COMMUNE',
};

/**
 * Names and labels are stored NFC-normalised: the same Vietnamese text typed
 * precomposed or decomposed must compare, index and search as one string.
 */
export const nfc = (text: string): string => text.normalize('NFC');

/** Optional free text: blank (empty or only spaces) means "not given", so it becomes null. */
export function textOrNull(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? nfc(trimmed) : null;
}

/** A code through its table; null (a value the contract flagged invalid) stays null. */
export const optional = <K extends PropertyKey, V>(table: Readonly<Record<K, V>>, key: K | null): V | null =>
  key === null ? null : table[key];

/** A 0/1 flag as a boolean; null (flagged invalid) stays null. */
export const flag = (value: 0 | 1 | null): boolean | null => (value === null ? null : value === 1);

/** A value the contract has already validated turned out invalid: a programming error, not a bad record. */
export function unreachable(what: string): never {
  throw new Error(`mapper given an unvalidated record: ${what}`);
}
