/** The one place a Config becomes the hub's settings (createHub in gateway/server.ts). */
import { liveSettings } from '../live/producer.ts';
import { storeNamespace } from '../live/pubsub.ts';
import type { LiveSettings } from '../live/subscribers.ts';
import type { Config } from './config.ts';
import { corsPolicy } from './policy/cors.ts';
import type { LimitSettings, RateLimitOptions } from './policy/limits/index.ts';
import type { DEFAULT_HTTP_TIMEOUTS } from './policy/limits/settings.ts';
import type { ResponseCacheSettings } from './response-cache/cache.ts';

/**
 * The hub's settings from the configuration: the one place a Config becomes them, so that what the environment
 * leaves unset runs with the production defaults (gateway/config.ts has each variable and its default).
 */
export function hubSettings(config: Config) {
  return {
    /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    /** The HTTP server's timeouts: for a request's headers, for the whole request, for an idle keep-alive connection. */
    httpTimeouts: {
      headersMs: config.HTTP_HEADERS_TIMEOUT_MS,
      requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    } satisfies typeof DEFAULT_HTTP_TIMEOUTS,
    /**
     * 'production': only trusted documents run (registered ones, by id or by their exact text; others are
     * PERSISTED_QUERY_ONLY), over HTTP, SSE and WebSocket; no introspection, no GraphiQL. 'development': any
     * document runs (unless TRUSTED_DOCUMENTS=enforce), ids too; introspection and GraphiQL on. See
     * gateway/policy/documents.
     */
    mode: config.HUB_MODE,
    /**
     * Trusted documents: whether only registered ones run (TRUSTED_DOCUMENTS; unset: in production only), and how
     * long one looked up is answered from memory.
     */
    trustedDocuments: {
      enforced: (config.TRUSTED_DOCUMENTS ?? (config.HUB_MODE === 'production' ? 'enforce' : 'off')) === 'enforce',
      cacheTtlMs: config.TRUSTED_DOCUMENTS_CACHE_SECONDS * 1000,
    },
    /** CSRF prevention (gateway/policy/csrf.ts): a GET or a form-typed POST needs a preflight-forcing header. */
    csrf: config.CSRF,
    /** CORS (gateway/policy/cors.ts): CORS_ORIGINS, else any origin in development and none in production. */
    cors: corsPolicy(config.HUB_MODE, config.CORS_ORIGINS),
    /**
     * Limits on what a request may ask (gateway/policy/limits/settings.ts has each one and its default): depth,
     * aliases, tokens and directives of a document, its cost, body size, operations per batch; field suggestions
     * (FIELD_SUGGESTIONS, unset: off in production).
     */
    limits: {
      maxDepth: config.MAX_QUERY_DEPTH,
      maxAliases: config.MAX_QUERY_ALIASES,
      maxTokens: config.MAX_QUERY_TOKENS,
      maxDirectives: config.MAX_QUERY_DIRECTIVES,
      maxCost: config.MAX_QUERY_COST,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxBatchOperations: config.MAX_BATCH_OPERATIONS,
      fieldSuggestions: config.FIELD_SUGGESTIONS,
    } satisfies Partial<LimitSettings>,
    /**
     * Rate limit per consumer (gateway/policy/limits/rate-limit.ts), 0: off; counted in Redis when REDIS_URL is set,
     * under the store's namespace, so two deployments on one Redis count apart.
     */
    rateLimit: {
      perMinute: config.RATE_LIMIT_PER_MINUTE,
      keyPrefix: storeNamespace(config.DATABASE_URL, config.DATABASE_SCHEMA),
    } satisfies RateLimitOptions,
    /**
     * Failed authentications per client address (gateway/policy/limits/auth-failures.ts), 0: off; counted as the
     * rate limit is.
     */
    authFailures: {
      perMinute: config.AUTH_FAILURES_PER_MINUTE,
      keyPrefix: storeNamespace(config.DATABASE_URL, config.DATABASE_SCHEMA),
    } satisfies RateLimitOptions,
    /**
     * The response cache for aggregate queries (gateway/response-cache): per consumer, scopes and unit subtree,
     * emptied on every instance by each committed sync batch and hub mutation; off with a TTL of 0.
     */
    responseCache:
      config.RESPONSE_CACHE_TTL_SECONDS > 0
        ? ({
            ttlSeconds: config.RESPONSE_CACHE_TTL_SECONDS,
            maxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
          } satisfies ResponseCacheSettings)
        : null,
    /** Live subscriptions (live/subscribers.ts): a subscriber's queue, the credential's recheck, the catch-up's pages. */
    live: {
      queueMax: config.LIVE_QUEUE_MAX,
      recheckSeconds: config.LIVE_RECHECK_SECONDS,
      catchUpPageSize: config.LIVE_CATCH_UP_PAGE_SIZE,
    } satisfies Partial<LiveSettings>,
    /** How often a WebSocket is pinged; one that has not answered by the next ping is cut. */
    webSocketKeepAliveMs: config.WEBSOCKET_KEEPALIVE_MS,
    /**
     * A source without a successful pass for longer is STALE in /ready and /metrics: LIVE_STALE_AFTER_MINUTES, else
     * derived from SYNC_INTERVAL_SECONDS as for the live producer.
     */
    staleAfterMinutes: liveSettings(config).staleAfterMinutes,
    /** A feed's last pass above this share of rejected or flawed records: DEGRADED in sources, /ready and /metrics. */
    degradedAbovePercent: liveSettings(config).degradedAbovePercent,
    /**
     * The audit log (gateway/policy/auth/audit-plugin.ts) is always written, fail-closed: AUDIT_KEY keys its hash
     * chain; TRUST_PROXY takes the client's address from X-Forwarded-For.
     */
    audit: { auditKey: config.AUDIT_KEY, trustProxy: config.TRUST_PROXY },
  };
}
