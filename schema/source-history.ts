import type { HistoryCoverage } from '../store/history.ts';
import { builder } from './builder.ts';

/** How much of the cadre database's history the hub holds (store/history.ts historyCoverage). */
export const SourceHistory = builder.objectRef<HistoryCoverage>('SourceHistory').implement({
  description:
    'How much of the past the hub holds from the cadre database (its v2.1 history: unit versions, unit events, staff assignments). When partial, figures of past periods may be counted on the tree and assignments the hub observed itself from /v2/units and /v2/staff, which begin when the hub first saw them.',
  fields: (t) => ({
    partial: t.exposeBoolean('partial', {
      description:
        'True while a history feed has not synced yet, or the upstream does not serve its path (a cadre database before v2.1), or some version or assignment is only observed by the hub.',
    }),
    reasons: t.exposeStringList('reasons', {
      description: 'Why the history is partial, one line each (empty when it is complete).',
    }),
  }),
});
