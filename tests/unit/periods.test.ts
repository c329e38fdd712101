/**
 * Periods: every expected range below is written out by hand from the rules of
 * docs/domain.md ("Periods"): calendar periods, and the reporting
 * periods of Decree 09/2019/NĐ-CP (15th of the month before .. 14th).
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  parsePeriod,
  periodContaining,
  periodLabel,
  samePeriodYearBefore,
  type PeriodKind,
} from '../../indicators/period.ts';

const range = (period: string, convention: 'CALENDAR' | 'REPORTING') => parsePeriod(period, convention).range;

describe('calendar periods', () => {
  it('cover whole calendar months, quarters, halves and years', () => {
    expect(range('2024', 'CALENDAR')).toEqual({ first: '2024-01-01', last: '2024-12-31' });
    expect(range('2024-H1', 'CALENDAR')).toEqual({ first: '2024-01-01', last: '2024-06-30' });
    expect(range('2024-H2', 'CALENDAR')).toEqual({ first: '2024-07-01', last: '2024-12-31' });
    expect(range('2024-Q1', 'CALENDAR')).toEqual({ first: '2024-01-01', last: '2024-03-31' });
    expect(range('2024-Q2', 'CALENDAR')).toEqual({ first: '2024-04-01', last: '2024-06-30' });
    expect(range('2024-Q3', 'CALENDAR')).toEqual({ first: '2024-07-01', last: '2024-09-30' });
    expect(range('2024-Q4', 'CALENDAR')).toEqual({ first: '2024-10-01', last: '2024-12-31' });
    expect(range('2024-01', 'CALENDAR')).toEqual({ first: '2024-01-01', last: '2024-01-31' });
    expect(range('2024-04', 'CALENDAR')).toEqual({ first: '2024-04-01', last: '2024-04-30' });
    expect(range('2024-12', 'CALENDAR')).toEqual({ first: '2024-12-01', last: '2024-12-31' });
  });

  it('end February on the 29th in leap years only', () => {
    expect(range('2024-02', 'CALENDAR')).toEqual({ first: '2024-02-01', last: '2024-02-29' }); // 2024: divisible by 4
    expect(range('2023-02', 'CALENDAR')).toEqual({ first: '2023-02-01', last: '2023-02-28' });
    expect(range('2000-02', 'CALENDAR')).toEqual({ first: '2000-02-01', last: '2000-02-29' }); // divisible by 400
    expect(range('2100-02', 'CALENDAR')).toEqual({ first: '2100-02-01', last: '2100-02-28' }); // by 100, not 400
  });

  it('is the default convention', () => {
    expect(parsePeriod('2024-06').range).toEqual({ first: '2024-06-01', last: '2024-06-30' });
    expect(parsePeriod('2024-06').convention).toBe('CALENDAR');
  });
});

describe('reporting periods', () => {
  it('run from the 15th of the month before to the 14th', () => {
    expect(range('2024-06', 'REPORTING')).toEqual({ first: '2024-05-15', last: '2024-06-14' });
    expect(range('2024-12', 'REPORTING')).toEqual({ first: '2024-11-15', last: '2024-12-14' });
    // January starts in December of the previous year.
    expect(range('2024-01', 'REPORTING')).toEqual({ first: '2023-12-15', last: '2024-01-14' });
    // March starts in February whatever its length: the 15th exists in every February.
    expect(range('2024-03', 'REPORTING')).toEqual({ first: '2024-02-15', last: '2024-03-14' });
    expect(range('2023-03', 'REPORTING')).toEqual({ first: '2023-02-15', last: '2023-03-14' });
  });

  it('give quarters from the 15th of the month before their first month to the 14th of their last', () => {
    expect(range('2024-Q1', 'REPORTING')).toEqual({ first: '2023-12-15', last: '2024-03-14' });
    expect(range('2024-Q2', 'REPORTING')).toEqual({ first: '2024-03-15', last: '2024-06-14' });
    expect(range('2024-Q3', 'REPORTING')).toEqual({ first: '2024-06-15', last: '2024-09-14' });
    expect(range('2024-Q4', 'REPORTING')).toEqual({ first: '2024-09-15', last: '2024-12-14' });
  });

  it('give halves 15 Dec .. 14 Jun and 15 Jun .. 14 Dec, and the year 15 Dec .. 14 Dec', () => {
    expect(range('2024-H1', 'REPORTING')).toEqual({ first: '2023-12-15', last: '2024-06-14' });
    expect(range('2024-H2', 'REPORTING')).toEqual({ first: '2024-06-15', last: '2024-12-14' });
    expect(range('2024', 'REPORTING')).toEqual({ first: '2023-12-15', last: '2024-12-14' });
    expect(range('2000', 'REPORTING')).toEqual({ first: '1999-12-15', last: '2000-12-14' });
  });

  it('tile the year: each period starts the day after the previous one ends (the 14th/15th boundary)', () => {
    const months = Array.from({ length: 12 }, (_, i) => range(`2024-${String(i + 1).padStart(2, '0')}`, 'REPORTING'));
    for (let i = 1; i < 12; i += 1) {
      expect(months[i - 1]!.last.slice(8)).toBe('14');
      expect(months[i]!.first.slice(8)).toBe('15');
      expect(months[i]!.first.slice(0, 7)).toBe(months[i - 1]!.last.slice(0, 7));
    }
    expect(range('2025-01', 'REPORTING').first).toBe('2024-12-15'); // the day after 2024-12's 2024-12-14
    expect(range('2025-H1', 'REPORTING').first).toBe('2024-12-15'); // the day after 2024-H2's 2024-12-14
  });
});

describe('labels', () => {
  it('are canonical: upper-case H and Q, two-digit months', () => {
    expect(parsePeriod('2024-h1').label).toBe('2024-H1');
    expect(parsePeriod('2024-q2', 'REPORTING').label).toBe('2024-Q2');
    expect(parsePeriod(' 2024-06 ').label).toBe('2024-06');
    expect(parsePeriod('2024').label).toBe('2024');
    expect(parsePeriod('2024-q2').kind).toBe('QUARTER');
  });
});

describe('malformed periods', () => {
  const refusal = (period: string) => {
    try {
      parsePeriod(period, 'CALENDAR');
    } catch (error) {
      return error;
    }
    throw new Error(`${JSON.stringify(period)} was accepted`);
  };

  it.each([
    '2024-13',
    '2024-00',
    '2024-Q5',
    '2024-Q0',
    '2024-H3',
    '2024-H0',
    '24',
    '2024-6',
    '2024-W01',
    'garbage',
    '',
  ])('refuses %j as bad input on the period argument', (period) => {
    const error = refusal(period) as GraphQLError;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'period' });
    expect(error.message).toContain(`Invalid period ${JSON.stringify(period)}`);
  });

  it('says what was wrong', () => {
    expect((refusal('2024-13') as Error).message).toContain('there is no month 13');
    expect((refusal('2024-Q5') as Error).message).toContain('there is no quarter 5');
    expect((refusal('2024-H3') as Error).message).toContain('there is no half 3');
    expect((refusal('1999') as Error).message).toContain('year 1999 is out of range');
    expect((refusal('2101-01') as Error).message).toContain('year 2101 is out of range');
  });
});

describe('the period that holds a day (currentPeriod)', () => {
  const code = (day: string, kind: PeriodKind, convention: 'CALENDAR' | 'REPORTING') =>
    periodContaining(day, kind, convention).label;

  it('finds calendar periods, across their boundaries', () => {
    expect(code('2026-06-30', 'HALF', 'CALENDAR')).toBe('2026-H1');
    expect(code('2026-07-01', 'HALF', 'CALENDAR')).toBe('2026-H2');
    expect(code('2026-12-31', 'QUARTER', 'CALENDAR')).toBe('2026-Q4');
    expect(code('2027-01-01', 'QUARTER', 'CALENDAR')).toBe('2027-Q1');
    expect(code('2024-02-29', 'MONTH', 'CALENDAR')).toBe('2024-02');
    expect(code('2026-12-31', 'YEAR', 'CALENDAR')).toBe('2026');
  });

  it('finds reporting periods, which start on the 15th of the month before (the next year from 15 December)', () => {
    expect(code('2026-06-14', 'HALF', 'REPORTING')).toBe('2026-H1');
    expect(code('2026-06-15', 'HALF', 'REPORTING')).toBe('2026-H2');
    expect(code('2026-12-14', 'HALF', 'REPORTING')).toBe('2026-H2');
    expect(code('2026-12-15', 'HALF', 'REPORTING')).toBe('2027-H1');
    expect(code('2026-12-15', 'YEAR', 'REPORTING')).toBe('2027');
    expect(code('2026-12-15', 'QUARTER', 'REPORTING')).toBe('2027-Q1');
    expect(code('2026-12-15', 'MONTH', 'REPORTING')).toBe('2027-01');
    expect(code('2026-03-14', 'MONTH', 'REPORTING')).toBe('2026-03');
    expect(code('2026-03-15', 'MONTH', 'REPORTING')).toBe('2026-04');
  });

  it('returns, for every day of three years, a period of the kind whose days hold it', () => {
    for (let t = Date.UTC(2025, 0, 1); t <= Date.UTC(2027, 11, 31); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      for (const kind of ['YEAR', 'HALF', 'QUARTER', 'MONTH'] as const) {
        for (const convention of ['CALENDAR', 'REPORTING'] as const) {
          const period = periodContaining(day, kind, convention);
          expect(period.kind).toBe(kind);
          expect(period.range.first <= day && day <= period.range.last, `${day} ${kind} ${convention}`).toBe(true);
        }
      }
    }
  });

  it('names periods as administrative reports do', () => {
    expect(periodLabel(parsePeriod('2026-H2'))).toEqual({ vi: '6 tháng cuối năm 2026', en: 'Second half of 2026' });
    expect(periodLabel(parsePeriod('2026-q4'))).toEqual({ vi: 'Quý IV/2026', en: 'Q4 2026' });
    expect(periodLabel(parsePeriod('2026-03', 'REPORTING'))).toEqual({
      vi: 'Tháng 3/2026 (kỳ báo cáo)',
      en: 'March 2026 (reporting period)',
    });
    expect(periodLabel(parsePeriod('2026'))).toEqual({ vi: 'Năm 2026', en: '2026' });
  });
});

describe('the same period a year before', () => {
  const before = (period: string, convention: 'CALENDAR' | 'REPORTING' = 'CALENDAR') =>
    samePeriodYearBefore(parsePeriod(period, convention));

  it('shifts halves, quarters, months and years back one year, in the same convention', () => {
    expect(before('2025-H1')?.label).toBe('2024-H1');
    expect(before('2025-Q3')?.label).toBe('2024-Q3');
    expect(before('2025')?.label).toBe('2024');
    expect(before('2025-07')?.label).toBe('2024-07');
    // Calendar 2025-H2 is 2025-07-01 … 12-31, so the year before is 2024-07-01 … 12-31.
    expect(before('2025-H2')?.range).toEqual({ first: '2024-07-01', last: '2024-12-31' });
    // Reporting 2025-Q1 is 2024-12-15 … 2025-03-14; a year before: 2023-12-15 … 2024-03-14.
    expect(before('2025-Q1', 'REPORTING')).toMatchObject({
      label: '2024-Q1',
      kind: 'QUARTER',
      convention: 'REPORTING',
      range: { first: '2023-12-15', last: '2024-03-14' },
    });
  });

  it('ends February on the day of its own year (leap years)', () => {
    // 2025-02 has 28 days, 2024-02 has 29.
    expect(before('2025-02')?.range).toEqual({ first: '2024-02-01', last: '2024-02-29' });
  });

  it('is null before the first year the hub accepts', () => {
    expect(before('2001-H2')?.label).toBe('2000-H2');
    expect(before('2000-H2')).toBeNull();
    expect(before('2000')).toBeNull();
  });
});
