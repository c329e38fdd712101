/**
 * Which document a request runs, by the hub's mode:
 *
 * - A request names its document by id (`documentId`, as "sha256:<hex>" or
 *   "<hex>", or APQ's `extensions.persistedQuery.sha256Hash`) or sends its
 *   text (`query`). An id runs the registered text; an unknown id is
 *   PERSISTED_QUERY_NOT_FOUND (HTTP 404), in either mode.
 * - development: any text runs.
 * - production: a text runs only if it is registered (its SHA-256 is a
 *   registered id), so a client such as the dashboard may keep sending text;
 *   any other text is PERSISTED_QUERY_ONLY (HTTP 403).
 *
 * The caller is authenticated before the registry is asked anything (an id
 * in either mode, a text in production): a request without valid
 * credentials is UNAUTHENTICATED (401) and costs no store lookup, and a
 * stranger cannot probe which documents are registered. A refused document
 * counts as an operation against the caller's rate limit (`countRefusal`),
 * so a consumer cannot make every request a store lookup for free; over the
 * limit the refusal is RATE_LIMITED (429) instead.
 *
 * HTTP requests go through the Yoga plugin (trusted-documents-plugin.ts);
 * the SSE and WebSocket transports, which run operations without Yoga's
 * request pipeline, call resolveDocument themselves.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { requestError } from '../../errors.ts';
import type { Viewer } from '../../../store/access.ts';
import type { DocumentRegistry } from './registry.ts';

export type HubMode = 'development' | 'production';

export interface DocumentPolicy {
  mode: HubMode;
  registry: DocumentRegistry;
  /** The hub's authentication (once per Request): throws UNAUTHENTICATED for a bad or, in production, missing credential. */
  authenticate: (request: Request) => Promise<Viewer>;
  /**
   * Counts a refused document against the caller's rate limit (gateway/limits `countOperation`); resolves to the
   * refusal when over it. Absent: refusals are not counted.
   */
  countRefusal?: ((viewer: Viewer, req: IncomingMessage | undefined) => Promise<GraphQLError | null>) | undefined;
}

/** Who asks for a document. */
export interface DocumentCaller {
  /** The request, authenticated with the policy's `authenticate` unless `viewer` is given. */
  request: Request;
  /** The HTTP request (or WebSocket upgrade request) under it: the anonymous developer is counted by its address. */
  req?: IncomingMessage | undefined;
  /** The viewer, when the transport has authenticated this operation already (WebSocket). */
  viewer?: Viewer | undefined;
}

/** What a request carries that can name its document. */
export interface DocumentParams {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

const SHA256_PREFIX = 'sha256:';

/** The id a request names its document by, or null when it names none. */
export function requestedDocumentId(params: DocumentParams): string | null {
  if (typeof params.documentId === 'string' && params.documentId !== '') {
    const id = params.documentId;
    return id.startsWith(SHA256_PREFIX) ? id.slice(SHA256_PREFIX.length) : id;
  }
  const extensions = params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null;
  const persisted = typeof extensions === 'object' && extensions !== null ? extensions.persistedQuery : undefined;
  if (persisted && persisted.version === 1 && typeof persisted.sha256Hash === 'string') return persisted.sha256Hash;
  return null;
}

/** An id as it goes into a message: user input, so quoted and cut short. */
const shown = (id: string) => JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);

export function persistedQueryNotFound(id: string) {
  return requestError(
    'PERSISTED_QUERY_NOT_FOUND',
    `No trusted document has the id ${shown(id)}: register the document (npm run documents -- register) ` +
      `or send its text`,
    // 404, not 400: Apollo's persisted-query link gives up on persisted queries after a 400.
    404,
  );
}

export function persistedQueryOnly() {
  return requestError(
    'PERSISTED_QUERY_ONLY',
    'This hub runs in production mode and runs trusted documents only: this document is not registered. ' +
      'Register it (npm run documents -- register <file>), then send it or its id ' +
      '(documentId, or extensions.persistedQuery.sha256Hash).',
    403,
  );
}

const viewerOf = (policy: DocumentPolicy, caller: DocumentCaller) =>
  caller.viewer ? Promise.resolve(caller.viewer) : policy.authenticate(caller.request);

/** The refusal to throw: RATE_LIMITED when this refusal puts the caller over its rate limit, else `refusal`. */
async function counted(policy: DocumentPolicy, viewer: Viewer, caller: DocumentCaller, refusal: GraphQLError) {
  return (await policy.countRefusal?.(viewer, caller.req)) ?? refusal;
}

/** The registered text with this id, once the caller is authenticated; throws PERSISTED_QUERY_NOT_FOUND (counted). */
export async function findDocument(policy: DocumentPolicy, id: string, caller: DocumentCaller): Promise<string> {
  const viewer = await viewerOf(policy, caller);
  const text = await policy.registry.find(id);
  if (text === null) throw await counted(policy, viewer, caller, persistedQueryNotFound(id));
  return text;
}

/**
 * The text a request runs: its own text if the mode allows it, else the
 * registered text of the id it names; null when it has neither (the caller
 * answers as for a missing query). Throws UNAUTHENTICATED before any lookup,
 * then PERSISTED_QUERY_NOT_FOUND or PERSISTED_QUERY_ONLY (or RATE_LIMITED).
 */
export async function resolveDocument(
  policy: DocumentPolicy,
  params: DocumentParams,
  caller: DocumentCaller,
): Promise<string | null> {
  if (typeof params.query === 'string' && params.query !== '') {
    if (policy.mode !== 'production') return params.query;
    const viewer = await viewerOf(policy, caller);
    if (!(await policy.registry.isTrusted(params.query))) {
      throw await counted(policy, viewer, caller, persistedQueryOnly());
    }
    return params.query;
  }
  const id = requestedDocumentId(params);
  if (id === null) return null;
  return findDocument(policy, id, caller);
}
