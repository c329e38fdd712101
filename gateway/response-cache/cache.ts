/**
 * The response cache for aggregate queries: @graphql-yoga/plugin-response-cache (over its in-memory LRU) wrapped in
 * our rules. Only allow-listed aggregate documents are cached (cacheable.ts), per session: every part of the viewer
 * that changes what it may see (session.ts), so consumer A's answer never reaches B, nor the province-wide answer a
 * consumer narrowed to a subtree. Answers expire after RESPONSE_CACHE_TTL_SECONDS because some aggregates follow the
 * clock (dossiers overdue now, the current period) without any sync. Every invalidation of the bus (bus.ts: a sync
 * batch, a hub mutation (mutations.ts), lost delivery) empties the whole cache on every instance: an aggregate over a
 * subtree depends on every unit in it, and a target or a unit move changes answers far from the rows written, so finer
 * invalidation could not be proven right, and a flush costs no more than the misses after it. The plugin's ETag /
 * If-None-Match (304) shortcut is off: it answers before any credential is checked.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { createInMemoryCache, hashSHA256, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { Registry } from 'prom-client';
import type { Viewer } from '../../store/access.ts';
import { canonicalJson } from '../../store/audit.ts';
import type { Context } from '../../schema/context.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuthenticateFrom } from '../policy/limits/index.ts';
import type { ResponseCacheBus } from './bus.ts';
import { memoizedCacheability } from './cacheable.ts';
import { responseCacheCounter } from './metrics.ts';
import { cacheSessionOf } from './session.ts';

export interface ResponseCacheSettings {
  /** How long an answer may be served (RESPONSE_CACHE_TTL_SECONDS); more than 0. */
  ttlSeconds: number;
  /** How many answers are kept at most (RESPONSE_CACHE_MAX_ENTRIES), least recently used out first. */
  maxEntries: number;
}

export interface ResponseCacheOptions extends ResponseCacheSettings {
  schema: GraphQLSchema;
  /** Where invalidations come from and go to (responseCacheBus(the hub's pubsub)). */
  bus: ResponseCacheBus;
  /** The hub's authentication, once per request (session.ts oncePerRequest): the context factory reuses it. */
  authenticate: AuthenticateFrom;
  logger: Logger;
  /** Where the hit/miss counter is registered: the hub's registry (gateway/observability/metrics.ts), served at /metrics. */
  registry: Registry;
  /**
   * Counts a cached answer against the consumer's rate limit (gateway/policy/limits): a hit skips the execution hooks
   * where operations are counted. Resolves to the refusal that replaces the answer, else null.
   */
  countHit?: (request: Request, req: IncomingMessage | undefined) => Promise<GraphQLError | null>;
}

export interface ResponseCache {
  /** The Yoga plugin, placed after the limits and before the caller's plugins and the audit log. */
  readonly plugin: Plugin<Context>;
  /** Resolves once the cache answers (its invalidations are proven to arrive). */
  whenLive(): Promise<void>;
  /** Stops listening for invalidations (on the hub's stop). */
  close(): void;
}

type Outcome = 'hit' | 'miss' | 'bypass';

/** What was decided for one GraphQL operation (one per element of a batch), keyed by its Yoga context. */
interface Decision {
  cacheable: boolean;
  /** The cache's generation when the request came: an answer computed across an invalidation is not stored. */
  generation: number;
  outcome: Outcome;
}

/**
 * Says `hit | miss | bypass` on each response, as lgsp_response_cache_total{result} counts it. Bypass: not a
 * cacheable query, or a cached answer the consumer's rate limit refused (the cache answered nothing). No `extensions`
 * in the body: answers stay as without the cache.
 */
export const RESPONSE_CACHE_HEADER = 'x-response-cache';

const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/**
 * The key of one cached answer: JSON of its parts, so that no document, name or variable can run into the session
 * that follows it; the variables with their keys sorted at every depth, so that key order does not split the cache.
 */
export async function responseCacheKey(parts: {
  sessionId?: string | null | undefined;
  operationName?: string | null | undefined;
  documentString: string;
  variableValues?: unknown;
}): Promise<string> {
  const { sessionId, operationName, documentString, variableValues } = parts;
  return await hashSHA256(
    JSON.stringify([sessionId ?? '', operationName ?? '', documentString, canonicalJson(variableValues ?? {})]),
  );
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { bus, authenticate, logger } = options;
  const counter = responseCacheCounter(options.registry);
  const cacheable = memoizedCacheability(options.schema);
  const log = logger.child({ component: 'response-cache' });

  // Emptying the cache is starting a new one: the library's LRU has no clear(), and the old one is garbage.
  let entries = createInMemoryCache({ max: options.maxEntries });
  // Bumped on each flush: an answer computed while an invalidation happened is not stored (it may predate the change).
  let generation = 0;
  const stopFlushing = bus.onFlush((reason) => {
    entries = createInMemoryCache({ max: options.maxEntries });
    generation += 1;
    log.debug({ reason, generation }, 'response cache emptied');
  });
  const cache: Cache = {
    get: (key) => (bus.live ? entries.get(key) : null),
    set: (key, result, entities, ttl) => (bus.live ? entries.set(key, result, entities, ttl) : undefined),
    invalidate: (entities) => entries.invalidate(entities),
  };

  const decisions = new WeakMap<object, Decision>();
  /** Results that must not be stored although error-free (computed across an invalidation, or audited). */
  const unstorable = new WeakSet<object>();

  const yogaCache = useResponseCache<Record<string, unknown>>({
    cache,
    ttl: options.ttlSeconds * 1000,
    // Off for requests the hook below has not decided on: the If-None-Match check runs before it (onRequest).
    enabled: (_request, context) => decisions.get(context)?.cacheable === true && bus.live,
    session: async (request, context) =>
      decisions.get(context)?.cacheable
        ? cacheSessionOf(await authenticate(request, (context as { req?: IncomingMessage }).req))
        : null,
    buildResponseCacheKey: responseCacheKey,
    shouldCacheResult: ({ result }) => !result.errors?.length && !unstorable.has(result),
    // Entity-based invalidation after mutations is replaced by the bus's whole flushes.
    invalidateViaMutation: false,
    includeExtensionMetadata: false,
  });

  const plugin: Plugin<Context> = {
    onPluginInit({ addPlugin }) {
      // Added right after this plugin, so that this one's hooks run first (onParams decides before the lookup).
      addPlugin(yogaCache as Plugin<Context>);
    },
    // The plugin looks answers up before Yoga builds the context, so the request is authenticated here, once (the
    // context factory reuses it); a request whose credential fails is not cached and fails as without the cache.
    async onParams({ params, request, context }) {
      const decision: Decision = { cacheable: false, generation, outcome: 'bypass' };
      decisions.set(context, decision);
      if (!bus.live || !params.query || !cacheable(params.query, params.operationName)) return;
      try {
        await authenticate(request, (context as { req?: IncomingMessage }).req);
      } catch {
        return; // not cached; the context factory fails with the same error
      }
      decision.cacheable = true;
      decision.outcome = 'miss';
    },
    onExecute({ args }) {
      const context = args.contextValue as object;
      const decision = decisions.get(context);
      if (!decision?.cacheable) return;
      counter.inc({ result: 'miss' });
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          // Resolvers that recorded personal data or an admin operation for the audit log: a last guard, the
          // allow-list keeps such fields out already.
          const audited = (context as Partial<Context>).audit?.mustRecord ?? false;
          if (decision.generation !== generation || !bus.live || audited) unstorable.add(result);
        },
      };
    },
    async onExecutionResult({ result, setResult, request, context }) {
      if (!result || isAsyncIterable(result) || !(result as Record<symbol, unknown>)[SERVED_FROM_CACHE]) return;
      const decision = decisions.get(context);
      const refusal = await options.countHit?.(request, (context as { req?: IncomingMessage }).req);
      // A refused request was answered by the rate limit, not by the cache: neither a hit nor a miss.
      if (refusal) {
        if (decision) decision.outcome = 'bypass';
        setResult({ errors: [refusal] });
        return;
      }
      if (decision) decision.outcome = 'hit';
      counter.inc({ result: 'hit' });
    },
    onResponse({ response, serverContext }) {
      // Set by the plugin on every stored answer for its If-None-Match shortcut, which is off (see above), so they mean
      // nothing to a client; every GraphQL response says `Cache-Control: private, no-store` instead (no-store.ts).
      response.headers.delete('etag');
      response.headers.delete('last-modified');
      // One decision per request; a batch's operations each have their own context and get no header.
      const decision = serverContext && decisions.get(serverContext);
      if (decision) response.headers.set(RESPONSE_CACHE_HEADER, decision.outcome);
    },
  };

  return {
    plugin,
    whenLive: () => bus.whenLive(),
    close: stopFlushing,
  };
}
