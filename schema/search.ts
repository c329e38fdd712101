/**
 * Bounds on a search term (`filter.search` of units, procedures and staff): each word is a LIKE over every row of its
 * table, so one 30,000-character word held PostgreSQL for 15 s. A term over a bound is BAD_USER_INPUT naming it,
 * before anything runs (the cost measure, schema/cost.ts, checks it with the page size), and each word adds to the
 * request's cost.
 */
import { GraphQLError } from 'graphql';

export const SEARCH_LIMITS = { maxLength: 200, maxWords: 10, maxWordLength: 50 } as const;

/** What one search word adds to a field's cost: a pass over the table's folded names. */
export const SEARCH_WORD_COST = 10;

/** The words of a search term (none for a missing one); BAD_USER_INPUT on `filter.search` over a bound. */
export function searchWords(search: unknown): string[] {
  if (typeof search !== 'string') return [];
  const refuse = (what: string, limit: number) =>
    new GraphQLError(`filter.search ${what}: at most ${limit} are allowed`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'filter.search', limit },
    });
  if (search.length > SEARCH_LIMITS.maxLength) {
    throw refuse(`has ${search.length} characters`, SEARCH_LIMITS.maxLength);
  }
  const words = search.split(/\s+/).filter(Boolean);
  if (words.length > SEARCH_LIMITS.maxWords) throw refuse(`has ${words.length} words`, SEARCH_LIMITS.maxWords);
  const long = words.find((word) => word.length > SEARCH_LIMITS.maxWordLength);
  if (long) throw refuse(`has a word of ${long.length} characters`, SEARCH_LIMITS.maxWordLength);
  return words;
}
