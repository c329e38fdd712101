/**
 * The period a Vietnam day falls in (the root `currentPeriod`): clients ask
 * the hub for "this half-year" instead of re-implementing the reporting
 * periods of Decree 09/2019/NĐ-CP.
 */
import { vietnamDay } from '../../connectors/common/wire.ts';
import { ANY_READ_SCOPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import { describedValues } from '../enum-values.ts';
import { LocalizedTextRef } from '../localized-text.ts';
import { PERIOD_KINDS, periodContaining, periodLabel, type Period } from '../../indicators/period.ts';
import { PeriodConventionEnum } from './enums.ts';

export const PeriodKindEnum = builder.enumType('PeriodKind', {
  description: 'A kind of period, as `period` arguments write them.',
  values: describedValues(PERIOD_KINDS, {
    YEAR: 'A year: 2026.',
    HALF: 'A half-year: 2026-H1, 2026-H2.',
    QUARTER: 'A quarter: 2026-Q1 … 2026-Q4.',
    MONTH: 'A month: 2026-01 … 2026-12.',
  }),
});

const PeriodRef = builder.objectRef<Period>('Period').implement({
  description: 'A period of days, by its code as `period` arguments take it.',
  fields: (t) => ({
    code: t.exposeString('label', {
      description: 'The period’s code in canonical form, e.g. 2026-H2: pass it as `period`.',
    }),
    kind: t.expose('kind', { type: PeriodKindEnum, description: 'Its kind.' }),
    convention: t.expose('convention', { type: PeriodConventionEnum, description: 'How it maps to days.' }),
    from: t.field({
      type: 'Date',
      description: 'Its first day (Vietnam time), included.',
      resolve: (p) => p.range.first,
    }),
    to: t.field({ type: 'Date', description: 'Its last day (Vietnam time), included.', resolve: (p) => p.range.last }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'Its name, e.g. "6 tháng cuối năm 2026" / "Second half of 2026".',
      resolve: (p) => periodLabel(p),
    }),
  }),
});

builder.queryFields((t) => ({
  currentPeriod: t.field({
    type: PeriodRef,
    authScopes: ANY_READ_SCOPE,
    description:
      'The period of a kind that holds today in Vietnam (UTC+7), under a convention: under REPORTING, 15 December already belongs to the next year’s first month, quarter, half and year. Needs any read scope.',
    args: {
      kind: t.arg({ type: PeriodKindEnum, required: true, description: 'A year, a half, a quarter or a month.' }),
      convention: t.arg({
        type: PeriodConventionEnum,
        defaultValue: 'CALENDAR',
        description: 'How periods map to days.',
      }),
    },
    resolve: (_root, args) => periodContaining(vietnamDay(Date.now()), args.kind, args.convention ?? 'CALENDAR'),
  }),
}));
