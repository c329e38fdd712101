import { describe, expect, it } from 'vitest';
import {
  budgetExecutionRow,
  psuFinanceRecord,
  publicInvestmentRecord,
  type PsuFinanceWire,
  type PublicInvestmentWire,
} from '../../connectors/budget/contract.ts';
import { toBudgetExecutionLine, toInvestment, toPsuFinance } from '../../connectors/budget/map.ts';
import {
  qualification,
  staffCategory,
  staffAssignmentContract,
  staffRecord,
  staffStatus,
  unitEventContract,
  unitEventType,
  unitKind,
  unitRecord,
  unitSector,
  unitVersionContract,
  type StaffWire,
  type UnitWire,
} from '../../connectors/cadre-db/contract.ts';
import { toStaff, toStaffAssignment, toUnit, toUnitEvent, toUnitVersion } from '../../connectors/cadre-db/map.ts';
import {
  dossierRecord,
  procedureRecord,
  STATUS,
  type DossierWire,
  type ProcedureWire,
} from '../../connectors/one-stop-shop/contract.ts';
import { toDossier, toProcedure } from '../../connectors/one-stop-shop/map.ts';
import { vietnamDay } from '../../connectors/common/wire.ts';
import {
  budgetLineCells,
  dossierWire,
  procedureWire,
  staffAssignmentWire,
  staffWire,
  unitEventWire,
  unitVersionWire,
  unitWire,
} from '../support/spec-examples.ts';
import {
  PSU_SECTORS,
  QUALIFICATIONS,
  STAFF_CATEGORIES,
  STAFF_STATUSES,
  UNIT_EVENT_TYPES,
  UNIT_KINDS,
  type Dossier,
} from '../../store/model.ts';

// Every mapper is fed what the contract outputs, as the connectors will feed it.

const procedure = (extra: Partial<ProcedureWire> = {}) => toProcedure(procedureRecord.parse(procedureWire(extra)));

describe('toProcedure', () => {
  it('maps the documented example', () => {
    expect(procedure()).toEqual({
      code: '1.001193',
      name: 'Đăng ký khai sinh',
      fieldCode: 'HT',
      fieldName: 'Hộ tịch',
      levels: ['COMMUNE'],
      onlineService: 'FULL_PROCESS',
      hasFee: false,
    });
  });

  it('maps levels as a set in a fixed order, and every online service level', () => {
    expect(procedure({ CapThucHien: ['XA', 'TINH', 'XA', 'HUYEN'] }).levels).toEqual([
      'PROVINCE',
      'DISTRICT',
      'COMMUNE',
    ]);
    expect(procedure({ MucDoDVC: 'MOT_PHAN' }).onlineService).toBe('PARTIAL');
    expect(procedure({ MucDoDVC: 'KHONG', CoPhiLePhi: true })).toMatchObject({ onlineService: 'NONE', hasFee: true });
  });

  it('NFC-normalises names given decomposed', () => {
    const mapped = procedure({ TenTTHC: 'Đăng ký kết hôn'.normalize('NFD'), TenLinhVuc: 'Hộ tịch'.normalize('NFD') });
    expect(mapped.name).toBe('Đăng ký kết hôn'.normalize('NFC'));
    expect(mapped.fieldName).toBe('Hộ tịch'.normalize('NFC'));
    expect(mapped.name).not.toBe('Đăng ký kết hôn'.normalize('NFD'));
  });
});

const dossier = (extra: Partial<DossierWire> = {}): Dossier => toDossier(dossierRecord.parse(dossierWire(extra)));

describe('toDossier', () => {
  it('maps the documented example, local Vietnam times to UTC instants', () => {
    expect(dossier()).toEqual({
      code: 'H40.22-240614-0001',
      procedureCode: '1.001193',
      unitCode: '000.00.12.H40',
      channel: 'ONLINE',
      status: 'RETURNED',
      applicantName: 'Nguyễn Văn A',
      applicantPhone: '0912345678',
      receivedAt: new Date('2024-06-14T02:05:12Z'),
      dueAt: new Date('2024-06-17T10:00:00Z'),
      finishedAt: new Date('2024-06-17T03:15:00Z'),
      returnedAt: new Date('2024-06-17T07:30:00Z'),
      fullProcessOnline: true,
      hasFee: true,
      onlinePayment: 'PROVINCE_GATEWAY',
      digitised: true,
      electronicResult: true,
      sourceUpdatedAt: new Date('2024-06-17T07:30:00Z'),
    });
  });

  it('keeps the local day of a dossier finished at 23:59 or just after midnight (Vietnam time)', () => {
    const lateEvening = dossier({ NgayKetThucXuLy: '20240617235900', NgayTra: '', TrangThaiHoSo: 9 });
    expect(lateEvening.finishedAt).toEqual(new Date('2024-06-17T16:59:00Z'));
    // finished on its due day, in Vietnam time: on time, not early or late
    expect(vietnamDay(lateEvening.finishedAt!)).toBe('2024-06-17');
    expect(vietnamDay(lateEvening.finishedAt!)).toBe(vietnamDay(lateEvening.dueAt!));

    const afterMidnight = dossier({ NgayKetThucXuLy: '20240618003000', NgayTra: '', TrangThaiHoSo: 9 });
    expect(afterMidnight.finishedAt).toEqual(new Date('2024-06-17T17:30:00Z'));
    // the same UTC day as the due time, but a day late in Vietnam
    expect(vietnamDay(afterMidnight.finishedAt!)).toBe('2024-06-18');
  });

  it('turns empty strings and absent times into null', () => {
    const { NgayTra: _absent, ...withoutReturn } = dossierWire({
      ChuHoSo: '',
      SoDienThoai: '   ',
      NgayHenTra: '',
      NgayKetThucXuLy: '',
      TrangThaiHoSo: 4,
    });
    const mapped = toDossier(dossierRecord.parse(withoutReturn));
    expect(mapped).toMatchObject({
      applicantName: null,
      applicantPhone: null,
      dueAt: null,
      finishedAt: null,
      returnedAt: null,
      status: 'PROCESSING',
    });
  });

  it('maps every channel, and every status in the order the contract numbers them', () => {
    expect([1, 2, 3].map((n) => dossier({ KenhThucHien: n as 1 | 2 | 3 }).channel)).toEqual([
      'IN_PERSON',
      'ONLINE',
      'POSTAL',
    ]);
    for (const [name, n] of Object.entries(STATUS)) {
      const open = n !== STATUS.PROCESSED && n !== STATUS.RETURNED;
      expect(dossier({ TrangThaiHoSo: n, ...(open ? { NgayKetThucXuLy: '', NgayTra: '' } : {}) }).status).toBe(name);
    }
  });

  it('maps flags to booleans and the online payment code to its channel (0 and 3: not paid online)', () => {
    expect(
      dossier({ ToanTrinh: 0, HoSoCoThanhPhanSoHoa: 0, KetQuaDienTu: 0, CoPhiLePhi: 0, DuocThanhToanTrucTuyen: 0 }),
    ).toMatchObject({
      fullProcessOnline: false,
      digitised: false,
      electronicResult: false,
      hasFee: false,
      onlinePayment: null,
    });
    expect([0, 1, 2, 3].map((n) => dossier({ DuocThanhToanTrucTuyen: n as 0 | 1 | 2 | 3 }).onlinePayment)).toEqual([
      null,
      'NATIONAL_PORTAL',
      'PROVINCE_GATEWAY',
      null,
    ]);
  });
});

const unit = (extra: Partial<UnitWire> = {}) => toUnit(unitRecord.parse(unitWire(extra)));

describe('toUnit', () => {
  it('maps the documented example, the local update time to UTC', () => {
    expect(unit()).toEqual({
      code: '000.00.12.H40',
      budgetCode: '1045321',
      name: 'UBND huyện Yên Thế',
      parentCode: '000.00.00.H40',
      level: 'DISTRICT',
      kind: 'PEOPLES_COMMITTEE',
      sector: null,
      headcountQuota: 120,
      validFrom: '2019-01-01',
      validTo: null,
      sourceUpdatedAt: new Date('2024-06-01T01:00:00Z'),
    });
  });

  it('maps a dissolved public service unit, its validity days unshifted, an early-morning update to the previous UTC day', () => {
    expect(
      unit({
        tenDonVi: 'Trung tâm Y tế huyện Yên Thế'.normalize('NFD'),
        cap: 'XA',
        loaiDonVi: 'DVSNCL',
        linhVuc: 'Y_TE',
        maQHNS: null,
        bienChe: null,
        hieuLucTu: null,
        hieuLucDen: '2025-07-01',
        ngayCapNhat: '2025-07-01T03:00:00',
      }),
    ).toMatchObject({
      name: 'Trung tâm Y tế huyện Yên Thế'.normalize('NFC'),
      level: 'COMMUNE',
      kind: 'PUBLIC_SERVICE_UNIT',
      sector: 'HEALTH',
      budgetCode: null,
      headcountQuota: null,
      validFrom: null,
      validTo: '2025-07-01',
      sourceUpdatedAt: new Date('2025-06-30T20:00:00Z'),
    });
    expect(unit({ cap: 'TINH', loaiDonVi: 'CQCM' })).toMatchObject({ level: 'PROVINCE', kind: 'AGENCY' });
  });

  it('maps every kind and sector, each to a different canonical value', () => {
    const kinds = unitKind.options.map(
      (kind) => unit({ loaiDonVi: kind, linhVuc: kind === 'DVSNCL' ? 'KHAC' : null }).kind,
    );
    expect(new Set(kinds)).toEqual(new Set(UNIT_KINDS));
    const sectors = unitSector.options.map((sector) => unit({ loaiDonVi: 'DVSNCL', linhVuc: sector }).sector);
    expect(sectors).toEqual(['EDUCATION', 'HEALTH', 'CULTURE', 'SCIENCE', 'LABOUR', 'ECONOMY', 'OTHER']);
    expect(new Set(sectors)).toEqual(new Set(PSU_SECTORS));
  });
});

const staff = (extra: Partial<StaffWire> = {}) => toStaff(staffRecord.parse(staffWire(extra)));

describe('toStaff', () => {
  it('maps the documented example', () => {
    expect(staff()).toEqual({
      id: 'CC-0004521',
      fullName: 'Trần Thị B',
      birthDate: '1988-11-02',
      gender: 'FEMALE',
      unitCode: '000.00.12.H40',
      category: 'CIVIL_SERVANT',
      rankCode: '01.003',
      position: 'Chuyên viên',
      qualification: 'BACHELOR',
      meetsStandard: true,
      status: 'SERVING',
      sourceUpdatedAt: new Date('2024-05-20T03:11:00Z'),
    });
  });

  it('keeps unknowns null, blank positions included', () => {
    expect(
      staff({
        gioiTinh: null,
        ngaySinh: null,
        maNgach: null,
        chucVu: ' ',
        trinhDoChuyenMon: null,
        datChuan: false,
        hoTen: 'Trần Thị B'.normalize('NFD'),
      }),
    ).toMatchObject({
      fullName: 'Trần Thị B'.normalize('NFC'),
      gender: null,
      birthDate: null,
      rankCode: null,
      position: null,
      qualification: null,
      meetsStandard: false,
    });
    expect(staff({ gioiTinh: 'NAM' }).gender).toBe('MALE');
  });

  it('maps every category, qualification and status in order', () => {
    expect(staffCategory.options.map((phanLoai) => staff({ phanLoai }).category)).toEqual([...STAFF_CATEGORIES]);
    expect(qualification.options.map((trinhDoChuyenMon) => staff({ trinhDoChuyenMon }).qualification)).toEqual([
      ...QUALIFICATIONS,
    ]);
    expect(staffStatus.options.map((trangThai) => staff({ trangThai }).status)).toEqual([...STAFF_STATUSES]);
  });
});

describe('budget mappers', () => {
  const crosswalk = new Map([
    ['1045321', '000.00.12.H40'],
    ['1045877', '000.12.31.H40'],
  ]);
  const resolve = (budgetCode: string) => crosswalk.get(budgetCode);

  const psuWire: PsuFinanceWire = {
    maQHNS: '1045877',
    nam: 2024,
    nhomTuChu: 3,
    soQuyetDinh: '50/QĐ-UBND',
    thuSuNghiep: 1250000000,
    chiThuongXuyen: '9007199254740993',
  };

  it('maps public service unit finance to the resolved unit, amounts as exact strings', () => {
    expect(toPsuFinance(psuFinanceRecord.parse(psuWire), resolve)).toEqual({
      ok: true,
      value: {
        unitCode: '000.12.31.H40',
        year: 2024,
        autonomyGroup: 3,
        decisionNo: '50/QĐ-UBND',
        ownRevenue: '1250000000',
        recurrentExpenditure: '9007199254740993',
      },
    });
    const blank = toPsuFinance(psuFinanceRecord.parse({ ...psuWire, soQuyetDinh: '' }), resolve);
    expect(blank.ok && blank.value.decisionNo).toBeNull();
  });

  it('rejects a record whose budget-relation code no unit has, saying which', () => {
    const unknown = { ...psuWire, maQHNS: '1049999' };
    expect(toPsuFinance(psuFinanceRecord.parse(unknown), resolve)).toEqual({
      ok: false,
      reason: 'unknown budget-relation code 1049999',
    });
    const row = budgetExecutionRow.parse({
      ma_qhns: '1049999',
      chuong: '418',
      loai_khoan: '341',
      muc: '6000',
      tieu_muc: '6001',
      thu_chi: 'CHI',
      du_toan: '1',
      thuc_hien: '0',
    });
    expect(toBudgetExecutionLine(row, 2024, 6, resolve)).toEqual({
      ok: false,
      reason: 'unknown budget-relation code 1049999',
    });
    const investment = publicInvestmentRecord.parse({
      maDuAn: 'DA-1',
      tenDuAn: 'Dự án',
      maQHNS: '1049999',
      keHoachVon: 1,
      giaiNganLuyKe: 0,
    });
    expect(toInvestment(investment, 2024, 6, resolve)).toEqual({
      ok: false,
      reason: 'unknown budget-relation code 1049999',
    });
  });

  it('maps a budget execution CSV row for the period asked, revenue and spending, amounts exact', () => {
    const cells = budgetLineCells({ du_toan: '123456789012345678' });
    expect(toBudgetExecutionLine(budgetExecutionRow.parse(cells), 2024, 5, resolve)).toEqual({
      ok: true,
      value: {
        unitCode: '000.00.12.H40',
        year: 2024,
        month: 5,
        direction: 'SPENDING',
        chapterCode: '418',
        categoryCode: '341',
        itemCode: '6000',
        subItemCode: '6001',
        estimate: '123456789012345678',
        executed: '812000000',
      },
    });
    const revenue = toBudgetExecutionLine(budgetExecutionRow.parse({ ...cells, thu_chi: 'THU' }), 2024, 5, resolve);
    expect(revenue.ok && revenue.value.direction).toBe('REVENUE');
  });

  it('maps a public investment record to its project and its disbursement for the period asked', () => {
    const wire: PublicInvestmentWire = {
      maDuAn: 'DA-2024-0117',
      tenDuAn: 'Đường giao thông liên xã Tân Sỏi'.normalize('NFD'),
      maQHNS: '1045321',
      keHoachVon: 12500000000,
      giaiNganLuyKe: 3400000000,
    };
    expect(toInvestment(publicInvestmentRecord.parse(wire), 2024, 5, resolve)).toEqual({
      ok: true,
      value: {
        project: {
          code: 'DA-2024-0117',
          name: 'Đường giao thông liên xã Tân Sỏi'.normalize('NFC'),
          unitCode: '000.00.12.H40',
        },
        disbursement: {
          projectCode: 'DA-2024-0117',
          year: 2024,
          month: 5,
          capitalPlan: '12500000000',
          disbursedToDate: '3400000000',
        },
      },
    });
  });
});

describe('the v2.1 history mappers', () => {
  it('maps the documented unit version, its days unshifted and its update time to UTC', () => {
    expect(toUnitVersion(unitVersionContract.whole.parse(unitVersionWire()))).toEqual({
      code: '000.31.21.H10',
      version: 1,
      validFrom: '2019-01-01',
      validTo: '2025-07-01',
      name: 'Trường THCS Bố Hạ',
      parentCode: '000.00.21.H10',
      level: 'DISTRICT',
      kind: 'PUBLIC_SERVICE_UNIT',
      sector: 'EDUCATION',
      budgetCode: '1029331',
      headcountQuota: 25,
      // 09:00 in Vietnam is 02:00 UTC.
      sourceUpdatedAt: new Date('2025-06-20T02:00:00Z'),
    });
    const second = toUnitVersion(
      unitVersionContract.whole.parse(
        unitVersionWire({
          phienBan: 2,
          tuNgay: '2025-07-01',
          denNgay: null,
          maDinhDanhCha: '000.03.00.H10',
          cap: 'XA',
        }),
      ),
    );
    expect(second).toMatchObject({ version: 2, validFrom: '2025-07-01', validTo: null, level: 'COMMUNE' });
  });

  it('maps the documented event, and every event type to a different canonical one', () => {
    expect(toUnitEvent(unitEventContract.whole.parse(unitEventWire()))).toEqual({
      id: 'NQ1658-2025-003',
      type: 'MERGER',
      effectiveOn: '2025-07-01',
      legalBasis: 'Nghị quyết số 1658/NQ-UBTVQH15',
      unitsBefore: ['000.10.21.H10', '000.11.21.H10', '000.12.21.H10'],
      unitsAfter: ['000.03.00.H10'],
      sourceUpdatedAt: new Date('2025-06-16T03:00:00Z'),
    });
    const types = unitEventType.options.map(
      (loai) => toUnitEvent(unitEventContract.whole.parse(unitEventWire({ loai }))).type,
    );
    expect(types).toEqual(['MERGER', 'SPLIT', 'DISSOLUTION', 'CREATION', 'RENAME']);
    expect(new Set(types)).toEqual(new Set(UNIT_EVENT_TYPES));
  });

  it('maps the documented assignment', () => {
    expect(toStaffAssignment(staffAssignmentContract.whole.parse(staffAssignmentWire()))).toEqual({
      staffId: 'CC-0004521',
      startsOn: '2018-03-01',
      endsOn: '2025-07-01',
      unitCode: '000.12.21.H10',
      category: 'CIVIL_SERVANT',
      position: 'Công chức Văn phòng - Thống kê',
      meetsStandard: true,
      sourceUpdatedAt: new Date('2025-07-02T01:00:00Z'),
    });
  });
});
