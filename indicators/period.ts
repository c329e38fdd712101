/**
 * Periods as clients write them ('2024', '2024-H1', '2024-Q2', '2024-06') and
 * the Vietnam days they cover under a convention (docs/domain.md, "Periods"):
 * CALENDAR (the national service index and the budget use these), or the
 * REPORTING periods of Decree 09/2019/NĐ-CP used by administrative-reform
 * statistics, from the 15th of the month before to the 14th (monthsRange).
 * Budget and public-service-unit figures are kept by calendar month and year
 * whatever the convention: their groups read the calendar year and month of
 * the range's last day (store/indicators/finance.ts), so a REPORTING period
 * ending on 14 June reads the budget as of June.
 */
import { GraphQLError } from 'graphql';
import type { IsoDate } from '../store/model.ts';
import type { DayRange } from '../store/indicators/scope.ts';

export const PERIOD_CONVENTIONS = ['CALENDAR', 'REPORTING'] as const;
export type PeriodConvention = (typeof PERIOD_CONVENTIONS)[number];

/** The years a period may name: the hub's data starts well after 2000, and a typo like 20245 is refused. */
export const FIRST_PERIOD_YEAR = 2000;
export const LAST_PERIOD_YEAR = 2100;

export const PERIOD_KINDS = ['YEAR', 'HALF', 'QUARTER', 'MONTH'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  /** The canonical spelling: '2024', '2024-H1', '2024-Q2', '2024-06'. */
  label: string;
  kind: PeriodKind;
  convention: PeriodConvention;
  /** The Vietnam days it covers, both ends included. */
  range: DayRange;
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (year: number, month: number, d: number): IsoDate => `${year}-${pad(month)}-${pad(d)}`;

/** The last day of a calendar month (month 1–12), leap years included (Date.UTC's day 0 is the previous month's last). */
const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The days of the months first..last (1–12) of a year: calendar months, or the
 * reporting months, which start on the 15th of the month before the first one
 * (15 December of the previous year for January) and end on the 14th of the last:
 * H1 runs from 15 December to 14 June, H2 from 15 June to 14 December, the year
 * from 15 December of the previous year to 14 December.
 */
function monthsRange(year: number, first: number, last: number, convention: PeriodConvention): DayRange {
  if (convention === 'CALENDAR')
    return { first: day(year, first, 1), last: day(year, last, lastDayOfMonth(year, last)) };
  const start = first === 1 ? day(year - 1, 12, 15) : day(year, first - 1, 15);
  return { first: start, last: day(year, last, 14) };
}

function badPeriod(period: string, why: string, argument: string): GraphQLError {
  return new GraphQLError(
    `Invalid period ${JSON.stringify(period)}: ${why}. Write a year (2024), a half (2024-H1, 2024-H2), a quarter (2024-Q1 … 2024-Q4) or a month (2024-01 … 2024-12), for a year from ${FIRST_PERIOD_YEAR} to ${LAST_PERIOD_YEAR}.`,
    { extensions: { code: 'BAD_USER_INPUT', argument } },
  );
}

/**
 * The days a period covers under a convention; a malformed period is a
 * GraphQLError (BAD_USER_INPUT on the argument named, 'period' unless told). The letters H and Q
 * may be written in lower case; the label is always canonical.
 */
export function parsePeriod(period: string, convention: PeriodConvention = 'CALENDAR', argument = 'period'): Period {
  const match = /^(\d{4})(?:-(?:([Hh])(\d)|([Qq])(\d)|(\d{2})))?$/.exec(period.trim());
  if (!match) throw badPeriod(period, 'not a period', argument);
  const year = Number(match[1]);
  if (year < FIRST_PERIOD_YEAR || year > LAST_PERIOD_YEAR)
    throw badPeriod(period, `year ${year} is out of range`, argument);
  const [, , half, halfNumber, quarter, quarterNumber, month] = match;
  if (half) {
    const n = Number(halfNumber);
    if (n < 1 || n > 2) throw badPeriod(period, `there is no half ${n}`, argument);
    return { label: `${year}-H${n}`, kind: 'HALF', convention, range: monthsRange(year, n * 6 - 5, n * 6, convention) };
  }
  if (quarter) {
    const n = Number(quarterNumber);
    if (n < 1 || n > 4) throw badPeriod(period, `there is no quarter ${n}`, argument);
    return {
      label: `${year}-Q${n}`,
      kind: 'QUARTER',
      convention,
      range: monthsRange(year, n * 3 - 2, n * 3, convention),
    };
  }
  if (month) {
    const n = Number(month);
    if (n < 1 || n > 12) throw badPeriod(period, `there is no month ${month}`, argument);
    return { label: `${year}-${pad(n)}`, kind: 'MONTH', convention, range: monthsRange(year, n, n, convention) };
  }
  return { label: String(year), kind: 'YEAR', convention, range: monthsRange(year, 1, 12, convention) };
}

/**
 * The same period one year earlier, in the same convention ("so với cùng kỳ":
 * 2025-H1 → 2024-H1, 2025-Q3 → 2024-Q3, 2025 → 2024, 2025-07 → 2024-07); null
 * when that year is before FIRST_PERIOD_YEAR, the first the hub accepts.
 */
export function samePeriodYearBefore(period: Period): Period | null {
  const year = Number(period.label.slice(0, 4)) - 1;
  if (year < FIRST_PERIOD_YEAR) return null;
  return parsePeriod(`${year}${period.label.slice(4)}`, period.convention);
}

/** How many periods of each kind a year holds, and how a period's number is written. */
const KIND_SPELLING: Record<PeriodKind, { count: number; write: (year: number, n: number) => string }> = {
  YEAR: { count: 1, write: (year) => String(year) },
  HALF: { count: 2, write: (year, n) => `${year}-H${n}` },
  QUARTER: { count: 4, write: (year, n) => `${year}-Q${n}` },
  MONTH: { count: 12, write: (year, n) => `${year}-${pad(n)}` },
};

/**
 * The period of a kind that holds a Vietnam day under a convention. A
 * reporting period can start in the previous calendar year (the reporting year
 * 2027 starts on 15 December 2026), so the periods of the day's year and the
 * next are searched; they cover every day between them.
 */
export function periodContaining(day: IsoDate, kind: PeriodKind, convention: PeriodConvention): Period {
  const year = Number(day.slice(0, 4));
  const { count, write } = KIND_SPELLING[kind];
  for (const y of [year, year + 1]) {
    for (let n = 1; n <= count; n++) {
      const period = parsePeriod(write(y, n), convention);
      if (period.range.first <= day && day <= period.range.last) return period;
    }
  }
  throw new Error(`No ${kind} period holds ${day}`); // unreachable: the periods of two years cover the first
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'];
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A period's name in Vietnamese and English, as administrative reports write it ("Quý IV/2026", "6 tháng đầu năm 2026"). */
export function periodLabel(period: Period): { vi: string; en: string } {
  const [year, part] = period.label.split('-') as [string, string | undefined];
  const n = Number(part?.replace(/^[HQ]/, ''));
  const names: Record<PeriodKind, { vi: string; en: string }> = {
    YEAR: { vi: `Năm ${year}`, en: year },
    HALF: {
      vi: `6 tháng ${n === 1 ? 'đầu' : 'cuối'} năm ${year}`,
      en: `${n === 1 ? 'First' : 'Second'} half of ${year}`,
    },
    QUARTER: { vi: `Quý ${ROMAN_QUARTERS[n - 1]}/${year}`, en: `Q${n} ${year}` },
    MONTH: { vi: `Tháng ${n}/${year}`, en: `${MONTHS_EN[n - 1]} ${year}` },
  };
  const name = names[period.kind];
  return period.convention === 'REPORTING'
    ? { vi: `${name.vi} (kỳ báo cáo)`, en: `${name.en} (reporting period)` }
    : name;
}
