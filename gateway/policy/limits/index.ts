/**
 * What one request may ask of the hub (gateway/policy/limits/settings.ts has the
 * values), put together for gateway/server.ts:
 *
 * 1. in front of everything, on the raw request: URL length and declared
 *    body size (request-size.ts);
 * 2. in Yoga, in its order: the streamed body's size and the batch's length
 *    while the request is parsed; tokens, depth, aliases and directives while
 *    the document is parsed and validated (document-limits.ts); once the
 *    consumer is known, the rate limit (rate-limit.ts) and then the cost
 *    (cost.ts), before the operation runs; and a statement cancelled by the
 *    store's timeout, as QUERY_TIMEOUT, after (statement-timeout.ts);
 *    field suggestions, when off, taken out of every error (suggestions.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../../../store/access.ts';
import type { Logger } from '../../../core/logger.ts';
import { useBatchLimit, yogaBatching } from './batching.ts';
import { useCostLimit } from './cost.ts';
import { useDocumentLimits } from './document-limits.ts';
import { createRateLimiter, useRateLimit, type RateLimitOptions } from './rate-limit.ts';
import { refuseOversizedRequest, useBodyLimit } from './request-size.ts';
import { limitSettings, type LimitSettings } from './settings.ts';
import { useNoSuggestions } from './suggestions.ts';
import { useStatementTimeoutErrors } from './statement-timeout.ts';

export { DEFAULT_LIMITS, DEFAULT_RATE_LIMIT_PER_MINUTE, DEFAULT_STATEMENT_TIMEOUT_MS } from './settings.ts';
export type { LimitSettings } from './settings.ts';
export type { RateLimitOptions } from './rate-limit.ts';

export interface Limits {
  readonly settings: LimitSettings;
  /** The Yoga plugins, in their order: they go together at the limits' place in the hub's list. */
  readonly plugins: Plugin[];
  /** Yoga's `batching` option. */
  readonly batching: { limit: number } | false;
  /** Answers a request over the URL or declared body limits before anything reads it; true when it did. */
  refuseOversized(req: IncomingMessage, res: ServerResponse): boolean;
  /** The `authenticate` to give gateway/transports/sse.ts, counting the SSE subscriptions it starts against the rate limit. */
  sseAuthenticate(authenticate: (request: Request) => Promise<Viewer>): (request: Request) => Promise<Viewer>;
  /** Counts an answer served from the response cache against the rate limit; the refusal when over it. */
  countOperation(viewer: Viewer, req: IncomingMessage | undefined): Promise<GraphQLError | null>;
}

export function createLimits({
  settings: given,
  rateLimit,
  trustProxy,
  logger,
}: {
  settings?: Partial<LimitSettings> | undefined;
  /** Off unless given with perMinute > 0. */
  rateLimit?: RateLimitOptions | undefined;
  trustProxy: boolean;
  logger: Logger;
}): Limits {
  const settings = limitSettings(given);
  const rate =
    rateLimit && rateLimit.perMinute > 0 ? useRateLimit(createRateLimiter(rateLimit, logger), trustProxy) : null;
  return {
    settings,
    plugins: [
      useBodyLimit(settings.maxBodyBytes),
      useBatchLimit(settings.maxBatchOperations),
      useDocumentLimits(settings),
      ...(settings.fieldSuggestions ? [] : [useNoSuggestions()]),
      ...(rate ? [rate.plugin] : []),
      useCostLimit(settings.maxCost),
      useStatementTimeoutErrors(),
    ],
    batching: yogaBatching(settings.maxBatchOperations),
    refuseOversized: (req, res) => refuseOversizedRequest(req, res, settings),
    sseAuthenticate: (authenticate) => (rate ? rate.countingSseStarts(authenticate) : authenticate),
    countOperation: async (viewer, req) => (rate ? rate.countOperation(viewer, req) : null),
  };
}
