import { GraphQLError } from 'graphql';
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Refuses a page larger than the maximum instead of silently returning fewer rows than asked. */
export function checkPageSize(args: DefaultConnectionArguments): void {
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`"${name}" must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, {
        extensions: { code: 'BAD_USER_INPUT', argument: name },
      });
    }
  }
}

// Cursors are opaque to clients: the sort key, base64url-encoded.
export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor == null) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  // A key with a NUL would fail its statement (PostgreSQL's text cannot hold one): it is no cursor the hub made.
  if (!key || key.includes('\u0000') || encodeCursor(key) !== cursor) {
    throw new GraphQLError(`Invalid cursor: ${JSON.stringify(cursor)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return key;
}
