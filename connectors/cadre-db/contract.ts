/**
 * The cadre database's wire format (docs/upstreams.md), field for
 * field: the unit tree (which is also the crosswalk from budget-relation codes
 * to national identifiers) and the staff. Unknown fields are tolerated.
 * Page envelopes are checked apart from their records.
 */
import { z } from 'zod';
import { defineContract, type SoundOf, type WireOf } from '../common/flaws.ts';
import {
  budgetRelationCode,
  code,
  isoLocalTime,
  optionalCode,
  optionalIsoDay,
  optionalText,
  orEmpty,
} from '../common/wire.ts';

export const UNITS_PATH = '/v2/units';
export const STAFF_PATH = '/v2/staff';
export const MAX_LIMIT = 500;

export const unitLevel = z.enum(['TINH', 'HUYEN', 'XA']);
/** UBND a People's Committee, CQCM a specialised agency or office, DVSNCL a public service unit. */
export const unitKind = z.enum(['UBND', 'CQCM', 'DVSNCL']);
export const unitSector = z.enum(['GIAO_DUC', 'Y_TE', 'VAN_HOA', 'KHOA_HOC', 'LAO_DONG', 'KINH_TE', 'KHAC']);

/**
 * A unit is placed by its code, its parent (the tree every figure is scoped
 * by), its level and kind (what the figures select units by) and its update
 * time (which version is newest); its name is required by the hub. A unit
 * that is its own parent cannot be placed in the tree (the connector
 * quarantines it).
 */
export const unitContract = defineContract(
  {
    maDinhDanh: code,
    tenDonVi: z.string().trim().min(1),
    maDinhDanhCha: optionalCode,
    cap: unitLevel,
    loaiDonVi: unitKind,
    linhVuc: unitSector.nullable(),
    maQHNS: orEmpty(budgetRelationCode),
    bienChe: z.number().int().nonnegative().nullable(),
    hieuLucTu: optionalIsoDay,
    hieuLucDen: optionalIsoDay,
    ngayCapNhat: isoLocalTime,
  },
  ['maDinhDanh', 'tenDonVi', 'maDinhDanhCha', 'cap', 'loaiDonVi', 'ngayCapNhat'],
  [
    {
      rule: 'validity-ends-before-it-starts',
      field: 'hieuLucDen',
      broken: (r) => r.hieuLucTu !== null && r.hieuLucDen !== null && r.hieuLucDen <= r.hieuLucTu,
    },
    {
      rule: 'public-service-unit-without-sector',
      field: 'linhVuc',
      broken: (r) => r.loaiDonVi === 'DVSNCL' && !r.linhVuc,
    },
    {
      rule: 'sector-outside-public-service-unit',
      field: 'linhVuc',
      broken: (r) => r.loaiDonVi !== 'DVSNCL' && !!r.linhVuc,
    },
  ],
);
export const unitRecord = unitContract.whole;
export type UnitWire = WireOf<typeof unitContract>;
export type UnitRecord = SoundOf<typeof unitContract>;

export const staffCategory = z.enum(['CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'HOP_DONG']);
export const qualification = z.enum([
  'TIEN_SI',
  'THAC_SI',
  'DAI_HOC',
  'CAO_DANG',
  'TRUNG_CAP',
  'SO_CAP',
  'CHUA_DAO_TAO',
]);
export const staffStatus = z.enum(['DANG_CONG_TAC', 'NGHI_HUU', 'THOI_VIEC', 'CHUYEN_CONG_TAC']);

/**
 * A person is placed by their number, their unit and the update time; their
 * name is required by the hub. Cadres
 * (CAN_BO) are elected and hold no civil-servant grade (ngạch), so an empty
 * maNgach is flagged only for civil servants and public employees, who are
 * appointed to one.
 */
export const staffContract = defineContract(
  {
    soHieu: code,
    hoTen: z.string().trim().min(1),
    ngaySinh: optionalIsoDay,
    gioiTinh: orEmpty(z.enum(['NAM', 'NU'])),
    maDinhDanhDonVi: code,
    phanLoai: staffCategory,
    maNgach: optionalCode,
    chucVu: optionalText,
    trinhDoChuyenMon: orEmpty(qualification),
    datChuan: z.boolean(),
    trangThai: staffStatus,
    ngayCapNhat: isoLocalTime,
  },
  ['soHieu', 'hoTen', 'maDinhDanhDonVi', 'ngayCapNhat'],
  [
    {
      rule: 'grade-missing',
      field: 'maNgach',
      broken: (r) => (r.phanLoai === 'CONG_CHUC' || r.phanLoai === 'VIEN_CHUC') && r.maNgach === null,
    },
  ],
  // A person's name and birth date: never shown in a reason, masked where a payload is shown.
  { hoTen: 'name', ngaySinh: 'birthDate' },
);
export const staffRecord = staffContract.whole;
export type StaffWire = WireOf<typeof staffContract>;
export type StaffRecord = SoundOf<typeof staffContract>;

/** An offset page of either list. */
export const offsetPage = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(z.unknown()),
});
