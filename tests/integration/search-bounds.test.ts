/**
 * Search terms are bounded (length, words, word length) with BAD_USER_INPUT naming the bound, before anything reaches
 * the store, and each word adds to the request's cost. Before, one 30,000-character word held PostgreSQL for 15 s.
 */
import { getNamedType, isInputObjectType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationCosts } from '../../gateway/policy/limits/cost.ts';
import { hubSchema } from '../../schema/index.ts';
import { SEARCH_LIMITS, SEARCH_WORD_COST } from '../../schema/search.ts';
import { openDb } from '../../store/open-db.ts';
import { demoUnits, seedDemoProvince } from '../support/fixture-province.ts';
import { hubOnStore, startTestHub, testAdmin, type TestHub } from '../support/hub.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

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

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.warn(
    'tests/integration/search-bounds.test.ts: search under a statement timeout skipped: TEST_DATABASE_URL is unset',
  );
}

/**
 * PostgreSQL only (PGlite does not enforce the timeout). The search words used to be folded again for every row
 * (a subquery of LIKE ALL): one word of 50 characters cost 1.35 s over 30,000 names. Folded once per statement, a term
 * at the bounds over 60,000 names takes milliseconds, far inside a one-second statement timeout.
 */
describe.skipIf(!databaseUrl)('a search at the bounds on postgres', () => {
  const NAMES = 60_000;
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore('postgres');
    await seedDemoProvince(store.db);
    await store.db.query(
      `INSERT INTO staff (id, full_name, unit_code, category, meets_standard, status, source_updated_at)
       SELECT 'ST-' || lpad(i::text, 6, '0'), 'Nguyễn Văn An', $1, 'CIVIL_SERVANT', true, 'SERVING', now()
         FROM generate_series(1, $2::int) AS i`,
      [demoUnits()[0]!.code, NAMES],
    );
    const [{ schema }] = (await store.db.query<{ schema: string }>('SELECT current_schema() AS schema')) as [
      { schema: string },
    ];
    const timed = await openDb({ databaseUrl, schema, poolMax: 2, statementTimeoutMs: 1_000 });
    hub = await startTestHub(timed, { viewers: { admin: testAdmin() } });
  }, 60_000);
  afterAll(async () => {
    await hub?.hub.stop(); // closes the timed store
    await store?.dispose();
  });

  const searchStaff = (search: string) =>
    hub.gql('query($s: String) { staff(first: 5, filter: { search: $s }) { totalCount } }', { s: search }, 'admin');

  it('answers within the statement timeout: the words are folded once, not once per name', async () => {
    // Ten words of 50 characters but the first, "nguyen", which every name matches: each row tests every word.
    const words = ['nguyen', ...Array.from({ length: SEARCH_LIMITS.maxWords - 1 }, () => 'x'.repeat(19))];
    for (const search of ['y'.repeat(SEARCH_LIMITS.maxWordLength), 'Nguyễn vă', words.join(' ')]) {
      const answer = await searchStaff(search);
      expect(answer.errors, search).toBeUndefined();
      expect(answer.data.staff.totalCount, search).toBe(search.startsWith('N') ? NAMES : 0);
    }
  });
});
