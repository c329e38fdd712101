/**
 * The budget system's figures, derived per unit and year (or month) from the
 * seed: public service units' autonomy groups with revenue and recurrent
 * spending consistent with them (Decree 60/2021/NĐ-CP bands), save a few
 * units whose figures contradict their group; budget execution lines
 * cumulative by month; public investment projects with their disbursement.
 *
 * Seed 001's district (Yên Thế) has 61 public service units: its project
 * board covers its recurrent spending (group 2), the Bố Hạ kindergarten and
 * the land-fund centre cover 10–<30 % (group 3, by decision 50/QĐ-UBND of
 * 27 January 2023; group 4 before), and the rest are state-funded.
 */
import type { PsuFinanceWire, PublicInvestmentWire } from '../../budget/contract.ts';
import type { BudgetExecutionLine } from '../world.ts';
import { monthEnd, monthStart, startOfDay, yearOf } from './calendar.ts';
import { placeOf } from './names.ts';
import type { Province } from './province.ts';
import { Random, STREAM } from './random.ts';
import { REORGANISATION, validOn, type GenUnit } from './units.ts';

export const FIRST_BUDGET_YEAR = 2021;
const MILLION = 1_000_000;
const yearStart = (year: number) => monthStart(year, 1);

/** Units that existed on some day of the year. */
const existedIn = (unit: GenUnit, year: number) =>
  unit.validFrom < yearStart(year + 1) && (unit.validTo === null || unit.validTo > yearStart(year));

function assignedGroup(unit: GenUnit, year: number, random: Random): 1 | 2 | 3 | 4 {
  switch (unit.tag) {
    case 'fully-autonomous':
      return 1;
    case 'self-financing':
    case 'hospital-self-financing':
    case 'project-board':
      return 2;
    case 'partial-kindergarten':
    case 'land-fund':
      return year >= 2023 ? 3 : 4;
    case 'hospital':
    case 'hospital-mismatch':
    case 'college':
      return 3;
    default:
      // Outside the calibrated district, a few schools and centres cover part of their spending.
      return unit.district !== 0 && random.chance(0.04) ? 3 : 4;
  }
}

/** Own revenue over recurrent spending, drawn inside the group's band (or, for a mismatch, outside it). */
function selfFinancingLevel(unit: GenUnit, group: number, random: Random): number {
  if (unit.tag === 'mismatch') return 0.12 + 0.06 * random.next(); // group 4 on paper, 10–<30 % in fact
  if (unit.tag === 'hospital-mismatch') return 1.01 + 0.05 * random.next(); // group 3 on paper, ≥ 100 % in fact
  if (group === 1) return 1.05 + 0.25 * random.next();
  if (group === 2) return 1 + 0.15 * random.next();
  if (group === 3) {
    if (unit.tag === 'hospital') return 0.72 + 0.25 * random.next();
    if (unit.tag === 'college') return 0.32 + 0.35 * random.next();
    return 0.11 + 0.17 * random.next();
  }
  return random.chance(0.6) ? 0 : 0.08 * random.next();
}

/** Yearly recurrent spending in đồng, by kind of unit, growing about 4 % a year. */
function recurrentSpending(unit: GenUnit, year: number, random: Random): number {
  const base =
    unit.sector === 'Y_TE' && unit.tag !== null
      ? random.int(40_000, 300_000)
      : unit.role === 'province-psu'
        ? random.int(5_000, 40_000)
        : unit.role === 'school'
          ? random.int(2_500, 6_000)
          : random.int(1_500, 4_000);
  return Math.round(base * 1.04 ** (year - FIRST_BUDGET_YEAR)) * MILLION;
}

/** Decision numbers: one decision per district (or the province) and autonomy period. */
function decisionNo(province: Province, unit: GenUnit, year: number): string {
  const period = year <= 2022 ? 0 : year <= 2025 ? 1 : 2;
  if (unit.district === 0 && period === 1) return '50/QĐ-UBND'; // seed 001's decision of 27 January 2023
  const random = new Random(province.seed, STREAM.finance, unit.district ?? 99, period);
  return `${random.int(12, 480)}/QĐ-UBND`;
}

const currentYear = (now: number) => new Date((now + 7 * 3600) * 1000).getUTCFullYear();
const monthClosed = (now: number, year: number, month: number) => startOfDay(monthEnd(year, month)) <= now;

export function psuFinance(province: Province, year: number, now: number): PsuFinanceWire[] {
  if (year < FIRST_BUDGET_YEAR || year > currentYear(now)) return [];
  return province.units
    .filter((unit) => unit.kind === 'DVSNCL' && existedIn(unit, year))
    .map((unit) => {
      const random = new Random(province.seed, STREAM.finance, unit.index, year);
      const group = assignedGroup(unit, year, new Random(province.seed, STREAM.finance, unit.index));
      const spending = recurrentSpending(unit, year, random);
      return {
        maQHNS: unit.budgetCode,
        nam: year,
        nhomTuChu: group,
        soQuyetDinh: decisionNo(province, unit, year),
        thuSuNghiep: Math.round((spending * selfFinancingLevel(unit, group, random)) / MILLION) * MILLION,
        chiThuongXuyen: spending,
      };
    });
}

/** Budget chapter by level, and the category (loại-khoản) by sector. */
const CHAPTER = { TINH: '422', HUYEN: '418', XA: '805' } as const;
const CATEGORY: Record<string, string> = {
  GIAO_DUC: '072',
  Y_TE: '132',
  VAN_HOA: '161',
  KHOA_HOC: '101',
  LAO_DONG: '371',
  KINH_TE: '280',
  KHAC: '398',
};
/** Spending items (mục, tiểu mục) and their shares of a unit's estimate. */
const SPENDING_ITEMS: [string, string, number][] = [
  ['6000', '6001', 0.45],
  ['6100', '6101', 0.15],
  ['6500', '6501', 0.06],
  ['7000', '7001', 0.34],
];
/** Revenue items collected by People's Committees: taxes and fees. */
const REVENUE_ITEMS: [string, string, number][] = [
  ['1000', '1003', 0.8],
  ['2000', '2001', 0.2],
];

/** Cumulative execution by the end of month M: about 60 % of spending by mid-year (seed 001: 60.31 %). */
const spendingCurve = (month: number) => (month / 12) ** 0.74;
const revenueCurve = (month: number) => (month / 12) ** 0.9;

function yearlyBudget(unit: GenUnit, random: Random): number {
  const millions: Record<GenUnit['role'], () => number> = {
    province: () => random.int(60_000, 90_000),
    agency: () => random.int(15_000, 40_000),
    district: () => random.int(25_000, 40_000),
    office: () => random.int(3_000, 8_000),
    commune: () => random.int(6_000, 10_000),
    'merged-commune': () => random.int(18_000, 30_000),
    school: () => random.int(2_500, 6_000),
    'district-centre': () => random.int(1_500, 4_000),
    'province-psu': () => random.int(5_000, 60_000),
  };
  return millions[unit.role]() * MILLION;
}

export function budgetExecution(province: Province, year: number, month: number, now: number): BudgetExecutionLine[] {
  if (year < FIRST_BUDGET_YEAR || !monthClosed(now, year, month)) return [];
  const lines: BudgetExecutionLine[] = [];
  const firstOfMonth = monthEnd(year, month - 1);
  for (const unit of province.units) {
    if (!validOn(unit, firstOfMonth)) continue;
    const yearly = new Random(province.seed, STREAM.budget, unit.index, year);
    const budget = yearlyBudget(unit, yearly);
    const level = unit.versions.findLast((v) => v.at <= startOfDay(firstOfMonth))?.level ?? unit.versions[0]!.level;
    const chapter = CHAPTER[level];
    const category = unit.sector ? CATEGORY[unit.sector]! : '341';
    type Item = [item: string, sub: string, share: number, direction: 'THU' | 'CHI', curve: (m: number) => number];
    const items: Item[] = [
      ...SPENDING_ITEMS.map(([item, sub, share]): Item => [item, sub, share, 'CHI', spendingCurve]),
      ...(unit.kind === 'UBND'
        ? REVENUE_ITEMS.map(([item, sub, share]): Item => [item, sub, share * 0.6, 'THU', revenueCurve])
        : []),
    ];
    items.forEach(([item, sub, share, direction, curve], i) => {
      // Each line's pace through the year is its own, but fixed for the year: cumulative figures never fall.
      const line = new Random(province.seed, STREAM.budget, unit.index, year, i);
      const estimate = Math.round((budget * share) / MILLION) * MILLION;
      const pace = 0.9 + 0.2 * line.next();
      const executed = Math.round((estimate * Math.min(1.08, curve(month) * pace)) / 1000) * 1000;
      lines.push([unit.budgetCode, chapter, category, item, sub, direction, String(estimate), String(executed)]);
    });
  }
  return lines;
}

const PROJECT_KINDS = [
  (a: string, b: string) => `Đường giao thông liên xã ${a} - ${b}`,
  (a: string) => `Nhà lớp học 2 tầng Trường Tiểu học ${a}`,
  (a: string) => `Trạm y tế xã ${a}`,
  (a: string) => `Cải tạo, nâng cấp trụ sở UBND xã ${a}`,
  (a: string) => `Kè chống sạt lở bờ sông Thương đoạn qua xã ${a}`,
  (a: string) => `Nhà văn hóa trung tâm xã ${a}`,
];

/** Investment projects of a year with their disbursement to the end of a month. */
export function publicInvestment(province: Province, year: number, month: number, now: number): PublicInvestmentWire[] {
  if (year < FIRST_BUDGET_YEAR || !monthClosed(now, year, month)) return [];
  // Owners: district People's Committees before the reorganisation year, the new communes and agencies from it on.
  const afterReorganisation = year >= yearOf(REORGANISATION);
  const owners = province.units.filter((u) =>
    afterReorganisation ? u.role === 'merged-commune' : u.role === 'district',
  );
  const places = province.units.filter((u) => u.role === 'commune').map((u) => placeOf(u.name));
  const agencies = province.units.filter((u) => u.role === 'agency' && existedIn(u, year) && u.validTo === null);
  const projects: PublicInvestmentWire[] = [];
  const perOwner = afterReorganisation ? 2 : 6;
  const all = [
    ...owners.flatMap((owner) => Array.from({ length: perOwner }, () => owner)),
    ...Array.from({ length: 2 * province.scale.districts }, (_, i) => agencies[i % agencies.length]!),
  ];
  all.forEach((owner, n) => {
    const random = new Random(province.seed, STREAM.investment, year, n);
    const kind = random.pick(PROJECT_KINDS);
    const plan = random.int(20, 600) * 100 * MILLION;
    const pace = 0.85 + 0.15 * random.next();
    const disbursed = Math.round((plan * pace * (month / 12) ** 1.5) / MILLION) * MILLION;
    projects.push({
      maDuAn: `DA-${year}-${String(n + 1).padStart(4, '0')}`,
      tenDuAn: kind(random.pick(places), random.pick(places)),
      maQHNS: owner.budgetCode,
      keHoachVon: plan,
      giaiNganLuyKe: disbursed,
    });
  });
  return projects;
}
