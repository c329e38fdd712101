/**
 * `Cache-Control: private, no-store` on every GraphQL response: an answer is
 * for the consumer that asked (its scopes, its unit subtree), so neither a
 * shared proxy nor the browser may keep it and give it again, to another
 * user or after the credential is gone. The hub's own response cache
 * (cache.ts) is the only one, and it checks the credential first.
 *
 * Installed on every hub, cache on or off.
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';

export const GRAPHQL_CACHE_CONTROL = 'private, no-store';

export function usePrivateNoStore(): Plugin<Context> {
  return {
    onResponse({ response }) {
      response.headers.set('cache-control', GRAPHQL_CACHE_CONTROL);
    },
  };
}
