/**
 * The subscription fields: what each one delivers of the live events (by
 * unit, subtree, period, indicator code, kind), what it builds from an
 * event's payload, the watches it keeps registered while it lasts, and who
 * may subscribe (the subscribe scope, the data's scope, the unit subtree).
 *
 * Events are logged and published by hand, with values stated here, so each
 * expected answer follows from them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../gateway/server.ts';
import {
  appendLiveEvents,
  LIVE_TOPIC,
  type IndicatorChangedPayload,
  type LiveEvent,
  type LiveEventDraft,
} from '../../store/live-events.ts';
import { activeLiveWatches } from '../../store/live-watches.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import type { Dossier } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { testViewer, tokenTable, startHubOnLoopback } from '../support/hub.ts';
import { sseSubscribe, until, type LiveSubscription } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const PROVINCE = '000.00.00.H06';
const YEN_THE = '000.00.12.H06';
const CAU_GO = '001.12.00.H06'; // Thị trấn Cầu Gồ, in Yên Thế
const TAN_YEN = '000.00.13.H06';
const NHA_NAM = '002.13.00.H06'; // Thị trấn Nhã Nam, in Tân Yên

const INDICATOR_CHANGED = `subscription ($unitCode: String!, $codes: [String!], $period: String) {
  indicatorChanged(unitCode: $unitCode, codes: $codes, period: $period) {
    eventId previousValue
    value { code name unit period convention firstDay lastDay unitCode numerator denominator factor value
            parts { code name nameEn value } }
  }
}`;
const ALERTS = `subscription ($unitCode: String!) {
  alerts(unitCode: $unitCode) {
    eventId kind severity unitCode unit { name } subject messageVi messageEn values { name number text }
  }
}`;
const DOSSIER_EVENTS = `subscription ($unitCode: String!) { dossierEvents(unitCode: $unitCode) { eventId dossierCode } }`;
const SOURCE_STATUS = `subscription { sourceStatusChanged { eventId source status previousStatus lastSuccessAt error } }`;

const indicator = (payload: Partial<IndicatorChangedPayload> & Pick<IndicatorChangedPayload, 'indicatorCode'>) =>
  ({
    kind: 'INDICATOR_CHANGED',
    unitCode: payload.unitCode ?? YEN_THE,
    payload: {
      unitCode: YEN_THE,
      unitLevel: 'DISTRICT',
      period: '2024',
      convention: 'CALENDAR',
      numerator: 45,
      denominator: 50,
      value: 90,
      parts: [],
      computedAt: '2024-06-15T03:00:00.000Z',
      previousValue: 88,
      ...payload,
    },
  }) satisfies LiveEventDraft;

const alert = (unitCode: string | null, subject: string): LiveEventDraft => ({
  kind: 'ALERT',
  unitCode,
  payload: {
    kind: unitCode ? 'DOSSIER_OVERDUE' : 'SOURCE_STALE',
    severity: unitCode ? 'WARNING' : 'CRITICAL',
    unitCode,
    messageVi: `Cảnh báo ${subject}`,
    messageEn: `Alert ${subject}`,
    values: [
      { name: 'overdue days', value: 3 },
      { name: 'due', value: '2024-06-12' },
    ],
    subject,
  },
});

const watches = async (store: TestStore) =>
  (await activeLiveWatches(store.db)).map((w) => `${w.unitCode} ${w.period}`).sort();

describe.each(testBackends)('subscription fields on %s', (backend) => {
  let store: TestStore;
  let hub: Hub;
  let url: string;
  const open: LiveSubscription[] = [];

  const subscribe = (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const subscription = sseSubscribe(url, query, variables, token ? { token } : {});
    open.push(subscription);
    return subscription;
  };
  async function produce(...drafts: LiveEventDraft[]): Promise<LiveEvent[]> {
    const events = await appendLiveEvents(store.db, drafts);
    for (const event of events) hub.pubsub.publish(LIVE_TOPIC, event);
    return events;
  }
  const subscribers = (n: number) => until(() => hub.live.size === n, `${n} live subscribers`);
  async function closeAll() {
    for (const subscription of open.splice(0)) subscription.close();
    await subscribers(0);
  }

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    ({ hub, url } = await startHubOnLoopback(store.db, {
      authenticate: tokenTable({
        'no-subscribe': testViewer('no-subscribe', ['read:aggregates', 'read:dossiers']),
        'no-dossiers': testViewer('no-dossiers', ['subscribe', 'read:aggregates']),
        'yen-the': testViewer('yen-the', ['subscribe', 'read:aggregates', 'read:dossiers'], YEN_THE),
      }),
    }));
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('indicatorChanged: the exact unit, period and codes; the value built from the event; watches kept meanwhile', async () => {
    const onTime = subscribe(INDICATOR_CHANGED, { unitCode: YEN_THE, codes: ['ON_TIME_RATE'], period: '2024' });
    const all = subscribe(INDICATOR_CHANGED, { unitCode: YEN_THE, period: '2024' });
    const nextYear = subscribe(INDICATOR_CHANGED, { unitCode: YEN_THE, period: '2025' });
    const commune = subscribe(INDICATOR_CHANGED, { unitCode: CAU_GO, period: '2024' });
    const thisYear = subscribe(INDICATOR_CHANGED, { unitCode: PROVINCE });
    await subscribers(5);
    // Vietnam is UTC+7 all year: the current year there, written out by hand.
    const vietnamYear = String(new Date(Date.now() + 7 * 3_600_000).getUTCFullYear());
    // One watch per (unit, period), however many subscribers share it; a subscription listens before its
    // watch is stored (so it misses nothing), so the watches follow within moments.
    await expect
      .poll(() => watches(store))
      .toEqual([`${YEN_THE} 2024`, `${YEN_THE} 2025`, `${CAU_GO} 2024`, `${PROVINCE} ${vietnamYear}`].sort());

    const events = await produce(
      indicator({ indicatorCode: 'ON_TIME_RATE' }),
      indicator({
        indicatorCode: 'DOSSIER_RECEIVED',
        numerator: 6,
        denominator: null,
        value: 6,
        previousValue: null,
        parts: [
          { code: 'ONLINE', value: 3 },
          { code: 'IN_PERSON', value: 2 },
          { code: 'POSTAL', value: 0 },
          { code: 'CARRIED_OVER', value: 1 },
        ],
      }),
      indicator({ indicatorCode: 'ON_TIME_RATE', period: '2025', value: 70, numerator: 7, denominator: 10 }),
      indicator({ indicatorCode: 'ON_TIME_RATE', unitCode: CAU_GO, unitLevel: 'COMMUNE' }),
      // The reporting convention's 2024 is not the calendar year the subscription names.
      indicator({ indicatorCode: 'ON_TIME_RATE', convention: 'REPORTING' }),
      indicator({ indicatorCode: 'ON_TIME_RATE', value: 92, numerator: 46, previousValue: 90 }),
    );
    const [onTimeChange, received, , , , sentinel] = events;

    const onTimeValue = {
      code: 'ON_TIME_RATE',
      name: 'Tỷ lệ hồ sơ giải quyết đúng hạn',
      unit: 'PERCENT',
      period: '2024',
      convention: 'CALENDAR',
      firstDay: '2024-01-01',
      lastDay: '2024-12-31',
      unitCode: YEN_THE,
      numerator: 45,
      denominator: 50,
      factor: 100,
      value: 90,
      parts: [],
    };
    const change = (event: LiveEvent, previousValue: number | null, value: object) => ({
      data: { indicatorChanged: { eventId: event.id, previousValue, value } },
    });
    const first = change(onTimeChange!, 88, onTimeValue);
    const last = change(sentinel!, 90, { ...onTimeValue, numerator: 46, value: 92 });
    expect(await onTime.received(2)).toEqual([first, last]);
    expect(await all.received(3)).toEqual([
      first,
      change(received!, null, {
        code: 'DOSSIER_RECEIVED',
        name: 'Hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang)',
        unit: 'DOSSIERS',
        period: '2024',
        convention: 'CALENDAR',
        firstDay: '2024-01-01',
        lastDay: '2024-12-31',
        unitCode: YEN_THE,
        numerator: 6,
        denominator: null,
        factor: 1,
        value: 6,
        parts: [
          { code: 'ONLINE', name: 'Trực tuyến', nameEn: 'Online', value: 3 },
          { code: 'IN_PERSON', name: 'Trực tiếp', nameEn: 'In person', value: 2 },
          { code: 'POSTAL', name: 'Qua dịch vụ bưu chính công ích', nameEn: 'By public postal service', value: 0 },
          { code: 'CARRIED_OVER', name: 'Từ kỳ trước chuyển qua', nameEn: 'Carried over', value: 1 },
        ],
      }),
      last,
    ]);
    expect((await nextYear.received(1)).map((r) => r.data.indicatorChanged.value.value)).toEqual([70]);
    expect((await commune.received(1)).map((r) => r.data.indicatorChanged.value.unitCode)).toEqual([CAU_GO]);
    // Nothing else reached them: the sentinel was the last event and the counts are exact.
    expect([onTime, all, nextYear, commune, thisYear].map((s) => s.results.length)).toEqual([2, 3, 1, 1, 0]);

    // A shared watch stays while one of its subscribers does.
    onTime.close();
    await subscribers(4);
    expect(await watches(store)).toContain(`${YEN_THE} 2024`);
    await closeAll();
    await until(async () => (await watches(store)).length === 0, 'the watches dropped');
  });

  it('indicatorChanged refuses unknown codes, malformed periods and unknown units before subscribing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ unitCode: YEN_THE, codes: ['ON_TIME_RATE', 'NO_SUCH'] }, 'codes'],
      [{ unitCode: YEN_THE, period: '2024-Q5' }, 'period'],
      [{ unitCode: '999.99.99.H06', period: '2024' }, 'unitCode'],
    ];
    for (const [variables, argument] of cases) {
      const [result] = await subscribe(INDICATOR_CHANGED, variables).received(1);
      expect(result!.errors![0]!.extensions, argument).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    expect(hub.live.size).toBe(0);
    await expect.poll(() => watches(store)).toEqual([]);
    await closeAll();
  });

  it('alerts: the subtree’s and the province-wide ones, with their messages and values', async () => {
    const yenThe = subscribe(ALERTS, { unitCode: YEN_THE });
    const tanYen = subscribe(ALERTS, { unitCode: TAN_YEN });
    await subscribers(2);
    const [atCauGo, provinceWide, atNhaNam] = await produce(
      alert(CAU_GO, 'HS-1'),
      alert(null, 'BUDGET'),
      alert(NHA_NAM, 'HS-2'),
    );
    const values = [
      { name: 'overdue days', number: 3, text: null },
      { name: 'due', number: null, text: '2024-06-12' },
    ];
    const expected = (event: LiveEvent, unitCode: string | null, unitName: string | null, subject: string) => ({
      data: {
        alerts: {
          eventId: event.id,
          kind: unitCode ? 'DOSSIER_OVERDUE' : 'SOURCE_STALE',
          severity: unitCode ? 'WARNING' : 'CRITICAL',
          unitCode,
          unit: unitName ? { name: unitName } : null,
          subject,
          messageVi: `Cảnh báo ${subject}`,
          messageEn: `Alert ${subject}`,
          values,
        },
      },
    });
    const stale = expected(provinceWide!, null, null, 'BUDGET');
    expect(await yenThe.received(2)).toEqual([expected(atCauGo!, CAU_GO, 'Thị trấn Cầu Gồ', 'HS-1'), stale]);
    expect(await tanYen.received(2)).toEqual([stale, expected(atNhaNam!, NHA_NAM, 'Thị trấn Nhã Nam', 'HS-2')]);
    await closeAll();
  });

  it('sourceStatusChanged: every source status change', async () => {
    const subscription = subscribe(SOURCE_STATUS);
    await subscribers(1);
    const [event] = await produce({
      kind: 'SOURCE_STATUS',
      unitCode: null,
      payload: {
        source: 'ONE_STOP_SHOP',
        status: 'FAILING',
        previousStatus: 'FRESH',
        lastSuccessAt: '2024-06-15T02:00:00.000Z',
        error: 'upstream answered 503',
      },
    });
    expect(await subscription.received(1)).toEqual([
      {
        data: {
          sourceStatusChanged: {
            eventId: event!.id,
            source: 'ONE_STOP_SHOP',
            status: 'FAILING',
            previousStatus: 'FRESH',
            lastSuccessAt: '2024-06-15T02:00:00.000Z',
            error: 'upstream answered 503',
          },
        },
      },
    ]);
    await closeAll();
  });

  it('needs the subscribe scope, the data’s scope and the unit inside the consumer’s subtree', async () => {
    const refused = async (query: string, variables: Record<string, unknown>, token: string) => {
      const [result] = await subscribe(query, variables, token).received(1);
      return {
        data: result!.data ?? null,
        code: result!.errors?.[0]?.extensions?.code,
        message: result!.errors?.[0]?.message,
      };
    };
    const noSubscribe = await refused(INDICATOR_CHANGED, { unitCode: YEN_THE }, 'no-subscribe');
    expect(noSubscribe).toMatchObject({ data: null, code: 'FORBIDDEN' });
    expect(noSubscribe.message).toContain('subscribe');
    const noDossiers = await refused(DOSSIER_EVENTS, { unitCode: YEN_THE }, 'no-dossiers');
    expect(noDossiers).toMatchObject({ data: null, code: 'FORBIDDEN' });
    expect(noDossiers.message).toContain('read:dossiers');
    const outside = await refused(DOSSIER_EVENTS, { unitCode: TAN_YEN }, 'yen-the');
    expect(outside).toMatchObject({ data: null, code: 'BAD_USER_INPUT' });
    expect(outside.message).toContain(TAN_YEN);
    expect(hub.live.size).toBe(0);

    // The same consumers where they may: a district consumer in its own subtree, an aggregates one on indicators.
    const inside = subscribe(DOSSIER_EVENTS, { unitCode: CAU_GO }, 'yen-the');
    const aggregates = subscribe(ALERTS, { unitCode: YEN_THE }, 'no-dossiers');
    const dossiers = subscribe(ALERTS, { unitCode: YEN_THE }, 'yen-the');
    await subscribers(3);
    const [dossierEvent, overdueAlert, staleAlert] = await produce(
      { kind: 'DOSSIER', unitCode: CAU_GO, payload: { kind: 'RECEIVED', dossierCode: 'HS-9', unitCode: CAU_GO } },
      alert(CAU_GO, 'HS-9'),
      alert(null, 'BUDGET'),
    );
    expect(await inside.received(1)).toEqual([
      { data: { dossierEvents: { eventId: dossierEvent!.id, dossierCode: 'HS-9' } } },
    ]);
    // A DOSSIER_OVERDUE alert names the dossier: read:aggregates alone gets only the other alerts.
    expect((await dossiers.received(2)).map((r) => r.data.alerts.eventId)).toEqual([overdueAlert!.id, staleAlert!.id]);
    expect((await aggregates.received(1)).map((r) => r.data.alerts.eventId)).toEqual([staleAlert!.id]);
    expect(aggregates.results).toHaveLength(1);
    await closeAll();
  });

  it('DossierEvent.dossier reads the dossier as of each event, not as cached at the first one', async () => {
    await upsertProcedures(store.db, [
      {
        code: 'TT-KS',
        name: 'Đăng ký khai sinh',
        fieldCode: 'G09-HT',
        fieldName: 'Hộ tịch',
        levels: ['COMMUNE'],
        onlineService: 'FULL_PROCESS',
        hasFee: false,
      },
    ]);
    const receivedAt = new Date('2024-06-10T02:00:00.000Z');
    const dossier = (status: 'RECEIVED' | 'PROCESSED', finishedAt: Date | null, sourceUpdatedAt: Date): Dossier => ({
      code: 'HS-LIVE-1',
      procedureCode: 'TT-KS',
      unitCode: CAU_GO,
      channel: 'ONLINE',
      status,
      applicantName: null,
      applicantPhone: null,
      receivedAt,
      dueAt: new Date('2024-06-15T10:00:00.000Z'),
      finishedAt,
      returnedAt: null,
      fullProcessOnline: true,
      hasFee: false,
      onlinePayment: null,
      digitised: false,
      electronicResult: false,
      sourceUpdatedAt,
    });
    await upsertDossiers(store.db, [dossier('RECEIVED', null, receivedAt)]);
    const query = `subscription ($unitCode: String!) {
      dossierEvents(unitCode: $unitCode) { eventId kind dossier { code status finishedAt } }
    }`;
    const subscription = subscribe(query, { unitCode: YEN_THE }, 'yen-the');
    await subscribers(1);
    const event = (kind: 'RECEIVED' | 'RESOLVED'): LiveEventDraft => ({
      kind: 'DOSSIER',
      unitCode: CAU_GO,
      payload: { kind, dossierCode: 'HS-LIVE-1', unitCode: CAU_GO },
    });
    const [received] = await produce(event('RECEIVED'));
    await subscription.received(1);
    const finishedAt = new Date('2024-06-12T03:00:00.000Z');
    await upsertDossiers(store.db, [dossier('PROCESSED', finishedAt, finishedAt)]);
    const [resolved] = await produce(event('RESOLVED'));
    expect(await subscription.received(2)).toEqual([
      {
        data: {
          dossierEvents: {
            eventId: received!.id,
            kind: 'RECEIVED',
            dossier: { code: 'HS-LIVE-1', status: 'RECEIVED', finishedAt: null },
          },
        },
      },
      {
        data: {
          dossierEvents: {
            eventId: resolved!.id,
            kind: 'RESOLVED',
            dossier: { code: 'HS-LIVE-1', status: 'PROCESSED', finishedAt: finishedAt.toISOString() },
          },
        },
      },
    ]);
    await closeAll();
  });
});
