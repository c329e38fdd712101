import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { checkPageSize, decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../../schema/pagination.ts';
import { isIsoDate } from '../../schema/scalars.ts';

describe('cursors', () => {
  it('round-trip any key, Vietnamese included', () => {
    for (const key of ['000.00.12.H06', 'Xã Đồng Hưu', 'a']) expect(decodeCursor(encodeCursor(key))).toBe(key);
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it('refuses a cursor the hub did not make', () => {
    expect(() => decodeCursor('not a cursor!')).toThrow(GraphQLError);
    expect(() => decodeCursor('')).toThrow('Invalid cursor');
  });
});

describe('page size', () => {
  it('accepts 0 to the maximum and refuses more or less', () => {
    expect(() => checkPageSize({ first: 0 })).not.toThrow();
    expect(() => checkPageSize({ first: MAX_PAGE_SIZE })).not.toThrow();
    expect(() => checkPageSize({ first: MAX_PAGE_SIZE + 1 })).toThrow(`"first" must be between 0 and ${MAX_PAGE_SIZE}`);
    expect(() => checkPageSize({ last: -1 })).toThrow('"last"');
  });

  it('refuses first with last', () => {
    expect(() => checkPageSize({ first: 1, last: 1 })).toThrow('"first" and "last" cannot be given together');
    expect(() => checkPageSize({ first: 0, last: 0 })).toThrow(GraphQLError);
  });
});

describe('isIsoDate', () => {
  it('accepts real days only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2025-7-1')).toBe(false);
    expect(isIsoDate('2025-07-01T00:00:00')).toBe(false);
  });
});
