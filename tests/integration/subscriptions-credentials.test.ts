/**
 * Open subscriptions and the credential that opened them: a subscription
 * lives longer than any request, so it checks its credential again every
 * LIVE_RECHECK_SECONDS and ends with UNAUTHENTICATED once the API key is
 * revoked (over SSE and graphql-ws alike), and a JWT's subscription ends at
 * the token's expiry. SSE streams are shared per credential, so revoking one
 * key of a consumer leaves the streams opened with its other key running.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_REFUSED, createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import { createHub, type Hub } from '../../gateway/server.ts';
import type { Viewer } from '../../store/access.ts';
import { createConsumer, issueApiKey, revokeApiKey } from '../../store/consumers.ts';
import { appendLiveEvents, LIVE_TOPIC, type LiveEventDraft } from '../../store/live-events.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { testConfig, testViewer, tokenTable } from '../support/hub.ts';
import { sseSubscribe, until, wsClient, wsSubscribe, type LiveSubscription } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const YEN_THE = '000.00.12.H06';
const CAU_GO = '001.12.00.H06';
const DOSSIER_EVENTS = `subscription ($unitCode: String!) { dossierEvents(unitCode: $unitCode) { eventId dossierCode } }`;
const received = (dossierCode: string): LiveEventDraft => ({
  kind: 'DOSSIER',
  unitCode: CAU_GO,
  payload: { kind: 'RECEIVED', dossierCode, unitCode: CAU_GO },
});
const silent = pino({ level: 'silent' });

/** The error a subscription ended with: over SSE the last result's, over graphql-ws the error event's. */
async function endedWith(subscription: LiveSubscription): Promise<{ code: unknown; message: string }> {
  const { error } = await subscription.ended;
  const errors = (error ?? subscription.results.at(-1)?.errors) as
    { message: string; extensions?: { code?: unknown } }[] | undefined;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  return { code: first?.extensions?.code, message: first?.message ?? String(error) };
}

describe.each(testBackends)('subscriptions and their credential on %s', (backend) => {
  let store: TestStore;
  let hub: Hub;
  let url: string;

  async function produce(...drafts: LiveEventDraft[]) {
    const events = await appendLiveEvents(store.db, drafts);
    for (const event of events) hub.pubsub.publish(LIVE_TOPIC, event);
    return events;
  }

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000, LIVE_RECHECK_SECONDS: 1 }), {
      db: store.db,
      logger: silent,
      authenticate: createAuthenticator({ db: store.db, config: { HUB_MODE: 'production' }, logger: silent }),
    });
    url = `http://127.0.0.1:${(await hub.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('a revoked API key ends its SSE and graphql-ws subscriptions with UNAUTHENTICATED; its other key goes on', async () => {
    await createConsumer(store.db, { name: 'ioc', scopes: ['subscribe', 'read:dossiers'] });
    const revoked = await issueApiKey(store.db, 'ioc');
    const kept = await issueApiKey(store.db, 'ioc');
    const variables = { unitCode: YEN_THE };
    const sse = sseSubscribe(url, DOSSIER_EVENTS, variables, { token: revoked.apiKey });
    const keptSse = sseSubscribe(url, DOSSIER_EVENTS, variables, { token: kept.apiKey });
    const client = wsClient(url, { token: revoked.apiKey });
    const ws = wsSubscribe(client, DOSSIER_EVENTS, variables);
    try {
      await until(() => hub.live.size === 3, 'three subscribers');
      const [before] = await produce(received('HS-A'));
      for (const subscription of [sse, keptSse, ws]) {
        expect((await subscription.received(1))[0]!.data.dossierEvents.eventId).toBe(before!.id);
      }

      await revokeApiKey(store.db, revoked.keyId);
      const revokedAt = Date.now();
      const [sseEnd, wsEnd] = await Promise.all([endedWith(sse), endedWith(ws)]);
      // Within the recheck period (1 s here), with a margin for a busy machine.
      expect(Date.now() - revokedAt).toBeLessThan(5_000);
      expect(sseEnd).toEqual({ code: 'UNAUTHENTICATED', message: API_KEY_REFUSED });
      expect(wsEnd).toEqual({ code: 'UNAUTHENTICATED', message: API_KEY_REFUSED });

      // The other key's stream was a group of its own: it is still open and receives.
      await until(() => hub.live.size === 1, 'the revoked subscriptions gone');
      const [after] = await produce(received('HS-B'));
      expect((await keptSse.received(2)).map((r) => r.data.dossierEvents.eventId)).toEqual([before!.id, after!.id]);
      expect(sse.results).toHaveLength(2); // the event, then the error
      expect(ws.results).toHaveLength(1);
    } finally {
      sse.close();
      keptSse.close();
      ws.close();
      await client.dispose();
    }
  });

  it('a subscription ends when its credential expires', async () => {
    const viewer: Viewer = {
      ...testViewer('short-lived', ['subscribe', 'read:dossiers']),
      credentialId: 'jwt:short',
      expiresAt: new Date(Date.now() + 60_000),
    };
    // A hub closes its store when it stops: this one gets a store of its own.
    const otherStore = await openTestStore(backend);
    await seedDemoProvince(otherStore.db);
    // No recheck within the test: what ends the stream is the expiry alone.
    const other = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000, LIVE_RECHECK_SECONDS: 3_600 }), {
      db: otherStore.db,
      logger: silent,
      authenticate: tokenTable({ token: viewer }),
    });
    const otherUrl = `http://127.0.0.1:${(await other.listen(0, '127.0.0.1')).port}`;
    try {
      viewer.expiresAt = new Date(Date.now() + 1_000);
      const sse = sseSubscribe(otherUrl, DOSSIER_EVENTS, { unitCode: YEN_THE }, { token: 'token' });
      const end = await endedWith(sse);
      expect(Date.now()).toBeGreaterThanOrEqual(viewer.expiresAt.getTime());
      expect(end).toEqual({
        code: 'UNAUTHENTICATED',
        message: `The credential expired at ${viewer.expiresAt.toISOString()}: subscribe again with a new one`,
      });
    } finally {
      await other.stop();
      await otherStore.dispose();
    }
  });
});
