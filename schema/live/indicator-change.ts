/**
 * IndicatorChange and Subscription.indicatorChanged: an indicator's new
 * value each time a sync changes it, for one unit and period.
 *
 * The value is built from the event alone (the producer put every figure in
 * it), never by reading the store per subscriber: one evaluation per event
 * for all the subscribers of a process. Only fields a subscriber asks for that
 * read the store themselves (freshness, target, orgUnit) cost a read each.
 */
import type { LiveEvent } from '../../store/live-events.ts';
import { builder } from '../builder.ts';
import { INDICATORS_BY_CODE } from '../../indicators/catalog.ts';
import { definitionsOf, type IndicatorEvaluation } from '../../indicators/evaluate.ts';
import { IndicatorValueRef } from '../indicators/indicator-value.ts';
import { parsePeriod } from '../../indicators/period.ts';
import { AS_WAS } from '../../store/indicators/basis.ts';
import { hierarchyArgs, hierarchyBasisOf } from '../indicators/hierarchy.ts';
import { indicatorKey } from '../../live/subscribers.ts';
import { liveEventOf, openLiveStream, parseLastEventId } from './stream.ts';
import { currentVietnamYear, LAST_EVENT_ID_DESCRIPTION, subscribedUnit, subscriptionScopes } from './subscription.ts';
import { LiveEventInterface } from './live-event.ts';

export type IndicatorChangedEvent = Extract<LiveEvent, { kind: 'INDICATOR_CHANGED' }>;

const evaluations = new WeakMap<IndicatorChangedEvent, IndicatorEvaluation>();

/** The IndicatorValue an event describes; the same object for every subscriber of the event. */
export function evaluationOf(event: IndicatorChangedEvent): IndicatorEvaluation {
  let evaluation = evaluations.get(event);
  if (!evaluation) {
    const { payload } = event;
    const definition = INDICATORS_BY_CODE.get(payload.indicatorCode)!;
    const partNames = new Map((definition.parts ?? []).map((part) => [part.code, part]));
    evaluation = {
      definition,
      unitCode: payload.unitCode,
      unitLevel: payload.unitLevel as IndicatorEvaluation['unitLevel'],
      period: parsePeriod(payload.period, payload.convention),
      numerator: payload.numerator,
      denominator: payload.denominator,
      value: payload.value,
      parts: payload.parts.map((part) => ({
        code: part.code,
        nameVi: partNames.get(part.code)?.nameVi ?? part.code,
        nameEn: partNames.get(part.code)?.nameEn ?? part.code,
        value: part.value,
      })),
      computedAt: new Date(payload.computedAt),
      // Events logged before the basis existed were all evaluated as it was.
      basis: payload.hierarchyDate ? { hierarchy: 'AS_IS', hierarchyDate: payload.hierarchyDate } : AS_WAS,
      foldedUnitCodes: payload.foldedUnitCodes ?? [],
      unattributedRecords: payload.unattributedRecords ?? 0,
    };
    evaluations.set(event, evaluation);
  }
  return evaluation;
}

const IndicatorChangeRef = builder.objectRef<IndicatorChangedEvent>('IndicatorChange').implement({
  interfaces: [LiveEventInterface],
  description: 'An indicator whose value a sync has just changed, for one unit and period.',
  fields: (t) => ({
    value: t.field({
      type: IndicatorValueRef,
      description: 'The new value, with its numerator, denominator and breakdown as the sync left them.',
      resolve: (event) => evaluationOf(event),
    }),
    previousValue: t.float({
      nullable: true,
      description: 'The value before the change; null when there was none (or the denominator was 0).',
      resolve: (event) => event.payload.previousValue,
    }),
  }),
});

builder.subscriptionField('indicatorChanged', (t) =>
  t.field({
    type: IndicatorChangeRef,
    description:
      'An IndicatorChange each time a sync changes an indicator of the unit (the unit itself, its subtree counted, not its children’s values) over the period, on the basis asked (hierarchy); nothing when a sync leaves the value as it was. With AS_IS, the tree is that of hierarchyDate, or of the day the subscription started when omitted (it stays that day for the subscription’s life). Needs the subscribe and read:aggregates scopes and the unit inside the consumer’s subtree.',
    authScopes: subscriptionScopes('read:aggregates'),
    args: {
      unitCode: t.arg.string({ required: true, description: 'The unit’s national electronic identifier.' }),
      codes: t.arg.stringList({
        description:
          'Only these indicators, by code; every indicator of the catalog when omitted. An unknown code is an error (BAD_USER_INPUT).',
      }),
      period: t.arg.string({
        description:
          'The period (calendar convention): a year (2024), a half (2024-H1), a quarter (2024-Q2) or a month (2024-06); the current calendar year in Vietnam when omitted.',
      }),
      lastEventId: t.arg.id({ description: LAST_EVENT_ID_DESCRIPTION }),
      ...hierarchyArgs,
    },
    subscribe: async (_root, args, ctx) => {
      const period = parsePeriod(args.period ?? currentVietnamYear(), 'CALENDAR').label;
      const basis = hierarchyBasisOf(args);
      // AS_IS streams apart from AS_WAS ones: their own routing key, watch and events.
      const hierarchyDate = basis.hierarchy === 'AS_IS' ? basis.hierarchyDate : null;
      const codes = args.codes ? new Set(definitionsOf(args.codes).map((definition) => definition.code)) : null;
      const lastEventId = parseLastEventId(args.lastEventId);
      const unit = await subscribedUnit(ctx, args.unitCode);
      return openLiveStream(ctx, {
        label: `indicatorChanged ${unit.code} ${period}${hierarchyDate ? ` AS_IS ${hierarchyDate}` : ''}`,
        kind: 'INDICATOR_CHANGED',
        key: indicatorKey(unit.code, period, hierarchyDate),
        matches: (event) =>
          event.kind === 'INDICATOR_CHANGED' &&
          event.payload.unitCode === unit.code &&
          event.payload.period === period &&
          (event.payload.hierarchyDate ?? null) === hierarchyDate &&
          event.payload.convention === 'CALENDAR' &&
          INDICATORS_BY_CODE.has(event.payload.indicatorCode) &&
          (codes === null || codes.has(event.payload.indicatorCode)),
        lastEventId,
        catchUp: { kinds: ['INDICATOR_CHANGED'], unitCode: unit.code, provinceWide: false },
        watch: { unitCode: unit.code, period, hierarchyDate },
      });
    },
    resolve: (item) => liveEventOf<IndicatorChangedEvent>(item),
  }),
);
