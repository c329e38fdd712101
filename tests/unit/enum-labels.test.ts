/**
 * Enum labels (issue 24): one table labels every value of every enum of the
 * schema in Vietnamese and English, and the dashboard's own labels agree with it.
 */
import { isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the dashboard's browser script ships without type declarations
import { STRINGS } from '../../gateway/dashboard/i18n.js';
import { enumLabel, LABELLED_ENUMS } from '../../schema/enum-labels.ts';
import { hubSchema } from '../../schema/index.ts';

const schemaEnums = () =>
  Object.values(hubSchema().getTypeMap()).filter((type) => isEnumType(type) && !type.name.startsWith('__'));

describe('enum labels', () => {
  it('label every value of every enum of the schema, in Vietnamese and English', () => {
    const missing: string[] = [];
    for (const type of schemaEnums()) {
      if (!isEnumType(type)) continue;
      for (const { name } of type.getValues()) {
        const label = enumLabel(type.name, name);
        if (!label?.vi.trim() || !label.en.trim()) missing.push(`${type.name}.${name}`);
      }
    }
    expect(missing).toEqual([]);
    // …and label nothing the schema does not have.
    expect(LABELLED_ENUMS).toEqual(
      schemaEnums()
        .map((type) => type.name)
        .sort(),
    );
  });

  it('agree with the dashboard’s labels', () => {
    const dashboard = {
      SourceName: 'sourceNames',
      SourceStatus: 'sourceStatus',
      AlertSeverity: 'severity',
      AlertKind: 'alertKinds',
      DossierEventKind: 'dossierKinds',
    } as const;
    for (const [type, key] of Object.entries(dashboard)) {
      for (const lang of ['vi', 'en'] as const) {
        const labels = STRINGS[lang][key] as Record<string, string>;
        for (const [value, text] of Object.entries(labels)) {
          if (value === 'UNKNOWN') continue; // the dashboard's own state before a source reports, not an enum value
          expect(enumLabel(type, value)?.[lang], `${type}.${value} (${lang})`).toBe(text);
        }
      }
    }
  });
});
