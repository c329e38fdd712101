/**
 * lgsp_graphql_refusals_total{code}: requests the hub answered with errors and without running anything (no `data`:
 * the GraphQL-over-HTTP "request error"), by the code of the answer's first error. The graphql_envelop_* families see
 * only what reaches the parser or the executor; a request refused before (CSRF, an untrusted or unknown document, a
 * batch or body over the limit, the rate limit, a refused credential) is counted only here. Counted where every
 * answer passes: Yoga's onResultProcess, and the answers the hub writes outside Yoga (countRefusalOn). Not counted:
 * errors beside data (graphql_envelop_error_result), and a WebSocket operation's refusals (graphql-ws answers them).
 */
import type { ServerResponse } from 'node:http';
import { isAsyncIterable } from 'graphql-yoga';
import { Counter, type Registry } from 'prom-client';

/** The codes the hub sends; any other is labelled OTHER, so that no client (or library change) can grow the series. */
export const REFUSAL_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_ONLY',
  'CSRF_REJECTED',
  'INTROSPECTION_DISABLED',
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'TOO_MANY_DIRECTIVES',
  'QUERY_TOO_COMPLEX',
  'BATCH_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'QUERY_TIMEOUT',
  'SHUTTING_DOWN',
  'INTERNAL_SERVER_ERROR',
]);

export const refusalCodeLabel = (code: unknown): string =>
  typeof code === 'string' && REFUSAL_CODES.has(code) ? code : 'OTHER';

interface Answer {
  data?: unknown;
  errors?: readonly { extensions?: Record<string, unknown> }[];
}

/** The code of a result that refused its request; null for one that ran (or a stream). */
export function refusalOf(result: unknown): { code: unknown } | null {
  if (!result || typeof result !== 'object' || isAsyncIterable(result)) return null;
  const answer = result as Answer;
  if (answer.data !== undefined || !answer.errors?.length) return null;
  return { code: answer.errors[0]?.extensions?.code };
}

/** The counter, on the hub's registry; the function counts one refusal by its code. */
export function refusalCounter(registry: Registry): (code: unknown) => void {
  const counter = new Counter({
    name: 'lgsp_graphql_refusals_total',
    help: 'GraphQL requests answered with errors and nothing run (no data), by the first error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return (code) => counter.inc({ code: refusalCodeLabel(code) });
}

/**
 * Counts each refusal among what Yoga is about to send: one result, or a batch's (each operation on its own); a cached
 * answer replaced by a refusal too.
 */
export function countRefusals(result: unknown, count: (code: unknown) => void) {
  for (const one of Array.isArray(result) ? result : [result]) {
    const refusal = refusalOf(one);
    if (refusal) count(refusal.code);
  }
}

/** Which hub's counter an HTTP response's refusal goes to (a process may run several hubs: the tests do). */
const counterOfResponse = new WeakMap<ServerResponse, (code: unknown) => void>();

/** Registers the hub's counter on a response it is serving: countRefusalOn(res, code) then counts there. */
export function registerRefusalCounter(res: ServerResponse, count: (code: unknown) => void) {
  counterOfResponse.set(res, count);
}

/**
 * Counts a refusal written outside Yoga on `res`: by `sendGraphQLError` (gateway/errors.ts), the request size limits
 * (a URL or declared body over the limit), the last-resort 500 of gateway/server.ts.
 */
export function countRefusalOn(res: ServerResponse, code: unknown) {
  counterOfResponse.get(res)?.(code);
}
