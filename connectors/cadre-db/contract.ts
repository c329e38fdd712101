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
  isoDay,
  isoLocalTime,
  optionalCode,
  optionalIsoDay,
  optionalText,
  orEmpty,
} from '../common/wire.ts';

export const UNITS_PATH = '/v2/units';
export const STAFF_PATH = '/v2/staff';
/** The v2.1 history paths (docs/upstreams.md#history-cadre-database-v21); an older upstream answers them 404. */
export const UNIT_VERSIONS_PATH = '/v2/units/history';
export const UNIT_EVENTS_PATH = '/v2/unit-events';
export const STAFF_ASSIGNMENTS_PATH = '/v2/staff/assignments';
export const MAX_LIMIT = 500;

export const unitLevel = z.enum(['TINH', 'HUYEN', 'XA']);
/** UBND a People's Committee, CQCM a specialised agency or office, DVSNCL a public service unit. */
export const unitKind = z.enum(['UBND', 'CQCM', 'DVSNCL']);
export const unitSector = z.enum(['GIAO_DUC', 'Y_TE', 'VAN_HOA', 'KHOA_HOC', 'LAO_DONG', 'KINH_TE', 'KHAC']);

/** A unit's sector is a public service unit's only: the rules a unit and each of its versions share. */
const sectorRules = <R extends { loaiDonVi: string; linhVuc: string | null }>() => [
  {
    rule: 'public-service-unit-without-sector',
    field: 'linhVuc',
    broken: (r: R) => r.loaiDonVi === 'DVSNCL' && !r.linhVuc,
  },
  {
    rule: 'sector-outside-public-service-unit',
    field: 'linhVuc',
    broken: (r: R) => r.loaiDonVi !== 'DVSNCL' && !!r.linhVuc,
  },
];

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
    ...sectorRules(),
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

/**
 * A version of a unit (v2.1 history), keyed by maDinhDanh and phienBan. It is
 * placed by its key, the day it takes effect (tuNgay), its parent, level and
 * kind (the dated tree every past figure is counted on) and its update time;
 * its name is required as a unit's is. A version that ends on or before it
 * starts cannot be placed on the calendar (the connector quarantines it).
 */
export const unitVersionContract = defineContract(
  {
    maDinhDanh: code,
    phienBan: z.number().int().min(1),
    tuNgay: isoDay,
    denNgay: optionalIsoDay,
    tenDonVi: z.string().trim().min(1),
    maDinhDanhCha: optionalCode,
    cap: unitLevel,
    loaiDonVi: unitKind,
    linhVuc: unitSector.nullable(),
    maQHNS: orEmpty(budgetRelationCode),
    bienChe: z.number().int().nonnegative().nullable(),
    ngayCapNhat: isoLocalTime,
  },
  ['maDinhDanh', 'phienBan', 'tuNgay', 'tenDonVi', 'maDinhDanhCha', 'cap', 'loaiDonVi', 'ngayCapNhat'],
  [...sectorRules()],
);
export type UnitVersionWire = WireOf<typeof unitVersionContract>;
export type UnitVersionRecord = SoundOf<typeof unitVersionContract>;

/** SAP_NHAP a merger, CHIA_TACH a split, GIAI_THE a dissolution, THANH_LAP a creation, DOI_TEN a rename. */
export const unitEventType = z.enum(['SAP_NHAP', 'CHIA_TACH', 'GIAI_THE', 'THANH_LAP', 'DOI_TEN']);

/** How many units each side of an event of each type has, as docs/upstreams.md describes them. */
function eventSidesFit(type: z.output<typeof unitEventType>, before: readonly string[], after: readonly string[]) {
  switch (type) {
    case 'SAP_NHAP':
      return before.length >= 1 && after.length === 1;
    case 'CHIA_TACH':
      return before.length === 1 && after.length >= 1;
    case 'GIAI_THE':
      return before.length >= 1 && after.length <= 1;
    case 'THANH_LAP':
      return before.length === 0 && after.length >= 1;
    case 'DOI_TEN':
      return before.length === 1 && after.length === 1 && before[0] === after[0];
  }
}

/**
 * An administrative event (v2.1 history), keyed by maSuKien: placed by its
 * type and the day it takes effect (what lineage is dated by). Its units are
 * kept as sent; sides that do not fit the type are flagged, not guessed.
 */
export const unitEventContract = defineContract(
  {
    maSuKien: code,
    loai: unitEventType,
    ngayHieuLuc: isoDay,
    canCu: optionalText,
    donViTruoc: z.array(code),
    donViSau: z.array(code),
    ngayCapNhat: isoLocalTime,
  },
  ['maSuKien', 'loai', 'ngayHieuLuc', 'ngayCapNhat'],
  [
    {
      rule: 'units-do-not-fit-event-type',
      field: 'donViSau',
      broken: (r) => r.donViTruoc !== null && r.donViSau !== null && !eventSidesFit(r.loai, r.donViTruoc, r.donViSau),
    },
  ],
);
export type UnitEventWire = WireOf<typeof unitEventContract>;
export type UnitEventRecord = SoundOf<typeof unitEventContract>;

/**
 * One period of a person's working history (v2.1 history), keyed by soHieu
 * and tuNgay: placed by its key, its unit (where the person counts) and its
 * update time. An assignment that ends on or before it starts cannot be placed
 * on the calendar (the connector quarantines it).
 */
export const staffAssignmentContract = defineContract(
  {
    soHieu: code,
    maDinhDanhDonVi: code,
    phanLoai: staffCategory,
    chucVu: optionalText,
    datChuan: z.boolean(),
    tuNgay: isoDay,
    denNgay: optionalIsoDay,
    ngayCapNhat: isoLocalTime,
  },
  ['soHieu', 'maDinhDanhDonVi', 'tuNgay', 'ngayCapNhat'],
);
export type StaffAssignmentWire = WireOf<typeof staffAssignmentContract>;
export type StaffAssignmentRecord = SoundOf<typeof staffAssignmentContract>;

/** An offset page of either list. */
export const offsetPage = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(z.unknown()),
});
