/**
 * Records with flaws through the whole hub: mock upstreams on real sockets
 * serve a hand-built half-year of one commune mixing sound and flawed records
 * (and one that cannot be placed), the sync stores them through the real
 * connectors, and the graph's figures are compared with hand counts. Then a
 * corrected version of a flawed record clears its flaw.
 *
 * The commune Tân Sỏi (000.12.01.H40, in the fake world's district Yên Thế),
 * 2023-H1 (2023-01-01 … 2023-06-30), Vietnam time:
 *
 *   d1  received 02-01, due 02-05, finished 02-03, returned 02-03, status 10      sound        resolved early
 *   d2  received 2022-12-20, due 01-10, finished 01-10, no NgayTra, status 10     flawed       carried over, resolved on time
 *   d3  received 03-01, due 03-02, finished 03-04, no NgayTra, status 10          flawed       resolved late
 *   d4  received 04-01, due 04-05, open (status 4), KenhThucHien 7                flawed       pending, overdue
 *   d5  received 05-10, due 07-10, open (status 4)                                sound        pending within deadline
 *   d6  no NgayTiepNhan                                                            quarantined  counted nowhere
 *
 *   s1  CAN_BO, maNgach "", meets the standard                                    sound (a cadre holds no grade)
 *   s2  CAN_BO, maNgach null, does not meet it                                    sound
 *   s3  CONG_CHUC, maNgach "", meets it                                           flawed (grade-missing)
 *   s4  CONG_CHUC, datChuan "yes"                                                 flawed (invalid-value: stored null)
 *   s5  CONG_CHUC, meets it                                                       sound
 *   s6  VIEN_CHUC (not a commune cadre)                                           sound
 *
 * Besides: Tân Sỏi's own unit record sends bienChe as text (flawed: invalid-value), and the public service unit
 * Trường THPT Yên Thế's 2023 finance row an autonomy group 5 (flawed: invalid-value).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffWire } from '../../connectors/cadre-db/contract.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { STATUS, type DossierWire } from '../../connectors/one-stop-shop/contract.ts';
import { FEED_WRITERS } from '../../connectors/sync/writers.ts';
import { recordFlaws } from '../../store/flaws.ts';
import { createFakeWorld } from '../support/fake-world.ts';
import {
  dossierWire,
  procedureWire,
  psuFinanceWire,
  publicInvestmentWire,
  staffAssignmentWire,
  staffWire,
  unitEventWire,
  unitVersionWire,
  unitWire,
} from '../support/spec-examples.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startMocks, syncRig, type SyncRig } from '../support/sync-rig.ts';

const COMMUNE = '000.12.01.H40';
/** Trường THPT Yên Thế (000.21.00.H40), a public service unit of the fake world. */
const PSU = '000.21.00.H40';
const PSU_BUDGET_CODE = '1045877';

function dossier(code: string, fields: Partial<DossierWire>): DossierWire {
  return {
    MaHoSo: code,
    MaTTHC: '1.001193',
    MaDonVi: COMMUNE,
    KenhThucHien: 1,
    ChuHoSo: 'Nguyễn Văn An',
    SoDienThoai: '0912345678',
    NgayTiepNhan: '',
    NgayHenTra: '',
    NgayKetThucXuLy: '',
    NgayTra: '',
    TrangThaiHoSo: STATUS.PROCESSING,
    ToanTrinh: 0,
    CoPhiLePhi: 0,
    DuocThanhToanTrucTuyen: 0,
    HoSoCoThanhPhanSoHoa: 0,
    KetQuaDienTu: 0,
    NgayCapNhat: '20230701080000',
    ...fields,
  };
}

const DOSSIERS = (): DossierWire[] => [
  dossier('D1', {
    NgayTiepNhan: '20230201090000',
    NgayHenTra: '20230205170000',
    NgayKetThucXuLy: '20230203100000',
    NgayTra: '20230203140000',
    TrangThaiHoSo: STATUS.RETURNED,
  }),
  dossier('D2', {
    NgayTiepNhan: '20221220090000',
    NgayHenTra: '20230110170000',
    NgayKetThucXuLy: '20230110110000',
    TrangThaiHoSo: STATUS.RETURNED,
  }),
  dossier('D3', {
    NgayTiepNhan: '20230301080000',
    NgayHenTra: '20230302170000',
    NgayKetThucXuLy: '20230304090000',
    TrangThaiHoSo: STATUS.RETURNED,
  }),
  dossier('D4', { NgayTiepNhan: '20230401090000', NgayHenTra: '20230405170000', KenhThucHien: 7 as 1 }),
  dossier('D5', { NgayTiepNhan: '20230510090000', NgayHenTra: '20230710170000' }),
  dossier('D6', { NgayHenTra: '20230710170000' }),
];

function person(id: string, fields: Partial<StaffWire>): StaffWire {
  return {
    soHieu: id,
    hoTen: 'Trần Thị Bình',
    ngaySinh: '1980-01-01',
    gioiTinh: 'NU',
    maDinhDanhDonVi: COMMUNE,
    phanLoai: 'CONG_CHUC',
    maNgach: '01.003',
    chucVu: null,
    trinhDoChuyenMon: 'DAI_HOC',
    datChuan: true,
    trangThai: 'DANG_CONG_TAC',
    ngayCapNhat: '2023-06-01T08:00:00',
    ...fields,
  };
}

const STAFF: StaffWire[] = [
  person('S1', { phanLoai: 'CAN_BO', maNgach: '' }),
  person('S2', { phanLoai: 'CAN_BO', maNgach: null, datChuan: false }),
  person('S3', { maNgach: '' }),
  person('S4', { datChuan: 'yes' as unknown as boolean }),
  person('S5', {}),
  person('S6', { phanLoai: 'VIEN_CHUC', maNgach: 'V.07.04.32' }),
];

/** The fake world, with this file's dossiers and staff instead of its own. */
function fixtureWorld(dossiers: DossierWire[]): MockWorld {
  const base = createFakeWorld();
  return {
    ...base,
    dossiers(updatedFrom, after, limit) {
      const feed = dossiers
        .filter((d) => updatedFrom === null || d.NgayCapNhat >= updatedFrom)
        .filter(
          (d) =>
            !after || d.NgayCapNhat > after.updatedAt || (d.NgayCapNhat === after.updatedAt && d.MaHoSo > after.code),
        )
        .sort((a, b) => a.NgayCapNhat.localeCompare(b.NgayCapNhat) || a.MaHoSo.localeCompare(b.MaHoSo));
      return { records: feed.slice(0, limit), more: feed.length > limit };
    },
    staff: (since) => STAFF.filter((s) => since === null || s.ngayCapNhat >= since),
    // Tân Sỏi's headcount quota sent as text: stored, its quota null.
    units: (since) =>
      base
        .units(since)
        .map((unit) => (unit.maDinhDanh === COMMUNE ? { ...unit, bienChe: '25' as unknown as number } : unit)),
    // One public service unit's 2023 row with an autonomy group that does not exist: stored, its group null.
    psuFinance: (year) =>
      base
        .psuFinance(year)
        .map((row) => (row.maQHNS === PSU_BUDGET_CODE && year === 2023 ? { ...row, nhomTuChu: 5 as 1 } : row)),
  };
}

const INDICATORS = `query ($unitCode: String!) {
  indicators(unitCode: $unitCode, period: "2023-H1",
             codes: ["DOSSIER_RECEIVED", "DOSSIER_RESOLVED", "DOSSIER_PENDING", "ON_TIME_RATE", "COMMUNE_CADRE_STANDARD_RATE"]) {
    code numerator denominator flawedRecords parts { code value }
  }
}`;

const QUALITY = `{ dataQuality(unitCode: "${COMMUNE}", period: "2023-H1") { ruleCode unitCode left right records } }`;

describe.each(testBackends)('records with flaws, through the hub, on %s', (backend) => {
  let store: TestStore;
  let mocks: MockUpstreams;
  let rig: SyncRig;
  let hub: TestHub;
  const dossiers = DOSSIERS();

  beforeAll(async () => {
    store = await openTestStore(backend);
    const world = fixtureWorld(dossiers);
    mocks = await startMocks(world);
    rig = syncRig(store.db, world, mocks);
    const results = await rig.engine.runAll({ trigger: 'COMMAND' });
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
    hub = await startTestHub(store.db);
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await rig?.close();
    await mocks?.close();
    await store?.dispose();
  });

  const byCode = async () => {
    const { data, errors } = await hub.gql(INDICATORS, { unitCode: COMMUNE });
    expect(errors).toBeUndefined();
    return Object.fromEntries((data.indicators as { code: string }[]).map((v) => [v.code, v])) as unknown as Record<
      string,
      { numerator: number; denominator: number | null; flawedRecords: number; parts: { code: string; value: number }[] }
    >;
  };
  const parts = (v: { parts: { code: string; value: number }[] }) =>
    Object.fromEntries(v.parts.map((p) => [p.code, p.value]));

  it('counts flawed records by their sound fields, and says how many it counted', async () => {
    const v = await byCode();
    // Received in 2023-H1: d1, d3, d4, d5 = 4 (d2 came in 2022; d6 is quarantined), plus carried over d2 = 1: 5 to
    // handle. d4's channel is unknown (null): in person d1, d3, d5 = 3, online 0, postal 0. Flawed: d2, d3, d4 = 3.
    expect(v.DOSSIER_RECEIVED!.numerator).toBe(5);
    expect(parts(v.DOSSIER_RECEIVED!)).toMatchObject({ IN_PERSON: 3, ONLINE: 0, POSTAL: 0, CARRIED_OVER: 1 });
    expect(v.DOSSIER_RECEIVED!.flawedRecords).toBe(3);
    // Resolved: d1 early (02-03 before 02-05), d2 on time (finish day 01-10 = due day, no NgayTra), d3 late (03-04 after 03-02).
    expect(v.DOSSIER_RESOLVED!.numerator).toBe(3);
    expect(parts(v.DOSSIER_RESOLVED!)).toMatchObject({ EARLY: 1, ON_TIME: 1, LATE: 1 });
    // On-time rate: (early 1 + on time 1) / resolved 3.
    expect([v.ON_TIME_RATE!.numerator, v.ON_TIME_RATE!.denominator]).toEqual([2, 3]);
    // Pending at 06-30: d4 (overdue since 04-05), d5 (due 07-10).
    expect(v.DOSSIER_PENDING!.numerator).toBe(2);
    expect(parts(v.DOSSIER_PENDING!)).toMatchObject({ WITHIN_DEADLINE: 1, OVERDUE: 1 });
    // Commune cadres and civil servants: s1 … s5 = 5; meeting the standard: s1, s3, s5 = 3 (s4's datChuan is unknown).
    // Flawed among the records the staff figures read: s3, s4 and the commune's own unit record (bienChe) = 3.
    expect([v.COMMUNE_CADRE_STANDARD_RATE!.numerator, v.COMMUNE_CADRE_STANDARD_RATE!.denominator]).toEqual([3, 5]);
    expect(v.COMMUNE_CADRE_STANDARD_RATE!.flawedRecords).toBe(3);
  });

  it('quarantines only what cannot be placed', async () => {
    const held = await store.db.query<{ feed: string; key: string }>(
      `SELECT source AS feed, record_key AS key FROM quarantine WHERE resolved_at IS NULL ORDER BY 1, 2`,
    );
    expect(held).toEqual([{ feed: 'one-stop-shop/dossiers', key: 'D6' }]);
  });

  it('reports each flaw in dataQuality, per unit and period, with counts and sample keys', async () => {
    const { data, errors } = await hub.gql(QUALITY);
    expect(errors).toBeUndefined();
    const flaws = (data.dataQuality as { ruleCode: string; left: number; records: string[] }[]).filter((v) =>
      v.ruleCode.startsWith('FLAW_'),
    );
    expect(flaws.map(({ ruleCode, left, records }) => [ruleCode, left, records])).toEqual([
      ['FLAW_DOSSIERS_KENHTHUCHIEN_INVALID_VALUE', 1, ['D4']],
      ['FLAW_DOSSIERS_NGAYTRA_RETURNED_WITHOUT_RETURN_TIME', 1, ['D3']],
      ['FLAW_UNITS_BIENCHE_INVALID_VALUE', 1, [COMMUNE]],
      ['FLAW_STAFF_DATCHUAN_INVALID_VALUE', 1, ['S4']],
      ['FLAW_STAFF_MANGACH_GRADE_MISSING', 1, ['S3']],
    ]);
  });

  it("shows each record's flaws on its own node, and each source's flawed records beside its quarantine", async () => {
    const { data, errors } = await hub.gql(`{
      d3: dossier(code: "D3") { status finishedAt returnedAt flaws { rule field value } }
      d4: dossier(code: "D4") { channel flaws { rule field value } }
      d5: dossier(code: "D5") { flaws { rule } }
      s4: staffMember(id: "S4") { meetsStandard flaws { rule field value } }
      psu: unit(code: "${PSU}") { autonomy(year: 2023) { assignedGroup flaws { rule field value } } }
      commune: unit(code: "${COMMUNE}") { headcountQuota flaws { rule field value } }
      sources { name quarantined flawed }
    }`);
    expect(errors).toBeUndefined();
    expect(data.d3).toEqual({
      status: 'RETURNED',
      finishedAt: '2023-03-04T02:00:00.000Z',
      returnedAt: null,
      flaws: [{ rule: 'returned-without-return-time', field: 'NgayTra', value: '""' }],
    });
    expect(data.d4).toEqual({ channel: null, flaws: [{ rule: 'invalid-value', field: 'KenhThucHien', value: '7' }] });
    expect(data.d5).toEqual({ flaws: [] });
    expect(data.s4).toEqual({
      meetsStandard: null,
      flaws: [{ rule: 'invalid-value', field: 'datChuan', value: '"yes"' }],
    });
    // Flawed: dossiers d2, d3, d4, staff s3, s4, the commune's unit record and the 2023 row of the PSU; quarantined: d6.
    expect(data.sources).toEqual([
      { name: 'ONE_STOP_SHOP', quarantined: 1, flawed: 3 },
      { name: 'CADRE_DB', quarantined: 0, flawed: 3 },
      { name: 'BUDGET', quarantined: 0, flawed: 1 },
    ]);
  });

  it('clears a flaw when a later version of the record no longer has it', async () => {
    const d3 = dossiers.find((d) => d.MaHoSo === 'D3')!;
    Object.assign(d3, { NgayTra: '20230304150000', NgayCapNhat: '20230702080000' });
    const result = await rig.engine.run('ONE_STOP_SHOP', { trigger: 'COMMAND' });
    expect(result.error).toBeNull();
    const { data } = await hub.gql(QUALITY);
    const codes = (data.dataQuality as { ruleCode: string }[]).map((v) => v.ruleCode);
    expect(codes).not.toContain('FLAW_DOSSIERS_NGAYTRA_RETURNED_WITHOUT_RETURN_TIME');
    expect(codes).toContain('FLAW_DOSSIERS_KENHTHUCHIEN_INVALID_VALUE');
    const v = await byCode();
    // d3 is resolved as before; the flawed records received in the half are now d2 and d4.
    expect(v.DOSSIER_RESOLVED!.numerator).toBe(3);
    expect(v.DOSSIER_RECEIVED!.flawedRecords).toBe(2);
  });

  it('stores a record of every feed whose every field that can be flagged is invalid, each such field null and flagged', async () => {
    // Every field of the README's table marked "store null, flag", per feed, sent as an object (of no field's type).
    const FLAGGABLE: Record<string, { key: string; raw: string; fields: string[] }> = {
      'one-stop-shop/procedures': {
        key: 'X.000001',
        raw: JSON.stringify(procedureWire({ MaTTHC: 'X.000001' })),
        fields: ['MaLinhVuc', 'TenLinhVuc', 'CapThucHien', 'MucDoDVC', 'CoPhiLePhi'],
      },
      'one-stop-shop/dossiers': {
        key: 'DX',
        raw: JSON.stringify(dossierWire({ MaHoSo: 'DX', MaDonVi: COMMUNE })),
        fields: [
          'KenhThucHien',
          'ChuHoSo',
          'SoDienThoai',
          'NgayHenTra',
          'NgayKetThucXuLy',
          'NgayTra',
          'TrangThaiHoSo',
          'ToanTrinh',
          'CoPhiLePhi',
          'DuocThanhToanTrucTuyen',
          'HoSoCoThanhPhanSoHoa',
          'KetQuaDienTu',
        ],
      },
      'cadre-db/units': {
        key: '000.99.12.H40',
        raw: JSON.stringify(unitWire({ maDinhDanh: '000.99.12.H40', cap: 'XA' })),
        fields: ['linhVuc', 'maQHNS', 'bienChe', 'hieuLucTu', 'hieuLucDen'],
      },
      'cadre-db/staff': {
        key: 'SX',
        raw: JSON.stringify(staffWire({ soHieu: 'SX', maDinhDanhDonVi: COMMUNE })),
        fields: ['ngaySinh', 'gioiTinh', 'phanLoai', 'maNgach', 'chucVu', 'trinhDoChuyenMon', 'datChuan', 'trangThai'],
      },
      'cadre-db/unit-versions': {
        key: '000.99.12.H40@1',
        raw: JSON.stringify(unitVersionWire({ maDinhDanh: '000.99.12.H40', maDinhDanhCha: COMMUNE })),
        fields: ['denNgay', 'linhVuc', 'maQHNS', 'bienChe'],
      },
      'cadre-db/unit-events': {
        key: 'EX',
        raw: JSON.stringify(unitEventWire({ maSuKien: 'EX' })),
        fields: ['canCu', 'donViTruoc', 'donViSau'],
      },
      'cadre-db/staff-assignments': {
        key: 'SX@2018-03-01',
        raw: JSON.stringify(staffAssignmentWire({ soHieu: 'SX', maDinhDanhDonVi: COMMUNE })),
        fields: ['phanLoai', 'chucVu', 'datChuan', 'denNgay'],
      },
      'budget/psu-finance': {
        key: `2021/${PSU_BUDGET_CODE}`,
        raw: JSON.stringify(psuFinanceWire({ maQHNS: PSU_BUDGET_CODE, nam: 2021 })),
        fields: ['nhomTuChu', 'soQuyetDinh', 'thuSuNghiep', 'chiThuongXuyen'],
      },
      'budget/execution': {
        key: `2021-01/${PSU_BUDGET_CODE}/418/341/6000/6001/CHI`,
        raw: `${PSU_BUDGET_CODE},418,341,6000,6001,CHI,x,y`,
        fields: ['du_toan', 'thuc_hien'],
      },
      'budget/investment': {
        key: '2021-01/DA-X',
        raw: JSON.stringify(publicInvestmentWire({ maDuAn: 'DA-X', maQHNS: PSU_BUDGET_CODE })),
        fields: ['keHoachVon', 'giaiNganLuyKe'],
      },
    };
    const lookups = {
      hasUnit: () => true,
      hasProcedure: () => true,
      unitOfBudgetCode: (code: string) => (code === PSU_BUDGET_CODE ? PSU : undefined),
    };
    for (const feed of rig.upstreams.connectors.flatMap((c) => c.feeds)) {
      const { key, raw, fields } = FLAGGABLE[feed.name]!;
      // A JSON record gets every flaggable field as {}; the CSV row's amounts are already not digits.
      const broken = raw.startsWith('{')
        ? JSON.stringify({ ...JSON.parse(raw), ...Object.fromEntries(fields.map((f) => [f, {}])) })
        : raw;
      const read = feed.retry({ key, raw: broken }, lookups);
      expect(read, feed.name).toMatchObject({ ok: true });
      if (!('ok' in read) || !read.ok) continue;
      await store.db.transaction(async (tx) => {
        await FEED_WRITERS[feed.name]!.write(tx, [read.value as never]);
        await recordFlaws(tx, feed.name, [key], read.flaws ?? []);
      });
      const stored = await store.db.query<{ field: string; rule: string }>(
        'SELECT field, rule FROM record_flaws WHERE source = $1 AND record_key = $2 ORDER BY field',
        [feed.name, key],
      );
      expect(stored, feed.name).toEqual([...fields].sort().map((field) => ({ field, rule: 'invalid-value' })));
    }
    const [dx] = await store.db.query('SELECT channel, status, has_fee, digitised FROM dossiers WHERE code = $1', [
      'DX',
    ]);
    expect(dx).toEqual({ channel: null, status: null, has_fee: null, digitised: null });
  });
});
