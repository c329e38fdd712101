/**
 * Every GraphQL example in the README validates against the schema, so the
 * newcomer's first queries keep working as the graph changes.
 */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { hubSchema } from '../../schema/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('the README’s GraphQL examples', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });
  it.each(examples.map((example) => [example.trim().split('\n')[0]!, example]))('validates: %s', (_, example) => {
    expect(validate(hubSchema(), parse(example)).map((error) => error.message)).toEqual([]);
  });
});
