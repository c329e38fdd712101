/**
 * The hierarchy basis as every field that evaluates indicators takes it: the
 * argument pair `hierarchy` and `hierarchyDate`, parsed into a HierarchyBasis
 * in one place (hierarchyBasisOf), and the history coverage the values report,
 * read once per request.
 */
import { badUserInput } from '../../core/error-codes.ts';
import { createContextCache } from '@pothos/core';
import { FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR } from '../../indicators/period.ts';
import { AS_WAS, vietnamToday, type Hierarchy, type HierarchyBasis } from '../../store/indicators/basis.ts';
import { historyCoverage } from '../../store/history.ts';
import type { IsoDate } from '../../store/model.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { HierarchyEnum } from './enums.ts';

/** The pair every indicator field takes, spread into its arguments. */
export const hierarchyArgs = builder.args((t) => ({
  hierarchy: t.field({
    type: HierarchyEnum,
    defaultValue: 'AS_WAS',
    description:
      'The tree the figures are counted on: AS_WAS (the default), each period on the tree of its own time; AS_IS, every period restated on the tree of `hierarchyDate`.',
  }),
  hierarchyDate: t.field({
    type: 'Date',
    description: `With AS_IS only: the day whose tree restates every period (today in Vietnam when omitted), in the years ${FIRST_PERIOD_YEAR}–${LAST_PERIOD_YEAR}. Given with AS_WAS, it is an error (BAD_USER_INPUT): that basis has no single date.`,
  }),
}));

export interface HierarchyArgs {
  hierarchy?: Hierarchy | null;
  hierarchyDate?: IsoDate | null;
}

/**
 * The basis the pair names; a date with AS_WAS, or a date outside the years a
 * period may name, is BAD_USER_INPUT on `hierarchyDate`. The Date scalar has
 * already refused what is not a real day.
 */
export function hierarchyBasisOf(args: HierarchyArgs, today: () => IsoDate = vietnamToday): HierarchyBasis {
  const date = args.hierarchyDate ?? null;
  if ((args.hierarchy ?? 'AS_WAS') === 'AS_WAS') {
    if (date !== null) {
      throw badUserInput(
        'hierarchyDate',
        `hierarchyDate (${date}) is for hierarchy: AS_IS only; AS_WAS counts each record on the tree of its own date. Drop hierarchyDate, or ask for hierarchy: AS_IS.`,
      );
    }
    return AS_WAS;
  }
  if (date === null) return { hierarchy: 'AS_IS', hierarchyDate: today() };
  const year = Number(date.slice(0, 4));
  if (year < FIRST_PERIOD_YEAR || year > LAST_PERIOD_YEAR) {
    throw badUserInput(
      'hierarchyDate',
      `hierarchyDate ${date} is out of range: the hub restates on days of ${FIRST_PERIOD_YEAR} to ${LAST_PERIOD_YEAR}.`,
    );
  }
  return { hierarchy: 'AS_IS', hierarchyDate: date };
}

/** The store's history coverage (IndicatorValue.historyPartial), read at most once per request. */
export const historyCoverageOf = createContextCache((ctx: Context) => historyCoverage(ctx.db));
