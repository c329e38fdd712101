/**
 * The start-up check of REDIS_URL. A Redis that answers PING may still refuse what the hub needs of it: a database
 * the server does not have (ioredis only emits its SELECT's failure and goes on in database 0), a password the URL
 * lacks or gets wrong, an ACL or a renamed command. The hub would start, /ready would say ready, and live events,
 * the response caches' invalidations and the shared rate limits would fail quietly. So gateway/main.ts (and
 * scripts/sync.ts) run this first, on connections of its own made as the hub's are: SELECT of the URL's database, a
 * message through SUBSCRIBE and PUBLISH and back, and the rate limiter's commands; any refusal stops the start with
 * one line naming REDIS_URL (its password redacted).
 */
import { randomUUID } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import { redactPassword } from '../core/redact.ts';
import { probeRateLimitCommands } from './policy/limits/rate-limit.ts';

export interface RedisCheckOptions {
  /** How long connecting, and then the whole check, may take. */
  timeoutMs?: number;
  /** Also the rate limiter's commands (RATE_LIMIT_PER_MINUTE > 0). */
  rateLimit: boolean;
}

/** Resolves when Redis does all the hub asks of it; rejects with one line naming REDIS_URL otherwise. */
export async function checkRedis(redisUrl: string, { timeoutMs = 5_000, rateLimit }: RedisCheckOptions): Promise<void> {
  const where = `Redis at REDIS_URL=${redactPassword(redisUrl)}`;
  // No retries, no reconnection: the check reports the first refusal as it is.
  const connect = () =>
    new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectionName: 'lgsp-hub-check',
    });
  const publisher = connect();
  const subscriber = connect();
  // A failed connection rejects with "Connection is closed"; why is in its first error event (NOAUTH, ECONNREFUSED).
  let cause: Error | undefined;
  for (const client of [publisher, subscriber]) client.on('error', (error: Error) => void (cause ??= error));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  /** One step of the check; its failure names the command Redis refused. */
  const step = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      const reason: Error = error instanceof ReplyError ? (error as Error) : (cause ?? (error as Error));
      // A Redis reply is a refusal; anything else (refused connection, timeout, TLS) means Redis was not reached.
      throw new Error(
        reason instanceof ReplyError
          ? `${where} refuses the hub's commands: ${command}: ${reason.message}`
          : `cannot reach ${where}: ${reason.message}`,
      );
    }
  };
  try {
    await step('connecting', () => Promise.all([publisher.connect(), subscriber.connect()]));
    const db = publisher.options.db ?? 0;
    await step(`SELECT ${db}`, () => publisher.select(db));
    // The live pubsub and the response caches' invalidations: a message must come back through the server.
    const channel = `lgsp-hub:check:${randomUUID()}`;
    const token = randomUUID();
    const received = new Promise<void>((resolve) =>
      subscriber.on('message', (from: string, message: string) => {
        if (from === channel && message === token) resolve();
      }),
    );
    await step('SUBSCRIBE', () => subscriber.subscribe(channel));
    await step('PUBLISH', () => publisher.publish(channel, token));
    await step('PUBLISH then SUBSCRIBE (the message did not come back)', () => received);
    if (rateLimit) await step("the rate limiter's script", () => probeRateLimitCommands(publisher, token));
  } finally {
    clearTimeout(timer);
    publisher.disconnect();
    subscriber.disconnect();
  }
}
