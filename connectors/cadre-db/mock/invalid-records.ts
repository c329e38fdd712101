/** How cadre-database records break under the invalid-records fault (see ../../mock/invalid-records.ts). */
import { INVALID_PREFIX, omit, UNKNOWN_UNIT, type InvalidRecord } from '../../mock/invalid-records.ts';
import type { StaffAssignmentWire, StaffWire, UnitEventWire, UnitVersionWire, UnitWire } from '../contract.ts';

export function invalidUnits(template: UnitWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.maDinhDanh}-${n}`;
  // A stored unit cannot share the template's budget-relation code (it is unique): the placeable ones have none.
  const placeable = { ...template, maQHNS: null };
  return [
    { key: key(1), reason: 'missing tenDonVi', record: { ...omit(template, 'tenDonVi'), maDinhDanh: key(1) } },
    {
      key: key(2),
      reason: 'bienChe is a string',
      record: { ...placeable, maDinhDanh: key(2), bienChe: '120' },
      flaws: [{ rule: 'invalid-value', field: 'bienChe' }],
    },
    {
      key: key(3),
      reason: `unknown parent unit ${UNKNOWN_UNIT}`,
      record: { ...template, maDinhDanh: key(3), maDinhDanhCha: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'impossible date hieuLucTu 2024-02-31',
      record: { ...placeable, maDinhDanh: key(4), hieuLucTu: '2024-02-31', hieuLucDen: null },
      flaws: [{ rule: 'invalid-value', field: 'hieuLucTu' }],
    },
    {
      key: key(5),
      reason: 'valid until (hieuLucDen) before valid from (hieuLucTu)',
      record: { ...placeable, maDinhDanh: key(5), hieuLucTu: '2024-06-01', hieuLucDen: '2024-01-01' },
      flaws: [{ rule: 'validity-ends-before-it-starts', field: 'hieuLucDen' }],
    },
    {
      key: key(6),
      reason: 'a unit that is its own parent',
      record: { ...template, maDinhDanh: key(6), maDinhDanhCha: key(6) },
    },
  ];
}

export function invalidStaff(template: StaffWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.soHieu}-${n}`;
  return [
    { key: key(1), reason: 'missing hoTen', record: { ...omit(template, 'hoTen'), soHieu: key(1) } },
    {
      key: key(2),
      reason: 'datChuan is a string',
      record: { ...template, soHieu: key(2), datChuan: 'true' },
      flaws: [{ rule: 'invalid-value', field: 'datChuan' }],
    },
    {
      key: key(3),
      reason: `unknown unit ${UNKNOWN_UNIT}`,
      record: { ...template, soHieu: key(3), maDinhDanhDonVi: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'impossible date ngaySinh 1990-02-30',
      record: { ...template, soHieu: key(4), ngaySinh: '1990-02-30' },
      flaws: [{ rule: 'invalid-value', field: 'ngaySinh' }],
    },
    {
      key: key(5),
      reason: 'a civil servant without a grade (maNgach empty)',
      record: { ...template, soHieu: key(5), phanLoai: 'CONG_CHUC', maNgach: '' },
      flaws: [{ rule: 'grade-missing', field: 'maNgach' }],
    },
  ];
}

export function invalidUnitVersions(template: UnitVersionWire): InvalidRecord[] {
  const code = (n: number) => `${INVALID_PREFIX}${template.maDinhDanh}-${n}`;
  const key = (n: number) => `${code(n)}@1`;
  const own = (n: number) => ({ ...template, maDinhDanh: code(n), phienBan: 1 });
  return [
    { key: key(1), reason: 'missing tuNgay', record: omit(own(1), 'tuNgay') },
    {
      key: key(2),
      reason: 'bienChe is a string',
      record: { ...own(2), bienChe: '120' },
      flaws: [{ rule: 'invalid-value', field: 'bienChe' }],
    },
    {
      key: key(3),
      reason: `unknown parent unit ${UNKNOWN_UNIT}`,
      record: { ...own(3), maDinhDanhCha: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'denNgay before tuNgay: an empty range',
      record: { ...own(4), tuNgay: '2024-06-01', denNgay: '2024-01-01' },
    },
  ];
}

export function invalidUnitEvents(template: UnitEventWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.maSuKien}-${n}`;
  return [
    {
      key: key(1),
      reason: 'impossible date ngayHieuLuc 2025-02-30',
      record: { ...template, maSuKien: key(1), ngayHieuLuc: '2025-02-30' },
    },
    { key: key(2), reason: 'unknown event type', record: { ...template, maSuKien: key(2), loai: 'HOP_NHAT' } },
    {
      key: key(3),
      reason: 'a merger with two successors',
      record: {
        ...template,
        maSuKien: key(3),
        loai: 'SAP_NHAP',
        donViTruoc: ['000.01.12.H40'],
        donViSau: ['000.02.12.H40', '000.03.12.H40'],
      },
      flaws: [{ rule: 'units-do-not-fit-event-type', field: 'donViSau' }],
    },
  ];
}

export function invalidStaffAssignments(template: StaffAssignmentWire): InvalidRecord[] {
  const id = (n: number) => `${INVALID_PREFIX}${template.soHieu}-${n}`;
  const key = (n: number) => `${id(n)}@${template.tuNgay}`;
  return [
    { key: key(1), reason: 'missing maDinhDanhDonVi', record: omit({ ...template, soHieu: id(1) }, 'maDinhDanhDonVi') },
    {
      key: key(2),
      reason: 'datChuan is a string',
      record: { ...template, soHieu: id(2), datChuan: 'true' },
      flaws: [{ rule: 'invalid-value', field: 'datChuan' }],
    },
    {
      key: key(3),
      reason: `unknown unit ${UNKNOWN_UNIT}`,
      record: { ...template, soHieu: id(3), maDinhDanhDonVi: UNKNOWN_UNIT },
    },
  ];
}
