import { describe, expect, it } from 'vitest';
import { budgetExecutionRow, psuFinanceRecord } from '../../connectors/budget/contract.ts';
import { unitRecord } from '../../connectors/cadre-db/contract.ts';
import { dossierRecord } from '../../connectors/one-stop-shop/contract.ts';
import { describeIssues, isCompactLocal, parseCompactLocal } from '../../connectors/common/wire.ts';
import { budgetLineCells, dossierWire, unitWire } from '../support/spec-examples.ts';

const DOSSIER = dossierWire();

const reasons = (result: ReturnType<typeof dossierRecord.safeParse>) =>
  result.success ? 'accepted' : describeIssues(result.error);

describe('the one-stop-shop contract', () => {
  it("accepts the spec's example and tolerates unknown fields", () => {
    const result = dossierRecord.safeParse({ ...DOSSIER, TruongMoi: 'x' });
    expect(reasons(result)).toBe('accepted');
    expect(result.data).not.toHaveProperty('TruongMoi');
  });

  it('treats empty or absent event times as not yet happened', () => {
    const open = { ...DOSSIER, TrangThaiHoSo: 4, NgayKetThucXuLy: '', NgayTra: undefined, KetQuaDienTu: 0 };
    expect(dossierRecord.parse(open)).toMatchObject({ NgayKetThucXuLy: null, NgayTra: null });
  });

  it.each([
    [{ NgayTiepNhan: '20240231090000' }, 'NgayTiepNhan: expected a real local time'],
    [{ NgayHenTra: '20240617240000' }, 'NgayHenTra: expected a real local time'],
    [{ NgayCapNhat: '2024-06-17' }, 'NgayCapNhat: expected a real local time'],
    [{ NgayKetThucXuLy: '20240613101500' }, 'NgayKetThucXuLy: finished before it was received'],
    [{ NgayTra: '20240617101400' }, 'NgayTra: returned before it was finished'],
    [{ NgayKetThucXuLy: '', NgayTra: '' }, 'NgayKetThucXuLy: status 10 needs a finish time'],
    [{ KenhThucHien: 4 }, 'KenhThucHien'],
    [{ ToanTrinh: true }, 'ToanTrinh'],
    [{ CoPhiLePhi: 0 }, 'DuocThanhToanTrucTuyen: paid online but carries no fee'],
    [{ MaDonVi: undefined }, 'MaDonVi'],
  ])('refuses %j with a reason naming the field', (change, reason) => {
    expect(reasons(dossierRecord.safeParse({ ...DOSSIER, ...change }))).toContain(reason);
  });

  it('reads local times as Vietnam time (UTC+7), leap days included', () => {
    expect(parseCompactLocal('20240617170000')?.toISOString()).toBe('2024-06-17T10:00:00.000Z');
    expect(parseCompactLocal('20240101003000')?.toISOString()).toBe('2023-12-31T17:30:00.000Z');
    expect(isCompactLocal('20240229120000')).toBe(true);
    expect(isCompactLocal('20230229120000')).toBe(false);
    expect(isCompactLocal('2024061717000a')).toBe(false);
  });
});

describe('the cadre database and budget contracts', () => {
  const unit = unitWire();

  it('checks units for validity dates, sectors and budget codes', () => {
    expect(unitRecord.safeParse(unit).success).toBe(true);
    const bad = (change: object) => {
      const result = unitRecord.safeParse({ ...unit, ...change });
      return result.success ? 'accepted' : describeIssues(result.error);
    };
    expect(bad({ hieuLucDen: '2018-12-31' })).toContain('hieuLucDen: validity ends before it starts');
    expect(bad({ loaiDonVi: 'DVSNCL' })).toContain('linhVuc');
    expect(bad({ maQHNS: '104532' })).toContain('maQHNS: expected a 7-digit budget-relation code');
    expect(bad({ ngayCapNhat: '2024-02-30T08:00:00' })).toContain('ngayCapNhat');
  });

  it('keeps amounts exact, as strings, and refuses fractions', () => {
    const row = { maQHNS: '1045877', nam: 2024, nhomTuChu: 3, soQuyetDinh: '50/QĐ-UBND', thuSuNghiep: 1250000000 };
    expect(psuFinanceRecord.parse({ ...row, chiThuongXuyen: '12345678901234567' })).toMatchObject({
      thuSuNghiep: '1250000000',
      chiThuongXuyen: '12345678901234567',
    });
    expect(psuFinanceRecord.safeParse({ ...row, chiThuongXuyen: 1.5 }).success).toBe(false);
    expect(budgetExecutionRow.safeParse(budgetLineCells()).success).toBe(true);
    expect(budgetExecutionRow.safeParse(budgetLineCells({ du_toan: '1.520.000.000' })).success).toBe(false);
  });
});
