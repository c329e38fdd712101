/**
 * Rate limits per consumer (rate-limiter-flexible): every operation about to run counts one point against its
 * consumer's `perMinute` budget in a fixed one-minute window, whatever it costs (the cost limit bounds each one):
 * each operation of a batch, each query, each subscription started, over HTTP, SSE or WebSocket (the last step of
 * admission, gateway/policy/admission.ts). A document refused by a shape limit never gets this far (it is refused as
 * it is parsed and validated) and costs nothing; one refused as untrusted costs a point. With REDIS_URL the counters
 * live in Redis, shared by every instance; a Redis that is down or slow does not fail requests: its insurance
 * limiter, in memory, counts meanwhile (per instance).
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Viewer } from '../../../store/access.ts';
import { clientAddress } from '../auth/audit-plugin.ts';
import type { Logger } from '../../../core/logger.ts';
import { requestError } from '../../errors.ts';

export interface RateLimitOptions {
  /** Operations a consumer may start per minute (RATE_LIMIT_PER_MINUTE); 0 = no limit. */
  perMinute: number;
  /** A Redis connection of the limiter's own (REDIS_URL), closed by its creator: counters shared by every instance. */
  redis?: Redis | undefined;
  /** Prefix of the counters' keys: the store's namespace, so two deployments on one Redis count apart. */
  keyPrefix?: string | undefined;
}

/**
 * The rate limiter's own Redis connection (REDIS_URL). Commands fail fast instead of queueing while Redis is away
 * (the limiter then counts in memory); one log line per outage. Closed by its creator, after the hub.
 */
export function connectRateLimitRedis(redisUrl: string, logger: Logger): { client: Redis; close(): Promise<void> } {
  const client = new Redis(redisUrl, {
    connectionName: 'lgsp-hub-rate-limit',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A Redis that answers slowly must not slow every request down: past this, the memory limiter counts.
    commandTimeout: 500,
  });
  let failing = false;
  client.on('error', (error: Error) => {
    if (!failing) logger.warn({ err: error }, 'rate limiter: Redis unreachable, counting in memory meanwhile');
    failing = true;
  });
  client.on('ready', () => {
    if (failing) logger.info('rate limiter: Redis reachable again');
    failing = false;
  });
  return {
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Counts and removes one point of a throwaway key on `client` with the limiter's own commands (its Lua script:
 * SET, INCRBY, PTTL, EXPIRE through EVALSHA or EVAL; then DEL), without an insurance limiter, so that a Redis that
 * refuses them (an ACL, a renamed command) rejects here, at start (gateway/redis-check.ts), instead of the limiter
 * counting in memory, per instance, for good.
 */
export async function probeRateLimitCommands(client: Redis, key: string): Promise<void> {
  const probe = new RateLimiterRedis({ storeClient: client, points: 1, duration: 60, keyPrefix: 'lgsp-hub:check' });
  await probe.consume(key, 1);
  await probe.delete(key);
}

export interface RateLimiter {
  readonly perMinute: number;
  /** Counts one operation of `key`; resolves to the refusal when over the limit, else null. */
  take(key: string, consumer: string): Promise<GraphQLError | null>;
}

export function createRateLimiter({ perMinute, redis, keyPrefix }: RateLimitOptions, logger: Logger): RateLimiter {
  const prefix = `lgsp-hub:${keyPrefix ? `${keyPrefix}:` : ''}rate`;
  const memory = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: prefix });
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        points: perMinute,
        duration: 60,
        keyPrefix: prefix,
        // Not connected: count in memory at once rather than queue the request behind a reconnection.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    perMinute,
    async take(key, consumer) {
      try {
        await limiter.consume(key, 1);
        return null;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // Both Redis and the insurance failed: a limiter that cannot count lets the request through.
          logger.error({ err: rejection }, 'rate limiter failed; request not counted');
          return null;
        }
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        return requestError(
          'RATE_LIMITED',
          `Rate limit exceeded: ${consumer} may start ${perMinute} operations per minute; retry after ${seconds} s`,
          { headers: { 'Retry-After': String(seconds) } },
          { limitPerMinute: perMinute, retryAfterSeconds: seconds },
        );
      }
    },
  };
}

/**
 * Whose budget a request spends: the consumer's, or the anonymous developer's client address's (TRUST_PROXY: from
 * X-Forwarded-For), so one developer's loop does not stop another's.
 */
export function rateLimitKey(viewer: Viewer, address: string | null): string {
  if (viewer.credential === 'ANONYMOUS') return `address:${address ?? 'unknown'}`;
  return viewer.consumerId ? `consumer:${viewer.consumerId}` : `consumer-name:${viewer.consumer}`;
}

/**
 * The rate limit's step of admission (gateway/policy/admission.ts): one point of the viewer's budget for an operation
 * about to run (or answered from the response cache, or refused for its document); the refusal when over it.
 */
export function operationCounter(limiter: RateLimiter, trustProxy: boolean) {
  return (viewer: Viewer, req: IncomingMessage | undefined): Promise<GraphQLError | null> =>
    limiter.take(rateLimitKey(viewer, clientAddress(req, trustProxy)), viewer.consumer);
}
