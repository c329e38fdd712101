/**
 * Live data end to end in one process: the mock upstreams on real sockets,
 * the sync engine with the live producer wired as gateway/main.ts wires it,
 * and two subscribers of the same indicator, one over SSE and one over
 * graphql-ws. When the mock world's clock moves on (through its admin
 * endpoint) and a sync runs, both receive the indicator's new value, equal
 * to what the `indicators` query answers afterwards, with the value it had
 * before as previousValue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import type { LiveProducer } from '../../live/producer.ts';
import type { Hub } from '../../gateway/server.ts';
import type { SyncEngine } from '../../connectors/sync/engine.ts';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import { activeLiveWatches } from '../../store/live-watches.ts';
import { sseSubscribe, until, wsClient, wsSubscribe } from '../support/live-clients.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { liveSyncRig, startMocks, type LiveSyncRig } from '../support/sync-rig.ts';

const INDICATOR_CHANGED = `subscription ($unitCode: String!, $period: String) {
  indicatorChanged(unitCode: $unitCode, codes: ["DOSSIER_RECEIVED"], period: $period) {
    eventId previousValue value { code period unitCode value numerator }
  }
}`;

describe.each(testBackends)('indicator changes after a sync, over SSE and graphql-ws, on %s', (backend) => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  let rig: LiveSyncRig;
  let hub: Hub;
  let url: string;
  let producer: LiveProducer;
  let engine: SyncEngine;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    ({ hub, url } = await startHubOnLoopback(store.db));
    rig = liveSyncRig(store.db, world, mocks, (event) => hub.pubsub.publish(LIVE_TOPIC, event));
    ({ producer, engine } = rig);
    const first = await engine.runAll({ trigger: 'COMMAND' });
    expect(first.map((r) => r.error)).toEqual([null, null, null]);
    await producer.idle();
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await hub?.stop();
    await mocks?.close();
    await store?.dispose();
  });

  async function dossiersReceived(unitCode: string, period: string): Promise<number> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query ($unitCode: String!, $period: String!) {
          indicators(unitCode: $unitCode, period: $period, codes: ["DOSSIER_RECEIVED"]) { value }
        }`,
        variables: { unitCode, period },
      }),
    });
    const { data } = (await response.json()) as { data: { indicators: { value: number }[] } };
    return data.indicators[0]!.value;
  }

  async function advanceClock(seconds: number) {
    const response = await fetch(`${mocks.urls.oneStopShop}/__admin/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: seconds }),
    });
    expect(response.status).toBe(200);
  }

  it('both subscribers receive the new value once the mock clock advances and a sync runs', async () => {
    const [root] = await store.db.query<{ code: string }>('SELECT code FROM units WHERE parent_code IS NULL');
    const unitCode = root!.code;
    // The simulated province's current year, in Vietnam time (UTC+7).
    const period = String(new Date(world.now().getTime() + 7 * 3_600_000).getUTCFullYear());
    const before = await dossiersReceived(unitCode, period);

    const sse = sseSubscribe(url, INDICATOR_CHANGED, { unitCode, period });
    const client = wsClient(url);
    const ws = wsSubscribe(client, INDICATOR_CHANGED, { unitCode, period });
    await until(() => hub.live.size === 2, 'both subscribers');
    // A subscription listens before its watch is stored (so it misses nothing): the watch follows within moments.
    await expect.poll(() => activeLiveWatches(store.db)).toEqual([{ unitCode, period }]);

    // Two simulated days later, through the mock upstream's admin endpoint, as an integrator would.
    await advanceClock(2 * 86_400);
    const pass = await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(pass.error).toBeNull();
    expect(pass.records).toBeGreaterThan(0);
    await producer.idle();

    const after = await dossiersReceived(unitCode, period);
    expect(after).toBeGreaterThan(before);
    const [overSse] = await sse.received(1);
    const [overWs] = await ws.received(1);
    const expected = {
      eventId: expect.stringMatching(/^\d+$/),
      previousValue: before,
      value: { code: 'DOSSIER_RECEIVED', period, unitCode, value: after, numerator: after },
    };
    expect(overSse!.data.indicatorChanged).toEqual(expected);
    expect(overWs).toEqual(overSse);

    // A pass that changes nothing tells nothing: the next event either receives is the next change.
    expect((await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' })).records).toBe(0);
    await producer.idle();
    await advanceClock(2 * 86_400);
    expect((await engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' })).records).toBeGreaterThan(0);
    await producer.idle();
    const later = await dossiersReceived(unitCode, period);
    expect(later).toBeGreaterThan(after);
    const next = { ...expected, previousValue: after, value: { ...expected.value, value: later, numerator: later } };
    expect((await sse.received(2))[1]!.data.indicatorChanged).toEqual(next);
    expect((await ws.received(2))[1]!.data.indicatorChanged).toEqual(next);
    sse.close();
    ws.close();
    await client.dispose();
    await until(() => hub.live.size === 0, 'the subscribers gone');
  }, 60_000);
});
