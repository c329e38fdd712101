/**
 * Every GraphQL example of the documentation (README.md and docs/*.md)
 * validates against the schema, so the newcomer's first queries keep working
 * as the graph changes.
 */
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { hubSchema } from '../../schema/index.ts';
import { docExamples } from '../support/doc-examples.ts';

const examples = docExamples();

describe('the documentation’s GraphQL examples', () => {
  it('has examples to check, in the README and in docs/', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    expect(examples.filter((example) => example.file === 'README.md')).not.toHaveLength(0);
    expect(examples.filter((example) => example.file === 'docs/graph.md').length).toBeGreaterThanOrEqual(5);
  });
  it.each(examples.map(({ file, text }) => [`${file}: ${text.trim().split('\n')[0]!}`, text]))(
    'validates: %s',
    (_, text) => {
      expect(validate(hubSchema(), parse(text)).map((error) => error.message)).toEqual([]);
    },
  );
});
