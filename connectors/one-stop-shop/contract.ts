/**
 * The one-stop-shop's wire format (docs/upstreams.md), field for
 * field. Used by the mock one-stop-shop to check what it serves and by the
 * connector to check what it receives: which fields place a record (broken:
 * quarantined) and which rules flag a stored one (../common/flaws.ts).
 * Unknown fields are tolerated (zod strips them). Page envelopes are checked
 * apart from their records, so that one bad record is set aside while the
 * rest of the page proceeds.
 */
import { z } from 'zod';
import { defineContract, type SoundOf, type WireOf } from '../common/flaws.ts';
import { code, compactLocalTime, optionalCode, optionalCompactLocalTime, optionalText } from '../common/wire.ts';

export const PROCEDURES_PATH = '/api/procedures';
export const DOSSIERS_PATH = '/api/dossiers';
export const PROCEDURES_MAX_PAGE_SIZE = 500;
export const DOSSIERS_MAX_LIMIT = 1000;

export const procedureLevel = z.enum(['TINH', 'HUYEN', 'XA']);
/** TOAN_TRINH full-process online, MOT_PHAN partly online, KHONG none. */
export const onlineServiceLevel = z.enum(['TOAN_TRINH', 'MOT_PHAN', 'KHONG']);

/** MaTTHC places a procedure; TenTTHC is required by the hub (connectors/README.md). */
export const procedureContract = defineContract(
  {
    MaTTHC: code,
    TenTTHC: z.string().trim().min(1),
    MaLinhVuc: optionalCode,
    TenLinhVuc: optionalText,
    CapThucHien: z.array(procedureLevel).min(1),
    MucDoDVC: onlineServiceLevel,
    CoPhiLePhi: z.boolean(),
  },
  ['MaTTHC', 'TenTTHC'],
);
export const procedureRecord = procedureContract.whole;
export type ProcedureWire = WireOf<typeof procedureContract>;
export type ProcedureRecord = SoundOf<typeof procedureContract>;

export const procedurePage = z.object({
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  data: z.array(z.unknown()),
});

// Multi-value literals rather than unions of literals: one check instead of one per branch.
const flag = z.literal([0, 1]);

/** 1 in person, 2 online, 3 public postal service. */
export const CHANNEL = { IN_PERSON: 1, ONLINE: 2, POSTAL: 3 } as const;
/** TrangThaiHoSo. */
export const STATUS = {
  REGISTERED: 1,
  RECEIVED: 2,
  REFUSED: 3,
  PROCESSING: 4,
  SUPPLEMENT_REQUESTED: 5,
  AWAITING_PAYMENT: 6,
  WITHDRAWN: 7,
  STOPPED: 8,
  PROCESSED: 9,
  RETURNED: 10,
} as const;
/** DuocThanhToanTrucTuyen: 1 national portal, 2 the province's gateway, 3 (or 0) not paid online. */
export const PAYMENT = { NATIONAL_PORTAL: 1, PROVINCE_GATEWAY: 2, NOT_PAID_ONLINE: 3 } as const;

// Valid yyyyMMddHHmmss strings of one zone sort as the moments they name, so no parsing is needed.
const after = (later: string | null, earlier: string | null) => later === null || earlier === null || later >= earlier;

/**
 * A dossier is placed by its key, its procedure and unit, its reception time
 * (every figure counts it from that day) and its update time (the change
 * feed's order, which decides which version is newest). Everything else is
 * stored when sound and flagged when not: dates and statuses that contradict
 * each other are kept as sent, and counted by the rules their sound fields
 * meet (a dossier with a finish time and no return time is resolved on its
 * finish day).
 */
export const dossierContract = defineContract(
  {
    MaHoSo: code,
    MaTTHC: code,
    MaDonVi: code,
    KenhThucHien: z.literal([1, 2, 3]),
    ChuHoSo: optionalText,
    SoDienThoai: optionalText,
    NgayTiepNhan: compactLocalTime,
    NgayHenTra: optionalCompactLocalTime,
    NgayKetThucXuLy: optionalCompactLocalTime,
    NgayTra: optionalCompactLocalTime,
    TrangThaiHoSo: z.number().int().min(1).max(10),
    ToanTrinh: flag,
    CoPhiLePhi: flag,
    DuocThanhToanTrucTuyen: z.literal([0, 1, 2, 3]),
    HoSoCoThanhPhanSoHoa: flag,
    KetQuaDienTu: flag,
    NgayCapNhat: compactLocalTime,
  },
  ['MaHoSo', 'MaTTHC', 'MaDonVi', 'NgayTiepNhan', 'NgayCapNhat'],
  [
    { rule: 'due-before-received', field: 'NgayHenTra', broken: (r) => !after(r.NgayHenTra, r.NgayTiepNhan) },
    {
      rule: 'finished-before-received',
      field: 'NgayKetThucXuLy',
      broken: (r) => !after(r.NgayKetThucXuLy, r.NgayTiepNhan),
    },
    { rule: 'returned-before-finished', field: 'NgayTra', broken: (r) => !after(r.NgayTra, r.NgayKetThucXuLy) },
    { rule: 'updated-before-received', field: 'NgayCapNhat', broken: (r) => !after(r.NgayCapNhat, r.NgayTiepNhan) },
    {
      rule: 'resolved-without-finish-time',
      field: 'NgayKetThucXuLy',
      broken: (r) =>
        (r.TrangThaiHoSo === STATUS.PROCESSED || r.TrangThaiHoSo === STATUS.RETURNED) && r.NgayKetThucXuLy === null,
    },
    {
      rule: 'returned-without-return-time',
      field: 'NgayTra',
      broken: (r) => r.TrangThaiHoSo === STATUS.RETURNED && r.NgayTra === null,
    },
    {
      rule: 'paid-online-without-fee',
      field: 'DuocThanhToanTrucTuyen',
      broken: (r) => r.CoPhiLePhi === 0 && (r.DuocThanhToanTrucTuyen === 1 || r.DuocThanhToanTrucTuyen === 2),
    },
  ],
  // The applicant's name and phone: never shown in a reason, masked where a payload is shown.
  { ChuHoSo: 'name', SoDienThoai: 'phone' },
);
export const dossierRecord = dossierContract.whole;
/** A dossier as the one-stop-shop sends it (the input side: what the mock serves). */
export type DossierWire = WireOf<typeof dossierContract>;
export type DossierRecord = SoundOf<typeof dossierContract>;

export const dossierPage = z.object({
  data: z.array(z.unknown()),
  nextCursor: z.string().min(1).nullable(),
});
