/**
 * What a field costs, for the query cost limit (gateway/policy/limits/cost.ts
 * measures an operation with @pothos/plugin-complexity before it runs). Every
 * field costs 1, and what a field with a selection returns many of multiplies
 * the cost of that selection: a connection by its page (so nested connections
 * multiply), `nodes(ids)` by the number of ids, a list that holds a subtree or
 * a level of the province by SUBTREE_MULTIPLIER, any other list (children,
 * ancestors, indicators, a breakdown's figures: tens, not thousands) by
 * LIST_MULTIPLIER.
 */
import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLOutputType,
} from 'graphql';
import type { FieldComplexityValue } from '@pothos/plugin-complexity';
import { checkPageSize, DEFAULT_PAGE_SIZE } from './pagination.ts';
import { SEARCH_WORD_COST, searchWords } from './search.ts';

/** Items assumed of a list that is not a connection. */
export const LIST_MULTIPLIER = 10;

/**
 * Items assumed of a list over a subtree: a district's subtree (its offices, communes and their schools and
 * stations) is tens of units. Nested subtrees (`descendants { descendants }`) multiply to thousands, and a page of
 * units each listing its subtree several times reaches the cost limit.
 */
export const SUBTREE_MULTIPLIER = 30;

/**
 * Lists whose length the ordinary LIST_MULTIPLIER would underestimate, by field name and item type (the cost
 * function is not told the field's parent type).
 */
const UNBOUNDED_LISTS: Record<string, (args: Record<string, unknown>) => number> = {
  'descendants: Unit': () => SUBTREE_MULTIPLIER,
  'ranking: RankedUnit': (args) => (typeof args.first === 'number' ? args.first : SUBTREE_MULTIPLIER),
  'dataQuality: DataQualityViolation': () => SUBTREE_MULTIPLIER,
};

/**
 * IndicatorValue.previous evaluates the same indicator again for the year before: what it selects costs twice (its
 * fields, and the figures read again for them), so a client asking `previous` on every value of a page pays for
 * the second evaluation. `change` reads the same previous value: 1 for itself, 1 for that evaluation.
 */
export const PREVIOUS_VALUE_MULTIPLIER = 2;
const YEAR_BEFORE_FIELDS: Record<string, FieldComplexityValue> = {
  'previous: IndicatorValue': { field: 1, multiplier: PREVIOUS_VALUE_MULTIPLIER },
  'change: Float': 2,
};

const returnsList = (type: GraphQLOutputType): boolean =>
  isListType(type) || (isNonNullType(type) && isListType(type.ofType));

/** A Relay connection field: it returns a *Connection object and takes `first`. */
function isConnection<Context>(field: GraphQLField<unknown, Context>): boolean {
  const type = getNamedType(field.type);
  return isObjectType(type) && type.name.endsWith('Connection') && field.args.some((arg) => arg.name === 'first');
}

export function fieldCost<Context>(
  args: Record<string, unknown>,
  _context: Context,
  field: GraphQLField<unknown, Context>,
): FieldComplexityValue {
  // A search over its bounds is refused here too (schema/search.ts); each word costs a pass over the names.
  const search =
    1 + searchWords((args.filter as { search?: unknown } | null | undefined)?.search).length * SEARCH_WORD_COST;
  if (isConnection(field)) {
    const page = args as { first?: number | null; last?: number | null };
    // A page size out of range is refused here, with the error the connection's resolver would give, so that the
    // client hears of its `first: 100000` rather than of the cost that follows from it.
    checkPageSize(page);
    return { field: search, multiplier: page.first ?? page.last ?? DEFAULT_PAGE_SIZE };
  }
  const yearBefore = YEAR_BEFORE_FIELDS[`${field.name}: ${getNamedType(field.type).name}`];
  if (yearBefore !== undefined) return yearBefore;
  if (!returnsList(field.type)) return search;
  // A connection's edges are its page, counted by the connection.
  if (getNamedType(field.type).name.endsWith('Edge')) return { field: 1, multiplier: 1 };
  if (field.name === 'nodes' && Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
  const unbounded = UNBOUNDED_LISTS[`${field.name}: ${getNamedType(field.type).name}`];
  if (unbounded) return { field: search, multiplier: unbounded(args) };
  return { field: search, multiplier: LIST_MULTIPLIER };
}
