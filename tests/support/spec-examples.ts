/**
 * The example records of the upstream contracts (docs/upstreams.md),
 * with overrides: the starting point of contract and mapper tests.
 */
import type { UnitWire } from '../../connectors/cadre-db/contract.ts';
import type { DossierWire } from '../../connectors/one-stop-shop/contract.ts';

export const dossierWire = (extra: Partial<DossierWire> = {}): DossierWire => ({
  MaHoSo: 'H40.22-240614-0001',
  MaTTHC: '1.001193',
  MaDonVi: '000.00.12.H40',
  KenhThucHien: 2,
  ChuHoSo: 'Nguyễn Văn A',
  SoDienThoai: '0912345678',
  NgayTiepNhan: '20240614090512',
  NgayHenTra: '20240617170000',
  NgayKetThucXuLy: '20240617101500',
  NgayTra: '20240617143000',
  TrangThaiHoSo: 10,
  ToanTrinh: 1,
  CoPhiLePhi: 1,
  DuocThanhToanTrucTuyen: 2,
  HoSoCoThanhPhanSoHoa: 1,
  KetQuaDienTu: 1,
  NgayCapNhat: '20240617143000',
  ...extra,
});

export const unitWire = (extra: Partial<UnitWire> = {}): UnitWire => ({
  maDinhDanh: '000.00.12.H40',
  tenDonVi: 'UBND huyện Yên Thế',
  maDinhDanhCha: '000.00.00.H40',
  cap: 'HUYEN',
  loaiDonVi: 'UBND',
  linhVuc: null,
  maQHNS: '1045321',
  bienChe: 120,
  hieuLucTu: '2019-01-01',
  hieuLucDen: null,
  ngayCapNhat: '2024-06-01T08:00:00',
  ...extra,
});

/** The budget execution CSV's example row, cells keyed by header. */
export const budgetLineCells = (extra: Record<string, string> = {}): Record<string, string> => ({
  ma_qhns: '1045321',
  chuong: '418',
  loai_khoan: '341',
  muc: '6000',
  tieu_muc: '6001',
  thu_chi: 'CHI',
  du_toan: '1520000000',
  thuc_hien: '812000000',
  ...extra,
});

export const procedureWire = (extra: Record<string, unknown> = {}) => ({
  MaTTHC: '1.001193',
  TenTTHC: 'Đăng ký khai sinh',
  MaLinhVuc: 'HT',
  TenLinhVuc: 'Hộ tịch',
  CapThucHien: ['XA'],
  MucDoDVC: 'TOAN_TRINH',
  CoPhiLePhi: false,
  ...extra,
});

export const staffWire = (extra: Record<string, unknown> = {}) => ({
  soHieu: 'CC-0004521',
  hoTen: 'Trần Thị B',
  ngaySinh: '1988-11-02',
  gioiTinh: 'NU',
  maDinhDanhDonVi: '000.00.12.H40',
  phanLoai: 'CONG_CHUC',
  maNgach: '01.003',
  chucVu: 'Chuyên viên',
  trinhDoChuyenMon: 'DAI_HOC',
  datChuan: true,
  trangThai: 'DANG_CONG_TAC',
  ngayCapNhat: '2024-05-20T10:11:00',
  ...extra,
});

export const psuFinanceWire = (extra: Record<string, unknown> = {}) => ({
  maQHNS: '1045877',
  nam: 2024,
  nhomTuChu: 3,
  soQuyetDinh: '50/QĐ-UBND',
  thuSuNghiep: 1250000000,
  chiThuongXuyen: 6100000000,
  ...extra,
});

export const publicInvestmentWire = (extra: Record<string, unknown> = {}) => ({
  maDuAn: 'DA-2024-0117',
  tenDuAn: 'Đường giao thông liên xã Tân Sỏi',
  maQHNS: '1045321',
  keHoachVon: 12500000000,
  giaiNganLuyKe: 3400000000,
  ...extra,
});

/** The first unit version of docs/upstreams.md's history example: a school under its district until 2025-07-01. */
export const unitVersionWire = (extra: Record<string, unknown> = {}) => ({
  maDinhDanh: '000.31.21.H10',
  phienBan: 1,
  tuNgay: '2019-01-01',
  denNgay: '2025-07-01',
  tenDonVi: 'Trường THCS Bố Hạ',
  maDinhDanhCha: '000.00.21.H10',
  cap: 'HUYEN',
  loaiDonVi: 'DVSNCL',
  linhVuc: 'GIAO_DUC',
  maQHNS: '1029331',
  bienChe: 25,
  ngayCapNhat: '2025-06-20T09:00:00',
  ...extra,
});

/** The unit event of docs/upstreams.md: three communes merged on 2025-07-01. */
export const unitEventWire = (extra: Record<string, unknown> = {}) => ({
  maSuKien: 'NQ1658-2025-003',
  loai: 'SAP_NHAP',
  ngayHieuLuc: '2025-07-01',
  canCu: 'Nghị quyết số 1658/NQ-UBTVQH15',
  donViTruoc: ['000.10.21.H10', '000.11.21.H10', '000.12.21.H10'],
  donViSau: ['000.03.00.H10'],
  ngayCapNhat: '2025-06-16T10:00:00',
  ...extra,
});

/** The staff assignment of docs/upstreams.md: a civil servant of a commune until it merged. */
export const staffAssignmentWire = (extra: Record<string, unknown> = {}) => ({
  soHieu: 'CC-0004521',
  maDinhDanhDonVi: '000.12.21.H10',
  phanLoai: 'CONG_CHUC',
  chucVu: 'Công chức Văn phòng - Thống kê',
  datChuan: true,
  tuNgay: '2018-03-01',
  denNgay: '2025-07-01',
  ngayCapNhat: '2025-07-02T08:00:00',
  ...extra,
});
