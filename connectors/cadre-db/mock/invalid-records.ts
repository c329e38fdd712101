/** How cadre-database records break under the invalid-records fault (see ../../mock/invalid-records.ts). */
import { INVALID_PREFIX, omit, UNKNOWN_UNIT, type InvalidRecord } from '../../mock/invalid-records.ts';
import type { StaffWire, UnitWire } from '../contract.ts';

export function invalidUnits(template: UnitWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.maDinhDanh}-${n}`;
  return [
    { key: key(1), reason: 'missing tenDonVi', record: { ...omit(template, 'tenDonVi'), maDinhDanh: key(1) } },
    { key: key(2), reason: 'bienChe is a string', record: { ...template, maDinhDanh: key(2), bienChe: '120' } },
    {
      key: key(3),
      reason: `unknown parent unit ${UNKNOWN_UNIT}`,
      record: { ...template, maDinhDanh: key(3), maDinhDanhCha: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'impossible date hieuLucTu 2024-02-31',
      record: { ...template, maDinhDanh: key(4), hieuLucTu: '2024-02-31', hieuLucDen: null },
    },
    {
      key: key(5),
      reason: 'valid until (hieuLucDen) before valid from (hieuLucTu)',
      record: { ...template, maDinhDanh: key(5), hieuLucTu: '2024-06-01', hieuLucDen: '2024-01-01' },
    },
  ];
}

export function invalidStaff(template: StaffWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.soHieu}-${n}`;
  return [
    { key: key(1), reason: 'missing hoTen', record: { ...omit(template, 'hoTen'), soHieu: key(1) } },
    { key: key(2), reason: 'datChuan is a string', record: { ...template, soHieu: key(2), datChuan: 'true' } },
    {
      key: key(3),
      reason: `unknown unit ${UNKNOWN_UNIT}`,
      record: { ...template, soHieu: key(3), maDinhDanhDonVi: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'impossible date ngaySinh 1990-02-30',
      record: { ...template, soHieu: key(4), ngaySinh: '1990-02-30' },
    },
  ];
}
