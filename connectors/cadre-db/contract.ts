/**
 * The cadre database's wire format (docs/upstreams.md), field for
 * field: the unit tree (which is also the crosswalk from budget-relation codes
 * to national identifiers) and the staff. Unknown fields are tolerated.
 * Page envelopes are checked apart from their records.
 */
import { z } from 'zod';
import { budgetRelationCode, code, isoDay, isoLocalTime } from '../common/wire.ts';

export const UNITS_PATH = '/v2/units';
export const STAFF_PATH = '/v2/staff';
export const MAX_LIMIT = 500;

export const unitLevel = z.enum(['TINH', 'HUYEN', 'XA']);
/** UBND a People's Committee, CQCM a specialised agency or office, DVSNCL a public service unit. */
export const unitKind = z.enum(['UBND', 'CQCM', 'DVSNCL']);
export const unitSector = z.enum(['GIAO_DUC', 'Y_TE', 'VAN_HOA', 'KHOA_HOC', 'LAO_DONG', 'KINH_TE', 'KHAC']);

export const unitRecord = z
  .object({
    maDinhDanh: code,
    tenDonVi: z.string().min(1),
    maDinhDanhCha: code.nullable(),
    cap: unitLevel,
    loaiDonVi: unitKind,
    linhVuc: unitSector.nullable(),
    maQHNS: budgetRelationCode.nullable(),
    bienChe: z.number().int().nonnegative().nullable(),
    hieuLucTu: isoDay.nullable(),
    hieuLucDen: isoDay.nullable(),
    ngayCapNhat: isoLocalTime,
  })
  .superRefine((r, ctx) => {
    if (r.hieuLucTu !== null && r.hieuLucDen !== null && r.hieuLucDen <= r.hieuLucTu) {
      ctx.addIssue({ code: 'custom', path: ['hieuLucDen'], message: 'validity ends before it starts' });
    }
    if ((r.loaiDonVi === 'DVSNCL') !== (r.linhVuc !== null)) {
      ctx.addIssue({ code: 'custom', path: ['linhVuc'], message: 'a sector is given for, and only for, DVSNCL' });
    }
    if (r.maDinhDanhCha === r.maDinhDanh) {
      ctx.addIssue({ code: 'custom', path: ['maDinhDanhCha'], message: 'a unit cannot be its own parent' });
    }
  });
export type UnitWire = z.input<typeof unitRecord>;
export type UnitRecord = z.output<typeof unitRecord>;

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

export const staffRecord = z.object({
  soHieu: code,
  hoTen: z.string().min(1),
  ngaySinh: isoDay.nullable(),
  gioiTinh: z.enum(['NAM', 'NU']).nullable(),
  maDinhDanhDonVi: code,
  phanLoai: staffCategory,
  maNgach: code.nullable(),
  chucVu: z.string().nullable(),
  trinhDoChuyenMon: qualification.nullable(),
  datChuan: z.boolean(),
  trangThai: staffStatus,
  ngayCapNhat: isoLocalTime,
});
export type StaffWire = z.input<typeof staffRecord>;
export type StaffRecord = z.output<typeof staffRecord>;

/** An offset page of either list. */
export const offsetPage = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(z.unknown()),
});
