/**
 * The start-up check of REDIS_URL (gateway/redis-check.ts) against a throwaway redis-server with a password and two
 * ACL users, each denied a command the hub needs: every refusal names REDIS_URL (its password redacted) and the
 * command refused. gateway/main.ts's use of it is in main.test.ts. Skipped, saying so, without /usr/bin/redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis } from '../../gateway/redis-check.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../support/redis-server.ts';

if (redisServerMissing) console.warn(`tests/integration/redis-check.test.ts skipped: ${redisServerMissing}`);

describe.skipIf(redisServerMissing !== null)('checkRedis', () => {
  let server: RedisServer;
  const url = (credentials: string) => `redis://${credentials}@127.0.0.1:${server.port}`;
  beforeAll(async () => {
    // ACL rules as redis.conf's `user` lines: every command and key, but one.
    const denied = (name: string, ...rules: string[]) => [
      '--user',
      name,
      'on',
      '>user-secret',
      '~*',
      '&*',
      '+@all',
      ...rules,
    ];
    server = await startRedisServer([
      '--requirepass',
      'redis-secret',
      ...denied('no-publish', '-publish'),
      ...denied('no-scripts', '-eval', '-evalsha'),
    ]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('passes on a Redis that does all the hub needs', async () => {
    await expect(checkRedis(url(':redis-secret'), { rateLimit: true })).resolves.toBeUndefined();
  });

  it.each([
    ['another database the server has', ':redis-secret', '/1', null],
    ['a user denied PUBLISH', 'no-publish:user-secret', '', "refuses the hub's commands: PUBLISH: NOPERM"],
    [
      'a user denied scripts',
      'no-scripts:user-secret',
      '',
      "refuses the hub's commands: the rate limiter's script: NOPERM",
    ],
    ['a wrong password', ':wrong-secret', '', "refuses the hub's commands: connecting: WRONGPASS"],
  ])('%s', async (_case, credentials, path, refusal) => {
    const check = checkRedis(url(credentials) + path, { rateLimit: true });
    if (refusal === null) return expect(check).resolves.toBeUndefined();
    const redacted = `redis://${credentials.replace(/:.*/, ':***')}@127.0.0.1:${server.port}`;
    await expect(check).rejects.toThrow(`Redis at REDIS_URL=${redacted} ${refusal}`);
    await expect(check).rejects.not.toThrow(/secret/);
  });

  it("skips the rate limiter's commands when the rate limit is off", async () => {
    await expect(checkRedis(url('no-scripts:user-secret'), { rateLimit: false })).resolves.toBeUndefined();
  });

  it('an unreachable Redis is told apart from one that refuses', async () => {
    await expect(checkRedis('redis://127.0.0.1:9', { rateLimit: true, timeoutMs: 1_000 })).rejects.toThrow(
      /^cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:9: connect ECONNREFUSED/,
    );
  });
});
