/**
 * One-stop-shop records (validated by ./contract.ts) to the canonical model.
 * Pure: no I/O. Local `yyyyMMddHHmmss` times are Vietnam time and become UTC
 * instants; the Vietnam day of an instant is recovered with vietnamDay().
 */
import {
  DOSSIER_STATUSES,
  UNIT_LEVELS,
  type Dossier,
  type DossierChannel,
  type OnlinePaymentChannel,
  type OnlineServiceLevel,
  type Procedure,
} from '../../store/model.ts';
import { flag, nfc, optional, textOrNull, UNIT_LEVEL, unreachable } from '../common/mapped.ts';
import { parseCompactLocal } from '../common/wire.ts';
import type { DossierRecord, ProcedureRecord } from './contract.ts';

const ONLINE_SERVICE: Readonly<Record<NonNullable<ProcedureRecord['MucDoDVC']>, OnlineServiceLevel>> = {
  TOAN_TRINH: 'FULL_PROCESS',
  MOT_PHAN: 'PARTIAL',
  KHONG: 'NONE',
};

const CHANNEL: Readonly<Record<NonNullable<DossierRecord['KenhThucHien']>, DossierChannel>> = {
  1: 'IN_PERSON',
  2: 'ONLINE',
  3: 'POSTAL',
};

/** DuocThanhToanTrucTuyen: 3 and 0 both mean the fee was not paid online. */
const ONLINE_PAYMENT: Readonly<
  Record<NonNullable<DossierRecord['DuocThanhToanTrucTuyen']>, OnlinePaymentChannel | null>
> = {
  0: null,
  1: 'NATIONAL_PORTAL',
  2: 'PROVINCE_GATEWAY',
  3: null,
};

export function toProcedure(record: ProcedureRecord): Procedure {
  const levels = record.CapThucHien && new Set(record.CapThucHien.map((level) => UNIT_LEVEL[level]));
  return {
    code: record.MaTTHC,
    name: nfc(record.TenTTHC),
    fieldCode: record.MaLinhVuc,
    fieldName: textOrNull(record.TenLinhVuc),
    // A set in a fixed order, so that the same levels listed twice or in another order map to equal values.
    levels: levels ? UNIT_LEVELS.filter((level) => levels.has(level)) : null,
    onlineService: optional(ONLINE_SERVICE, record.MucDoDVC),
    hasFee: record.CoPhiLePhi,
  };
}

const instant = (local: string): Date => parseCompactLocal(local) ?? unreachable(`local time ${local}`);
const optionalInstant = (local: string | null): Date | null => (local === null ? null : instant(local));

export function toDossier(record: DossierRecord): Dossier {
  return {
    code: record.MaHoSo,
    procedureCode: record.MaTTHC,
    unitCode: record.MaDonVi,
    channel: optional(CHANNEL, record.KenhThucHien),
    // TrangThaiHoSo counts from 1 in the order of DOSSIER_STATUSES.
    status:
      record.TrangThaiHoSo === null
        ? null
        : (DOSSIER_STATUSES[record.TrangThaiHoSo - 1] ?? unreachable(`status ${record.TrangThaiHoSo}`)),
    applicantName: textOrNull(record.ChuHoSo),
    applicantPhone: textOrNull(record.SoDienThoai),
    receivedAt: instant(record.NgayTiepNhan),
    dueAt: optionalInstant(record.NgayHenTra),
    finishedAt: optionalInstant(record.NgayKetThucXuLy),
    returnedAt: optionalInstant(record.NgayTra),
    fullProcessOnline: flag(record.ToanTrinh),
    hasFee: flag(record.CoPhiLePhi),
    onlinePayment: optional(ONLINE_PAYMENT, record.DuocThanhToanTrucTuyen),
    digitised: flag(record.HoSoCoThanhPhanSoHoa),
    electronicResult: flag(record.KetQuaDienTu),
    sourceUpdatedAt: instant(record.NgayCapNhat),
  };
}
