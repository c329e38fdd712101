/**
 * The two classes of what a record can break of its contract (table in
 * connectors/README.md):
 *
 * - it cannot be placed (no key, a malformed key, a reference or the date its
 *   place in every count depends on missing or malformed, not an object at
 *   all): the record is quarantined (reject.ts);
 * - it can be placed: the record is stored with its sound fields, each field
 *   that breaks its own type stored as null (never guessed), and every broken
 *   rule is kept as a flaw beside it (store/flaws.ts).
 *
 * A contract is declared once, field by field, in its connector's contract.ts
 * (defineContract): the fields' schemas, which of them place the record, and
 * the rules between fields. Everything the hub does with a record's validity
 * is read from that declaration.
 */
import { z } from 'zod';
import type { RecordFlaw } from '../../store/flaws.ts';

/** The rule every field has: its value is of the field's type (a flaw of it stores the field as null). */
export const INVALID_VALUE = 'invalid-value';

/** A flaw as the store keeps it, with its record's key and where the record counts. */
export type { RecordFlaw };

/** One rule a record breaks: which rule, on which field, and the value it had there (JSON text, null when absent). */
export type Flaw = Pick<RecordFlaw, 'rule' | 'field' | 'value'>;

/** Where a record counts (its unit, and the day it counts on, if any): what its flaws are reported by. */
export type Place = Pick<RecordFlaw, 'unitCode' | 'day'>;

/** A record's flaws as the store keeps them. */
export const placeFlaws = (key: string, flaws: readonly Flaw[], place: Place): RecordFlaw[] =>
  flaws.map((flaw) => ({ ...flaw, key, ...place }));

/** A rule between fields of a record that can be placed; `field` is the one it puts in doubt. */
export interface FlawRule<S> {
  rule: string;
  field: string;
  broken: (record: S) => boolean;
}

type Fields = Record<string, z.ZodType>;

/** The fields a contract gives out: placing fields as their schema says, the others null when their value was invalid. */
export type Sound<F extends Fields, P extends keyof F> = {
  [K in keyof F]: K extends P ? z.output<F[K]> : z.output<F[K]> | null;
};

/** What kind of personal data a field holds: how the hub masks it where it shows a record as received. */
export type PersonalKind = 'name' | 'phone' | 'birthDate';

export interface RecordContract<F extends Fields, P extends keyof F & string> {
  readonly fields: F;
  /** The fields without which the record cannot be placed: an invalid one quarantines the record. */
  readonly placing: readonly P[];
  readonly rules: readonly FlawRule<Sound<F, P>>[];
  /** Every field at once: what a sound record passes in one parse (the path almost every record takes). */
  readonly whole: z.ZodObject<F>;
  /** The fields holding personal data: their values never appear in a reason, and are masked where shown. */
  readonly personal: Readonly<Partial<Record<keyof F & string, PersonalKind>>>;
}

export function defineContract<F extends Fields, P extends keyof F & string>(
  fields: F,
  placing: readonly P[],
  rules: readonly FlawRule<Sound<F, P>>[] = [],
  personal: Readonly<Partial<Record<keyof F & string, PersonalKind>>> = {} as never,
): RecordContract<F, P> {
  return { fields, placing, rules, whole: z.object(fields), personal };
}

/** What a contract gives out for a record. */
export type SoundOf<C> = C extends RecordContract<infer F, infer P> ? Sound<F, P> : never;
/** A record as the upstream sends it (what a mock serves). */
export type WireOf<C> = C extends RecordContract<infer F, infer _P> ? z.input<z.ZodObject<F>> : never;

/** `unknown`: the record's fields that the contract does not know (tolerated, and counted per feed). */
export type Checked<S> =
  { ok: true; record: S; flaws: Flaw[]; unknown: string[] } | { ok: false; reason: string; unknown: string[] };

/** How a personal value shows in a reason: never the value itself. */
export const MASKED_VALUE = '(personal data, masked)';
/** The longest value a reason quotes whole. */
const REASON_VALUE_CHARS = 60;

/**
 * Why a placing field fails, naming it: "missing field X" when the record
 * does not carry it (a renamed field looks like this, with an unknown field
 * beside it), "bad value: X = <value>, expected …" when it carries a value of
 * the wrong kind (personal values masked, long ones cut).
 */
export function fieldReason(
  contract: RecordContract<Fields, string>,
  field: string,
  value: unknown,
  /** The schema's message: "expected …", or what was wrong. */
  expected: string,
): string {
  if (value === undefined) return `missing field ${field}`;
  let shown: string;
  if (contract.personal[field] && value !== null && value !== '') shown = MASKED_VALUE;
  else {
    const text = JSON.stringify(value) ?? String(value);
    shown = text.length > REASON_VALUE_CHARS ? `${text.slice(0, REASON_VALUE_CHARS)}…` : text;
  }
  // zod says "Invalid option: expected one of 1|2|3": the part after "expected" is what the reason needs.
  const wanted = /\bexpected (.*)$/is.exec(expected)?.[1] ?? expected;
  return `bad value: ${field} = ${shown}, expected ${wanted}`;
}

/** The fields of a record its contract does not declare. */
export const unknownFields = (contract: RecordContract<Fields, string>, item: Record<string, unknown>): string[] =>
  Object.keys(item).filter((field) => !Object.hasOwn(contract.fields, field));

const jsonText = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

const isObject = (item: unknown): item is Record<string, unknown> =>
  typeof item === 'object' && item !== null && !Array.isArray(item);

/**
 * Checks a received record against its contract: the record with its sound
 * fields and its flaws, or why it cannot be placed. `place` adds what only the
 * feed can say about placing (a year other than the one asked for, say).
 */
export function checkRecord<F extends Fields, P extends keyof F & string>(
  contract: RecordContract<F, P>,
  item: unknown,
  place?: (record: Sound<F, P>) => string | null,
): Checked<Sound<F, P>> {
  if (!isObject(item)) return { ok: false, reason: '(record): expected an object', unknown: [] };
  const unknown = unknownFields(contract as RecordContract<Fields, string>, item);
  const whole = contract.whole.safeParse(item);
  const flaws: Flaw[] = [];
  let record: Sound<F, P>;
  if (whole.success) record = whole.data as Sound<F, P>;
  else {
    // Field by field, only for a record that failed whole: a few per page at most.
    const fields: Record<string, unknown> = {};
    const unplaced: string[] = [];
    for (const [field, schema] of Object.entries(contract.fields)) {
      const parsed = schema.safeParse(item[field]);
      if (parsed.success) fields[field] = parsed.data;
      else if ((contract.placing as readonly string[]).includes(field)) {
        const expected = parsed.error.issues[0]?.message ?? 'a valid value';
        unplaced.push(fieldReason(contract as RecordContract<Fields, string>, field, item[field], expected));
      } else {
        fields[field] = null;
        flaws.push({ rule: INVALID_VALUE, field, value: jsonText(item[field]) });
      }
    }
    if (unplaced.length > 0) return { ok: false, reason: unplaced.join('; '), unknown };
    record = fields as Sound<F, P>;
  }
  const unplaced = place?.(record);
  if (unplaced) return { ok: false, reason: unplaced, unknown };
  // A field already flagged invalid is null: a rule on it would only say so again.
  const invalid = new Set(flaws.map((flaw) => flaw.field));
  for (const rule of contract.rules) {
    if (invalid.has(rule.field) || !rule.broken(record)) continue;
    flaws.push({ rule: rule.rule, field: rule.field, value: jsonText(item[rule.field]) });
  }
  return { ok: true, record, flaws, unknown };
}

/** Every (field, rule) a contract can flag or quarantine for, as the README's table lists them. */
export function contractRules(
  contract: RecordContract<Fields, string>,
): { field: string; rule: string; quarantine: boolean }[] {
  return [
    ...Object.keys(contract.fields).map((field) => ({
      field,
      rule: INVALID_VALUE,
      quarantine: contract.placing.includes(field),
    })),
    ...contract.rules.map(({ field, rule }) => ({ field, rule, quarantine: false })),
  ];
}
