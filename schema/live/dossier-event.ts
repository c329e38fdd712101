/**
 * DossierEvent and Subscription.dossierEvents: dossiers received, resolved,
 * overdue or returned in a unit's subtree, as each sync sees them.
 */
import type { LiveEvent } from '../../store/live-events.ts';
import { builder } from '../builder.ts';
import { DossierNode } from '../dossier.ts';
import { DossierEventKindEnum } from './enums.ts';
import { liveEventOf, openLiveStream, parseLastEventId } from './stream.ts';
import { LAST_EVENT_ID_DESCRIPTION, subscribedUnit, subscriptionScopes } from './subscription.ts';
import { LiveEventInterface } from './live-event.ts';

export type DossierLiveEvent = Extract<LiveEvent, { kind: 'DOSSIER' }>;

const DossierEventRef = builder.objectRef<DossierLiveEvent>('DossierEvent').implement({
  interfaces: [LiveEventInterface],
  description: 'Something a sync saw happen to a dossier.',
  fields: (t) => ({
    kind: t.field({
      type: DossierEventKindEnum,
      description: 'What happened.',
      resolve: (event) => event.payload.kind,
    }),
    unitCode: t.string({ description: 'The receiving unit’s code.', resolve: (event) => event.payload.unitCode }),
    dossierCode: t.string({
      description: 'The dossier’s code (mã hồ sơ).',
      resolve: (event) => event.payload.dossierCode,
    }),
    dossier: t.field({
      type: DossierNode,
      nullable: true,
      description:
        'The dossier as the hub stores it now (read when asked, so it may have moved on since the event); null, with an error, when the consumer may not read it.',
      resolve: (event) => event.payload.dossierCode,
    }),
  }),
});

builder.subscriptionField('dossierEvents', (t) =>
  t.field({
    type: DossierEventRef,
    description:
      'A DossierEvent each time a sync sees a dossier of the unit’s subtree received, resolved, become overdue or returned. Needs the subscribe and read:dossiers scopes and the unit inside the consumer’s subtree.',
    authScopes: subscriptionScopes('read:dossiers'),
    args: {
      unitCode: t.arg.string({
        required: true,
        description: 'The unit whose subtree is followed (its national electronic identifier).',
      }),
      kinds: t.arg({
        type: [DossierEventKindEnum],
        description: 'Only these kinds of event; every kind when omitted.',
      }),
      lastEventId: t.arg.id({ description: LAST_EVENT_ID_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const kinds = args.kinds ? new Set(args.kinds) : null;
      const lastEventId = parseLastEventId(args.lastEventId);
      const unit = await subscribedUnit(ctx, args.unitCode);
      return openLiveStream(ctx, {
        label: `dossierEvents ${unit.code}`,
        kind: 'DOSSIER',
        key: unit.code,
        matches: (event) =>
          event.kind === 'DOSSIER' &&
          event.unitPath.includes(unit.code) &&
          (kinds === null || kinds.has(event.payload.kind)),
        lastEventId,
        catchUp: { kinds: ['DOSSIER'], unitCode: unit.code, provinceWide: false },
      });
    },
    resolve: (item) => liveEventOf<DossierLiveEvent>(item),
  }),
);
