/**
 * Schema quality: every type, field, argument, input field and enum value the
 * graph offers says what it is, and every custom scalar names its
 * specification (@specifiedBy), which code generators map it by. A frontend
 * team reads the schema, not our code.
 */
import { readFileSync } from 'node:fs';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { hubSchema } from '../../schema/index.ts';

/** GraphQL's own scalars, which the GraphQL specification specifies. */
const SPECIFIED_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** Relay's plumbing describes itself by convention; everything else must carry a description. */
const RELAY_PLUMBING = /^(PageInfo|Node)$|Edge$|Connection$/;

function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(hubSchema().getTypeMap())) {
    if (type.name.startsWith('__') || RELAY_PLUMBING.test(type.name)) continue;
    if (isScalarType(type) && SPECIFIED_SCALARS.has(type.name)) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        // Relay's id field and connection arguments are the same everywhere.
        if (field.name === 'id') continue;
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          // Relay's connection and node arguments are the same everywhere.
          if (['first', 'after', 'last', 'before', 'id', 'ids'].includes(arg.name)) continue;
          if (!arg.description && !isInputObjectType(arg.type) && !arg.type.toString().endsWith('Filter'))
            missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

describe('the schema', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed()).toEqual([]);
  });

  it('names the specification of every custom scalar, one a reader can open', () => {
    const custom = Object.values(hubSchema().getTypeMap()).filter(
      (type) => isScalarType(type) && !type.name.startsWith('__') && !SPECIFIED_SCALARS.has(type.name),
    );
    expect(custom.length).toBeGreaterThan(0);
    for (const scalar of custom) {
      const url = isScalarType(scalar) ? scalar.specifiedByURL : undefined;
      expect(url, scalar.name).toBeTruthy();
      // A public specification, or a section of the repository's own docs.
      if (url!.startsWith('https://')) continue;
      const [file, anchor] = url!.split('#') as [string, string];
      const headings = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').match(/^#+ .+$/gm) ?? [];
      expect(
        headings.map((h) => h.replace(/^#+ /, '').toLowerCase()),
        scalar.name,
      ).toContain(anchor);
    }
  });
});
