/**
 * The live producer end to end: mock upstreams on real sockets, the real
 * connectors and sync engine, the store on PGlite and (with
 * TEST_DATABASE_URL) PostgreSQL, and the producer attached to the engine as
 * gateway/main.ts attaches it. The one-stop-shop serves dossiers this file
 * states one by one, so every published value is worked out by hand below;
 * the cadre database is the small hand-made province of fake-world.ts.
 *
 * The steps run in order and build on each other (one store per backend).
 */
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { STATUS, type DossierWire } from '../../connectors/one-stop-shop/contract.ts';
import { formatCompactLocal, formatIsoLocal } from '../../connectors/common/wire.ts';
import { circuitsOf, createLiveProducer, type LiveProducer } from '../../live/producer.ts';
import { createSyncEngine, type SyncEngine } from '../../connectors/sync/engine.ts';
import { createUpstreams, type Upstreams } from '../../connectors/sync/upstreams.ts';
import type { Db } from '../../store/db.ts';
import { upsertTargets } from '../../store/indicators/targets.ts';
import {
  liveEventsAfter,
  liveEventsLostAfter,
  oldestLiveEventId,
  pruneLiveEvents,
  type AlertPayload,
  type IndicatorChangedPayload,
  type LiveEvent,
} from '../../store/live-events.ts';
import { dropLiveWatches, touchLiveWatches } from '../../store/live-watches.ts';
import { createFakeWorld, FAKE_WORLD_START } from '../support/fake-world.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { mockUrls, startMocks, TEST_CLIENT } from '../support/sync-rig.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Units of fake-world.ts: the province, a district and two of its communes.
const PROVINCE = '000.00.00.H40';
const YEN_THE = '000.00.12.H40';
const TAN_SOI = '000.12.01.H40';
const DONG_LAC = '000.12.02.H40';
/** A public service unit of Tân Yên with two serving staff (fake-world staff 11 and 23), dissolved in step 6. */
const KHUYEN_NONG = '000.24.00.H40';
/** "Công nhận báo cáo viên pháp luật": no online service, no fee, so only the counts and on-time rate move. */
const PROCEDURE = '2.001824';
const PROCEDURE_NAME = 'Công nhận báo cáo viên pháp luật';
const INSTANCE = 'live-test';

/**
 * The fake province with a one-stop-shop whose dossiers the test adds, no
 * budget data (so no budget indicator has a value) and units the test may
 * dissolve. Every record the test adds or changes is stamped with the clock
 * (NgayCapNhat), so the next incremental pass reads it.
 */
function liveWorld() {
  const base = createFakeWorld();
  let now = FAKE_WORLD_START;
  const dossiers: DossierWire[] = [];
  const dissolved = new Map<string, { on: string; at: string }>();
  const world: MockWorld = {
    seed: 0,
    scale: 'live-test',
    now: () => new Date(now),
    advance(ms) {
      now += ms;
      return new Date(now);
    },
    procedures: () => base.procedures(),
    dossiers(updatedFrom, after, limit) {
      const feed = dossiers
        .filter((d) => updatedFrom === null || d.NgayCapNhat >= updatedFrom)
        .filter(
          (d) =>
            after === null ||
            d.NgayCapNhat > after.updatedAt ||
            (d.NgayCapNhat === after.updatedAt && d.MaHoSo > after.code),
        )
        .sort((a, b) => a.NgayCapNhat.localeCompare(b.NgayCapNhat) || a.MaHoSo.localeCompare(b.MaHoSo))
        .map((d) => ({ ...d }));
      return { records: feed.slice(0, limit), more: feed.length > limit };
    },
    units: (since) =>
      base
        .units(null)
        .map((u) => {
          const change = dissolved.get(u.maDinhDanh);
          return change ? { ...u, hieuLucDen: change.on, ngayCapNhat: change.at } : u;
        })
        .filter((u) => since === null || u.ngayCapNhat >= since)
        .sort((a, b) => a.ngayCapNhat.localeCompare(b.ngayCapNhat) || a.maDinhDanh.localeCompare(b.maDinhDanh)),
    staff: (since) => base.staff(since),
    psuFinance: () => [],
    budgetExecution: () => [],
    publicInvestment: () => [],
  };

  /** A dossier of the test's procedure, in person, without fee, digitisation or electronic result. */
  function add(
    code: string,
    unit: string,
    received: number,
    { due = received + 3 * DAY, finished = null as number | null } = {},
  ): DossierWire {
    const d: DossierWire = {
      MaHoSo: code,
      MaTTHC: PROCEDURE,
      MaDonVi: unit,
      KenhThucHien: 1,
      ChuHoSo: 'Nguyễn Văn An',
      SoDienThoai: '0912345678',
      NgayTiepNhan: formatCompactLocal(received),
      NgayHenTra: formatCompactLocal(due),
      NgayKetThucXuLy: finished === null ? '' : formatCompactLocal(finished),
      TrangThaiHoSo: finished === null ? STATUS.RECEIVED : STATUS.PROCESSED,
      ToanTrinh: 0,
      CoPhiLePhi: 0,
      DuocThanhToanTrucTuyen: 0,
      HoSoCoThanhPhanSoHoa: 0,
      KetQuaDienTu: 0,
      NgayCapNhat: formatCompactLocal(now),
    };
    dossiers.push(d);
    return d;
  }

  return {
    world,
    add,
    dissolve(unit: string, on: string) {
      dissolved.set(unit, { on, at: formatIsoLocal(now) });
    },
  };
}

const vn = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`).getTime();

const indicatorChanges = (events: readonly LiveEvent[]) =>
  Object.fromEntries(
    events
      .filter((e) => e.kind === 'INDICATOR_CHANGED')
      .map((e) => {
        const p = e.payload as IndicatorChangedPayload;
        return [`${p.unitCode} ${p.indicatorCode}`, [p.previousValue, p.value]];
      }),
  );
const alerts = (events: readonly LiveEvent[]) =>
  events.filter((e) => e.kind === 'ALERT').map((e) => e.payload as AlertPayload);
const dossierEvents = (events: readonly LiveEvent[]) =>
  events
    .filter((e) => e.kind === 'DOSSIER')
    .map((e) => [(e.payload as { kind: string }).kind, (e.payload as { dossierCode: string }).dossierCode])
    .sort();
const valueOf = (alert: AlertPayload, name: string) => alert.values.find((v) => v.name === name)?.value;

describe.each(testBackends)('live producer on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let upstreams: Upstreams;
  let engine: SyncEngine;
  let producer: LiveProducer;
  let live: ReturnType<typeof liveWorld>;
  /** Moves the producer's wall clock (staleness) without waiting. */
  let wallShift = 0;
  const published: LiveEvent[] = [];
  /** Whether the producer had a transaction open at each publication, and whether another connection saw the row. */
  const publishedInsideTransaction: string[] = [];
  const seenByReaders: Promise<boolean>[] = [];
  let openProducerTransactions = 0;

  /** The events one step publishes. */
  async function step(run: () => Promise<unknown>): Promise<LiveEvent[]> {
    const mark = published.length;
    await run();
    await producer.idle();
    return published.slice(mark);
  }
  const sync = (source: 'ONE_STOP_SHOP' | 'CADRE_DB' | 'BUDGET') => engine.run(source, { trigger: 'COMMAND' });

  beforeAll(async () => {
    store = await openTestStore(backend);
    live = liveWorld();
    mocks = await startMocks(live.world);
    upstreams = createUpstreams(mockUrls(mocks), {
      // A breaker that opens on the 10th failed attempt in a row: the budget's first failing pass (6 attempts)
      // leaves it closed, its second opens it.
      client: { ...TEST_CLIENT, maxAttempts: 6, breakerThreshold: 10, registry: new Registry() },
      now: () => live.world.now(),
    });
    // The producer's own store handle counts its open transactions, to show it never publishes inside one.
    const db: Db = store.db;
    const producerDb: Db = {
      ...db,
      backend: db.backend,
      query: db.query,
      exec: db.exec,
      tryLock: db.tryLock,
      close: db.close,
      async transaction(work) {
        openProducerTransactions++;
        try {
          return await db.transaction(work);
        } finally {
          openProducerTransactions--;
        }
      },
    };
    producer = createLiveProducer({
      db: producerDb,
      logger: pino({ level: 'silent' }),
      publish(event) {
        if (openProducerTransactions > 0) publishedInsideTransaction.push(event.id);
        published.push(event);
        // Another connection (on PostgreSQL) reads the row at once.
        seenByReaders.push(
          store.db.query('SELECT 1 FROM live_events WHERE id = $1', [event.id]).then((rows) => rows.length === 1),
        );
      },
      now: () => live.world.now(),
      wallClock: () => new Date(Date.now() + wallShift),
      retentionHours: 24,
      staleAfterMinutes: 60,
      circuit: circuitsOf(upstreams),
      tickMs: 0,
    });
    engine = createSyncEngine({
      db: store.db,
      connectors: upstreams.connectors,
      logger: pino({ level: 'silent' }),
      instance: INSTANCE,
      observers: [producer.syncObserver],
    });
    producer.start();
  });
  afterAll(async () => {
    await engine?.stop();
    await producer?.stop();
    await upstreams?.close();
    await mocks?.close();
    await store?.dispose();
  });

  it('1. a first sync tells each source FRESH, and nothing of dossiers received before the retention window', async () => {
    // Four dossiers of Tân Sỏi and one of Đồng Lạc, received on 1 June and resolved early on 3 June: two weeks
    // before the clock (15 June 10:00), so history, not news.
    for (const [i, unit] of [TAN_SOI, TAN_SOI, TAN_SOI, TAN_SOI, DONG_LAC].entries()) {
      live.add(`LIVE-0${i + 1}`, unit, vn('2024-06-01 09:00'), { finished: vn('2024-06-03 09:00') });
    }
    const events = await step(() => engine.runAll({ trigger: 'COMMAND' }));
    expect(events.map((e) => [e.kind, (e.payload as { source?: string }).source, (e.payload as any).status])).toEqual([
      ['SOURCE_STATUS', 'CADRE_DB', 'FRESH'],
      ['SOURCE_STATUS', 'ONE_STOP_SHOP', 'FRESH'],
      ['SOURCE_STATUS', 'BUDGET', 'FRESH'],
    ]);
    expect(events.every((e) => e.unitPath.length === 0)).toBe(true);
    expect(events[0]!.payload).toMatchObject({ previousStatus: null, error: null });
  });

  it('2. after a sync, exactly the watched unit’s changed indicators are published, with before and after', async () => {
    await touchLiveWatches(store.db, INSTANCE, [{ unitCode: TAN_SOI, period: '2024' }], 3600);
    live.world.advance(10 * MINUTE);
    const at = live.world.now().getTime();
    live.add('LIVE-06', TAN_SOI, at - HOUR);
    live.add('LIVE-07', DONG_LAC, at - HOUR);
    const events = await step(() => sync('ONE_STOP_SHOP'));

    // Tân Sỏi in 2024, by hand: 4 received and resolved early, now 5 received, 1 of them pending.
    // Unchanged: resolved 4, on time 4/4 = 100 %, online 0/5 = 0 %, digitised 0 %, electronic results 0/4 = 0 %,
    // full-process and payment rates without a denominator (null), per civil servant null (Tân Sỏi has none).
    expect(indicatorChanges(events)).toEqual({
      [`${TAN_SOI} DOSSIER_RECEIVED`]: [4, 5],
      [`${TAN_SOI} DOSSIER_PENDING`]: [0, 1],
    });
    const received = events.find(
      (e) => e.kind === 'INDICATOR_CHANGED' && e.payload.indicatorCode === 'DOSSIER_RECEIVED',
    )!;
    expect(received.payload).toMatchObject({
      unitCode: TAN_SOI,
      unitLevel: 'COMMUNE',
      period: '2024',
      convention: 'CALENDAR',
      numerator: 5,
      denominator: null,
      value: 5,
      parts: [
        { code: 'ONLINE', value: 0 },
        { code: 'IN_PERSON', value: 5 },
        { code: 'POSTAL', value: 0 },
        { code: 'CARRIED_OVER', value: 0 },
      ],
    });
    expect(received.unitPath).toEqual([TAN_SOI, YEN_THE, PROVINCE]);
    // Dossier events for every unit, watched or not; nothing else (no target crossed, nothing overdue).
    expect(dossierEvents(events)).toEqual([
      ['RECEIVED', 'LIVE-06'],
      ['RECEIVED', 'LIVE-07'],
    ]);
    expect(alerts(events)).toEqual([]);
    expect(events.filter((e) => e.kind === 'SOURCE_STATUS')).toEqual([]);
  });

  it('3. a value falling below its target yields the change and a TARGET_MISSED alert', async () => {
    live.world.advance(10 * MINUTE);
    // Received 10 June, due 12 June, resolved this morning: late.
    live.add('LIVE-08', TAN_SOI, vn('2024-06-10 09:00'), {
      due: vn('2024-06-12 09:00'),
      finished: vn('2024-06-15 08:00'),
    });
    const events = await step(() => sync('ONE_STOP_SHOP'));
    // On time 4/5 = 80 % (was 4/4); the catalog's default target is 98.5 %: missed by 18.5 points, more than a
    // tenth of the target (9.85), so CRITICAL.
    expect(indicatorChanges(events)).toEqual({
      [`${TAN_SOI} DOSSIER_RECEIVED`]: [5, 6],
      [`${TAN_SOI} DOSSIER_RESOLVED`]: [4, 5],
      [`${TAN_SOI} ON_TIME_RATE`]: [100, 80],
    });
    const [alert, ...more] = alerts(events);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      kind: 'INDICATOR_TARGET_MISSED',
      severity: 'CRITICAL',
      unitCode: TAN_SOI,
      subject: 'ON_TIME_RATE',
      messageVi: 'Tỷ lệ hồ sơ giải quyết đúng hạn của UBND xã Tân Sỏi (2024) giảm xuống 80%, dưới chỉ tiêu 98,5%',
      messageEn: 'On-time rate of UBND xã Tân Sỏi (2024) fell to 80%, below the 98.5% target',
    });
    expect(alert!.messageVi).toBe(alert!.messageVi.normalize('NFC'));
    expect(Object.fromEntries(alert!.values.map((v) => [v.name, v.value]))).toEqual({
      value: 80,
      'previous value': 100,
      target: 98.5,
      gap: 80 - 98.5,
      numerator: 4,
      denominator: 5,
      period: '2024',
      'target source': 'DEFAULT',
    });
    // Resolved this morning: news; received five days ago: history.
    expect(dossierEvents(events)).toEqual([['RESOLVED', 'LIVE-08']]);
  });

  it('4. a value rising back to its (ancestor’s stored) target yields TARGET_MET; a change on one side, none', async () => {
    await upsertTargets(
      store.db,
      [{ indicatorCode: 'ON_TIME_RATE', unitCode: YEN_THE, year: 2024, target: 85 }],
      'test',
    );
    live.world.advance(10 * MINUTE);
    live.add('LIVE-09', TAN_SOI, vn('2024-06-15 08:00'), { finished: vn('2024-06-15 09:00') });
    let events = await step(() => sync('ONE_STOP_SHOP'));
    // 5/6 = 83.33 %: still below 85 %, so no alert.
    expect(indicatorChanges(events)).toEqual({
      [`${TAN_SOI} DOSSIER_RECEIVED`]: [6, 7],
      [`${TAN_SOI} DOSSIER_RESOLVED`]: [5, 6],
      [`${TAN_SOI} ON_TIME_RATE`]: [80, 500 / 6],
    });
    expect(alerts(events)).toEqual([]);

    live.world.advance(10 * MINUTE);
    live.add('LIVE-10', TAN_SOI, vn('2024-06-15 08:30'), { finished: vn('2024-06-15 09:30') });
    events = await step(() => sync('ONE_STOP_SHOP'));
    // 6/7 = 85.71 %: meets 85 %.
    expect(indicatorChanges(events)[`${TAN_SOI} ON_TIME_RATE`]).toEqual([500 / 6, 600 / 7]);
    const [alert, ...more] = alerts(events);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      kind: 'INDICATOR_TARGET_MET',
      severity: 'INFO',
      unitCode: TAN_SOI,
      messageVi: 'Tỷ lệ hồ sơ giải quyết đúng hạn của UBND xã Tân Sỏi (2024) tăng lên 85,71%, đạt chỉ tiêu 85%',
      messageEn: 'On-time rate of UBND xã Tân Sỏi (2024) rose to 85.71%, meeting the 85% target',
    });
    expect(valueOf(alert!, 'target source')).toBe('STORED_FOR_ANCESTOR');
    expect(valueOf(alert!, 'previous value')).toBe(500 / 6);
  });

  it('5. dossiers whose due time passes become OVERDUE once, with an alert carrying due date, days and procedure', async () => {
    // LIVE-06 and LIVE-07 were received at T0 + 10 min − 1 h and are due 3 days later (18 June 09:10); the clock
    // is at T0 + 40 min, and moves on by 3 days and an hour: 2.5 hours past due.
    const due = FAKE_WORLD_START + 10 * MINUTE - HOUR + 3 * DAY;
    live.world.advance(3 * DAY + HOUR);
    const now = live.world.now().getTime();
    expect(now - due).toBe(2.5 * HOUR);
    const events = await step(() => sync('ONE_STOP_SHOP'));
    // Nothing was written: no indicator moves.
    expect(indicatorChanges(events)).toEqual({});
    expect(dossierEvents(events)).toEqual([
      ['OVERDUE', 'LIVE-06'],
      ['OVERDUE', 'LIVE-07'],
    ]);
    const overdue = alerts(events).find((a) => a.subject === 'LIVE-06')!;
    expect(overdue).toMatchObject({
      kind: 'DOSSIER_OVERDUE',
      severity: 'WARNING',
      unitCode: TAN_SOI,
      // Due 18 June 09:10 (Vietnam), 2.5 hours ago: 1 started day.
      messageVi: `Hồ sơ LIVE-06 (${PROCEDURE_NAME}) của UBND xã Tân Sỏi đã quá hạn 1 ngày (hẹn trả 18/06/2024)`,
      messageEn: `Dossier LIVE-06 (${PROCEDURE_NAME}) of UBND xã Tân Sỏi is 1 day overdue (due 2024-06-18)`,
    });
    expect(Object.fromEntries(overdue.values.map((v) => [v.name, v.value]))).toMatchObject({
      'due at': new Date(due).toISOString(),
      'overdue days': 1,
      procedure: PROCEDURE,
      'procedure name': PROCEDURE_NAME,
    });
    // Told once: neither the clock's check nor another pass tells them again.
    expect(await step(() => producer.tick())).toEqual([]);
    expect(await step(() => sync('ONE_STOP_SHOP'))).toEqual([]);
  });

  it('6. a data-quality rule newly violated alerts once', async () => {
    live.world.advance(10 * MINUTE);
    // Tân Yên's agricultural extension station dissolved on 1 June, its two staff still serving.
    live.dissolve(KHUYEN_NONG, '2024-06-01');
    const events = await step(() => sync('CADRE_DB'));
    const [alert, ...more] = alerts(events);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      kind: 'DATA_QUALITY_VIOLATED',
      severity: 'WARNING',
      unitCode: PROVINCE,
      subject: 'STAFF_IN_DISSOLVED_UNIT',
      messageVi:
        'Quy tắc chất lượng dữ liệu “Cán bộ, công chức, viên chức đang công tác tại đơn vị đã giải thể” bị vi phạm 1 lần trong UBND tỉnh Bắc Giang (2024). Ví dụ: 2 người đang công tác tại đơn vị đã giải thể, sáp nhập trước cuối kỳ.',
    });
    expect(Object.fromEntries(alert!.values.map((v) => [v.name, v.value]))).toMatchObject({
      violations: 1,
      'previous violations': 0,
      'sample unit': KHUYEN_NONG,
      'sample left': 2,
      'sample right': 0,
    });
    expect(events.find((e) => e.kind === 'ALERT')!.unitPath).toEqual([PROVINCE]);
    // A cadre pass on a unit whose tree is unchanged: Tân Sỏi's indicators stay; STAFF_COUNT of Tân Sỏi is 2 and
    // was in the baseline, so nothing is told.
    expect(indicatorChanges(events)).toEqual({});

    // Still violated at the next pass that writes: not told again.
    live.world.advance(10 * MINUTE);
    live.dissolve(KHUYEN_NONG, '2024-05-31');
    const again = await step(() => sync('CADRE_DB'));
    expect(alerts(again)).toEqual([]);
  });

  it('7. a failing source: FAILING once, STALE with an alert once, CIRCUIT_OPEN with an alert once, then FRESH', async () => {
    const statuses = (events: LiveEvent[]) =>
      events.map((e) => [e.kind, e.kind === 'ALERT' ? e.payload.kind : (e.payload as { status: string }).status]);
    mocks.faults.budget.add({ fault: 'error-503' });

    // 6 attempts fail: the pass fails, the copy is still fresh enough.
    let events = await step(() => sync('BUDGET'));
    expect(statuses(events)).toEqual([['SOURCE_STATUS', 'FAILING']]);
    expect(events[0]!.payload).toMatchObject({ source: 'BUDGET', previousStatus: 'FRESH' });
    expect((events[0]!.payload as { error: string }).error).toMatch(/HTTP 503/);
    expect(upstreams.circuit('BUDGET')).toBe('CLOSED');

    // An hour and a minute later by the wall clock, without any pass: every source is stale (the clock's check
    // covers them all), the budget from FAILING, the others from FRESH.
    wallShift = 61 * MINUTE;
    events = await step(() => producer.tick());
    expect(statuses(events)).toEqual([
      ['SOURCE_STATUS', 'STALE'],
      ['ALERT', 'SOURCE_STALE'],
      ['SOURCE_STATUS', 'STALE'],
      ['ALERT', 'SOURCE_STALE'],
      ['SOURCE_STATUS', 'STALE'],
      ['ALERT', 'SOURCE_STALE'],
    ]);
    expect(
      events.map((e) => [
        (e.payload as { source?: string; subject?: string }).source ?? (e.payload as AlertPayload).subject,
        (e.payload as { previousStatus?: string }).previousStatus,
      ]),
    ).toEqual([
      ['ONE_STOP_SHOP', 'FRESH'],
      ['ONE_STOP_SHOP', undefined],
      ['CADRE_DB', 'FRESH'],
      ['CADRE_DB', undefined],
      ['BUDGET', 'FAILING'],
      ['BUDGET', undefined],
    ]);
    events = events.slice(4);
    const stale = events[1]!.payload as AlertPayload;
    expect(stale).toMatchObject({ severity: 'CRITICAL', unitCode: null, subject: 'BUDGET' });
    expect(stale.messageEn).toMatch(
      /^Data from the budget system has not been refreshed since .* \(over 60 minutes\)$/,
    );
    expect(stale.messageVi).toMatch(
      /^Dữ liệu từ Hệ thống quản lý ngân sách không được cập nhật từ .* \(quá 60 phút\)$/,
    );
    expect(events[1]!.unitPath).toEqual([]);
    expect(await step(() => producer.tick())).toEqual([]);

    // The next pass's failures open the breaker: told at once (by its listener), and not again at the pass's end.
    events = await step(() => sync('BUDGET'));
    expect(upstreams.circuit('BUDGET')).toBe('OPEN');
    expect(statuses(events)).toEqual([
      ['SOURCE_STATUS', 'CIRCUIT_OPEN'],
      ['ALERT', 'CIRCUIT_OPEN'],
    ]);
    expect(events[0]!.payload).toMatchObject({ previousStatus: 'STALE' });
    expect(await step(() => sync('BUDGET'))).toEqual([]);
    expect(await step(() => producer.tick())).toEqual([]);

    // The upstream recovers; after the half-open delay a pass probes, closes the breaker and succeeds.
    mocks.faults.budget.clear();
    wallShift = 0;
    await new Promise((resolve) => setTimeout(resolve, TEST_CLIENT.breakerHalfOpenAfterMs + 50));
    events = await step(() => sync('BUDGET'));
    expect(statuses(events)).toEqual([['SOURCE_STATUS', 'FRESH']]);
    expect(events[0]!.payload).toMatchObject({ previousStatus: 'CIRCUIT_OPEN', error: null });
  });

  it('8. a unit no longer watched is not evaluated, and loses its baseline', async () => {
    await dropLiveWatches(store.db, INSTANCE);
    live.world.advance(10 * MINUTE);
    live.add('LIVE-11', TAN_SOI, live.world.now().getTime() - MINUTE);
    const events = await step(() => sync('ONE_STOP_SHOP'));
    expect(indicatorChanges(events)).toEqual({});
    expect(dossierEvents(events)).toEqual([['RECEIVED', 'LIVE-11']]);
    const baselines = await store.db.query(`SELECT key FROM live_state WHERE key LIKE 'indicators|%'`);
    expect(baselines).toEqual([]);
  });

  it('9. every event was published after its commit, in id order, and the log returns the missed ones', async () => {
    expect(publishedInsideTransaction).toEqual([]);
    expect(await Promise.all(seenByReaders)).toEqual(published.map(() => true));
    const ids = published.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);

    // The log holds exactly what was published.
    expect(await liveEventsAfter(store.db, { afterId: '0', limit: 10_000 })).toEqual(published);
    // A subscriber that saw the tenth event gets the rest.
    const tenth = published[9]!;
    expect(await liveEventsAfter(store.db, { afterId: tenth.id, limit: 10_000 })).toEqual(published.slice(10));
    // By subtree: Tân Sỏi's events and the province-wide ones; or without the province-wide ones; by kind.
    expect(await liveEventsAfter(store.db, { afterId: '0', unitCode: TAN_SOI, limit: 10_000 })).toEqual(
      published.filter((e) => e.unitPath.includes(TAN_SOI) || e.unitPath.length === 0),
    );
    const yenThe = await liveEventsAfter(store.db, {
      afterId: '0',
      unitCode: YEN_THE,
      provinceWide: false,
      kinds: ['ALERT'],
      limit: 10_000,
    });
    expect(yenThe.map((e) => (e.payload as AlertPayload).subject)).toEqual([
      'ON_TIME_RATE',
      'ON_TIME_RATE',
      'LIVE-06',
      'LIVE-07',
    ]);
    expect(await liveEventsAfter(store.db, { afterId: '0', limit: 3 })).toEqual(published.slice(0, 3));

    // Pruning removes a prefix and remembers it: a subscriber behind it knows it lost events.
    const cut = published[5]!;
    await store.db.query(`UPDATE live_events SET at = at - interval '2 days' WHERE id <= $1`, [cut.id]);
    expect(await pruneLiveEvents(store.db, new Date(Date.now() - DAY))).toBe(6);
    expect(await oldestLiveEventId(store.db)).toBe(published[6]!.id);
    expect(await liveEventsLostAfter(store.db, published[4]!.id)).toBe(true);
    expect(await liveEventsLostAfter(store.db, cut.id)).toBe(false);
    expect(await liveEventsAfter(store.db, { afterId: '0', limit: 10_000 })).toEqual(published.slice(6));
  });
});
