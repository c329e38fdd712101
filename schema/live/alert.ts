/**
 * Alert and Subscription.alerts: an indicator crossing its target, a dossier
 * becoming overdue, a source going stale or its circuit opening, a
 * data-quality rule newly violated, each in Vietnamese and English with the
 * values behind it.
 */
import type { LiveEvent } from '../../store/live-events.ts';
import { builder } from '../builder.ts';
import { LocalizedTextRef } from '../localized-text.ts';
import { UnitNode } from '../unit.ts';
import { AlertValueRef } from './alert-value.ts';
import { AlertKindEnum, AlertSeverityEnum } from './enums.ts';
import { liveEventOf, openLiveStream, parseLastEventId } from './stream.ts';
import { currentVietnamYear, LAST_EVENT_ID_DESCRIPTION, subscribedUnit, subscriptionScopes } from './subscription.ts';
import { LiveEventInterface } from './live-event.ts';

export type AlertLiveEvent = Extract<LiveEvent, { kind: 'ALERT' }>;

const AlertRef = builder.objectRef<AlertLiveEvent>('Alert').implement({
  interfaces: [LiveEventInterface],
  description: 'Something the operations centre should look at, raised by a sync.',
  fields: (t) => ({
    kind: t.field({
      type: AlertKindEnum,
      description: 'What the alert is about.',
      resolve: (event) => event.payload.kind,
    }),
    severity: t.field({
      type: AlertSeverityEnum,
      description: 'How urgent it is.',
      resolve: (event) => event.payload.severity,
    }),
    unitCode: t.string({
      nullable: true,
      description: 'The unit it is about; null for a province-wide alert (a source going stale).',
      resolve: (event) => event.payload.unitCode,
    }),
    unit: t.field({
      type: UnitNode,
      nullable: true,
      description: 'The unit it is about; null for a province-wide alert.',
      resolve: (event) => event.payload.unitCode,
    }),
    subject: t.string({
      nullable: true,
      description:
        'What it is about when that is one thing: an indicator code, a dossier code, a source, a data-quality rule.',
      resolve: (event) => event.payload.subject,
    }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'The alert in Vietnamese and English.',
      resolve: (event) => ({ vi: event.payload.messageVi, en: event.payload.messageEn }),
    }),
    messageVi: t.string({
      description: 'The alert in Vietnamese.',
      deprecationReason: 'Use label.vi.',
      resolve: (event) => event.payload.messageVi,
    }),
    messageEn: t.string({
      description: 'The alert in English.',
      deprecationReason: 'Use label.en.',
      resolve: (event) => event.payload.messageEn,
    }),
    values: t.field({
      type: [AlertValueRef],
      description: 'The values behind it (the indicator’s value and target, the days overdue …).',
      resolve: (event) => event.payload.values,
    }),
  }),
});

builder.subscriptionField('alerts', (t) =>
  t.field({
    type: AlertRef,
    description:
      'Alerts about the unit’s subtree, and province-wide ones (a source going stale or its circuit opening). Indicator target alerts cover the current calendar year. Needs the subscribe and read:aggregates scopes and the unit inside the consumer’s subtree. DOSSIER_OVERDUE alerts name the dossier, so only consumers that also hold read:dossiers receive them.',
    authScopes: subscriptionScopes('read:aggregates'),
    args: {
      unitCode: t.arg.string({
        required: true,
        description: 'The unit whose subtree is followed (its national electronic identifier).',
      }),
      lastEventId: t.arg.id({ description: LAST_EVENT_ID_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const lastEventId = parseLastEventId(args.lastEventId);
      const unit = await subscribedUnit(ctx, args.unitCode);
      // An overdue alert carries a dossier code (subject, messages): record-level data, not an aggregate.
      const readsDossiers = ctx.viewer.scopes.has('read:dossiers');
      return openLiveStream(ctx, {
        label: `alerts ${unit.code}`,
        kind: 'ALERT',
        key: unit.code,
        matches: (event) =>
          event.kind === 'ALERT' &&
          (event.unitPath.length === 0 || event.unitPath.includes(unit.code)) &&
          (readsDossiers || event.payload.kind !== 'DOSSIER_OVERDUE'),
        lastEventId,
        catchUp: { kinds: ['ALERT'], unitCode: unit.code, provinceWide: true },
        // Target alerts are computed for watched units: the producers evaluate this unit's current year.
        watch: { unitCode: unit.code, period: currentVietnamYear() },
      });
    },
    resolve: (item) => liveEventOf<AlertLiveEvent>(item),
  }),
);
