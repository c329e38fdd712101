import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { decodeGlobalID, type DefaultConnectionArguments } from '@pothos/plugin-relay';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Refuses a page larger than the maximum instead of silently returning fewer rows than asked, and `first` with
 * `last`: Relay discourages it and its page (the last of the first n) is never what a client meant.
 */
export function checkPageSize(args: DefaultConnectionArguments): void {
  if (args.first != null && args.last != null) {
    throw new GraphQLError(
      '"first" and "last" cannot be given together: page forward with first/after, backward with last/before',
      {
        extensions: { code: 'BAD_USER_INPUT', argument: 'last' },
      },
    );
  }
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a key a client sent encoded (a cursor, a global id), or undefined when it is none the hub could have
 * made: bytes that are not UTF-8 (decoding would swap them for U+FFFD), or a NUL, which would fail its statement
 * (PostgreSQL's text cannot hold one).
 */
function keyText(bytes: Uint8Array): string | undefined {
  try {
    const text = strictUtf8.decode(bytes);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor == null) return undefined;
  const key = keyText(Buffer.from(cursor, 'base64url'));
  if (!key || encodeCursor(key) !== cursor) {
    throw new GraphQLError(`Invalid cursor: ${JSON.stringify(cursor)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return key;
}

/**
 * A Relay global id (node, nodes) as Pothos decodes it ("Type:key" in base64), refused as Pothos refuses a malformed
 * one when its text is no key (Pothos would decode bytes that are not UTF-8 to U+FFFD, and pass a NUL on to a
 * statement). The cost measure decodes it first, so the operation is refused as BAD_USER_INPUT before it runs.
 */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = decodeGlobalID(globalId);
  if (keyText(Buffer.from(globalId, 'base64')) === undefined) {
    throw new PothosValidationError('Invalid global ID: it does not decode to UTF-8 text without NUL characters');
  }
  return decoded;
}
