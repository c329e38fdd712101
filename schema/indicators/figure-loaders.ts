/** The indicator figure loaders of a request (indicators/evaluate.ts), one set per request context. */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { createFigureLoaders } from '../../indicators/evaluate.ts';
import { countFlawedRecords } from '../../store/indicators/flawed.ts';
import type { DayRange, FigureGroup } from '../../store/indicators/index.ts';
import type { Context } from '../context.ts';

export const figureLoadersOf = createContextCache((ctx: Context) => createFigureLoaders(ctx.db));

interface FlawedKey {
  unitCode: string;
  range: DayRange;
  groups: ReadonlySet<FigureGroup>;
}

/** The flawed records among those an indicator counts (IndicatorValue.flawedRecords), each set asked once per request. */
export const flawedLoaderOf = createContextCache(
  (ctx: Context) =>
    new DataLoader<FlawedKey, number, string>(
      (keys) => Promise.all(keys.map((k) => countFlawedRecords(ctx.db, k.unitCode, k.range, k.groups))),
      { cacheKeyFn: (k) => `${k.unitCode}|${k.range.first}|${k.range.last}|${[...k.groups].sort().join(',')}` },
    ),
);
