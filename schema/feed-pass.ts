import type { FeedDataHealth } from '../live/sources.ts';
import { builder } from './builder.ts';

const UnknownField = builder.objectRef<{ field: string; records: number }>('UnknownField').implement({
  description:
    'A field the feed\'s records carried that its contract does not know (tolerated, not stored). A renamed field shows up as one of these beside a "missing field" reason in quarantine.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The field name as the upstream sent it.' }),
    records: t.exposeInt('records', { description: 'Records of the last pass that carried it.' }),
  }),
});

/** A feed's last pass as the data saw it (live/sources.ts feedDataHealth). */
export const FeedPass = builder.objectRef<FeedDataHealth>('FeedPass').implement({
  description:
    "What a feed's last sync pass read and could not take: the data-level health of the feed, apart from whether the upstream answered.",
  fields: (t) => ({
    read: t.exposeInt('read', { description: 'Records read from the upstream.' }),
    rejected: t.exposeInt('rejected', { description: 'Of those, quarantined (see the quarantine field).' }),
    flawed: t.exposeInt('flawed', { description: 'Of those, stored with flaws (see dataQuality).' }),
    rejectedPercent: t.exposeFloat('rejectedPercent', {
      description: 'rejected as a percentage of read (0 when nothing was read).',
    }),
    flawedPercent: t.exposeFloat('flawedPercent', {
      description: 'flawed as a percentage of read (0 when nothing was read).',
    }),
    degraded: t.exposeBoolean('degraded', {
      description:
        'rejectedPercent or flawedPercent is above the threshold (FEED_DEGRADED_ABOVE_PERCENT): the feed, and its source, are DEGRADED.',
    }),
    unknownFields: t.field({
      type: [UnknownField],
      description: 'Fields the records carried that the contract does not know, most frequent first.',
      resolve: (pass) => pass.unknownFields,
    }),
  }),
});
