/**
 * Batched requests (a JSON array of operations in one POST, Yoga's
 * `batching`): up to `limit` operations, each parsed, validated, measured,
 * rate-limited and run as a request of its own would be. A larger batch is
 * refused whole, before any of it runs: BATCH_TOO_LARGE, HTTP 413. With a
 * limit of 0 batches are off: any array is refused, HTTP 400.
 *
 * Yoga has the same check with its own code (BAD_REQUEST); this one runs
 * before it (user plugins come first) and names the hub's code and limit.
 */
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../../errors.ts';

/** Yoga's `batching` option for the limit. */
export const yogaBatching = (limit: number) => (limit > 0 ? { limit } : false);

export function useBatchLimit(limit: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult)) return;
          const count = requestParserResult.length;
          if (limit === 0) {
            throw requestError(
              'BATCH_TOO_LARGE',
              `Batched requests are off on this hub: send one operation per request (got a batch of ${count})`,
              400, // not the registry's 413: no batch is small enough
              { limit, found: count },
            );
          }
          if (count > limit) {
            throw requestError(
              'BATCH_TOO_LARGE',
              `A batch of ${count} operations exceeds the limit of ${limit} per request`,
              undefined,
              { limit, found: count },
            );
          }
        },
      };
    },
  };
}
