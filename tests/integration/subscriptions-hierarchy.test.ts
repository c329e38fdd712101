/**
 * indicatorChanged on the restated tree (hierarchy: AS_IS): over a real hub's
 * SSE, a subscription on AS_IS registers a watch of its own, apart from the
 * same pair as it was; the producer's steps (seedBaselines at a pass's start,
 * indicatorChanges at its end, on the real store) evaluate each watch on its
 * basis, and each subscriber receives only the events of its basis.
 *
 *   P ─ D ─ C1, C2 (no reorganisation: both bases count the same here)
 *
 * Dossiers received in 2025 under D: e1 (C1), e2 (C2), then e3 (C1) after the
 * baselines are taken. DOSSIER_RECEIVED of D in 2025 goes from 2 to 3 on both
 * bases.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../gateway/server.ts';
import { indicatorChanges, seedBaselines } from '../../live/indicators.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { appendLiveEvents, LIVE_TOPIC } from '../../store/live-events.ts';
import { activeLiveWatches } from '../../store/live-watches.ts';
import type { Dossier } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';
import { startHubOnLoopback } from '../support/hub.ts';
import { sseSubscribe, until, type LiveSubscription } from '../support/live-clients.ts';
import { unit, vn } from '../support/records.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.K21';
const D = '000.00.51.K21';
const C1 = '001.51.00.K21';
const C2 = '002.51.00.K21';
const PN = '2.000421';

const received = (code: string, unitCode: string, day: string): Dossier => ({
  code,
  procedureCode: PN,
  unitCode,
  channel: 'IN_PERSON',
  status: 'RECEIVED',
  applicantName: null,
  applicantPhone: null,
  receivedAt: vn(`${day} 09:00`),
  dueAt: vn(`${day} 17:00`),
  finishedAt: null,
  returnedAt: null,
  fullProcessOnline: false,
  hasFee: false,
  onlinePayment: null,
  digitised: false,
  electronicResult: false,
  sourceUpdatedAt: vn(`${day} 09:00`),
});

const SUBSCRIPTION = `subscription ($hierarchy: Hierarchy, $hierarchyDate: Date) {
  indicatorChanged(unitCode: "${D}", period: "2025", codes: ["DOSSIER_RECEIVED"], hierarchy: $hierarchy, hierarchyDate: $hierarchyDate) {
    previousValue
    value { code period numerator value hierarchy hierarchyDate unattributedRecords foldedUnits { code } }
  }
}`;

describe.each(testBackends)('indicatorChanged on a hierarchy basis on %s', (backend) => {
  let store: TestStore;
  let hub: Hub;
  let url: string;
  const open: LiveSubscription[] = [];
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    store = await openTestStore(backend);
    await upsertUnits(store.db, [
      unit(P, null, 'PROVINCE'),
      unit(D, P, 'DISTRICT'),
      unit(C1, D, 'COMMUNE'),
      unit(C2, D, 'COMMUNE'),
    ]);
    await upsertProcedures(store.db, [
      {
        code: PN,
        name: 'Thủ tục chứng thực',
        fieldCode: 'G09-CT',
        fieldName: 'Chứng thực',
        levels: ['COMMUNE'],
        onlineService: 'NONE',
        hasFee: false,
      },
    ]);
    await upsertDossiers(store.db, [received('e1', C1, '2025-03-01'), received('e2', C2, '2025-04-01')]);
    ({ hub, url } = await startHubOnLoopback(store.db));
  });
  afterAll(async () => {
    for (const subscription of open) subscription.close();
    await hub?.stop();
    await store?.dispose();
  });

  it('streams AS_IS apart from AS_WAS: its own watch, evaluation and events', async () => {
    const subscribe = (variables: Record<string, unknown>) => {
      const subscription = sseSubscribe(url, SUBSCRIPTION, variables);
      open.push(subscription);
      return subscription;
    };
    const asWas = subscribe({});
    const asIs = subscribe({ hierarchy: 'AS_IS', hierarchyDate: '2025-12-31' });
    await until(() => hub.live.size === 2, '2 live subscribers');
    // One watch per basis of the pair.
    await expect
      .poll(() => activeLiveWatches(store.db))
      .toEqual([
        { unitCode: D, period: '2025' },
        { unitCode: D, period: '2025', hierarchyDate: '2025-12-31' },
      ]);

    // A pass: baselines at its start (2 received on both bases), a dossier written, changes at its end.
    expect(await seedBaselines(store.db, logger)).toBe(2);
    await upsertDossiers(store.db, [received('e3', C1, '2025-05-01')]);
    const drafts = await indicatorChanges(store.db, 'ONE_STOP_SHOP', logger);
    const receivedDrafts = drafts.filter(
      (d) => d.kind === 'INDICATOR_CHANGED' && d.payload.indicatorCode === 'DOSSIER_RECEIVED',
    );
    expect(receivedDrafts.map((d) => d.payload)).toEqual([
      expect.objectContaining({ unitCode: D, period: '2025', numerator: 3, previousValue: 2 }),
      expect.objectContaining({
        unitCode: D,
        period: '2025',
        numerator: 3,
        previousValue: 2,
        hierarchyDate: '2025-12-31',
      }),
    ]);
    expect('hierarchyDate' in receivedDrafts[0]!.payload).toBe(false);

    for (const event of await appendLiveEvents(store.db, drafts)) hub.pubsub.publish(LIVE_TOPIC, event);
    const value = (hierarchy: string, hierarchyDate: string | null) => ({
      data: {
        indicatorChanged: {
          previousValue: 2,
          value: {
            code: 'DOSSIER_RECEIVED',
            period: '2025',
            numerator: 3,
            value: 3,
            hierarchy,
            hierarchyDate,
            unattributedRecords: 0,
            foldedUnits: [],
          },
        },
      },
    });
    expect(await asIs.received(1)).toEqual([value('AS_IS', '2025-12-31')]);
    expect(await asWas.received(1)).toEqual([value('AS_WAS', null)]);
    // Neither got the other's event: a last AS_WAS-only change arrives next, and nothing before it on AS_IS.
    await upsertDossiers(store.db, [received('e4', C2, '2025-06-01')]);
    const next = await indicatorChanges(store.db, 'ONE_STOP_SHOP', logger);
    for (const event of await appendLiveEvents(
      store.db,
      next.filter((d) => d.kind === 'INDICATOR_CHANGED' && !('hierarchyDate' in d.payload)),
    )) {
      hub.pubsub.publish(LIVE_TOPIC, event);
    }
    const asWasNow = await asWas.received(2);
    expect(asWasNow[1]).toMatchObject({ data: { indicatorChanged: { previousValue: 3, value: { numerator: 4 } } } });
    expect(asIs.results).toHaveLength(1);
  });

  it('refuses a hierarchyDate with AS_WAS', async () => {
    const refused = sseSubscribe(url, SUBSCRIPTION, { hierarchyDate: '2025-12-31' });
    open.push(refused);
    const [answer] = await refused.received(1);
    expect(answer?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'hierarchyDate' });
  });
});
