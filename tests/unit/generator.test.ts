import { checkRecord, type RecordContract } from '../../connectors/common/flaws.ts';
import { describe, expect, it } from 'vitest';
import {
  budgetExecutionContract,
  BUDGET_EXECUTION_COLUMNS,
  psuFinanceContract,
  publicInvestmentContract,
} from '../../connectors/budget/contract.ts';
import { staffContract, unitContract } from '../../connectors/cadre-db/contract.ts';
import { dayNumber, dayOf, startOfDay } from '../../connectors/mock/generator/calendar.ts';
import { SEED_001, SEED_001_PERIOD } from '../../connectors/mock/generator/calibration.ts';
import { dossiersBetween } from '../../connectors/mock/generator/dossiers.ts';
import { exportProvince } from '../../connectors/mock/generator/export.ts';
import { buildProvince } from '../../connectors/mock/generator/province.ts';
import { SCALES } from '../../connectors/mock/generator/scales.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import { dossierContract, procedureContract } from '../../connectors/one-stop-shop/contract.ts';
import { createHash } from 'node:crypto';

async function digest(seed: number) {
  const hash = createHash('sha256');
  const counts = await exportProvince(
    { scale: 'tiny', seed },
    { write: (file, chunk) => void hash.update(file).update(chunk) },
  );
  return { counts, sha256: hash.digest('hex') };
}

describe('the province generator', () => {
  it('gives byte-identical output for the same seed, and different output for another', async () => {
    const [a, b, c] = await Promise.all([digest(1), digest(1), digest(2)]);
    expect(a.sha256).toBe(b.sha256);
    expect(a.counts).toEqual(b.counts);
    expect(c.sha256).not.toBe(a.sha256);
    expect(a.counts.dossiers).toBeGreaterThan(500);
  });

  it('serves only records that pass their contracts without a flaw', () => {
    const world = createMockWorld({ scale: 'tiny' });
    const failures: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const check = (contract: RecordContract<any, any>, records: readonly unknown[], what: string) => {
      expect(records.length, what).toBeGreaterThan(0);
      for (const r of records) {
        const checked = checkRecord(contract, r);
        if (!checked.ok || checked.flaws.length > 0) failures.push(`${what}: ${JSON.stringify(r)}`);
      }
    };
    check(procedureContract, world.procedures(), 'procedure');
    check(dossierContract, world.dossiers(null, null, 100_000).records, 'dossier');
    check(unitContract, world.units(null), 'unit');
    check(staffContract, world.staff(null), 'staff');
    check(psuFinanceContract, world.psuFinance(2024), 'psu finance');
    check(publicInvestmentContract, world.publicInvestment(2024, 5), 'investment');
    const rows = world
      .budgetExecution(2024, 6)
      .map((cells) => Object.fromEntries(BUDGET_EXECUTION_COLUMNS.map((c, i) => [c, cells[i]])));
    check(budgetExecutionContract, rows, 'budget line');
    expect(failures).toEqual([]);
  });

  it('has the structure the issue asks for: a reorganisation, all staff categories, mismatching units', () => {
    const world = createMockWorld({ scale: 'tiny' });
    const units = world.units(null);
    expect(
      units.filter((u) => u.cap === 'HUYEN' && u.loaiDonVi === 'UBND').every((u) => u.hieuLucDen === '2025-07-01'),
    ).toBe(true);
    expect(units.some((u) => u.cap === 'XA' && u.hieuLucTu === '2025-07-01')).toBe(true);
    expect(new Set(world.staff(null).map((s) => s.phanLoai))).toEqual(
      new Set(['CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'HOP_DONG']),
    );
    expect(world.staff(null).some((s) => s.trangThai === 'NGHI_HUU')).toBe(true);
    const finance = world.psuFinance(2024);
    const level = (r: (typeof finance)[number]) => Number(r.thuSuNghiep) / Number(r.chiThuongXuyen);
    const band = (l: number) => (l >= 1 ? 2 : l >= 0.1 ? 3 : 4);
    const mismatches = finance.filter((r) => band(level(r)) !== (r.nhomTuChu === 1 ? 2 : r.nhomTuChu));
    expect(mismatches.length).toBeGreaterThanOrEqual(2);
    expect(mismatches.length).toBeLessThan(finance.length / 10);
  });

  it('changes with the clock: new and progressing dossiers, and exactly those, appear in the feed', () => {
    const world = createMockWorld({ scale: 'tiny' });
    const mark = '20261120170001';
    const before = new Map(world.dossiers(null, null, 100_000).records.map((d) => [d.MaHoSo, d]));
    expect(world.dossiers(mark, null, 1000).records).toEqual([]);
    world.advance(3 * 86_400_000);
    const changed = world.dossiers(mark, null, 100_000).records;
    expect(changed.length).toBeGreaterThan(10);
    const after = new Map(world.dossiers(null, null, 100_000).records.map((d) => [d.MaHoSo, d]));
    const differing = [...after.values()].filter((d) => JSON.stringify(before.get(d.MaHoSo)) !== JSON.stringify(d));
    expect(changed.map((d) => d.MaHoSo).sort()).toEqual(differing.map((d) => d.MaHoSo).sort());
    expect(changed.some((d) => !before.has(d.MaHoSo))).toBe(true);
    expect(changed.some((d) => before.has(d.MaHoSo))).toBe(true);
  });

  it('reproduces seed 001 (Yên Thế, first half of 2023) within tolerance at the demo scale', () => {
    const province = buildProvince(SCALES.demo, 1);
    const start = startOfDay(dayNumber(SEED_001_PERIOD.from));
    const end = startOfDay(dayNumber(SEED_001_PERIOD.to) + 1);
    const zero = () => ({
      received: 0,
      online: 0,
      inPersonOrPostal: 0,
      carriedOver: 0,
      resolved: 0,
      early: 0,
      onTime: 0,
      late: 0,
      pending: 0,
    });
    const figures = { DISTRICT: zero(), COMMUNE: zero() };
    const rates = {
      capable: 0,
      capableOnline: 0,
      received: 0,
      digitised: 0,
      resolved: 0,
      electronic: 0,
      fee: 0,
      paid: 0,
    };
    for (const d of dossiersBetween(province, province.dossiersFrom, dayNumber(SEED_001_PERIOD.to) + 1)) {
      const desk = province.units[d.desk]!;
      if (desk.district !== 0 || (desk.desk !== 'DISTRICT' && desk.desk !== 'COMMUNE')) continue;
      const f = figures[desk.desk];
      const closedBefore = (t: number) => (d.finishedAt > 0 && d.finishedAt < t) || (d.closedAt > 0 && d.closedAt < t);
      if (d.receivedAt >= start && d.receivedAt < end) {
        f.received++;
        if (d.channel === 2) f.online++;
        else f.inPersonOrPostal++;
        rates.received++;
        if (d.digitised) rates.digitised++;
        if (province.procedures[d.procedure]!.MucDoDVC !== 'KHONG') {
          rates.capable++;
          if (d.channel === 2) rates.capableOnline++;
        }
        if (d.fee) rates.fee++;
        if (d.fee && (d.payment === 1 || d.payment === 2)) rates.paid++;
      }
      if (d.receivedAt < start && !closedBefore(start)) f.carriedOver++;
      if (d.finishedAt >= start && d.finishedAt < end) {
        f.resolved++;
        rates.resolved++;
        if (d.electronicResult) rates.electronic++;
        const finished = dayOf(d.finishedAt);
        const due = dayOf(d.dueAt);
        if (finished < due) f.early++;
        else if (finished === due) f.onTime++;
        else f.late++;
      }
      if (d.receivedAt < end && !closedBefore(end)) f.pending++;
    }
    for (const level of ['district', 'commune'] as const) {
      const got = figures[level === 'district' ? 'DISTRICT' : 'COMMUNE'];
      got.received += got.carriedOver; // form 06 counts carried-over dossiers as received
      const want = SEED_001[level];
      // Large figures within 4 % of themselves; every figure within 2 % of the level's total.
      for (const key of ['received', 'online', 'inPersonOrPostal', 'resolved', 'early'] as const) {
        if (want[key] < 1000) continue;
        expect(Math.abs(got[key] - want[key]) / want[key], `${level} ${key}: ${got[key]} vs ${want[key]}`).toBeLessThan(
          0.04,
        );
      }
      for (const key of Object.keys(want) as (keyof typeof want)[]) {
        expect(
          Math.abs(got[key] - want[key]) / want.received,
          `${level} ${key}: ${got[key]} vs ${want[key]}`,
        ).toBeLessThan(0.02);
      }
    }
    const pct = (a: number, b: number) => (100 * a) / b;
    expect(pct(rates.capableOnline, rates.capable)).toBeCloseTo(SEED_001.onlineRate, -0.3); // ± 1 point
    expect(Math.abs(pct(rates.digitised, rates.received) - SEED_001.digitisationRate)).toBeLessThan(1);
    expect(Math.abs(pct(rates.electronic, rates.resolved) - SEED_001.electronicResultRate)).toBeLessThan(1.5);
    expect(Math.abs(pct(rates.paid, rates.fee) - SEED_001.onlinePaymentRate)).toBeLessThan(2);

    // 61 public service units on the period's last day: 1 self-financing, 2 partly, 58 state-funded.
    const world = createMockWorld({ scale: 'demo' });
    const yenThe = new Set(
      world
        .units(null)
        .filter((u) => u.loaiDonVi === 'DVSNCL' && u.maDinhDanh.endsWith('.12.H40'))
        .filter((u) => u.hieuLucTu! <= SEED_001_PERIOD.to && (!u.hieuLucDen || u.hieuLucDen > SEED_001_PERIOD.to))
        .map((u) => u.maQHNS),
    );
    expect(yenThe.size).toBe(SEED_001.publicServiceUnits);
    const groups = world
      .psuFinance(2023)
      .filter((r) => yenThe.has(r.maQHNS))
      .map((r) => r.nhomTuChu);
    expect(groups.filter((g) => g <= 2)).toHaveLength(SEED_001.selfFinancing);
    expect(groups.filter((g) => g === 3)).toHaveLength(SEED_001.partlySelfFinancing);
    expect(groups.filter((g) => g === 4)).toHaveLength(58);
  });
});
