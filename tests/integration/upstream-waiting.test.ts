/**
 * The upstream client's retries and breaker transitions, logged at warn with
 * the upstream and the reason, and a pass that spent most of its time waiting
 * on the upstream saying so in its log line and in sync_runs.waited_ms (issue
 * 25). Mock upstreams on real sockets, settings as the configuration gives
 * them (UPSTREAM_*).
 */
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import { createSyncEngine, type SyncEngine } from '../../connectors/sync/engine.ts';
import { createUpstreams, type Upstreams } from '../../connectors/sync/upstreams.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { mockUrls, startMocks, TEST_CLIENT } from '../support/sync-rig.ts';

interface LogLine {
  level: number;
  msg: string;
  source?: string;
  feed?: string;
  reason?: string;
  request?: string;
  circuit?: string;
  waitedMs?: number;
}

describe.each(testBackends)('waiting on an upstream, on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let upstreams: Upstreams;
  let engine: SyncEngine;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    store = await openTestStore(backend);
    const world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as LogLine);
          done();
        },
      }),
    );
    upstreams = createUpstreams(
      { CADRE_DB: mockUrls(mocks).CADRE_DB },
      { client: { ...TEST_CLIENT, breakerThreshold: 3, registry: new Registry(), logger }, now: () => world.now() },
    );
    engine = createSyncEngine({
      db: store.db,
      connectors: upstreams.connectors,
      logger,
      instance: 'test',
      waitedMs: (source) => upstreams.clients[source]?.waitedMs ?? 0,
    });
    expect((await engine.run('CADRE_DB', { trigger: 'COMMAND' })).error).toBeNull();
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
    await upstreams?.close();
    await mocks?.close();
    await store?.dispose();
  });

  it('logs each retry at warn with the reason; a pass that mostly waited says so, and sync_runs keeps it', async () => {
    lines.length = 0;
    // Two 429s asking for 2 s each: at least 4 s of waiting in a pass that otherwise reads a few unchanged pages.
    mocks.faults.cadreDb.add({ fault: 'rate-limit', retryAfterSeconds: 2, times: 2, path: '/v2/units' });
    try {
      const result = await engine.run('CADRE_DB', { trigger: 'COMMAND' });
      expect(result.error).toBeNull();
      expect(result.waitedMs).toBeGreaterThanOrEqual(4_000);
    } finally {
      mocks.faults.cadreDb.clear();
    }
    const retries = lines.filter((l) => l.msg === 'CADRE_DB request retried');
    expect(retries.map((l) => [l.level, l.source, l.feed, l.reason])).toEqual([
      [40, 'CADRE_DB', 'cadre-db/units', 'HTTP 429'],
      [40, 'CADRE_DB', 'cadre-db/units', 'HTTP 429'],
    ]);
    expect(retries[0]!.request).toMatch(/^\/v2\/units\?/);
    const end = lines.find((l) => l.msg.startsWith('sync pass succeeded'))!;
    expect(end.level).toBe(40);
    expect(end.msg).toMatch(/^sync pass succeeded, mostly waiting on the upstream \(\d+ of \d+ ms\)$/);
    const [run] = await store.db.query<{ waited: string }>(
      `SELECT waited_ms::text AS waited FROM sync_runs WHERE source = 'CADRE_DB' ORDER BY id DESC LIMIT 1`,
    );
    expect(Number(run!.waited)).toBe(end.waitedMs);
  }, 60_000);

  it('logs the breaker opening at warn with the last failure, and closing on a probe', async () => {
    lines.length = 0;
    mocks.faults.cadreDb.add({ fault: 'error-503', times: 3, path: '/v2/units' });
    try {
      const failed = await engine.run('CADRE_DB', { trigger: 'COMMAND' });
      expect(failed.error).toMatch(/HTTP 503 after 3 attempts$/);
    } finally {
      mocks.faults.cadreDb.clear();
    }
    const opened = lines.find((l) => l.msg === 'circuit breaker of CADRE_DB OPEN')!;
    expect([opened.level, opened.source, opened.feed, opened.circuit]).toEqual([
      40,
      'CADRE_DB',
      'cadre-db/units',
      'OPEN',
    ]);
    expect(opened.reason).toBe('HTTP 503');
    // After the half-open delay (TEST_CLIENT: 200 ms), the next pass's first request is the probe.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await engine.run('CADRE_DB', { trigger: 'COMMAND' })).error).toBeNull();
    const transitions = lines.filter((l) => l.msg.startsWith('circuit breaker of CADRE_DB'));
    expect(transitions.map((l) => l.circuit)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
    expect(transitions.at(-1)!.reason).toBe('a probe succeeded');
  }, 60_000);
});
