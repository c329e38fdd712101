/** AlertValue: one of the values behind an alert, a number or a text. */
import type { AlertValue } from '../../store/live-events.ts';
import { builder } from '../builder.ts';

export const AlertValueRef = builder.objectRef<AlertValue>('AlertValue').implement({
  description: 'One of the values behind an alert: the indicator’s value and its target, the days overdue …',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What the value is, in English: "value", "target", "overdue days" …' }),
    number: t.float({
      nullable: true,
      description: 'The value when it is a number; null otherwise.',
      resolve: (value) => (typeof value.value === 'number' ? value.value : null),
    }),
    text: t.string({
      nullable: true,
      description: 'The value when it is a text (a code, a date); null otherwise.',
      resolve: (value) => (typeof value.value === 'string' ? value.value : null),
    }),
  }),
});
