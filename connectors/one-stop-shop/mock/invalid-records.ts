/** How one-stop-shop records break under the invalid-records fault (see ../../mock/invalid-records.ts). */
import { formatCompactLocal, parseCompactLocal } from '../../common/wire.ts';
import { INVALID_PREFIX, omit, UNKNOWN_UNIT, type InvalidRecord } from '../../mock/invalid-records.ts';
import { STATUS, type DossierWire, type ProcedureWire } from '../contract.ts';

export function invalidProcedures(template: ProcedureWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.MaTTHC}-${n}`;
  return [
    { key: key(1), reason: 'missing TenTTHC', record: { ...omit(template, 'TenTTHC'), MaTTHC: key(1) } },
    {
      key: key(2),
      reason: 'CoPhiLePhi is a string',
      record: { ...template, MaTTHC: key(2), CoPhiLePhi: 'false' },
      flaws: [{ rule: 'invalid-value', field: 'CoPhiLePhi' }],
    },
    {
      key: key(3),
      reason: 'CapThucHien has a level THON that does not exist',
      record: { ...template, MaTTHC: key(3), CapThucHien: ['THON'] },
      flaws: [{ rule: 'invalid-value', field: 'CapThucHien' }],
    },
  ];
}

export function invalidDossiers(template: DossierWire): InvalidRecord[] {
  const key = (n: number) => `${INVALID_PREFIX}${template.MaHoSo}-${n}`;
  const received = parseCompactLocal(template.NgayTiepNhan)!;
  const dayBefore = formatCompactLocal(received.getTime() - 86_400_000);
  // Finished an hour after it was received: sound whatever the template's own dates.
  const received6 = formatCompactLocal(received.getTime() + 3_600_000);
  return [
    { key: key(1), reason: 'missing NgayTiepNhan', record: { ...omit(template, 'NgayTiepNhan'), MaHoSo: key(1) } },
    {
      key: key(2),
      reason: 'KenhThucHien is a string',
      record: { ...template, MaHoSo: key(2), KenhThucHien: '2' },
      flaws: [{ rule: 'invalid-value', field: 'KenhThucHien' }],
    },
    {
      key: key(3),
      reason: `unknown unit ${UNKNOWN_UNIT}`,
      record: { ...template, MaHoSo: key(3), MaDonVi: UNKNOWN_UNIT },
    },
    {
      key: key(4),
      reason: 'impossible date NgayTiepNhan 20240231090000',
      record: { ...template, MaHoSo: key(4), NgayTiepNhan: '20240231090000' },
    },
    {
      key: key(5),
      reason: 'finished (NgayKetThucXuLy) the day before it was received',
      record: {
        ...template,
        MaHoSo: key(5),
        TrangThaiHoSo: STATUS.PROCESSED,
        NgayKetThucXuLy: dayBefore,
        NgayTra: '',
      },
      flaws: [{ rule: 'finished-before-received', field: 'NgayKetThucXuLy' }],
    },
    {
      key: key(6),
      reason: 'status 10 without NgayTra (the hand-over time)',
      record: { ...template, MaHoSo: key(6), TrangThaiHoSo: STATUS.RETURNED, NgayKetThucXuLy: received6, NgayTra: '' },
      flaws: [{ rule: 'returned-without-return-time', field: 'NgayTra' }],
    },
    {
      key: key(7),
      reason: 'TrangThaiHoSo 11 does not exist',
      record: { ...template, MaHoSo: key(7), TrangThaiHoSo: 11 },
      flaws: [{ rule: 'invalid-value', field: 'TrangThaiHoSo' }],
    },
  ];
}
