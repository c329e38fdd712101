/**
 * The one shape of text in two languages: every named thing has a `label`
 * of this type (units, indicators, their parts, alerts, enum values …).
 */
import { builder } from './builder.ts';

export interface LocalizedText {
  vi: string;
  en: string;
}

export const LocalizedTextRef = builder.objectRef<LocalizedText>('LocalizedText').implement({
  description: 'A text in Vietnamese and in English.',
  fields: (t) => ({
    vi: t.exposeString('vi', { description: 'In Vietnamese, with diacritics.' }),
    en: t.exposeString('en', { description: 'In English.' }),
  }),
});
