import { z } from 'zod';
import { redactPassword } from '../core/redact.ts';
import { DEFAULT_UPSTREAM_CLIENT_SETTINGS as UPSTREAM } from '../connectors/http/client.ts';
import { DEFAULT_JWT_CONSUMER_CLAIM, DEFAULT_JWT_MAX_LIFETIME_SECONDS, jwtKeyAlgorithm } from './policy/auth/jwt.ts';
import {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_HTTP_TIMEOUTS,
  DEFAULT_LIMITS,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
} from './policy/limits/settings.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  });

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Keys fetched over plain http could be swapped by anyone on the path; on the loopback interface nobody is. */
function isHttpsOrLoopback(value: string): boolean {
  // Not a URL, or another scheme: the URL check has said so already.
  if (!URL.canParse(value)) return true;
  const parsed = new URL(value);
  return parsed.protocol !== 'http:' || LOOPBACK_HOSTS.has(parsed.hostname);
}

/** scheme://host[:port], as a browser sends it in Origin: no path, query or trailing slash. */
function isOrigin(value: string): boolean {
  return (
    URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol) && new URL(value).origin === value
  );
}

/** Every environment variable the hub reads, with its default. docs/configuration.md's table mirrors this. */
const configSchema = z
  .object({
    PORT: integer(0, 65_535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_POOL_MAX: integer(1, 1000).default(10),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
      .optional(),
    PGLITE_DIR: z.string().min(1).default('./.data/pglite'),
    DEMO_DATA: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
    DEMO_SCALE: z.enum(['tiny', 'demo'], { error: 'must be tiny or demo' }).default('demo'),
    ONE_STOP_SHOP_URL: url(['http', 'https']).optional(),
    CADRE_DB_URL: url(['http', 'https']).optional(),
    BUDGET_URL: url(['http', 'https']).optional(),
    REDIS_URL: url(['redis', 'rediss']).optional(),
    SYNC_INTERVAL_SECONDS: integer(0, 86_400).default(300),
    // `npm run sync` (continuous) serves /health, /ready and /metrics on this port; unset: no server. 0: any free
    // port (the bound port is logged).
    SYNC_HTTP_PORT: integer(0, 65_535).optional(),
    // The upstreams' HTTP client (connectors/http/client.ts): timeouts, retries and circuit breaker.
    UPSTREAM_CONNECT_TIMEOUT_MS: integer(100, 600_000).default(UPSTREAM.connectTimeoutMs),
    UPSTREAM_HEADERS_TIMEOUT_MS: integer(100, 3_600_000).default(UPSTREAM.headersTimeoutMs),
    UPSTREAM_BODY_TIMEOUT_MS: integer(100, 3_600_000).default(UPSTREAM.bodyTimeoutMs),
    UPSTREAM_MAX_ATTEMPTS: integer(1, 100).default(UPSTREAM.maxAttempts), // 1: no retries
    UPSTREAM_BACKOFF_INITIAL_MS: integer(0, 600_000).default(UPSTREAM.backoffInitialMs),
    UPSTREAM_BACKOFF_MAX_MS: integer(0, 3_600_000).default(UPSTREAM.backoffMaxMs),
    // A Retry-After longer than this is not waited for: the request fails.
    UPSTREAM_MAX_RETRY_AFTER_MS: integer(0, 3_600_000).default(UPSTREAM.maxRetryAfterMs),
    // Consecutive failed attempts that open an upstream's circuit, and how long it stays open before a probe.
    UPSTREAM_BREAKER_THRESHOLD: integer(1, 10_000).default(UPSTREAM.breakerThreshold),
    UPSTREAM_BREAKER_HALF_OPEN_MS: integer(100, 3_600_000).default(UPSTREAM.breakerHalfOpenAfterMs),
    // Live events: how long the log keeps them for catch-up; a source with no successful pass for longer than
    // LIVE_STALE_AFTER_MINUTES is STALE (default: 3 sync intervals, at least 15 minutes; 60 with syncs on demand only).
    LIVE_EVENT_RETENTION_HOURS: integer(1, 720).default(24),
    LIVE_STALE_AFTER_MINUTES: integer(1, 10_080).optional(),
    // A feed whose last pass quarantined, or stored with flaws, more than this percent of the records it read makes
    // its source DEGRADED (in sources, /ready, /metrics) with a FEED_REJECTING_RECORDS alert.
    FEED_DEGRADED_ABOVE_PERCENT: z.coerce
      .number({ error: 'must be a percentage from 0 to 100' })
      .min(0, { error: 'must be a percentage from 0 to 100' })
      .max(100, { error: 'must be a percentage from 0 to 100' })
      .default(5),
    // Events a live subscriber may have waiting before it is dropped as a slow consumer (SLOW_CONSUMER, WebSocket 4499).
    LIVE_QUEUE_MAX: integer(10, 1_000_000).default(1_000),
    LIVE_RECHECK_SECONDS: integer(1, 3_600).default(30), // how often an open subscription's credential is checked again
    // Events read from the log per statement when a subscriber catches up (a reconnect with its last event id).
    LIVE_CATCH_UP_PAGE_SIZE: integer(1, 100_000).default(500),
    // How often the hub pings a WebSocket; one that has not answered by the next ping is cut (a dead link).
    WEBSOCKET_KEEPALIVE_MS: integer(10, 600_000).default(12_000),
    SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
    // The HTTP server's timeouts (gateway/policy/limits/settings.ts): a request's headers, then the whole request, must
    // arrive within the first two (else 408 and the connection closed); an idle keep-alive connection is closed after
    // the third. Responses streaming out (SSE) and WebSockets are not cut by any of them.
    HTTP_HEADERS_TIMEOUT_MS: integer(100, 600_000).default(DEFAULT_HTTP_TIMEOUTS.headersMs),
    HTTP_REQUEST_TIMEOUT_MS: integer(100, 3_600_000).default(DEFAULT_HTTP_TIMEOUTS.requestMs),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(100, 600_000).default(DEFAULT_HTTP_TIMEOUTS.keepAliveMs),
    // Limits on what one request may ask (gateway/policy/limits/settings.ts explains each default). Over one, the request
    // is refused with a GraphQL error naming the limit (QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_TOKENS,
    // TOO_MANY_DIRECTIVES, QUERY_TOO_COMPLEX, PAYLOAD_TOO_LARGE, BATCH_TOO_LARGE).
    MAX_QUERY_DEPTH: integer(1, 1_000).default(DEFAULT_LIMITS.maxDepth),
    MAX_QUERY_ALIASES: integer(0, 10_000).default(DEFAULT_LIMITS.maxAliases),
    MAX_QUERY_TOKENS: integer(100, 1_000_000).default(DEFAULT_LIMITS.maxTokens),
    MAX_QUERY_DIRECTIVES: integer(0, 10_000).default(DEFAULT_LIMITS.maxDirectives),
    MAX_QUERY_COST: integer(0, 1_000_000_000).default(DEFAULT_LIMITS.maxCost), // 0: no cost limit
    MAX_BODY_BYTES: integer(1_024, 100_000_000).default(DEFAULT_LIMITS.maxBodyBytes),
    MAX_BATCH_OPERATIONS: integer(0, 1_000).default(DEFAULT_LIMITS.maxBatchOperations), // 0: batches refused
    // Field suggestions ("Did you mean …?") in validation errors; unset: on in development, off in production,
    // where they map the schema for whoever probes it.
    FIELD_SUGGESTIONS: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((value) => value === 'true')
      .optional(),
    // Operations a consumer may start per minute, over all instances when REDIS_URL is set (RATE_LIMITED, 429); 0: off.
    RATE_LIMIT_PER_MINUTE: integer(0, 1_000_000).default(DEFAULT_RATE_LIMIT_PER_MINUTE),
    // Credentials a client address may send and have refused per minute; past it the address is refused (429), a
    // valid credential too, until the minute ends. 0: off.
    AUTH_FAILURES_PER_MINUTE: integer(0, 1_000_000).default(DEFAULT_AUTH_FAILURES_PER_MINUTE),
    // PostgreSQL cancels a graph read that runs longer (QUERY_TIMEOUT); the sync's transactions are exempt. 0: none.
    STATEMENT_TIMEOUT_MS: integer(0, 3_600_000).default(DEFAULT_STATEMENT_TIMEOUT_MS),
    // Response cache for aggregate queries (gateway/response-cache), per consumer, emptied on every instance by each committed
    // sync batch and hub mutation: how long an answer may be served (some follow the clock: overdue dossiers, the
    // current period), 0: off; and how many answers one instance keeps (least recently used out first).
    RESPONSE_CACHE_TTL_SECONDS: integer(0, 86_400).default(60),
    RESPONSE_CACHE_MAX_ENTRIES: integer(1, 1_000_000).default(1_000),
    // development: a request without credentials acts as the anonymous developer; production: it is refused.
    // The hub itself takes the default on demo data only (loadServerConfig).
    HUB_MODE: z
      .enum(['development', 'production'], { error: 'must be development or production' })
      .default('development'),
    // Whether only trusted documents run: unset, enforced in production and off in development; `enforce` in
    // development lets a frontend rehearse production locally. Production cannot turn it off.
    TRUSTED_DOCUMENTS: z.enum(['enforce', 'off'], { error: 'must be enforce or off' }).optional(),
    // Trusted documents: how long an instance answers a looked-up document from memory, i.e. how long a document
    // removed with `npm run documents -- remove` may still run (0: look up on every request).
    TRUSTED_DOCUMENTS_CACHE_SECONDS: integer(0, 3_600).default(60),
    // CSRF prevention (gateway/policy/csrf.ts): a GET or a form-typed POST runs only with a header a browser sends
    // after a preflight (Authorization, a CSRF header …); JSON POSTs and EventSource subscriptions need none. false:
    // off, for clients that send bare GETs from outside any browser.
    CSRF: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('true')
      .transform((value) => value === 'true'),
    // The web origins whose pages may read answers (CORS), comma-separated, or *; unset: any in development, none
    // in production (gateway/policy/cors.ts).
    CORS_ORIGINS: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .refine((origins) => origins.length > 0 && origins.every((o) => o === '*' || isOrigin(o)), {
        error: 'must be * or a comma-separated list of origins such as https://portal.example.vn (no path)',
      })
      .optional(),
    // JWTs: the issuer and audience they must carry, and one source of keys to verify them with.
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    // The keys that decide who a consumer is: fetched over https only (plain http on this machine, for tests).
    JWT_JWKS_URL: url(['http', 'https'])
      .refine((value) => isHttpsOrLoopback(value), {
        error: 'must be an https:// URL (plain http only for 127.0.0.1, ::1 or localhost)',
      })
      .optional(),
    JWT_PUBLIC_KEY: z
      .string()
      // A PEM in a one-line env file has its line breaks written as \n.
      .transform((pem) => pem.replaceAll('\\n', '\n'))
      .refine((pem) => jwtKeyAlgorithm(pem) !== null, {
        error: 'must be a PEM public key (SPKI) of type RSA, EC P-256 or Ed25519',
      })
      .optional(),
    JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    // The longest a JWT may live: its exp at most this far beyond its iat and beyond now.
    JWT_MAX_LIFETIME_SECONDS: integer(60, 31_536_000).default(DEFAULT_JWT_MAX_LIFETIME_SECONDS),
    // The claim that names the registered consumer: sub, or azp/client_id/… when sub is a person (single sign-on).
    JWT_CONSUMER_CLAIM: z.string().trim().min(1).default(DEFAULT_JWT_CONSUMER_CLAIM),
    // Keys the audit log's hash chain (HMAC-SHA-256): without it the chain is plain SHA-256.
    AUDIT_KEY: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    // Behind a reverse proxy: take the client's address from X-Forwarded-For (else the socket's).
    TRUST_PROXY: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    // Tracing (OpenTelemetry, gateway/observability/tracing.ts): none (off, free), otlp (OTLP over HTTP to a
    // collector) or console (spans printed to stdout, for debugging).
    OTEL_TRACES_EXPORTER: z
      .enum(['none', 'otlp', 'console'], { error: 'must be none, otlp or console' })
      .default('none'),
    // The OTLP collector: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the full URL of its traces endpoint; else
    // OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; else http://localhost:4318/v1/traces.
    OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(['http', 'https']).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('lgsp-hub'),
  })
  .superRefine((config, ctx) => {
    // The headers are part of the request: Node refuses a headers timeout longer than the request's.
    if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: `must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`,
      });
    }
    if (config.UPSTREAM_BACKOFF_INITIAL_MS > config.UPSTREAM_BACKOFF_MAX_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['UPSTREAM_BACKOFF_INITIAL_MS'],
        message: `must not exceed UPSTREAM_BACKOFF_MAX_MS (${config.UPSTREAM_BACKOFF_MAX_MS})`,
      });
    }
    if (config.HUB_MODE === 'production' && config.TRUSTED_DOCUMENTS === 'off') {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUSTED_DOCUMENTS'],
        message: 'cannot be off in production mode, which runs trusted documents only',
      });
    }
    const sources = (['JWT_JWKS_URL', 'JWT_PUBLIC_KEY', 'JWT_SECRET'] as const).filter((name) => config[name]);
    if (sources.length > 1) {
      ctx.addIssue({ code: 'custom', path: [sources[1]!], message: `cannot be set together with ${sources[0]}` });
    }
    if (sources.length === 0) return;
    for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE'] as const) {
      if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: `must be set when ${sources[0]} is` });
    }
  });

export type Config = z.infer<typeof configSchema>;

const UNQUOTED = new Set(['JWT_SECRET', 'AUDIT_KEY', 'JWT_PUBLIC_KEY']);

/** A configuration the hub cannot start with; its message is one line naming each bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The variables that are set: an empty one (as compose files and shells often leave them) means "not set". */
const givenVariables = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = givenVariables(env);
  const result = configSchema.safeParse(given);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = given[name];
    if (value === undefined) return `${name} ${issue.message}`;
    // Secrets never reach a log; a PEM is many lines long.
    if (UNQUOTED.has(name)) return `${name} ${issue.message} (got ${value.length} characters)`;
    return `${name} ${issue.message} (got ${JSON.stringify(redactPassword(value))})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** The store a configuration names, for messages: never with the URL's password. */
export function describeStore(config: Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR'>): string {
  return config.DATABASE_URL
    ? `PostgreSQL at DATABASE_URL=${redactPassword(config.DATABASE_URL)}`
    : `embedded PGlite in PGLITE_DIR=${config.PGLITE_DIR}`;
}

/** The upstreams' HTTP client settings of a configuration (connectors/http/client.ts). */
export function upstreamClientSettings(config: Config) {
  return {
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    maxAttempts: config.UPSTREAM_MAX_ATTEMPTS,
    backoffInitialMs: config.UPSTREAM_BACKOFF_INITIAL_MS,
    backoffMaxMs: config.UPSTREAM_BACKOFF_MAX_MS,
    maxRetryAfterMs: config.UPSTREAM_MAX_RETRY_AFTER_MS,
    breakerThreshold: config.UPSTREAM_BREAKER_THRESHOLD,
    breakerHalfOpenAfterMs: config.UPSTREAM_BREAKER_HALF_OPEN_MS,
  };
}

export function upstreamsConfigured(config: Config): boolean {
  return Boolean(config.ONE_STOP_SHOP_URL || config.CADRE_DB_URL || config.BUDGET_URL);
}

/**
 * The configuration the hub serves with (gateway/main.ts; the command-line scripts serve nobody and use loadConfig).
 * Development mode lets a request without credentials read everything but personal data, so the hub takes it as
 * the default on demo data only: with a real store or a real upstream configured, HUB_MODE must be set.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(env);
  if (givenVariables(env).HUB_MODE) return config;
  const real = (['DATABASE_URL', 'ONE_STOP_SHOP_URL', 'CADRE_DB_URL', 'BUDGET_URL'] as const).filter((n) => config[n]);
  if (real.length === 0) return config;
  throw new ConfigError(
    `Invalid configuration: HUB_MODE must be set to development or production when ${real.join(', ')} ` +
      `${real.length > 1 ? 'are' : 'is'} set (development, which lets requests without credentials read ` +
      'everything but personal data, is the default on demo data only)',
  );
}
