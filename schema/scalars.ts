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

builder.scalarType('Date', {
  description: 'A calendar day in Vietnam time, written YYYY-MM-DD.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || !isIsoDate(value)) {
      throw new GraphQLError(`Date must be a real day written YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
    return value;
  },
});

builder.scalarType('DateTime', {
  description: 'An instant, written in ISO 8601 with its offset (the hub answers in UTC).',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime()) || !/(Z|[+-]\d{2}:\d{2})$/.test(value as string)) {
      throw new GraphQLError(`DateTime must be ISO 8601 with an offset, got ${JSON.stringify(value)}`);
    }
    return date;
  },
});
