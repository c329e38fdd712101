/**
 * /ready reports degraded sources (200, status `degraded`, each source's
 * status, last success, lag and quarantine), with the statuses the live
 * producer uses: FRESH, STALE past the limit, FAILING after a failed pass,
 * CIRCUIT_OPEN when this instance's breaker is open, NEVER_SYNCED before the
 * first pass. A gateway-only instance reports what the store says.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { SourceName } from '../../connectors/feed.ts';
import type { CircuitState } from '../../connectors/http/client.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { failingStatements } from '../support/db-overrides.ts';
import { syncing } from '../support/sync-access.ts';

/** Breakers the tests open and close (the hub reads them at each /ready). */
const circuits: Partial<Record<SourceName, CircuitState>> = {};

/** An error as PostgreSQL words it, naming what a public body must not show. */
const internalError = (sql: string) => `canceling statement due to statement timeout: ${sql} on db-internal-7:5432`;

/** A logger whose warnings the test reads. */
function recordingLogger() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  );
  return { logger, lines };
}

describe.each(testBackends)('/ready on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;
  let gatewayOnly: TestHub;

  const ready = async (target: TestHub = hub) => {
    const response = await fetch(`${target.url}/ready`);
    return { status: response.status, body: await response.json() };
  };
  /** A finished pass of `source`, `minutesAgo` before now. */
  const pass = (source: SourceName, minutesAgo: number, status: 'SUCCEEDED' | 'FAILED') =>
    store.db.query(
      `INSERT INTO sync_runs (source, instance, trigger, started_at, finished_at, status, error)
       VALUES ($1, 'test', 'SCHEDULE', now() - make_interval(mins => $2 + 1), now() - make_interval(mins => $2), $3, $4)`,
      [source, minutesAgo, status, status === 'FAILED' ? 'upstream down' : null],
    );

  beforeAll(async () => {
    store = await openTestStore(backend);
    // Stale after 60 minutes (LIVE_STALE_AFTER_MINUTES): this instance syncs the cadre database only.
    hub = await startTestHub(store.db, {
      sync: syncing(['CADRE_DB'], circuits),
      config: { LIVE_STALE_AFTER_MINUTES: 60 },
    });
    gatewayOnly = await startTestHub(store.db, { config: { LIVE_STALE_AFTER_MINUTES: 60 } });
  });

  beforeEach(async () => {
    await store.db.query('DELETE FROM sync_runs');
    await store.db.query('DELETE FROM quarantine');
    for (const source of Object.keys(circuits)) delete circuits[source as SourceName];
  });

  afterAll(async () => {
    await gatewayOnly?.hub.stop();
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('is ready when every source it syncs is fresh, with lag and quarantine', async () => {
    await pass('CADRE_DB', 5, 'SUCCEEDED');
    await store.db.query(
      `INSERT INTO quarantine (source, record_key, reason, raw_payload, retryable) VALUES ('cadre-db/staff', 'S1', 'bad', '{}', true)`,
    );
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', store: { backend, reachable: true, pendingMigrations: [] } });
    expect(body.sources).toHaveLength(1);
    expect(body.sources[0]).toMatchObject({ name: 'CADRE_DB', status: 'FRESH', quarantined: 1 });
    expect(body.sources[0].lagSeconds).toBeGreaterThanOrEqual(300);
    expect(body.sources[0].lagSeconds).toBeLessThan(400);
    expect(Date.now() - Date.parse(body.sources[0].lastSuccessAt)).toBeGreaterThanOrEqual(300_000);
  });

  it('is degraded (still 200) when a source has not succeeded within the limit: STALE', async () => {
    await pass('CADRE_DB', 120, 'SUCCEEDED');
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.sources).toEqual([
      expect.objectContaining({ name: 'CADRE_DB', status: 'STALE', lagSeconds: expect.any(Number) }),
    ]);
    expect(body.sources[0].lagSeconds).toBeGreaterThanOrEqual(7200);
  });

  it('is degraded when the last pass failed though the copy is within the limit: FAILING', async () => {
    await pass('CADRE_DB', 10, 'SUCCEEDED');
    await pass('CADRE_DB', 1, 'FAILED');
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.sources[0]).toMatchObject({ name: 'CADRE_DB', status: 'FAILING' });
  });

  it("is degraded while this instance's breaker of a source is open: CIRCUIT_OPEN", async () => {
    await pass('CADRE_DB', 1, 'SUCCEEDED');
    circuits.CADRE_DB = 'OPEN';
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.sources[0]).toMatchObject({ name: 'CADRE_DB', status: 'CIRCUIT_OPEN' });
    circuits.CADRE_DB = 'HALF_OPEN';
    expect((await ready()).body).toMatchObject({ status: 'ready', sources: [{ status: 'FRESH' }] });
  });

  it('is degraded before the first pass of a source it syncs: NEVER_SYNCED', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      sources: [{ name: 'CADRE_DB', status: 'NEVER_SYNCED', lastSuccessAt: null, lagSeconds: null, quarantined: 0 }],
    });
  });

  it('stays NEVER_SYNCED (not STALE) while the first pass runs, however long, and until it ends', async () => {
    // A first pass started 3 hours ago, past the 60-minute limit, still running (the first pass over a province).
    await store.db.query(
      `INSERT INTO sync_runs (source, instance, trigger, started_at, status)
       VALUES ('CADRE_DB', 'test', 'SCHEDULE', now() - interval '3 hours', 'RUNNING')`,
    );
    expect((await ready()).body.sources).toEqual([
      expect.objectContaining({ name: 'CADRE_DB', status: 'NEVER_SYNCED' }),
    ]);
    // A gateway-only instance does not report it yet either: no pass of it has ended.
    expect((await ready(gatewayOnly)).body.sources).toBeUndefined();
    await store.db.query(
      `UPDATE sync_runs SET status = 'SUCCEEDED', finished_at = now() WHERE source = 'CADRE_DB' AND status = 'RUNNING'`,
    );
    expect((await ready()).body).toMatchObject({ status: 'ready', sources: [{ name: 'CADRE_DB', status: 'FRESH' }] });
  });

  it('on a gateway-only instance, reports the sources the store has passes of', async () => {
    expect((await ready(gatewayOnly)).body).toEqual({
      status: 'ready',
      store: { backend, reachable: true, pendingMigrations: [] },
    });
    await pass('BUDGET', 3, 'SUCCEEDED');
    await pass('ONE_STOP_SHOP', 200, 'SUCCEEDED');
    // The breaker of the instance that syncs them is not known here: only the store's view.
    circuits.BUDGET = 'OPEN';
    const { status, body } = await ready(gatewayOnly);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.sources.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['ONE_STOP_SHOP', 'STALE'],
      ['BUDGET', 'FRESH'],
    ]);
  });
  it('stays in rotation, degraded, when the sources cannot be read though the store answers', async () => {
    const { logger, lines } = recordingLogger();
    const broken = await startTestHub(failingStatements(store.db, /sync_runs|quarantine/, internalError), {
      logger,
      sync: syncing(['CADRE_DB'], circuits),
    });
    try {
      const { status, body } = await ready(broken);
      expect(status).toBe(200);
      expect(body).toEqual({
        status: 'degraded',
        store: { backend, reachable: true, pendingMigrations: [] },
        sourcesError: 'the sources could not be read from the store',
      });
      // The detail is in the log, not in the public body.
      expect(JSON.stringify(body)).not.toMatch(/timeout|db-internal/);
      expect(lines.some((l) => /sources/.test(l.msg) && /statement timeout/.test(l.err?.message ?? ''))).toBe(true);
    } finally {
      await broken.hub.stop();
    }
  });

  it('is not ready when the store does not answer, without showing its error', async () => {
    const { logger, lines } = recordingLogger();
    const unreachable = await startTestHub(failingStatements(store.db, /./, internalError), { logger });
    try {
      const { status, body } = await ready(unreachable);
      expect(status).toBe(503);
      expect(body).toEqual({
        status: 'not ready',
        store: { backend, reachable: false, error: 'the store did not answer' },
      });
      expect(lines.some((l) => /db-internal/.test(l.err?.message ?? ''))).toBe(true);
    } finally {
      await unreachable.hub.stop();
    }
  });
});
