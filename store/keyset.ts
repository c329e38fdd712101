/**
 * Keyset pagination over a text key (a code or an id, compared bytewise by
 * the `identifier` domain): pages stay free of gaps and repeats while rows are
 * added, and each page is an index range scan however deep it is.
 */

export interface KeysetPage {
  /** Exclusive bounds on the sort key. */
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  /** Read backwards from `before` (for `last`). */
  inverted: boolean;
}

/**
 * The bounds, order and limit of a page on `key`, as SQL to append after a
 * WHERE clause whose parameters end at $`firstParameter - 1`, and their values.
 */
export function keysetClause(key: string, page: KeysetPage, firstParameter: number) {
  const [after, before, limit] = [firstParameter, firstParameter + 1, firstParameter + 2];
  return {
    sql: `AND ($${after}::text IS NULL OR ${key} > $${after})
        AND ($${before}::text IS NULL OR ${key} < $${before})
      ORDER BY ${key} ${page.inverted ? 'DESC' : 'ASC'}
      LIMIT $${limit}`,
    params: [page.after ?? null, page.before ?? null, page.limit],
  };
}
