/**
 * How fresh the data behind an indicator value is: for each upstream system
 * whose records it counts, when the last successful sync pass ended, and how
 * long before the value was computed.
 */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { SourceName } from '../../connectors/feed.ts';
import { lastSuccessfulSyncs } from '../../store/indicators/index.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { SourceNameEnum } from '../source.ts';

export interface SourceFreshnessShape {
  source: SourceName;
  lastSuccessAt: Date | null;
  /** The instant the lag is measured to: the value's computedAt. */
  asOf: Date;
}

/** One read of sync_runs per request for every source asked, however many values ask. */
const syncLoaders = createContextCache(
  (ctx: Context) =>
    new DataLoader<SourceName, Date | null>(async (sources) =>
      (await lastSuccessfulSyncs(ctx.db, sources)).map((row) => row.at),
    ),
);

/** The freshness of each source, as of an instant. */
export async function freshnessOf(
  ctx: Context,
  sources: readonly SourceName[],
  asOf: Date,
): Promise<SourceFreshnessShape[]> {
  const loader = syncLoaders(ctx);
  return Promise.all(sources.map(async (source) => ({ source, lastSuccessAt: await loader.load(source), asOf })));
}

export const SourceFreshnessRef = builder.objectRef<SourceFreshnessShape>('SourceFreshness').implement({
  description:
    'How fresh one upstream system’s copy in the hub was when a value was computed (the same reading as Source.lastSuccessAt).',
  fields: (t) => ({
    source: t.expose('source', { type: SourceNameEnum, description: 'The upstream system.' }),
    lastSuccessAt: t.expose('lastSuccessAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When its last successful sync pass ended; null if none has (the data was loaded otherwise, or not at all).',
    }),
    lagSeconds: t.int({
      nullable: true,
      description:
        'Seconds from lastSuccessAt to the value’s computedAt: how much newer upstream data the value may miss. Null when lastSuccessAt is.',
      resolve: ({ lastSuccessAt, asOf }) =>
        lastSuccessAt ? Math.max(0, Math.round((asOf.getTime() - lastSuccessAt.getTime()) / 1000)) : null,
    }),
  }),
});
