/**
 * The cost model (schema/cost.ts) as gateway/policy/limits/cost.ts measures it: a
 * connection multiplies by its page, nested pages multiply, edges are not
 * counted twice, a subtree counts thirty units, other lists ten items, a page
 * out of range is the page size error, and an operation that cannot be
 * measured does not run.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costRefusal, operationCosts } from '../../gateway/policy/limits/cost.ts';
import { LIST_MULTIPLIER, PREVIOUS_VALUE_MULTIPLIER, SUBTREE_MULTIPLIER } from '../../schema/cost.ts';
import { hubSchema } from '../../schema/index.ts';

const schema = hubSchema();
const cost = (text: string, variableValues: Record<string, unknown> = {}) =>
  operationCosts({ schema, document: parse(text), variableValues })[0];

describe('query cost', () => {
  it('multiplies what a connection selects by its page: first, else last, else 20', () => {
    // units 1 + page × (edges 1 + node 1 + code 1)
    expect(cost('{ units(first: 100) { edges { node { code } } } }')).toBe(1 + 100 * 3);
    expect(cost('{ units(last: 7) { edges { node { code } } } }')).toBe(1 + 7 * 3);
    expect(cost('{ units { edges { node { code } } } }')).toBe(1 + 20 * 3);
    expect(cost('query ($n: Int) { units(first: $n) { edges { node { code } } } }', { n: 50 })).toBe(1 + 50 * 3);
  });

  it('multiplies nested pages, and plain lists by ten', () => {
    expect(
      cost('{ procedures(first: 10) { edges { node { dossiers(first: 10) { edges { node { code } } } } } } }'),
    ).toBe(1 + 10 * (1 + 1 + (1 + 10 * 3)));
    expect(cost('{ units(first: 10) { edges { node { children { code } } } } }')).toBe(1 + 10 * (1 + 1 + (1 + 10)));
  });

  it('counts a value’s previous year twice (a second evaluation), and change as its own and that evaluation', () => {
    const l = LIST_MULTIPLIER;
    const p = PREVIOUS_VALUE_MULTIPLIER;
    // indicators 1 + 10 × (value 1)
    expect(cost('{ indicators(unitCode: "X", period: "2025") { value } }')).toBe(1 + l * 1);
    // indicators 1 + 10 × (value 1 + previous (1 + 2 × value 1))
    expect(cost('{ indicators(unitCode: "X", period: "2025") { value previous { value } } }')).toBe(
      1 + l * (1 + (1 + p * 1)),
    );
    // previous of previous: 1 + 2 × (1 + 2 × 1)
    expect(cost('{ indicators(unitCode: "X", period: "2025") { previous { previous { value } } } }')).toBe(
      1 + l * (1 + p * (1 + p * 1)),
    );
    // change: 2
    expect(cost('{ indicators(unitCode: "X", period: "2025") { value change } }')).toBe(1 + l * (1 + 2));
  });

  it('refuses a page out of range with the page size error, not with its cost', () => {
    const refusal = costRefusal(
      { schema, document: parse('{ units(first: 100000) { edges { node { code } } } }') },
      5_000,
    );
    expect(refusal?.message).toBe('"first" must be between 0 and 100, got 100000');
    expect(refusal?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses over the limit with the cost and the limit; at the limit it passes', () => {
    const document = parse('{ units(first: 100) { edges { node { code } } } }');
    expect(costRefusal({ schema, document }, 301)).toBeNull();
    const refusal = costRefusal({ schema, document }, 300);
    expect(refusal?.message).toMatch(/^Query cost 301 exceeds the limit of 300: /);
    expect(refusal?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 301, limit: 300 });
  });

  it('counts a subtree as SUBTREE_MULTIPLIER units, so nested subtrees over a page are refused', () => {
    const m = SUBTREE_MULTIPLIER;
    expect(cost('{ units(first: 10) { edges { node { descendants { code } } } } }')).toBe(1 + 10 * (1 + 1 + (1 + m)));
    const nested = parse('{ units(first: 100) { edges { node { descendants { descendants { code } } } } } }');
    const refusal = costRefusal({ schema, document: nested }, 20_000);
    expect(refusal?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 1 + 100 * (2 + 1 + m * (1 + m)) });
    expect(cost('{ ranking(code: "X", level: COMMUNE, period: "2024", first: 5) { rank } }')).toBe(1 + 5);
    expect(cost('{ ranking(code: "X", level: COMMUNE, period: "2024") { rank } }')).toBe(1 + m);
  });

  /** Each alone is over any sane limit: a bad argument beside it must not make the operation free. */
  const HEAVY =
    'units(first: 100) { edges { node { code descendants { code children { code descendants { code } } } } } }';

  it('refuses an operation with an argument it cannot read: BAD_USER_INPUT, not a cost of 0', () => {
    for (const [text, variableValues] of [
      [`{ node(id: "zzz") { id } ${HEAVY} }`, {}],
      [`query ($ids: [ID!]!) { nodes(ids: $ids) { id } ${HEAVY} }`, { ids: ['bad'] }],
      // A cheap operation too: the rule could not measure it, so it does not run.
      ['{ node(id: "zzz") { id } }', {}],
    ] as const) {
      const refusal = costRefusal({ schema, document: parse(text), variableValues }, 20_000);
      expect(refusal?.message, text).toMatch(/^An argument of this operation cannot be read, .*Invalid global ID: /);
      expect(refusal?.extensions, text).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
    }
  });

  it('leaves to execution what it refuses before running anything: variables that do not coerce, no such operation', () => {
    const byVariable = parse(
      `query A($n: Int) { units(first: $n) { edges { node { code } } } } query B { sources { name } }`,
    );
    expect(costRefusal({ schema, document: byVariable, variableValues: { n: 'x' }, operationName: 'A' }, 1)).toBeNull();
    expect(costRefusal({ schema, document: byVariable, operationName: 'C' }, 1)).toBeNull();
    expect(costRefusal({ schema, document: byVariable }, 1)).toBeNull(); // two operations, none named
    // The named operation is measured, not the other one.
    expect(costRefusal({ schema, document: byVariable, operationName: 'B' }, 11)).toBeNull(); // sources: 1 + 10 × 1
    expect(
      costRefusal({ schema, document: byVariable, variableValues: { n: 100 }, operationName: 'A' }, 5)?.extensions,
    ).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 301 });
  });
});
