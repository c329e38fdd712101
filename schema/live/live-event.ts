/**
 * LiveEvent: what every subscription delivers, an event of the hub's live
 * log (store/live-events.ts). Its id is what a reconnecting subscriber passes
 * back as lastEventId.
 */
import type { LiveEvent, LiveEventKind } from '../../store/live-events.ts';
import { builder } from '../builder.ts';

/** The GraphQL type of each kind of event. */
const TYPE_OF_KIND: Record<LiveEventKind, string> = {
  INDICATOR_CHANGED: 'IndicatorChange',
  DOSSIER: 'DossierEvent',
  ALERT: 'Alert',
  SOURCE_STATUS: 'SourceStatusChange',
};

export const LiveEventInterface = builder.interfaceRef<LiveEvent>('LiveEvent').implement({
  description: 'An event of the hub’s live log, as a subscription delivers it.',
  resolveType: (event) => TYPE_OF_KIND[event.kind],
  fields: (t) => ({
    eventId: t.id({
      description: 'The event’s id in the live log: pass the last one received as lastEventId to catch up.',
      resolve: (event) => event.id,
    }),
    at: t.field({
      type: 'DateTime',
      description: 'When the event was logged, after the commit of the sync that caused it.',
      resolve: (event) => new Date(event.at),
    }),
  }),
});
