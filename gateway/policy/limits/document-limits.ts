/**
 * Limits on the shape of a document, checked by GraphQL Armor while it is parsed and validated, before anything runs
 * or anyone is authenticated: tokens (the parser stops at the first one over the limit), depth, aliases and
 * directives, each refused with a code of the hub's and a message with the count and the limit. Armor's cost limit is
 * not used (it does not know how many items a list holds; cost.ts does), nor its field-suggestion blocker (it sees
 * validation only, and misses "Did you mean the enum value …?"; suggestions.ts takes the place). Yoga caches
 * validation per document: these limits depend on the document alone, so the cache stays right.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../../errors.ts';
import type { LimitSettings } from './settings.ts';

export type DocumentLimitCode = 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_DIRECTIVES' | 'TOO_MANY_TOKENS';

/** A request error (core/error-codes.ts: 400, 200 for application/json clients, as Yoga answers validation errors). */
export function documentLimitError(code: DocumentLimitCode, message: string, limit: number, found?: number) {
  return requestError(code, message, undefined, { limit, ...(found === undefined ? {} : { found }) });
}

/** The count Armor found, from its message ("… exceeded, found 14."); Armor reports it nowhere else. */
export function foundIn(error: GraphQLError): number | undefined {
  const match = /found (\d+)/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

const messages = {
  QUERY_TOO_DEEP: (found: number | undefined, limit: number) =>
    found === undefined
      ? `Query depth exceeds the limit of ${limit}`
      : `Query depth ${found} exceeds the limit of ${limit}`,
  TOO_MANY_ALIASES: (found: number | undefined, limit: number) =>
    `${found ?? 'More'} aliases exceed the limit of ${limit} per operation`,
  TOO_MANY_DIRECTIVES: (found: number | undefined, limit: number) =>
    `${found ?? 'More'} directives exceed the limit of ${limit} per operation`,
};

/** Reports Armor's rejection as a validation error of ours, in place of Armor's own. */
function reportAs(code: keyof typeof messages, limit: number): GraphQLArmorRejectCallback {
  return (context, error) => {
    const found = foundIn(error);
    context?.reportError(documentLimitError(code, messages[code](found, limit), limit, found));
  };
}

export function useDocumentLimits(settings: LimitSettings): Plugin {
  return EnvelopArmorPlugin({
    maxTokens: {
      n: settings.maxTokens,
      // Parsing stops here: the error is thrown out of the parser, so the rest of the document is never read.
      propagateOnRejection: false,
      onReject: [
        () => {
          throw documentLimitError(
            'TOO_MANY_TOKENS',
            `The document has more than ${settings.maxTokens} tokens, the limit`,
            settings.maxTokens,
          );
        },
      ],
    },
    maxDepth: {
      n: settings.maxDepth,
      // Depth is the nesting of fields: a fragment spread is not a level of its own.
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [reportAs('QUERY_TOO_DEEP', settings.maxDepth)],
    },
    maxAliases: {
      n: settings.maxAliases,
      propagateOnRejection: false,
      onReject: [reportAs('TOO_MANY_ALIASES', settings.maxAliases)],
    },
    maxDirectives: {
      n: settings.maxDirectives,
      propagateOnRejection: false,
      onReject: [reportAs('TOO_MANY_DIRECTIVES', settings.maxDirectives)],
    },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
}
