/**
 * The trusted documents as a running hub sees them: lookups by id (or by text, through its SHA-256) answered from
 * memory for documents looked up recently, so a known document costs no store round trip per request. The price is
 * bounded staleness: a document removed with `npm run documents -- remove` stops running on every instance within
 * `cacheTtlMs` (TRUSTED_DOCUMENTS_CACHE_SECONDS; restart an instance to make it stop at once), and one registered
 * meanwhile runs once its id's "unknown" answer (`unknownTtlMs`) has passed, at once on the instance that registered
 * it (the registerTrustedDocuments mutation tells it). Both caches are bounded: the found one
 * holds only registered documents, the unknown one at most `maxUnknown` ids.
 */
import type { Queryable } from '../../../store/db.ts';
import { DOCUMENT_ID, documentIdOf, findTrustedDocument } from '../../../store/trusted-documents.ts';

export interface DocumentRegistry {
  /** The registered text with this id, or null. */
  find(id: string): Promise<string | null>;
  /** Whether this exact text is registered (its SHA-256 is a registered id). */
  isTrusted(text: string): Promise<boolean>;
  /** Told of documents just registered through this hub: they run at once here, whatever was "unknown" before. */
  registered(ids: readonly string[]): void;
}

export interface DocumentRegistryOptions {
  db: Queryable;
  /** How long a document found is answered from memory. Default 60 s. */
  cacheTtlMs?: number | undefined;
  /** How long an unknown id is answered from memory; capped at cacheTtlMs. Default 5 s. */
  unknownTtlMs?: number | undefined;
  /** How many unknown ids are remembered at most. Default 10 000. */
  maxUnknown?: number | undefined;
  now?: () => number;
}

export const DEFAULT_DOCUMENT_CACHE_TTL_MS = 60_000;
export const DEFAULT_UNKNOWN_DOCUMENT_TTL_MS = 5_000;
export const DEFAULT_MAX_UNKNOWN_DOCUMENTS = 10_000;

export function createDocumentRegistry({
  db,
  cacheTtlMs = DEFAULT_DOCUMENT_CACHE_TTL_MS,
  unknownTtlMs = DEFAULT_UNKNOWN_DOCUMENT_TTL_MS,
  maxUnknown = DEFAULT_MAX_UNKNOWN_DOCUMENTS,
  now = Date.now,
}: DocumentRegistryOptions): DocumentRegistry {
  const cache = new Map<string, { text: string; expires: number }>();
  /**
   * Unknown ids and when that answer expires, oldest first (a Map keeps insertion order). A flood of one id costs one
   * primary-key lookup; of distinct ids, one lookup each (the oldest make room) and, for the caller, authenticated
   * first, one operation of its rate limit each (policy.ts). An id that is not 64 hex digits costs no lookup at all.
   */
  const unknown = new Map<string, number>();
  const unknownFor = Math.min(unknownTtlMs, cacheTtlMs);
  // Concurrent lookups of one id share one query.
  const pending = new Map<string, Promise<string | null>>();

  function rememberUnknown(id: string) {
    if (unknownFor <= 0 || maxUnknown <= 0 || !DOCUMENT_ID.test(id)) return;
    unknown.delete(id);
    while (unknown.size >= maxUnknown) unknown.delete(unknown.keys().next().value!);
    unknown.set(id, now() + unknownFor);
  }

  async function find(id: string): Promise<string | null> {
    const cached = cache.get(id);
    if (cached && cached.expires > now()) return cached.text;
    if (cached) cache.delete(id);
    const unknownUntil = unknown.get(id);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now()) return null;
      unknown.delete(id);
    }
    let lookup = pending.get(id);
    if (!lookup) {
      lookup = findTrustedDocument(db, id).finally(() => pending.delete(id));
      pending.set(id, lookup);
    }
    const text = await lookup;
    if (text === null) rememberUnknown(id);
    else if (cacheTtlMs > 0) cache.set(id, { text, expires: now() + cacheTtlMs });
    return text;
  }

  return {
    find,
    async isTrusted(text) {
      return (await find(documentIdOf(text))) === text;
    },
    registered(ids) {
      for (const id of ids) unknown.delete(id);
    },
  };
}
