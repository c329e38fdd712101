/** The enums of the live types (store/live-events.ts has the values), each value with its meaning. */
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  DOSSIER_EVENT_KINDS,
  type SourceStatusPayload,
} from '../../store/live-events.ts';
import { builder } from '../builder.ts';
import { describedValues } from '../enum-values.ts';

export const DossierEventKindEnum = builder.enumType('DossierEventKind', {
  description: 'What happened to a dossier, as a sync saw it.',
  values: describedValues(DOSSIER_EVENT_KINDS, {
    RECEIVED: 'Newly received (tiếp nhận): new to the hub.',
    RESOLVED: 'Processing finished (giải quyết xong): its finish date was newly set.',
    OVERDUE: 'Still open and now past its due date (quá hạn).',
    RETURNED: 'Its result was handed to the applicant (trả kết quả).',
  }),
});

export const AlertKindEnum = builder.enumType('AlertKind', {
  description: 'What an alert is about.',
  values: describedValues(ALERT_KINDS, {
    INDICATOR_TARGET_MISSED: 'An indicator crossed its target the wrong way: it met it before and misses it now.',
    INDICATOR_TARGET_MET: 'An indicator crossed its target the right way: it missed it before and meets it now.',
    DOSSIER_OVERDUE: 'A dossier became overdue (quá hạn).',
    SOURCE_STALE: 'An upstream system has not synced within its staleness limit: its figures may be out of date.',
    CIRCUIT_OPEN: "An upstream system's circuit breaker opened after repeated failures: calls to it fail fast.",
    DATA_QUALITY_VIOLATED: 'A data-quality rule is newly violated.',
    FEED_REJECTING_RECORDS:
      "A feed's last sync pass quarantined (or stored with flaws) more than the threshold's share of the records it read: the upstream's data changed shape or broke its contract.",
  }),
});

export const AlertSeverityEnum = builder.enumType('AlertSeverity', {
  description: 'How urgent an alert is.',
  values: describedValues(ALERT_SEVERITIES, {
    INFO: 'For information (e.g. a target newly met).',
    WARNING: 'Needs attention.',
    CRITICAL: 'Needs action now.',
  }),
});

const SOURCE_STATUSES = [
  'FRESH',
  'DEGRADED',
  'STALE',
  'FAILING',
  'CIRCUIT_OPEN',
] as const satisfies readonly SourceStatusPayload['status'][];

export const SourceStatusEnum = builder.enumType('SourceStatus', {
  description: "How an upstream system's copy in the hub stands.",
  values: describedValues(SOURCE_STATUSES, {
    FRESH: 'Synced within its staleness limit.',
    DEGRADED:
      "Synced, but a feed's last pass quarantined (or stored with flaws) more than the threshold's share of its records (FEED_DEGRADED_ABOVE_PERCENT).",
    STALE: 'Not synced within its staleness limit: its figures may be out of date.',
    FAILING: 'Its last sync pass failed.',
    CIRCUIT_OPEN: 'Its circuit breaker is open: calls to it fail fast until a probe succeeds.',
  }),
});
