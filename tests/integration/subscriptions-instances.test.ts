/**
 * Live events across hub instances, through Redis: two hub processes
 * (gateway/main.ts, as an operator starts them) on one PostgreSQL and one
 * Redis; instance A syncs from the mock upstreams, instance B syncs nothing
 * and serves a subscriber; when the mock world moves on and A's sync changes
 * an indicator B's subscriber watches, the change reaches B's subscriber.
 *
 * Needs TEST_DATABASE_URL (embedded PGlite serves one process) and
 * TEST_REDIS_URL (CI: redis://127.0.0.1:6379); skipped, saying so, without them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { BASELINE_PREFIX } from '../../live/indicators.ts';
import { createHubPubSub, type HubPubSub } from '../../live/pubsub.ts';
import { LIVE_TOPIC, type LiveEvent } from '../../store/live-events.ts';
import { sseSubscribe, until } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';
import { mockUrls, startMocks } from '../support/sync-rig.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const skipReason = !databaseUrl
  ? 'TEST_DATABASE_URL is unset (two processes need one PostgreSQL)'
  : !redisUrl
    ? 'TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)'
    : null;
if (skipReason) console.warn(`tests/integration/subscriptions-instances.test.ts skipped: ${skipReason}`);

const silent = pino({ level: 'silent' });
const statusEvent = (id: string): LiveEvent => ({
  id,
  at: new Date().toISOString(),
  kind: 'SOURCE_STATUS',
  unitPath: [],
  payload: { source: 'CADRE_DB', status: 'STALE', previousStatus: 'FRESH', lastSuccessAt: null, error: null },
});

/** The first event a pubsub delivers on LIVE_TOPIC, or null after `ms`. */
async function firstEvent(pubsub: HubPubSub, ms: number): Promise<LiveEvent | null> {
  const iterator = pubsub.subscribe(LIVE_TOPIC)[Symbol.asyncIterator]();
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));
  const next = iterator.next().then((result) => (result.done ? null : result.value));
  try {
    return await Promise.race([next, timeout]);
  } finally {
    await iterator.return?.();
  }
}

describe.skipIf(skipReason !== null)('live events across instances through Redis', () => {
  it('a pubsub receives what another connection publishes in its namespace, and nothing of another namespace', async () => {
    const namespace = `test-${randomUUID()}`;
    const [a, b, elsewhere] = [namespace, namespace, `${namespace}-other`].map((ns) =>
      createHubPubSub({ redisUrl, logger: silent, namespace: ns }),
    );
    try {
      await Promise.all([a!.ready, b!.ready, elsewhere!.ready]);
      expect(b!.transport).toBe('redis');
      const onB = firstEvent(b!, 5_000);
      const onElsewhere = firstEvent(elsewhere!, 1_000);
      // The listeners subscribe on their first read; give Redis a moment before publishing.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const event = statusEvent('41');
      a!.publish(LIVE_TOPIC, event);
      // JSON across Redis, equal field by field.
      expect(await onB).toEqual(event);
      expect(await onElsewhere).toBeNull();
    } finally {
      await Promise.all([a!.close(), b!.close(), elsewhere!.close()]);
    }
  });

  it('an unreachable Redis is reported naming REDIS_URL', async () => {
    const pubsub = createHubPubSub({ redisUrl: 'redis://127.0.0.1:9', logger: silent, connectTimeoutMs: 500 });
    await expect(pubsub.ready).rejects.toThrow(/^cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:9/);
    await pubsub.close();
  });

  describe('two hub processes on one PostgreSQL and one Redis', () => {
    let store: TestStore;
    let schema: string;
    let world: MockWorld;
    let mocks: MockUpstreams;
    const hubs: { child: ChildProcess; stderr: string[] }[] = [];

    beforeAll(async () => {
      store = await openTestStore('postgres');
      const [row] = await store.db.query<{ schema: string }>('SELECT current_schema() AS schema');
      schema = row!.schema;
      world = createMockWorld({ scale: 'tiny' });
      mocks = await startMocks(world);
    });
    afterAll(async () => {
      for (const { child } of hubs) if (child.exitCode === null) child.kill('SIGKILL');
      await mocks?.close();
      await store?.dispose();
    });

    /** Starts gateway/main.ts on the shared store and Redis; resolves with its URL once it listens. */
    async function startHub(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
      const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: databaseUrl!,
          DATABASE_SCHEMA: schema,
          // Its subscribers are anonymous: development mode, which a hub on a real store must be told.
          HUB_MODE: 'development',
          REDIS_URL: redisUrl!,
          PORT: '0',
          LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stderr: string[] = [];
      hubs.push({ child, stderr });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
      let buffer = '';
      return new Promise((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          for (const line of buffer.split('\n').slice(0, -1)) {
            const entry = JSON.parse(line) as { msg: string; url?: string; pubsub?: string };
            if (entry.msg === 'lgsp-hub listening') {
              expect(entry.pubsub).toBe('redis');
              resolve({ url: entry.url!.replace(/\/graphql$/, ''), child });
            }
          }
          buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        });
        child.once('exit', (code) => reject(new Error(`hub exited ${code}: ${stderr.join('')}`)));
      });
    }

    async function gql<Data = any>(url: string, query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data: Data; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data;
    }

    it('a change synced by instance A reaches a subscriber of instance B', async () => {
      // B syncs nothing; it only serves.
      const b = await startHub({ DEMO_DATA: 'off' });
      // A syncs from the mock upstreams every second (after its first full pass).
      const urls = mockUrls(mocks);
      const a = await startHub({
        ONE_STOP_SHOP_URL: urls.ONE_STOP_SHOP!,
        CADRE_DB_URL: urls.CADRE_DB!,
        BUDGET_URL: urls.BUDGET!,
        SYNC_INTERVAL_SECONDS: '1',
      });
      await until(
        async () => {
          const { sources } = await gql<{ sources: { lastSuccessAt: string | null }[] }>(
            b.url,
            '{ sources { lastSuccessAt } }',
          );
          return sources.every((s) => s.lastSuccessAt !== null);
        },
        'instance A’s first sync, seen from B',
        90_000,
      );

      const [root] = await store.db.query<{ code: string }>('SELECT code FROM units WHERE parent_code IS NULL');
      const unitCode = root!.code;
      const period = String(new Date(world.now().getTime() + 7 * 3_600_000).getUTCFullYear());
      const received = async () =>
        (
          await gql<{ indicators: { value: number }[] }>(
            b.url,
            `query ($u: String!, $p: String!) { indicators(unitCode: $u, period: $p, codes: ["DOSSIER_RECEIVED"]) { value } }`,
            { u: unitCode, p: period },
          )
        ).indicators[0]!.value;
      const before = await received();

      const subscription = sseSubscribe(
        b.url,
        `subscription ($u: String!, $p: String) {
          indicatorChanged(unitCode: $u, codes: ["DOSSIER_RECEIVED"], period: $p) { eventId previousValue value { value } }
        }`,
        { u: unitCode, p: period },
      );
      // B registers the watch in the shared store; A's producer takes a baseline of it at its next pass.
      await until(
        async () =>
          (await store.db.query('SELECT 1 FROM live_state WHERE key = $1', [`${BASELINE_PREFIX}${unitCode}|${period}`]))
            .length === 1,
        'A’s baseline of the watch B registered',
        30_000,
      );

      const clock = await fetch(`${urls.ONE_STOP_SHOP}/__admin/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 2 * 86_400 }),
      });
      expect(clock.status).toBe(200);

      const [change] = await subscription.received(1, 30_000);
      const after = await received();
      expect(after).toBeGreaterThan(before);
      expect(change!.data.indicatorChanged).toEqual({
        eventId: expect.stringMatching(/^\d+$/),
        previousValue: before,
        value: { value: after },
      });
      // The event B delivered is the one A logged.
      const [logged] = await store.db.query<{ kind: string; code: string }>(
        `SELECT kind, payload ->> 'indicatorCode' AS code FROM live_events WHERE id = $1`,
        [change!.data.indicatorChanged.eventId],
      );
      expect(logged).toEqual({ kind: 'INDICATOR_CHANGED', code: 'DOSSIER_RECEIVED' });
      subscription.close();

      for (const hub of [a, b]) {
        hub.child.kill('SIGTERM');
        const [code] = await once(hub.child, 'exit');
        expect(code).toBe(0);
      }
    }, 180_000);
  });
});
