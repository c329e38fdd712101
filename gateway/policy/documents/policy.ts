/**
 * Which document a request runs, by the hub's mode (the trusted-document step of admission,
 * gateway/policy/admission.ts, which authenticates the caller before any lookup and counts a refusal against its
 * rate limit):
 *
 * - A request names its document by id (`documentId`, as "sha256:<hex>" or "<hex>", or APQ's
 *   `extensions.persistedQuery.sha256Hash`) or sends its text (`query`); a text wins over an id beside it. An id
 *   runs the registered text; an unknown id is PERSISTED_QUERY_NOT_FOUND (404), in either mode.
 * - not enforced (development's default): any text runs.
 * - enforced (production, or TRUSTED_DOCUMENTS=enforce in development to rehearse it): a text runs only if it is
 *   registered (its SHA-256 is a registered id), so a client such as the dashboard may keep sending text; any other
 *   text is PERSISTED_QUERY_ONLY (403).
 */
import type { GraphQLError } from 'graphql';
import { requestError } from '../../errors.ts';
import type { DocumentRegistry } from './registry.ts';

export type HubMode = 'development' | 'production';

export interface DocumentPolicy {
  /** Whether only registered documents run (hubSettings: TRUSTED_DOCUMENTS, by default on in production only). */
  enforced: boolean;
  registry: DocumentRegistry;
}

/** What a request carries that can name its document. */
export interface DocumentParams {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/** The document a request names: its text, or else the id of a registered one. */
export type NamedDocument = { text: string } | { id: string };

const SHA256_PREFIX = 'sha256:';

/** A document id as clients write it, "sha256:<hex>" (graphql-codegen's client preset) or "<hex>": the hex. */
export const withoutSha256Prefix = (id: string): string =>
  id.startsWith(SHA256_PREFIX) ? id.slice(SHA256_PREFIX.length) : id;

/** The id a request names its document by, or null when it names none. */
export function requestedDocumentId(params: DocumentParams): string | null {
  if (typeof params.documentId === 'string' && params.documentId !== '') return withoutSha256Prefix(params.documentId);
  const extensions = params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null;
  const persisted = typeof extensions === 'object' && extensions !== null ? extensions.persistedQuery : undefined;
  if (persisted && persisted.version === 1 && typeof persisted.sha256Hash === 'string') return persisted.sha256Hash;
  return null;
}

/** The document the parameters name (a non-empty text first, else an id when there is no text), or null. */
export function namedDocument(params: DocumentParams, id = requestedDocumentId(params)): NamedDocument | null {
  if (typeof params.query === 'string' && params.query !== '') return { text: params.query };
  if (!params.query && id !== null) return { id };
  return null;
}

/** An id as it goes into a message: user input, so quoted and cut short. */
const shown = (id: string) => JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);

export function persistedQueryNotFound(id: string) {
  return requestError(
    'PERSISTED_QUERY_NOT_FOUND',
    `No trusted document has the id ${shown(id)}: register the document (npm run documents -- register) ` +
      `or send its text`,
    // 404 (core/error-codes.ts), not 400: Apollo's persisted-query link gives up on persisted queries after a 400.
  );
}

export function persistedQueryOnly() {
  return requestError(
    'PERSISTED_QUERY_ONLY',
    'This hub runs trusted documents only (production mode, or TRUSTED_DOCUMENTS=enforce): this document is not ' +
      'registered. ' +
      'Register it (npm run documents -- register <file>), then send it or its id ' +
      '(documentId, or extensions.persistedQuery.sha256Hash).',
  );
}

/**
 * The text the named document runs, or its refusal (PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_ONLY). A text, when
 * not enforced, costs no lookup. Throws when the registry cannot be read.
 */
export async function trustedText(
  { enforced, registry }: DocumentPolicy,
  named: NamedDocument,
): Promise<{ text: string } | { refusal: GraphQLError }> {
  if ('text' in named) {
    if (!enforced || (await registry.isTrusted(named.text))) return named;
    return { refusal: persistedQueryOnly() };
  }
  const text = await registry.find(named.id);
  return text === null ? { refusal: persistedQueryNotFound(named.id) } : { text };
}
