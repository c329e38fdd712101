/** IndicatorScore: the PAR INDEX points of a value, scored by indicators/score.ts. */
import { builder } from '../builder.ts';
import type { IndicatorScore } from '../../indicators/score.ts';

export const IndicatorScoreRef = builder.objectRef<IndicatorScore>('IndicatorScore').implement({
  description:
    'The points a value earns on the PAR INDEX criterion it feeds (Chỉ số cải cách hành chính), by the scoring the seeds document; the rule says how, and where it comes from.',
  fields: (t) => ({
    criterion: t.exposeString('criterion', { description: 'The PAR INDEX criterion, e.g. 3.4.2.' }),
    points: t.exposeFloat('points', {
      description: 'Points earned, between 0 and max: the full double (the published scores round to 4 decimals).',
    }),
    max: t.exposeFloat('max', { description: 'The criterion’s maximum (điểm tối đa), e.g. 1.5.' }),
    rule: t.exposeString('rule', {
      description: 'How points follow from the value (PROPORTIONAL or TO_THRESHOLD, with the formula) and its source.',
    }),
  }),
});
