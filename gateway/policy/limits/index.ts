/**
 * What one request may ask of the hub (gateway/policy/limits/settings.ts has the values), put together for
 * gateway/server.ts. The size and rate limits are steps of admission (gateway/policy/admission.ts, which takes
 * `settings`, `countOperation` and `authFailures` from here); the rest run in Yoga, in its order: the batch's length while the
 * request is parsed; tokens, depth, aliases and directives while the document is parsed and validated
 * (document-limits.ts); the cost (cost.ts) before the operation runs; a statement cancelled by the store's timeout,
 * as QUERY_TIMEOUT, after (statement-timeout.ts); field suggestions, when off, taken out of every error.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../../../store/access.ts';
import type { Logger } from '../../../core/logger.ts';
import { useBatchLimit, yogaBatching } from './batching.ts';
import { useNoNulStrings } from './nul-strings.ts';
import { useCostLimit } from './cost.ts';
import { useDocumentLimits } from './document-limits.ts';
import { authFailureLimit, type AuthFailureLimit } from './auth-failures.ts';
import { createMinuteCounter, createRateLimiter, operationCounter, type RateLimitOptions } from './rate-limit.ts';
import { limitSettings, type LimitSettings } from './settings.ts';
import { useNoSuggestions } from './suggestions.ts';
import { useStatementTimeoutErrors } from './statement-timeout.ts';

export {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_LIMITS,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
} from './settings.ts';
export type { LimitSettings } from './settings.ts';
export type { RateLimitOptions } from './rate-limit.ts';
export type { AuthenticateFrom } from './auth-failures.ts';

export interface Limits {
  readonly settings: LimitSettings;
  /** The Yoga plugins, in their order: they go together at the limits' place in the hub's list. */
  readonly plugins: Plugin[];
  /** Yoga's `batching` option. */
  readonly batching: { limit: number } | false;
  /** One operation against the viewer's rate limit (admission's last step); the refusal when over it, else null. */
  countOperation(viewer: Viewer, req: IncomingMessage | undefined): Promise<GraphQLError | null>;
  /** Failed authentications per client address (admission's credential step, auth-failures.ts). */
  readonly authFailures: AuthFailureLimit;
}

export function createLimits({
  settings: given,
  rateLimit,
  authFailures,
  trustProxy,
  logger,
}: {
  settings?: Partial<LimitSettings> | undefined;
  /** Off unless given with perMinute > 0. */
  rateLimit?: RateLimitOptions | undefined;
  /** Failed authentications an address may make per minute; off unless given with perMinute > 0. */
  authFailures?: RateLimitOptions | undefined;
  trustProxy: boolean;
  logger: Logger;
}): Limits {
  const settings = limitSettings(given);
  const count =
    rateLimit && rateLimit.perMinute > 0 ? operationCounter(createRateLimiter(rateLimit, logger), trustProxy) : null;
  return {
    settings,
    plugins: [
      useBatchLimit(settings.maxBatchOperations),
      useDocumentLimits(settings),
      ...(settings.fieldSuggestions ? [] : [useNoSuggestions()]),
      useNoNulStrings(),
      useCostLimit(settings.maxCost),
      useStatementTimeoutErrors(),
    ],
    batching: yogaBatching(settings.maxBatchOperations),
    countOperation: async (viewer, req) => (count ? count(viewer, req) : null),
    authFailures: authFailureLimit(
      authFailures && authFailures.perMinute > 0 ? createMinuteCounter(authFailures, 'auth-failures', logger) : null,
      trustProxy,
    ),
  };
}
