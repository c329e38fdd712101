/**
 * Search terms are bounded (length, words, word length) with BAD_USER_INPUT naming the bound, before anything reaches
 * the store, and each word adds to the request's cost. Before, one 30,000-character word held PostgreSQL for 15 s.
 */
import { getNamedType, isInputObjectType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCosts } from '../../gateway/policy/limits/cost.ts';
import { hubSchema } from '../../schema/index.ts';
import { SEARCH_LIMITS, SEARCH_WORD_COST } from '../../schema/search.ts';
import { hubOnStore, testAdmin } from '../support/hub.ts';

const hubOf = hubOnStore('pglite', { viewers: { admin: testAdmin() } });

const LISTS = {
  procedures: 'query($s: String) { procedures(filter: { search: $s }) { totalCount } }',
  units: 'query($s: String) { units(filter: { search: $s }) { totalCount } }',
  staff: 'query($s: String) { staff(filter: { search: $s }) { totalCount } }',
};

/**
 * Every field of the schema that takes a search term, as "Type.field" and where the term goes ("filter.search"): an
 * argument named `search`, or a field `search` of an input argument.
 */
function searchFields(schema: GraphQLSchema): { parent: string; field: string; argument: string }[] {
  const found = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        const input = getNamedType(arg.type);
        if (arg.name === 'search') found.push({ parent: type.name, field: field.name, argument: arg.name });
        else if (isInputObjectType(input) && input.getFields().search) {
          found.push({ parent: type.name, field: field.name, argument: `${arg.name}.search` });
        }
      }
    }
  }
  return found;
}

describe('search bounds', () => {
  it('bounds every field of the schema that takes a search term', async () => {
    const fields = searchFields(hubSchema());
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(Object.keys(LISTS)));
    for (const { parent, field, argument } of fields) {
      const name = `${parent}.${field}(${argument})`;
      // The cost measure checks filter.search of any field (schema/cost.ts): a term anywhere else would escape it.
      expect(argument, name).toBe('filter.search');
      // A field below the root needs a path to it here, to be tested as the root's are.
      expect(parent, name).toBe('Query');
      const answer = await hubOf().gql(
        `query($s: String) { ${field}(filter: { search: $s }) { __typename } }`,
        { s: 'x'.repeat(30_000) },
        'admin',
      );
      expect(answer.data, name).toBeUndefined();
      expect(
        answer.errors?.map((e) => e.extensions),
        name,
      ).toEqual([
        expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'filter.search', limit: SEARCH_LIMITS.maxLength }),
      ]);
    }
  });

  const over: [string, string, number][] = [
    ['a term of 30,000 characters', 'x'.repeat(30_000), SEARCH_LIMITS.maxLength],
    ['11 words', Array.from({ length: 11 }, (_, i) => `w${i}`).join(' '), SEARCH_LIMITS.maxWords],
    ['a word of 51 characters', 'y'.repeat(51), SEARCH_LIMITS.maxWordLength],
  ];
  for (const [list, query] of Object.entries(LISTS)) {
    it.each(over)(`${list}: %s is BAD_USER_INPUT naming the bound`, async (_name, search, limit) => {
      const answer = await hubOf().gql(query, { s: search }, 'admin');
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.search', limit });
      expect(answer.errors![0]!.message).toContain(`at most ${limit}`);
    });

    it(`${list}: a term at every bound runs`, async () => {
      const search = Array.from({ length: SEARCH_LIMITS.maxWords }, () => 'z'.repeat(19)).join(' ');
      expect(search).toHaveLength(SEARCH_LIMITS.maxLength - 1);
      const answer = await hubOf().gql(query, { s: search }, 'admin');
      expect(answer.errors).toBeUndefined();
    });
  }

  it('adds each word to the cost of the field it filters', () => {
    const cost = (search: string) =>
      operationCosts({
        schema: hubSchema(),
        document: parse(`{ procedures(first: 10, filter: { search: "${search}" }) { totalCount } }`),
      })[0]!;
    expect(cost('ho tich') - cost('')).toBe(2 * SEARCH_WORD_COST);
    expect(cost('a b c d') - cost('')).toBe(4 * SEARCH_WORD_COST);
  });
});
