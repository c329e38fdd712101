/**
 * The one-stop-shop's wire format (docs/upstreams.md), field for
 * field. Used by the mock one-stop-shop to check what it serves and by the
 * connector to validate what it receives. Unknown fields are tolerated (zod
 * strips them). Page envelopes are checked apart from their records, so that
 * one bad record is quarantined while the rest of the page proceeds.
 */
import { z } from 'zod';
import { code, compactLocalTime, optionalCompactLocalTime } from '../common/wire.ts';

export const PROCEDURES_PATH = '/api/procedures';
export const DOSSIERS_PATH = '/api/dossiers';
export const PROCEDURES_MAX_PAGE_SIZE = 500;
export const DOSSIERS_MAX_LIMIT = 1000;

export const procedureLevel = z.enum(['TINH', 'HUYEN', 'XA']);
/** TOAN_TRINH full-process online, MOT_PHAN partly online, KHONG none. */
export const onlineServiceLevel = z.enum(['TOAN_TRINH', 'MOT_PHAN', 'KHONG']);

export const procedureRecord = z.object({
  MaTTHC: code,
  TenTTHC: z.string().min(1),
  MaLinhVuc: code,
  TenLinhVuc: z.string().min(1),
  CapThucHien: z.array(procedureLevel).min(1),
  MucDoDVC: onlineServiceLevel,
  CoPhiLePhi: z.boolean(),
});
export type ProcedureRecord = z.output<typeof procedureRecord>;

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

export const dossierRecord = z
  .object({
    MaHoSo: code,
    MaTTHC: code,
    MaDonVi: code,
    KenhThucHien: z.literal([1, 2, 3]),
    ChuHoSo: z.string(),
    SoDienThoai: z.string(),
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
  })
  // Impossible dates and statuses without the dates they imply: indicators
  // count on them, so such a record is rejected, not guessed at.
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!after(r.NgayHenTra, r.NgayTiepNhan)) issue('NgayHenTra', 'due before it was received');
    if (!after(r.NgayKetThucXuLy, r.NgayTiepNhan)) issue('NgayKetThucXuLy', 'finished before it was received');
    if (!after(r.NgayTra, r.NgayKetThucXuLy)) issue('NgayTra', 'returned before it was finished');
    if (!after(r.NgayCapNhat, r.NgayTiepNhan)) issue('NgayCapNhat', 'updated before it was received');
    const resolved = r.TrangThaiHoSo === STATUS.PROCESSED || r.TrangThaiHoSo === STATUS.RETURNED;
    if (resolved && r.NgayKetThucXuLy === null)
      issue('NgayKetThucXuLy', `status ${r.TrangThaiHoSo} needs a finish time`);
    if (r.TrangThaiHoSo === STATUS.RETURNED && r.NgayTra === null) issue('NgayTra', 'status 10 needs a return time');
    if (r.CoPhiLePhi === 0 && (r.DuocThanhToanTrucTuyen === 1 || r.DuocThanhToanTrucTuyen === 2)) {
      issue('DuocThanhToanTrucTuyen', 'paid online but carries no fee');
    }
  });
/** A dossier as the one-stop-shop sends it (the input side: what the mock serves). */
export type DossierWire = z.input<typeof dossierRecord>;
export type DossierRecord = z.output<typeof dossierRecord>;

export const dossierPage = z.object({
  data: z.array(z.unknown()),
  nextCursor: z.string().min(1).nullable(),
});
