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

export type PeriodKind = 'YEAR' | 'HALF' | 'QUARTER' | 'MONTH';

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
