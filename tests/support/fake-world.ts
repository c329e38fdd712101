/**
 * A small MockWorld written by hand, for testing the mock upstreams apart
 * from the generator: a dozen units, a few dozen staff and dossiers, all
 * valid by the contracts, with update times that tie (so that ordering by
 * key within a time is exercised). Each advance of the clock changes a few
 * records: a dossier moves on, another is finished, a new one arrives, one
 * staff member and one unit are edited.
 */
import { formatCompactLocal, formatIsoLocal, VIETNAM_OFFSET_MS } from '../../connectors/common/wire.ts';
import type { BudgetExecutionLine, DossierFeedKey, MockWorld } from '../../connectors/mock/world.ts';
import { STATUS, type DossierWire, type ProcedureWire } from '../../connectors/one-stop-shop/contract.ts';
import type { StaffWire, UnitWire } from '../../connectors/cadre-db/contract.ts';
import type { PsuFinanceWire, PublicInvestmentWire } from '../../connectors/budget/contract.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2024-06-15 10:00 in Vietnam. */
export const FAKE_WORLD_START = Date.UTC(2024, 5, 15, 3, 0, 0);

const byTimeThenKey =
  <T>(time: (r: T) => string, key: (r: T) => string) =>
  (a: T, b: T) =>
    time(a).localeCompare(time(b)) || key(a).localeCompare(key(b));

type UnitRow = [
  string,
  string,
  string | null,
  UnitWire['cap'],
  UnitWire['loaiDonVi'],
  UnitWire['linhVuc'],
  string | null,
];
const UNIT_ROWS: UnitRow[] = [
  ['000.00.00.H40', 'UBND tỉnh Bắc Giang', null, 'TINH', 'UBND', null, '1040001'],
  ['000.01.00.H40', 'Sở Tư pháp', '000.00.00.H40', 'TINH', 'CQCM', null, '1040101'],
  ['000.02.00.H40', 'Sở Y tế', '000.00.00.H40', 'TINH', 'CQCM', null, '1040102'],
  ['000.00.12.H40', 'UBND huyện Yên Thế', '000.00.00.H40', 'HUYEN', 'UBND', null, '1045321'],
  ['000.00.13.H40', 'UBND huyện Tân Yên', '000.00.00.H40', 'HUYEN', 'UBND', null, '1045322'],
  ['000.12.01.H40', 'UBND xã Tân Sỏi', '000.00.12.H40', 'XA', 'UBND', null, '1046001'],
  ['000.12.02.H40', 'UBND xã Đồng Lạc', '000.00.12.H40', 'XA', 'UBND', null, '1046002'],
  ['000.13.01.H40', 'UBND xã Cao Xá', '000.00.13.H40', 'XA', 'UBND', null, '1046003'],
  ['000.21.00.H40', 'Trường THPT Yên Thế', '000.00.12.H40', 'HUYEN', 'DVSNCL', 'GIAO_DUC', '1045877'],
  ['000.22.00.H40', 'Trung tâm Y tế huyện Yên Thế', '000.00.12.H40', 'HUYEN', 'DVSNCL', 'Y_TE', '1045878'],
  ['000.23.00.H40', 'Trung tâm Văn hoá tỉnh', '000.00.00.H40', 'TINH', 'DVSNCL', 'VAN_HOA', '1045879'],
  ['000.24.00.H40', 'Trạm Khuyến nông Tân Yên', '000.00.13.H40', 'HUYEN', 'DVSNCL', 'KINH_TE', null],
];

const PROCEDURES: ProcedureWire[] = [
  ['1.000656', 'Cấp bản sao trích lục hộ tịch', 'HT', 'Hộ tịch', ['HUYEN', 'XA'], 'TOAN_TRINH', true],
  ['1.001193', 'Đăng ký khai sinh', 'HT', 'Hộ tịch', ['XA'], 'TOAN_TRINH', false],
  ['1.001612', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 'XD', 'Xây dựng', ['HUYEN'], 'MOT_PHAN', true],
  ['1.002335', 'Cấp giấy chứng nhận quyền sử dụng đất lần đầu', 'DD', 'Đất đai', ['HUYEN'], 'MOT_PHAN', true],
  ['1.003125', 'Đăng ký kết hôn', 'HT', 'Hộ tịch', ['XA'], 'TOAN_TRINH', false],
  ['2.000288', 'Cấp phiếu lý lịch tư pháp', 'LLTP', 'Lý lịch tư pháp', ['TINH'], 'TOAN_TRINH', true],
  [
    '2.001824',
    'Công nhận báo cáo viên pháp luật',
    'PBGD',
    'Phổ biến giáo dục pháp luật',
    ['TINH', 'HUYEN'],
    'KHONG',
    false,
  ],
].map(([MaTTHC, TenTTHC, MaLinhVuc, TenLinhVuc, CapThucHien, MucDoDVC, CoPhiLePhi]) => ({
  MaTTHC,
  TenTTHC,
  MaLinhVuc,
  TenLinhVuc,
  CapThucHien,
  MucDoDVC,
  CoPhiLePhi,
})) as ProcedureWire[];

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Vũ Thị Giang'];
const QUALIFICATIONS = ['DAI_HOC', 'THAC_SI', 'CAO_DANG', 'TIEN_SI', null] as const;
const CATEGORIES = ['CONG_CHUC', 'VIEN_CHUC', 'CAN_BO', 'HOP_DONG'] as const;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function initialUnits(): UnitWire[] {
  return UNIT_ROWS.map(([maDinhDanh, tenDonVi, maDinhDanhCha, cap, loaiDonVi, linhVuc, maQHNS], i) => ({
    maDinhDanh,
    tenDonVi,
    maDinhDanhCha,
    cap,
    loaiDonVi,
    linhVuc,
    maQHNS,
    bienChe: 20 + i * 5,
    hieuLucTu: '2019-01-01',
    hieuLucDen: null,
    // Three units to a day: ties broken by code.
    ngayCapNhat: `2024-06-0${1 + Math.floor(i / 3)}T08:00:00`,
  }));
}

function initialStaff(): StaffWire[] {
  return Array.from({ length: 26 }, (_, i) => ({
    soHieu: `CC-${pad(i + 1, 7)}`,
    hoTen: NAMES[i % NAMES.length]!,
    ngaySinh: `19${70 + (i % 25)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`,
    gioiTinh: i % 2 ? 'NU' : 'NAM',
    maDinhDanhDonVi: UNIT_ROWS[i % UNIT_ROWS.length]![0],
    phanLoai: CATEGORIES[i % CATEGORIES.length]!,
    maNgach: i % 4 === 3 ? null : '01.003',
    chucVu: i % 5 === 0 ? 'Trưởng phòng' : 'Chuyên viên',
    trinhDoChuyenMon: QUALIFICATIONS[i % QUALIFICATIONS.length]!,
    datChuan: i % 6 !== 0,
    trangThai: 'DANG_CONG_TAC',
    // Two staff to a time.
    ngayCapNhat: `2024-05-${pad(1 + Math.floor(i / 2), 2)}T10:11:00`,
  }));
}

function dossier(n: number, received: number): DossierWire {
  const fee = n % 2;
  const channel = (1 + (n % 3)) as 1 | 2 | 3;
  const procedure = PROCEDURES[n % PROCEDURES.length]!;
  return {
    MaHoSo: `H40.22-${formatCompactLocal(received).slice(2, 8)}-${pad(n, 4)}`,
    MaTTHC: procedure.MaTTHC,
    MaDonVi: UNIT_ROWS[n % 8]![0],
    KenhThucHien: channel,
    ChuHoSo: NAMES[n % NAMES.length]!,
    SoDienThoai: `09${pad(12345678 + n, 8)}`,
    NgayTiepNhan: formatCompactLocal(received),
    NgayHenTra: formatCompactLocal(received + 3 * DAY),
    NgayKetThucXuLy: '',
    TrangThaiHoSo: STATUS.RECEIVED,
    ToanTrinh: channel === 2 ? 1 : 0,
    CoPhiLePhi: fee as 0 | 1,
    DuocThanhToanTrucTuyen: fee ? (n % 4 === 1 ? 2 : 3) : 0,
    HoSoCoThanhPhanSoHoa: ((n >> 1) % 2) as 0 | 1,
    KetQuaDienTu: 0,
    NgayCapNhat: formatCompactLocal(received),
  };
}

function finish(d: DossierWire, at: number, returned: boolean): void {
  d.TrangThaiHoSo = returned ? STATUS.RETURNED : STATUS.PROCESSED;
  d.NgayKetThucXuLy = formatCompactLocal(at);
  if (returned) d.NgayTra = formatCompactLocal(at + HOUR);
  d.KetQuaDienTu = d.KenhThucHien === 2 ? 1 : 0;
  d.NgayCapNhat = formatCompactLocal(returned ? at + HOUR : at);
}

function initialDossiers(): DossierWire[] {
  return Array.from({ length: 34 }, (_, i) => {
    const day = FAKE_WORLD_START - (14 - Math.floor(i / 3)) * DAY;
    if (i % 3 === 0) {
      const d = dossier(i + 1, day);
      finish(d, day + 2 * DAY, true);
      return d;
    }
    if (i % 3 === 1) {
      const d = dossier(i + 1, day);
      d.TrangThaiHoSo = STATUS.PROCESSING;
      d.NgayCapNhat = formatCompactLocal(day + 30 * MINUTE);
      return d;
    }
    // Received when the one before was last updated: a tie in the feed, broken by code. NgayTra absent, as allowed.
    const d = dossier(i + 1, day + 30 * MINUTE);
    delete d.NgayTra;
    return d;
  });
}

/** Whether month `month` of `year` (Vietnam time) has ended at `now`. */
function monthEnded(year: number, month: number, now: number): boolean {
  return Date.UTC(year, month, 1) - VIETNAM_OFFSET_MS <= now;
}

export function createFakeWorld(): MockWorld {
  let now = FAKE_WORLD_START;
  let ticks = 0;
  const units = initialUnits();
  const staff = initialStaff();
  const dossiers = initialDossiers();
  const nowYear = () => new Date(now + VIETNAM_OFFSET_MS).getUTCFullYear();
  const budgetUnits = () => units.filter((u) => u.maQHNS !== null) as (UnitWire & { maQHNS: string })[];

  /** The changes one advance of the clock brings. */
  function tick() {
    ticks++;
    const at = formatCompactLocal(now);
    const processing = dossiers.find((d) => d.TrangThaiHoSo === STATUS.PROCESSING);
    if (processing) finish(processing, now, false);
    const received = dossiers.find((d) => d.TrangThaiHoSo === STATUS.RECEIVED);
    if (received) Object.assign(received, { TrangThaiHoSo: STATUS.PROCESSING, NgayCapNhat: at });
    dossiers.push(dossier(dossiers.length + 1, now));
    const member = staff[(ticks * 7) % staff.length]!;
    Object.assign(member, { chucVu: `Chuyên viên chính (${ticks})`, ngayCapNhat: formatIsoLocal(now) });
    const unit = units[(ticks * 5) % units.length]!;
    Object.assign(unit, { bienChe: (unit.bienChe ?? 0) + 1, ngayCapNhat: formatIsoLocal(now) });
  }

  return {
    seed: 0,
    scale: 'fake',
    now: () => new Date(now),
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
      now += ms;
      if (ms > 0) tick();
      return new Date(now);
    },

    procedures: () => PROCEDURES,

    dossiers(updatedFrom, after: DossierFeedKey | null, limit) {
      const order = byTimeThenKey<DossierWire>(
        (d) => d.NgayCapNhat,
        (d) => d.MaHoSo,
      );
      const past = (d: DossierWire) =>
        after === null ||
        d.NgayCapNhat > after.updatedAt ||
        (d.NgayCapNhat === after.updatedAt && d.MaHoSo > after.code);
      const feed = dossiers
        .filter((d) => (updatedFrom === null || d.NgayCapNhat >= updatedFrom) && past(d))
        .sort(order)
        .map((d) => ({ ...d }));
      return { records: feed.slice(0, limit), more: feed.length > limit };
    },

    units: (since) =>
      units
        .filter((u) => since === null || u.ngayCapNhat >= since)
        .sort(
          byTimeThenKey(
            (u) => u.ngayCapNhat,
            (u) => u.maDinhDanh,
          ),
        )
        .map((u) => ({ ...u })),
    staff: (since) =>
      staff
        .filter((s) => since === null || s.ngayCapNhat >= since)
        .sort(
          byTimeThenKey(
            (s) => s.ngayCapNhat,
            (s) => s.soHieu,
          ),
        )
        .map((s) => ({ ...s })),

    psuFinance(year): PsuFinanceWire[] {
      if (year > nowYear()) return [];
      return budgetUnits()
        .filter((u) => u.loaiDonVi === 'DVSNCL')
        .map((u, i) => ({
          maQHNS: u.maQHNS,
          nam: year,
          nhomTuChu: (1 + (i % 4)) as 1 | 2 | 3 | 4,
          soQuyetDinh: i % 3 ? `${50 + i}/QĐ-UBND` : null,
          thuSuNghiep: 1_250_000_000 * (i + 1),
          chiThuongXuyen: 6_100_000_000 * (i + 1),
        }));
    },

    budgetExecution(year, month): BudgetExecutionLine[] {
      if (!monthEnded(year, month, now)) return [];
      return budgetUnits().flatMap((u, i) => {
        const estimate = 1_520_000_000 * (i + 1);
        // The province's own revenue line reaches 10^13: amounts must stay exact.
        const revenue = i === 0 ? 9_876_543_210_987 : 300_000_000 * (i + 1);
        return [
          [
            u.maQHNS,
            '418',
            '341',
            '6000',
            '6001',
            'CHI',
            String(estimate),
            String(Math.floor((estimate * month) / 12)),
          ],
          [u.maQHNS, '418', '341', '1000', '1001', 'THU', String(revenue), String(Math.floor((revenue * month) / 12))],
        ] as const;
      });
    },

    publicInvestment(year, month): PublicInvestmentWire[] {
      if (!monthEnded(year, month, now)) return [];
      return ['Đường giao thông liên xã Tân Sỏi', 'Trường mầm non Đồng Lạc', 'Kè chống sạt lở sông Thương'].map(
        (tenDuAn, i) => ({
          maDuAn: `DA-${year}-${pad(117 + i, 4)}`,
          tenDuAn,
          maQHNS: UNIT_ROWS[3 + i]![6]!,
          keHoachVon: 12_500_000_000 * (i + 1),
          giaiNganLuyKe: Math.floor((12_500_000_000 * (i + 1) * month) / 12 / 2),
        }),
      );
    },
  };
}
