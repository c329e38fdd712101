/**
 * Every `extensions.code` the hub sends, with the HTTP status it is answered
 * with and what it means: one registry, low enough for any layer to use.
 * A status of null: the code has none of its own (an error beside data, or
 * one that ends a stream), so the response keeps its result's status.
 * tests/unit/error-codes.test.ts fails on a code used anywhere but listed here.
 */
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

export interface ErrorCodeEntry {
  /** The HTTP status of a response refused with this code; null when the code carries none. */
  readonly status: number | null;
  /** A request error as the GraphQL-over-HTTP spec has it: the status for graphql-response+json clients, 200 for application/json ones. */
  readonly spec?: true;
  readonly meaning: string;
}

export const ERROR_CODES = {
  // Refusals of a request: nothing ran.
  BAD_REQUEST: { status: 400, meaning: 'not a GraphQL request Yoga can read (its own code)' },
  GRAPHQL_PARSE_FAILED: { status: 400, spec: true, meaning: 'the document does not parse (Yoga)' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, spec: true, meaning: 'the document does not validate (Yoga)' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: 'no operation to run in the document (Yoga)' },
  UNAUTHENTICATED: {
    status: 401,
    meaning: 'the credential is missing (production), invalid, revoked, expired, or a JWT living too long',
  },
  AUTH_UNAVAILABLE: { status: 503, meaning: 'the credential cannot be checked now (the JWT keys cannot be fetched)' },
  CSRF_REJECTED: { status: 403, meaning: 'a request a cross-site page could send, without a preflight-forcing header' },
  PERSISTED_QUERY_NOT_FOUND: { status: 404, meaning: 'no trusted document has this id' },
  PERSISTED_QUERY_ONLY: { status: 403, meaning: 'production mode runs registered documents only' },
  INTROSPECTION_DISABLED: { status: 400, spec: true, meaning: 'production mode refuses __schema and __type' },
  QUERY_TOO_DEEP: { status: 400, spec: true, meaning: 'the document nests fields past MAX_DEPTH' },
  TOO_MANY_ALIASES: { status: 400, spec: true, meaning: 'the operation has more aliases than MAX_ALIASES' },
  TOO_MANY_TOKENS: { status: 400, spec: true, meaning: 'the document has more tokens than MAX_TOKENS' },
  TOO_MANY_DIRECTIVES: { status: 400, spec: true, meaning: 'the operation has more directives than MAX_DIRECTIVES' },
  QUERY_TOO_COMPLEX: {
    status: 400,
    spec: true,
    meaning: 'the operation costs more than MAX_COST, or cannot be measured',
  },
  BATCH_TOO_LARGE: { status: 413, meaning: 'a batch of more operations than MAX_BATCH_OPERATIONS (400: batches off)' },
  INPUT_TOO_DEEP: { status: 400, meaning: 'variables or extensions nest arrays and objects past 32 levels' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'a body over MAX_BODY_BYTES (414: a URL over MAX_URL_BYTES)' },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'the consumer started more operations this minute than RATE_LIMIT_PER_MINUTE, or its address had more credentials refused than AUTH_FAILURES_PER_MINUTE',
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    meaning: 'the audit log cannot record the request: its data is withheld, or its admin change not made',
  },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'an unexpected failure, masked; the request id finds its cause' },
  // Errors beside data, or ending a stream: no status of their own.
  BAD_USER_INPUT: { status: null, meaning: 'an argument is invalid (400 when the cost cannot be measured for it)' },
  FORBIDDEN: { status: null, meaning: 'outside the consumer’s scopes or units' },
  CONFLICT: { status: null, meaning: 'the source is being synced already' },
  QUERY_TIMEOUT: { status: null, meaning: 'a store statement ran past STATEMENT_TIMEOUT_MS' },
  SERVICE_UNAVAILABLE: { status: null, meaning: 'live data is not available on this instance' },
  SHUTTING_DOWN: { status: null, meaning: 'the hub is stopping: subscribe again (elsewhere) with lastEventId' },
  SLOW_CONSUMER: { status: null, meaning: 'the subscriber fell LIVE_QUEUE_MAX events behind: resume from lastEventId' },
  CATCH_UP_EXPIRED: { status: null, meaning: 'the events after lastEventId have been purged' },
  // Notices of a live stream, each in place of one result: the stream goes on.
  LIVE_DELIVERY_INTERRUPTED: {
    status: null,
    meaning: 'the live pubsub (Redis) is down: events follow when it is back',
  },
  LIVE_DELIVERY_RESUMED: {
    status: null,
    meaning: 'the live pubsub is back, the events logged meanwhile delivered (missedEventsDelivered false: catch up)',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);

/** The `extensions.http` of a code (status, and spec when it has it); undefined when the code carries no status. */
export function httpOf(code: ErrorCode): { status: number; spec?: true } | undefined {
  const entry: ErrorCodeEntry = ERROR_CODES[code];
  if (entry.status === null) return undefined;
  return entry.spec ? { status: entry.status, spec: true } : { status: entry.status };
}

/** A GraphQL error with the code, its HTTP status from the registry (if it has one), and any other extensions. */
export function hubError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  options: Omit<GraphQLErrorOptions, 'extensions'> = {},
): GraphQLError {
  const http = httpOf(code);
  return new GraphQLError(message, { ...options, extensions: { code, ...extensions, ...(http ? { http } : {}) } });
}

/** An invalid argument: BAD_USER_INPUT naming it (no HTTP status of its own, see the registry). */
export const badUserInput = (argument: string, message: string): GraphQLError =>
  hubError('BAD_USER_INPUT', message, { argument });
