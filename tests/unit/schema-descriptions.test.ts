/**
 * Schema quality: every type, field, argument, input field and enum value the
 * graph offers says what it is. A frontend team reads the schema, not our code.
 */
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { hubSchema } from '../../schema/index.ts';

/** Relay's plumbing describes itself by convention; everything else must carry a description. */
const RELAY_PLUMBING = /^(PageInfo|Node)$|Edge$|Connection$/;

function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(hubSchema().getTypeMap())) {
    if (type.name.startsWith('__') || RELAY_PLUMBING.test(type.name)) continue;
    if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
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
});
