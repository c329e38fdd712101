/**
 * Cadre database records (validated by ./contract.ts) to the canonical model.
 * Pure: no I/O. ISO local times are Vietnam time and become UTC instants;
 * calendar days (validity, birth dates) stay 'YYYY-MM-DD' as given.
 */
import type {
  PsuSector,
  Qualification,
  Staff,
  StaffAssignment,
  StaffCategory,
  StaffStatus,
  Unit,
  UnitEvent,
  UnitEventType,
  UnitKind,
  UnitVersion,
} from '../../store/model.ts';
import { nfc, optional, textOrNull, UNIT_LEVEL, unreachable } from '../common/mapped.ts';
import { parseIsoLocal } from '../common/wire.ts';
import type { StaffAssignmentRecord, StaffRecord, UnitEventRecord, UnitRecord, UnitVersionRecord } from './contract.ts';

const UNIT_KIND: Readonly<Record<UnitRecord['loaiDonVi'], UnitKind>> = {
  UBND: 'PEOPLES_COMMITTEE',
  CQCM: 'AGENCY',
  DVSNCL: 'PUBLIC_SERVICE_UNIT',
};

const PSU_SECTOR: Readonly<Record<NonNullable<UnitRecord['linhVuc']>, PsuSector>> = {
  GIAO_DUC: 'EDUCATION',
  Y_TE: 'HEALTH',
  VAN_HOA: 'CULTURE',
  KHOA_HOC: 'SCIENCE',
  LAO_DONG: 'LABOUR',
  KINH_TE: 'ECONOMY',
  KHAC: 'OTHER',
};

const GENDER: Readonly<Record<NonNullable<StaffRecord['gioiTinh']>, NonNullable<Staff['gender']>>> = {
  NAM: 'MALE',
  NU: 'FEMALE',
};

const STAFF_CATEGORY: Readonly<Record<NonNullable<StaffRecord['phanLoai']>, StaffCategory>> = {
  CAN_BO: 'CADRE',
  CONG_CHUC: 'CIVIL_SERVANT',
  VIEN_CHUC: 'PUBLIC_EMPLOYEE',
  HOP_DONG: 'CONTRACT_WORKER',
};

const QUALIFICATION: Readonly<Record<NonNullable<StaffRecord['trinhDoChuyenMon']>, Qualification>> = {
  TIEN_SI: 'DOCTORATE',
  THAC_SI: 'MASTER',
  DAI_HOC: 'BACHELOR',
  CAO_DANG: 'COLLEGE',
  TRUNG_CAP: 'INTERMEDIATE',
  SO_CAP: 'ELEMENTARY',
  CHUA_DAO_TAO: 'UNTRAINED',
};

const STAFF_STATUS: Readonly<Record<NonNullable<StaffRecord['trangThai']>, StaffStatus>> = {
  DANG_CONG_TAC: 'SERVING',
  NGHI_HUU: 'RETIRED',
  THOI_VIEC: 'LEFT',
  CHUYEN_CONG_TAC: 'TRANSFERRED_OUT',
};

const UNIT_EVENT_TYPE: Readonly<Record<UnitEventRecord['loai'], UnitEventType>> = {
  SAP_NHAP: 'MERGER',
  CHIA_TACH: 'SPLIT',
  GIAI_THE: 'DISSOLUTION',
  THANH_LAP: 'CREATION',
  DOI_TEN: 'RENAME',
};

const instant = (local: string): Date => parseIsoLocal(local) ?? unreachable(`local time ${local}`);

export function toUnit(record: UnitRecord): Unit {
  return {
    code: record.maDinhDanh,
    budgetCode: record.maQHNS,
    name: nfc(record.tenDonVi),
    parentCode: record.maDinhDanhCha,
    level: UNIT_LEVEL[record.cap],
    kind: UNIT_KIND[record.loaiDonVi],
    sector: optional(PSU_SECTOR, record.linhVuc),
    headcountQuota: record.bienChe,
    validFrom: record.hieuLucTu,
    validTo: record.hieuLucDen,
    sourceUpdatedAt: instant(record.ngayCapNhat),
  };
}

export function toStaff(record: StaffRecord): Staff {
  return {
    id: record.soHieu,
    fullName: nfc(record.hoTen),
    birthDate: record.ngaySinh,
    gender: optional(GENDER, record.gioiTinh),
    unitCode: record.maDinhDanhDonVi,
    category: optional(STAFF_CATEGORY, record.phanLoai),
    rankCode: record.maNgach,
    position: textOrNull(record.chucVu),
    qualification: optional(QUALIFICATION, record.trinhDoChuyenMon),
    meetsStandard: record.datChuan,
    status: optional(STAFF_STATUS, record.trangThai),
    sourceUpdatedAt: instant(record.ngayCapNhat),
  };
}

export function toUnitVersion(record: UnitVersionRecord): UnitVersion {
  return {
    code: record.maDinhDanh,
    version: record.phienBan,
    validFrom: record.tuNgay,
    validTo: record.denNgay,
    name: nfc(record.tenDonVi),
    parentCode: record.maDinhDanhCha,
    level: UNIT_LEVEL[record.cap],
    kind: UNIT_KIND[record.loaiDonVi],
    sector: optional(PSU_SECTOR, record.linhVuc),
    budgetCode: record.maQHNS,
    headcountQuota: record.bienChe,
    sourceUpdatedAt: instant(record.ngayCapNhat),
  };
}

/** Sides that were invalid (flagged) are stored empty. */
export function toUnitEvent(record: UnitEventRecord): UnitEvent {
  return {
    id: record.maSuKien,
    type: UNIT_EVENT_TYPE[record.loai],
    effectiveOn: record.ngayHieuLuc,
    legalBasis: textOrNull(record.canCu),
    unitsBefore: [...new Set(record.donViTruoc ?? [])],
    unitsAfter: [...new Set(record.donViSau ?? [])],
    sourceUpdatedAt: instant(record.ngayCapNhat),
  };
}

export function toStaffAssignment(record: StaffAssignmentRecord): StaffAssignment {
  return {
    staffId: record.soHieu,
    startsOn: record.tuNgay,
    endsOn: record.denNgay,
    unitCode: record.maDinhDanhDonVi,
    category: optional(STAFF_CATEGORY, record.phanLoai),
    position: textOrNull(record.chucVu),
    meetsStandard: record.datChuan,
    sourceUpdatedAt: instant(record.ngayCapNhat),
  };
}
