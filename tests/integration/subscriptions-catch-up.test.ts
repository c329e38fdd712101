/**
 * Catch-up by last event id: a subscriber that reconnects with the eventId of
 * the last event it received gets exactly what it missed (from the log),
 * then the live events, with no gap and no duplicate, over SSE and over
 * graphql-ws; a catch-up the retention window no longer covers is refused.
 *
 * The events are logged with the producer's own store function and
 * published on the hub's pubsub, as the producer does after its commit; the
 * province is the fixed demo province (tests/support/fixture-province.ts).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../../gateway/server.ts';
import {
  appendLiveEvents,
  LIVE_TOPIC,
  pruneLiveEvents,
  type DossierEventKind,
  type LiveEvent,
  type LiveEventDraft,
} from '../../store/live-events.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { sseSubscribe, until, wsClient, wsSubscribe, type LiveSubscription } from '../support/live-clients.ts';
import { startHubOnLoopback, testConfig } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const YEN_THE = '000.00.12.H06';
const CAU_GO = '001.12.00.H06'; // a commune of Yên Thế
const NHA_NAM = '002.13.00.H06'; // a commune of Tân Yên, outside Yên Thế

const DOSSIER_EVENTS = `subscription ($unitCode: String!, $lastEventId: ID) {
  dossierEvents(unitCode: $unitCode, lastEventId: $lastEventId) { eventId kind dossierCode unitCode }
}`;

let dossierNo = 0;
/** A dossier event draft; every one gets a dossier code of its own, to tell them apart. */
const dossier = (unitCode: string, kind: DossierEventKind = 'RECEIVED'): LiveEventDraft => ({
  kind: 'DOSSIER',
  unitCode,
  payload: { kind, dossierCode: `HS-${++dossierNo}`, unitCode },
});
const sourceStatus: LiveEventDraft = {
  kind: 'SOURCE_STATUS',
  unitCode: null,
  payload: { source: 'BUDGET', status: 'STALE', previousStatus: 'FRESH', lastSuccessAt: null, error: null },
};

/** What dossierEvents gives for an event. */
const asReceived = (event: LiveEvent) => {
  if (event.kind !== 'DOSSIER') throw new Error(`not a dossier event: ${event.kind}`);
  return {
    data: {
      dossierEvents: {
        eventId: event.id,
        kind: event.payload.kind,
        dossierCode: event.payload.dossierCode,
        unitCode: event.payload.unitCode,
      },
    },
  };
};

describe.each(testBackends)('catch-up by lastEventId on %s', (backend) => {
  let store: TestStore;
  let hub: Hub;
  let url: string;

  /** Logs the events (committed) and publishes them, as the producer does. */
  async function produce(...drafts: LiveEventDraft[]): Promise<LiveEvent[]> {
    const events = await appendLiveEvents(store.db, drafts);
    for (const event of events) hub.pubsub.publish(LIVE_TOPIC, event);
    return events;
  }

  const subscribers = (n: number) => until(() => hub.live.size === n, `${n} live subscribers`);

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    // Pages of 3, so that a catch-up of a dozen events reads several.
    ({ hub, url } = await startHubOnLoopback(store.db, { config: { LIVE_CATCH_UP_PAGE_SIZE: 3 } }));
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('over SSE: a reconnect with the last eventId replays exactly the missed events of the subtree, then goes live', async () => {
    const first = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE });
    await subscribers(1);
    const seen = await produce(dossier(CAU_GO), dossier(NHA_NAM), sourceStatus, dossier(YEN_THE, 'RESOLVED'));
    // The district's own dossier and its commune's, not the other district's nor a source's status.
    expect(await first.received(2)).toEqual([asReceived(seen[0]!), asReceived(seen[3]!)]);
    first.close();
    await subscribers(0);

    // Missed while away: two of the subtree's among others, more than a page of the log in all.
    const missed = await produce(
      dossier(NHA_NAM),
      dossier(CAU_GO, 'OVERDUE'),
      sourceStatus,
      dossier(NHA_NAM),
      dossier(YEN_THE, 'RETURNED'),
      dossier(NHA_NAM),
    );
    const again = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: seen[3]!.id });
    expect(await again.received(2)).toEqual([asReceived(missed[1]!), asReceived(missed[4]!)]);
    await subscribers(1);
    const [live] = await produce(dossier(CAU_GO));
    const [sentinel] = await produce(dossier(YEN_THE));
    // Nothing given twice and nothing in between: the live ones follow the replay directly.
    expect(await again.received(4)).toEqual([missed[1], missed[4], live, sentinel].map((e) => asReceived(e!)));
    again.close();
    await subscribers(0);
  });

  it('over graphql-ws: an event both replayed from the log and published late is given once', async () => {
    const [before] = await produce(dossier(CAU_GO));
    // Committed but not yet published: the producer publishes after its commit, so a subscriber can read
    // an event from the log before its live copy arrives.
    const [late] = await appendLiveEvents(store.db, [dossier(CAU_GO, 'RESOLVED')]);
    const client = wsClient(url);
    const subscription = wsSubscribe(client, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: before!.id });
    expect(await subscription.received(1)).toEqual([asReceived(late!)]);
    hub.pubsub.publish(LIVE_TOPIC, late!);
    const [next] = await produce(dossier(YEN_THE));
    expect(await subscription.received(2)).toEqual([asReceived(late!), asReceived(next!)]);
    const [sentinel] = await produce(dossier(CAU_GO));
    expect(await subscription.received(3)).toEqual([late, next, sentinel].map((e) => asReceived(e!)));
    subscription.close();
    await client.dispose();
    await subscribers(0);
  });

  it('a replayed event whose live copy comes after newer live events (another instance, Redis) is not given again', async () => {
    const [before] = await produce(dossier(CAU_GO));
    const [late] = await appendLiveEvents(store.db, [dossier(CAU_GO, 'RESOLVED')]);
    const subscription = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: before!.id });
    expect(await subscription.received(1)).toEqual([asReceived(late!)]);
    await subscribers(1);
    const [next] = await produce(dossier(YEN_THE));
    expect(await subscription.received(2)).toEqual([asReceived(late!), asReceived(next!)]);
    // The straggler: at or below the highest id the catch-up read, so the log gave it already.
    hub.pubsub.publish(LIVE_TOPIC, late!);
    const [sentinel] = await produce(dossier(CAU_GO));
    expect(await subscription.received(3)).toEqual([late, next, sentinel].map((e) => asReceived(e!)));
    expect(subscription.results).toHaveLength(3);
    subscription.close();
    await subscribers(0);
  });

  it('events published while a long catch-up is read are all given, once each, in id order', async () => {
    const [start] = await produce(dossier(NHA_NAM));
    const logged = await produce(...Array.from({ length: 40 }, (_, i) => dossier(i % 4 === 3 ? NHA_NAM : CAU_GO)));
    const subscription = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: start!.id });
    await subscribers(1);
    // Published while the subscriber reads the log three events at a time.
    const during: LiveEvent[] = [];
    for (let i = 0; i < 10; i++) during.push(...(await produce(dossier(CAU_GO), dossier(NHA_NAM))));
    const expected = [...logged, ...during].filter((e) => e.kind === 'DOSSIER' && e.payload.unitCode === CAU_GO);
    expect(expected).toHaveLength(30 + 10);
    const received = await subscription.received(expected.length);
    expect(received).toEqual(expected.map(asReceived));
    const [sentinel] = await produce(dossier(CAU_GO));
    expect((await subscription.received(expected.length + 1)).at(-1)).toEqual(asReceived(sentinel!));
    subscription.close();
    await subscribers(0);
  });

  it('refuses a catch-up from before the retention window (CATCH_UP_EXPIRED) and a malformed lastEventId', async () => {
    const [old] = await produce(dossier(CAU_GO));
    await produce(dossier(CAU_GO));
    // Everything logged so far is past retention.
    expect(await pruneLiveEvents(store.db, new Date(Date.now() + 60_000))).toBeGreaterThan(0);

    const expired = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: old!.id });
    const [refusal] = await expired.received(1);
    expect(refusal!.data).toBeUndefined();
    expect(refusal!.errors).toHaveLength(1);
    expect(refusal!.errors![0]!.extensions).toMatchObject({
      code: 'CATCH_UP_EXPIRED',
      argument: 'lastEventId',
      lastEventId: old!.id,
    });
    expect(await expired.ended).toEqual({});

    const malformed = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: '12; DROP TABLE' });
    const [bad] = await malformed.received(1);
    expect(bad!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'lastEventId' });
    // One past PostgreSQL's bigint (2^63 - 1 = 9223372036854775807): the same clear refusal, not a masked error.
    const tooLarge = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: '9223372036854775808' });
    const [large] = await tooLarge.received(1);
    expect(large!.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'lastEventId' });
    expect(large!.errors![0]!.message).toContain('9223372036854775807');
    // The largest id itself is a valid one (nothing after it to replay).
    const largest = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE, lastEventId: '9223372036854775807' });
    await subscribers(1);
    largest.close();
    await subscribers(0);

    // A subscriber without lastEventId is not concerned by what was pruned.
    const fresh = sseSubscribe(url, DOSSIER_EVENTS, { unitCode: YEN_THE });
    await subscribers(1);
    const [now] = await produce(dossier(CAU_GO));
    expect(await fresh.received(1)).toEqual([asReceived(now!)]);
    fresh.close();
    await subscribers(0);
  });

  it('stopping the hub ends open subscriptions with SHUTTING_DOWN', async () => {
    const store2 = await openTestStore(backend);
    await seedDemoProvince(store2.db);
    const other = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 10_000 }), {
      db: store2.db,
      logger: pino({ level: 'silent' }),
    });
    const port = (await other.listen(0, '127.0.0.1')).port;
    const subscription: LiveSubscription = sseSubscribe(`http://127.0.0.1:${port}`, DOSSIER_EVENTS, {
      unitCode: YEN_THE,
    });
    await until(() => other.live.size === 1, 'the subscriber');
    const started = Date.now();
    await other.stop();
    // Without ending the stream the hub would wait its whole shutdown timeout for the open connection.
    expect(Date.now() - started).toBeLessThan(5_000);
    const [ended] = await subscription.received(1);
    expect(ended!.errors![0]!.extensions).toMatchObject({ code: 'SHUTTING_DOWN' });
    await store2.dispose();
  });
});
