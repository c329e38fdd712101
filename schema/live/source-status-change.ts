/** SourceStatusChange and Subscription.sourceStatusChanged: an upstream system's status changing. */
import type { LiveEvent } from '../../store/live-events.ts';
import { builder } from '../builder.ts';
import { SourceNameEnum } from '../source.ts';
import { SourceStatusEnum } from './enums.ts';
import { PROVINCE_WIDE } from '../../live/subscribers.ts';
import { liveEventOf, openLiveStream, parseLastEventId } from './stream.ts';
import { LAST_EVENT_ID_DESCRIPTION, subscriptionScopes } from './subscription.ts';
import { LiveEventInterface } from './live-event.ts';

export type SourceStatusLiveEvent = Extract<LiveEvent, { kind: 'SOURCE_STATUS' }>;

const SourceStatusChangeRef = builder.objectRef<SourceStatusLiveEvent>('SourceStatusChange').implement({
  interfaces: [LiveEventInterface],
  description: 'An upstream system’s status changed (fresh, stale, failing, circuit open).',
  fields: (t) => ({
    source: t.field({
      type: SourceNameEnum,
      description: 'Which upstream system.',
      resolve: (event) => event.payload.source,
    }),
    status: t.field({
      type: SourceStatusEnum,
      description: 'Its status now.',
      resolve: (event) => event.payload.status,
    }),
    previousStatus: t.field({
      type: SourceStatusEnum,
      nullable: true,
      description: 'Its status before; null when the hub had none yet.',
      resolve: (event) => event.payload.previousStatus,
    }),
    lastSuccessAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its last successful sync pass ended; null if none has.',
      resolve: (event) => (event.payload.lastSuccessAt ? new Date(event.payload.lastSuccessAt) : null),
    }),
    error: t.string({
      nullable: true,
      description: 'Why its last pass failed, when it is FAILING or its circuit is open; null otherwise.',
      resolve: (event) => event.payload.error,
    }),
  }),
});

builder.subscriptionField('sourceStatusChanged', (t) =>
  t.field({
    type: SourceStatusChangeRef,
    description:
      'A SourceStatusChange each time an upstream system’s status changes. Needs the subscribe and read:aggregates scopes.',
    authScopes: subscriptionScopes('read:aggregates'),
    args: { lastEventId: t.arg.id({ description: LAST_EVENT_ID_DESCRIPTION }) },
    subscribe: async (_root, args, ctx) =>
      openLiveStream(ctx, {
        label: 'sourceStatusChanged',
        kind: 'SOURCE_STATUS',
        key: PROVINCE_WIDE,
        matches: (event) => event.kind === 'SOURCE_STATUS',
        lastEventId: parseLastEventId(args.lastEventId),
        catchUp: { kinds: ['SOURCE_STATUS'] },
      }),
    resolve: (item) => liveEventOf<SourceStatusLiveEvent>(item),
  }),
);
