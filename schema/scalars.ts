import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD (2024-02-30 is refused, not rolled over). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** RFC 3339's grammar of dates and times (section 5.6): `full-date` is Date's, `date-time` DateTime's. */
const RFC3339 = 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6';

builder.scalarType('Date', {
  description: 'A calendar day in Vietnam time, written YYYY-MM-DD (RFC 3339 full-date).',
  specifiedByURL: RFC3339,
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || !isIsoDate(value)) {
      throw new GraphQLError(`Date must be a real day written YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
    return value;
  },
});

builder.scalarType('DateTime', {
  description: 'An instant, written in ISO 8601 with its offset (RFC 3339 date-time; the hub answers in UTC).',
  specifiedByURL: RFC3339,
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime()) || !/(Z|[+-]\d{2}:\d{2})$/.test(value as string)) {
      throw new GraphQLError(`DateTime must be ISO 8601 with an offset, got ${JSON.stringify(value)}`);
    }
    return date;
  },
});

const INT8_MAX = 9_223_372_036_854_775_807n;
const INT8_MIN = -9_223_372_036_854_775_808n;

/** Whole đồng written as digits, optionally signed, within the store's bigint range; returned in canonical form. */
export function parseVnd(value: unknown): string {
  if (typeof value !== 'string' || !/^[+-]?\d{1,19}$/.test(value)) {
    throw new GraphQLError(
      `VND must be whole đồng written as a string of digits, optionally signed (e.g. "1250000000"), got ${JSON.stringify(value)}`,
    );
  }
  const amount = BigInt(value);
  if (amount > INT8_MAX || amount < INT8_MIN) {
    throw new GraphQLError(`VND amount ${value} is out of range (at most 19 digits, within a signed 64-bit integer)`);
  }
  return amount.toString();
}

builder.scalarType('VND', {
  description:
    'An amount of Vietnamese đồng, whole, written as a string of digits with an optional sign ("-1250000000"): exact past 2^53, where a JSON number is not.',
  // No public standard writes đồng: the repository's own docs do (relative to the repository's root).
  specifiedByURL: 'docs/graph.md#vnd',
  serialize: (value) => value,
  parseValue: parseVnd,
});
