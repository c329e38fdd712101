/**
 * Rate limits per consumer (rate-limiter-flexible): every operation about to run counts one point against its
 * consumer's `perMinute` budget in a fixed one-minute window, whatever it costs (the cost limit bounds each one):
 * each operation of a batch, each query, each subscription started, over HTTP, SSE or WebSocket (the last step of
 * admission, gateway/policy/admission.ts). A document refused by a shape limit never gets this far (it is refused as
 * it is parsed and validated) and costs nothing; one refused as untrusted costs a point. With REDIS_URL the counters
 * live in Redis, shared by every instance; a Redis that is down or slow does not fail requests: its insurance
 * limiter, in memory, counts meanwhile (per instance). The failed authentications' limit (auth-failures.ts) counts
 * with the same kind of counter (createMinuteCounter) and the same connection, under keys of its own.
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
  /**
   * Points a key may take per minute: operations a consumer may start (RATE_LIMIT_PER_MINUTE), or credentials an
   * address may have refused (AUTH_FAILURES_PER_MINUTE, auth-failures.ts); 0 = no limit.
   */
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

/**
 * Points per key in fixed one-minute windows: in memory, or in Redis (shared by every instance) with a memory
 * insurance that counts while Redis is down or slow. What counts is the user's business: operations here, failed
 * authentications in auth-failures.ts.
 */
export interface MinuteCounter {
  readonly perMinute: number;
  /** Counts one point of `key`: the seconds until its window ends when that went over the limit, else null. */
  take(key: string): Promise<number | null>;
  /** Counts nothing: the seconds until `key`'s window ends when its points are used up, else null. */
  usedUp(key: string): Promise<number | null>;
}

/** `counts` names what is counted, in the keys: two counters on one Redis count apart. */
export function createMinuteCounter(
  { perMinute, redis, keyPrefix }: RateLimitOptions,
  counts: string,
  logger: Logger,
): MinuteCounter {
  const prefix = `lgsp-hub:${keyPrefix ? `${keyPrefix}:` : ''}${counts}`;
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
  const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  // Both Redis and the insurance failed: a counter that cannot count lets the request through.
  const failed = (error: unknown) => {
    logger.error({ err: error, counts }, 'rate limiter failed; request not counted');
    return null;
  };
  return {
    perMinute,
    async take(key) {
      try {
        await limiter.consume(key, 1);
        return null;
      } catch (rejection) {
        return rejection instanceof RateLimiterRes ? seconds(rejection) : failed(rejection);
      }
    },
    async usedUp(key) {
      try {
        const res = await limiter.get(key);
        return res && res.consumedPoints >= perMinute ? seconds(res) : null;
      } catch (error) {
        return failed(error);
      }
    },
  };
}

/** RATE_LIMITED (429) with Retry-After: `message` says what was over which limit. */
export function rateLimited(message: string, seconds: number, limitPerMinute: number): GraphQLError {
  return requestError(
    'RATE_LIMITED',
    `${message}; retry after ${seconds} s`,
    { headers: { 'Retry-After': String(seconds) } },
    { limitPerMinute, retryAfterSeconds: seconds },
  );
}

export interface RateLimiter {
  readonly perMinute: number;
  /** Counts one operation of `key`; resolves to the refusal when over the limit, else null. */
  take(key: string, consumer: string): Promise<GraphQLError | null>;
}

export function createRateLimiter(options: RateLimitOptions, logger: Logger): RateLimiter {
  const counter = createMinuteCounter(options, 'rate', logger);
  const { perMinute } = counter;
  return {
    perMinute,
    async take(key, consumer) {
      const seconds = await counter.take(key);
      if (seconds === null) return null;
      return rateLimited(
        `Rate limit exceeded: ${consumer} may start ${perMinute} operations per minute`,
        seconds,
        perMinute,
      );
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
