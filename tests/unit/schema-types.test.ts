/**
 * Types a compiler can check (issue 24): a value from a closed set is an
 * enum, a whole-number count an Int, and every indicator code the
 * IndicatorCode enum generated from the catalog. Walks the whole schema, so
 * a new field is held to the same rules.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInterfaceType,
  isListType,
  isObjectType,
  type GraphQLField,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { INDICATOR_CATALOG } from '../../indicators/catalog.ts';
import { hubSchema } from '../../schema/index.ts';
import { DOSSIER_COUNT_OUTCOMES } from '../../store/dossiers.ts';
import { STAFF_COUNT_CATEGORIES } from '../../store/units.ts';

/**
 * Whole numbers that can pass GraphQL's Int (32 bits), so they cannot be Int:
 * each with the reason. Everything else named like a count must be Int.
 */
const NOT_INT_COUNTS: Record<string, string> = {
  'IndicatorValue.numerator': 'sums đồng for budget indicators (past 2^31); exact below 2^53 as a Float',
  'IndicatorValue.denominator': 'sums đồng for budget indicators',
  'BreakdownPart.numerator': 'as IndicatorValue.numerator, over a part',
  'BreakdownPart.denominator': 'as IndicatorValue.denominator, over a part',
  'Source.recordsSynced': 'rows written since the first sync, which can pass 2^31: a string of digits',
  'SourceFeed.recordsSynced': 'as Source.recordsSynced',
};

const COUNT_NAME = /(^count$|Count$|^numerator$|^denominator$|^total|^recordsSynced$|^quarantined$|^attempts$)/;

function outputFields(): [string, GraphQLField<unknown, unknown>][] {
  return Object.values(hubSchema().getTypeMap())
    .filter((type) => !type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type)))
    .flatMap((type) =>
      Object.values((type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()).map(
        (field): [string, GraphQLField<unknown, unknown>] => [`${type.name}.${field.name}`, field],
      ),
    );
}

const enumValues = (name: string) => {
  const type = hubSchema().getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
  return type.getValues().map((value) => value.name);
};

describe('the types of the schema', () => {
  it('makes every field named like a count an Int, but the documented exceptions', () => {
    const counts = outputFields().filter(([name, field]) => {
      const leaf = getNullableType(field.type);
      return COUNT_NAME.test(name.split('.')[1]!) && !isListType(leaf) && !isObjectType(getNamedType(field.type));
    });
    expect(counts.length).toBeGreaterThan(10);
    const notInt = counts.filter(([, field]) => getNamedType(field.type).name !== 'Int').map(([name]) => name);
    expect(notInt.sort()).toEqual(Object.keys(NOT_INT_COUNTS).sort());
  });

  it('types every field whose description lists its values as an enum, unless it is a deprecated alias', () => {
    const listed = outputFields().filter(([, field]) => /\bone of [A-Z_]+, [A-Z_]+/.test(field.description ?? ''));
    expect(listed.length).toBeGreaterThan(0); // the old String fields, kept for one release
    for (const [name, field] of listed) {
      if (!isEnumType(getNamedType(field.type))) expect(field.deprecationReason, name).toBeTruthy();
    }
  });

  it('gives the staff and dossier counts enum fields beside their deprecated String aliases', () => {
    const fields = Object.fromEntries(outputFields());
    expect(String(fields['UnitStaffCount.staffCategory']!.type)).toBe('StaffCategory!');
    expect(String(fields['UnitDossierCount.dossierOutcome']!.type)).toBe('DossierOutcome!');
    expect(fields['UnitStaffCount.category']!.deprecationReason).toMatch(/staffCategory/);
    expect(fields['UnitDossierCount.outcome']!.deprecationReason).toMatch(/dossierOutcome/);
    // Every value the store can list is a value of the enum.
    expect(enumValues('StaffCategory').sort()).toEqual([...STAFF_COUNT_CATEGORIES].sort());
    expect(enumValues('DossierOutcome').sort()).toEqual([...DOSSIER_COUNT_OUTCOMES].sort());
  });

  it('writes every indicator code as IndicatorCode, whose values are the catalog’s codes', () => {
    expect(enumValues('IndicatorCode')).toEqual(INDICATOR_CATALOG.map((d) => d.code).sort());
    const fields = Object.fromEntries(outputFields());
    for (const name of ['Indicator.code', 'IndicatorValue.code', 'IndicatorTarget.code'])
      expect(String(fields[name]!.type), name).toBe('IndicatorCode!');
  });

  it('names the unit of measure measureUnit, keeping unit as a deprecated alias', () => {
    const fields = Object.fromEntries(outputFields());
    for (const type of ['Indicator', 'IndicatorValue']) {
      expect(String(fields[`${type}.measureUnit`]!.type)).toBe('IndicatorUnit!');
      expect(fields[`${type}.unit`]!.deprecationReason).toMatch(/measureUnit/);
    }
  });
  it('labels every named thing with label { vi en }, keeping the old pairs as deprecated aliases', () => {
    // BreakdownPart.label is a String already: it cannot become an object without breaking documents.
    const EXCEPTIONS = new Set(['BreakdownPart']);
    const pairs = [
      ['name', 'nameEn'],
      ['messageVi', 'messageEn'],
      ['message', 'messageEn'],
      ['label', 'labelEn'],
    ];
    const types = Object.values(hubSchema().getTypeMap()).filter(
      (type) => !type.name.startsWith('__') && isObjectType(type),
    );
    const named = types.filter((type) => {
      const fields = (type as { getFields(): Record<string, unknown> }).getFields();
      return pairs.some(([vi, en]) => vi! in fields && en! in fields) || 'shortName' in fields;
    });
    expect(named.map((type) => type.name).sort()).toEqual(
      [
        'Alert',
        'BreakdownPart',
        'DataQualityViolation',
        'Indicator',
        'IndicatorPart',
        'IndicatorPartDefinition',
        'IndicatorValue',
        'Unit',
      ].sort(),
    );
    for (const type of named) {
      if (EXCEPTIONS.has(type.name)) continue;
      const fields = (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields();
      expect(String(fields.label?.type), type.name).toBe('LocalizedText!');
      for (const [vi, en] of pairs) {
        if (vi === 'name' && type.name === 'Unit') continue; // the recorded name, not an alias
        if (vi! in fields && en! in fields) {
          expect(fields[vi!]!.deprecationReason, `${type.name}.${vi}`).toMatch(/label\.vi/);
          expect(fields[en!]!.deprecationReason, `${type.name}.${en}`).toMatch(/label\.en/);
        }
      }
    }
  });
});
