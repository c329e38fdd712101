/**
 * Trusted documents on Yoga's HTTP path (GET, POST, and the SSE requests
 * gateway/transports/sse.ts hands to Yoga), by the rules of policy.ts:
 *
 * - a check of the text, first: in production a text that is not registered
 *   is refused;
 * - then `@graphql-yoga/plugin-persisted-operations` turns an id into its
 *   registered text (documentId in a JSON body or the query string, or
 *   extensions.persistedQuery.sha256Hash). A request with a text runs that
 *   text (checked above), so the plugin allows "arbitrary" operations.
 *
 * Both authenticate the caller before they look anything up, and count a
 * refusal against its rate limit (policy.ts).
 *
 * The audit log hashes the text that ran (params.query, set by the plugin),
 * so an entry's document_hash is the trusted document's id.
 */
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { findDocument, requestedDocumentId, resolveDocument, type DocumentPolicy } from './policy.ts';

/** Request parameters beyond GraphQL's own four that Yoga must let through. */
export const DOCUMENT_PARAM_NAMES = ['documentId'];

/** The id named by a request: Yoga's GET parser keeps only the four GraphQL parameters, so documentId is read off the URL. */
function requestedIdOf(params: Record<string, unknown>, request: Request): string | null {
  if (params.documentId === undefined && request.method === 'GET') {
    const documentId = new URL(request.url).searchParams.get('documentId');
    if (documentId) return requestedDocumentId({ ...params, documentId });
  }
  return requestedDocumentId(params);
}

/** Yoga's server context over node:http: the request's IncomingMessage, for the client's address. */
const reqOf = (context: unknown) => (context as { req?: IncomingMessage } | undefined)?.req;

export function useTrustedDocuments<Context extends Record<string, any>>(policy: DocumentPolicy): Plugin<Context>[] {
  const checkText: Plugin<Context> = {
    async onParams({ params, request, context }) {
      if (policy.mode !== 'production' || typeof params.query !== 'string' || params.query === '') return;
      await resolveDocument(policy, params, { request, req: reqOf(context) });
    },
  };
  const persisted = usePersistedOperations<Context>({
    allowArbitraryOperations: true,
    extractPersistedOperationId: (params, request) => requestedIdOf(params as Record<string, unknown>, request),
    // Throws PERSISTED_QUERY_NOT_FOUND (or UNAUTHENTICATED, RATE_LIMITED) itself: never answers null.
    getPersistedOperation: (id, request, context) => findDocument(policy, id, { request, req: reqOf(context) }),
  });
  // The plugin sees only requests that name an id and send no text: any other request without a usable query is
  // Yoga's to answer, with its own errors and statuses (a missing or non-string query, unknown parameters).
  const byId: Plugin<Context> = {
    ...persisted,
    onParams(payload) {
      const { params, request } = payload;
      if (params.query || requestedIdOf(params as Record<string, unknown>, request) === null) return;
      return persisted.onParams!(payload);
    },
  };
  return [checkText, byId];
}
