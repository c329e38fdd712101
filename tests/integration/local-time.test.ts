/**
 * Local-time edges through the whole intake: upstream times are Vietnam time
 * without a zone, the store keeps UTC instants, and periods are counted in
 * Vietnam time again. The edge cases: a dossier finished at 23:59 on its due
 * date is on time (one finished at 00:01 the next day is late), and one
 * received at 00:05 on the 15th belongs to the next reporting month under
 * Decree 09/2019, although in UTC it is still the 14th.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { DossierFeedKey, MockWorld } from '../../connectors/mock/world.ts';
import { STATUS, type DossierWire } from '../../connectors/one-stop-shop/contract.ts';
import { createFakeWorld } from '../support/fake-world.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig } from '../support/sync-rig.ts';

/** The fake world's dossiers plus the edge cases, in feed order. */
function withEdgeDossiers(world: MockWorld, edges: DossierWire[]): MockWorld {
  return {
    ...world,
    now: () => world.now(),
    advance: (ms) => world.advance(ms),
    dossiers(updatedFrom, after: DossierFeedKey | null, limit) {
      const all = [...world.dossiers(null, null, Number.MAX_SAFE_INTEGER).records, ...edges]
        .filter((d) => updatedFrom === null || d.NgayCapNhat >= updatedFrom)
        .filter(
          (d) =>
            after === null ||
            d.NgayCapNhat > after.updatedAt ||
            (d.NgayCapNhat === after.updatedAt && d.MaHoSo > after.code),
        )
        .sort((a, b) => a.NgayCapNhat.localeCompare(b.NgayCapNhat) || a.MaHoSo.localeCompare(b.MaHoSo));
      return { records: all.slice(0, limit), more: all.length > limit };
    },
  };
}

describe.each(testBackends)('local-time edges on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let template: DossierWire;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const fake = createFakeWorld();
    template = fake.dossiers(null, null, 1).records[0]!;
    const finishedLastMinute: DossierWire = {
      ...template,
      MaHoSo: 'EDGE-ON-TIME',
      NgayTiepNhan: '20240610090000',
      NgayHenTra: '20240613170000',
      NgayKetThucXuLy: '20240613235900',
      NgayTra: '',
      TrangThaiHoSo: STATUS.PROCESSED,
      NgayCapNhat: '20240613235900',
    };
    const finishedJustAfter: DossierWire = {
      ...finishedLastMinute,
      MaHoSo: 'EDGE-LATE',
      NgayKetThucXuLy: '20240614000100',
      NgayCapNhat: '20240614000100',
    };
    const receivedOnThe15th: DossierWire = {
      ...template,
      MaHoSo: 'EDGE-15TH',
      NgayTiepNhan: '20240615000500',
      NgayHenTra: '20240618170000',
      NgayKetThucXuLy: '',
      NgayTra: '',
      TrangThaiHoSo: STATUS.RECEIVED,
      NgayCapNhat: '20240615000500',
    };
    const receivedOnThe14th: DossierWire = {
      ...receivedOnThe15th,
      MaHoSo: 'EDGE-14TH',
      NgayTiepNhan: '20240614235500',
      NgayCapNhat: '20240614235500',
    };
    const world = withEdgeDossiers(fake, [finishedLastMinute, finishedJustAfter, receivedOnThe15th, receivedOnThe14th]);
    mocks = await startMocks(world);
    const rig = syncRig(store.db, world, mocks);
    const results = await rig.engine.runAll({ trigger: 'COMMAND' });
    await rig.close();
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
  });
  afterAll(async () => {
    await mocks?.close();
    await store?.dispose();
  });

  const edge = (code: string) =>
    store.db
      .query<{ finishedAt: Date | null; outcome: string | null; receivedAt: Date; month: string; day: string }>(
        `SELECT finished_at AS "finishedAt", finish_outcome AS outcome, received_at AS "receivedAt",
                reporting_month(received_at)::text AS month, vn_day(received_at)::text AS day
           FROM dossiers WHERE code = $1`,
        [code],
      )
      .then((rows) => rows[0]!);

  it('a dossier finished at 23:59 local on its due date is on time; one minute past midnight is late', async () => {
    const onTime = await edge('EDGE-ON-TIME');
    expect(onTime.finishedAt?.toISOString()).toBe('2024-06-13T16:59:00.000Z');
    expect(onTime.outcome).toBe('ON_TIME');
    expect((await edge('EDGE-LATE')).outcome).toBe('LATE');
  });

  it('a dossier received at 00:05 local on the 15th falls into the next reporting month', async () => {
    const on15th = await edge('EDGE-15TH');
    // Still the 14th in UTC: a period counted in UTC would put it in June.
    expect(on15th.receivedAt.toISOString()).toBe('2024-06-14T17:05:00.000Z');
    expect(on15th.day).toBe('2024-06-15');
    expect(on15th.month).toBe('2024-07-01');
    expect((await edge('EDGE-14TH')).month).toBe('2024-06-01');
  });
});
