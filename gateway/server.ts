import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Db } from '../store/db.ts';
import { loadMigrations } from '../store/migrate.ts';
import { DEVELOPMENT_ANONYMOUS_SCOPES, type Viewer } from '../store/access.ts';
import { createAuditTrail } from '../schema/audit-trail.ts';
import { hubSchema, type Context, type SyncAccess } from '../schema/index.ts';
import { createUnitAccess } from '../schema/unit-access.ts';
import {
  createLiveSubscribers,
  DEFAULT_LIVE_SETTINGS,
  type LiveSettings,
  type LiveSubscribers,
} from '../live/subscribers.ts';
import { requestScope, type Logger } from '../core/logger.ts';
import { yogaLogger } from './observability/yoga-logger.ts';
import { createHubPubSub, type HubPubSub } from '../live/pubsub.ts';
import { createSseTransport, sseSlowConsumerDrop } from './transports/sse.ts';
import { attachWebSocket, type WebSocketContext } from './transports/websocket.ts';
import { useAuditLog } from './policy/auth/audit-plugin.ts';
import { isDashboardPath, serveDashboard } from './dashboard/serve.ts';
import { createHubMetrics, type HubMetrics } from './observability/metrics.ts';
import { operationsPlugins } from './observability/plugins.ts';
import { checkReadiness } from './observability/readiness.ts';
import { countRefusalsOf } from './observability/refusals.ts';
import { maskErrorWithRequestId } from './observability/request-id.ts';
import { readSourceHealth } from './observability/source-health.ts';
import { createTracing, type TracingOptions } from './observability/tracing.ts';
import { responseCacheBus } from './response-cache/bus.ts';
import { useMutationInvalidation } from './response-cache/mutations.ts';
import { usePrivateNoStore } from './response-cache/no-store.ts';
import { createResponseCache, type ResponseCache, type ResponseCacheSettings } from './response-cache/cache.ts';
import { oncePerRequest } from './response-cache/session.ts';
import { documentPlugins } from './policy/documents/plugins.ts';
import type { DocumentPolicy, HubMode } from './policy/documents/policy.ts';
import { createDocumentRegistry } from './policy/documents/registry.ts';
import { DOCUMENT_PARAM_NAMES } from './policy/documents/trusted-documents-plugin.ts';
import type { CORSOptions } from './policy/cors.ts';
import { createLimits, type LimitSettings, type RateLimitOptions } from './policy/limits/index.ts';
import { requestError, sendGraphQLError } from './errors.ts';

export interface HubOptions {
  db: Db;
  logger: Logger;
  /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
  shutdownTimeoutMs: number;
  /** The sync engine, for `sources` and `syncNow`; stopped before the store closes. */
  sync?: SyncAccess | null;
  /**
   * Turns a request's credential into the consumer it acts as; throws a
   * GraphQLError (UNAUTHENTICATED, HTTP 401) for a bad or, in production, a
   * missing one. Default: every request is the anonymous development consumer.
   */
  authenticate?: Authenticate;
  /** More Yoga plugins, run after the hub's own and before the audit log's. */
  plugins?: Plugin<Context>[];
  /**
   * The audit log (gateway/policy/auth/audit-plugin.ts) is always written, fail-closed: `auditKey` (AUDIT_KEY) keys its
   * hash chain; `trustProxy` (TRUST_PROXY) takes the client's address from X-Forwarded-For.
   */
  audit?: { auditKey?: string | undefined; trustProxy?: boolean };
  /** The live events' pubsub (live/pubsub.ts), closed by its creator; default: one in memory, closed with the hub. */
  pubsub?: HubPubSub;
  /** Live subscription settings (LIVE_QUEUE_MAX, the watch TTL, this process's name); defaults in live/subscribers.ts. */
  live?: Partial<LiveSettings>;
  /** How often a WebSocket is pinged; one that has not answered by the next ping is cut. Default 12 s. */
  webSocketKeepAliveMs?: number;
  /**
   * HUB_MODE. 'production': only trusted documents run (registered ones, by id or by their exact text; others are
   * PERSISTED_QUERY_ONLY), over HTTP, SSE and WebSocket; no introspection, no GraphiQL. 'development' (default): any
   * document runs, ids too; introspection and GraphiQL on. See gateway/documents.
   */
  mode?: HubMode;
  /** How long a trusted document looked up is answered from memory (TRUSTED_DOCUMENTS_CACHE_SECONDS). Default 60 s. */
  trustedDocuments?: { cacheTtlMs?: number };
  /** CORS (gateway/policy/cors.ts corsPolicy): default Yoga's, any origin; main.ts sets it from CORS_ORIGINS and HUB_MODE. */
  cors?: CORSOptions;
  /**
   * CSRF prevention (gateway/policy/csrf.ts): a GET or a form-typed POST needs a preflight-forcing header.
   * Default off here (test rigs send bare GETs); main.ts turns it on.
   */
  csrf?: boolean | { requestHeaders: readonly string[] };
  /**
   * The response cache for aggregate queries (gateway/cache): per consumer, scopes and unit subtree, emptied on
   * every instance by each committed sync batch and hub mutation. Off unless given (or ttlSeconds 0); main.ts
   * turns it on from RESPONSE_CACHE_TTL_SECONDS and RESPONSE_CACHE_MAX_ENTRIES.
   */
  responseCache?: ResponseCacheSettings | false;
  /**
   * Limits on what a request may ask (gateway/policy/limits/settings.ts has each one and its default, always on): depth,
   * aliases, tokens and directives of a document, its cost, body and URL size, operations per batch; field
   * suggestions. main.ts sets them from MAX_* and HUB_MODE.
   */
  limits?: Partial<LimitSettings>;
  /**
   * Rate limit per consumer (gateway/policy/limits/rate-limit.ts): off unless given with perMinute > 0; main.ts turns it
   * on from RATE_LIMIT_PER_MINUTE, with its own Redis connection when REDIS_URL is set.
   */
  rateLimit?: RateLimitOptions;
  /**
   * The hub's Prometheus registry and families (gateway/observability/metrics.ts); default: a new one. main.ts passes
   * its own, with which it also times the sync engine's statements.
   */
  metrics?: HubMetrics;
  /**
   * OpenTelemetry tracing (gateway/observability/tracing.ts): spans go to `exporter`, flushed when the hub stops.
   * Off (null) by default; main.ts builds it from OTEL_TRACES_EXPORTER and the OTLP endpoint.
   */
  tracing?: TracingOptions | null;
  /**
   * A source without a successful pass for longer is STALE in /ready and /metrics (LIVE_STALE_AFTER_MINUTES, as
   * main.ts's liveSettings derives it for the live producer). Default 60, the producer's.
   */
  staleAfterMinutes?: number;
}

export type Authenticate = (request: Request) => Promise<Viewer>;

/** A development request without credentials: every read scope but personal data and admin. */
export const ANONYMOUS_DEVELOPER: Viewer = {
  consumer: 'anonymous',
  consumerId: null,
  credential: 'ANONYMOUS',
  scopes: new Set(DEVELOPMENT_ANONYMOUS_SCOPES),
  unitCode: null,
};

export interface Hub {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Where live events are published for this hub's subscribers (and, with Redis, every instance's). */
  readonly pubsub: HubPubSub;
  /** The live subscriptions open on this hub. */
  readonly live: LiveSubscribers;
  /** The response cache (HubOptions.responseCache); null when off. */
  readonly responseCache: ResponseCache | null;
  /** The hub's metrics (served at /metrics); other parts of the hub register their families on its registry. */
  readonly metrics: HubMetrics;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the store. */
  stop(): Promise<void>;
}

const EXAMPLE_QUERY = `# The province's units, with their parents. Try search: "yen the".
{
  units(first: 5) {
    edges { node { code name level kind parent { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createHub({
  db,
  logger,
  shutdownTimeoutMs,
  sync = null,
  authenticate = async () => ANONYMOUS_DEVELOPER,
  plugins = [],
  audit = {},
  pubsub,
  live: liveSettings,
  webSocketKeepAliveMs,
  mode = 'development',
  trustedDocuments = {},
  csrf = false,
  cors = {},
  responseCache: responseCacheSettings = false,
  limits: limitSettings,
  rateLimit,
  metrics = createHubMetrics(),
  tracing: tracingOptions = null,
  staleAfterMinutes = 60,
}: HubOptions): Hub {
  let draining = false;
  // Operations (gateway/operations): tracing when configured, and the store as the graph sees it, timed.
  const tracing = tracingOptions ? createTracing(tracingOptions) : null;
  const graphDb = metrics.instrumentDb(db, 'graphql', tracing?.tracer);
  const limits = createLimits({
    // Field suggestions map the schema for whoever probes it: off in production unless asked for.
    settings: { ...limitSettings, fieldSuggestions: limitSettings?.fieldSuggestions ?? mode !== 'production' },
    rateLimit,
    trustProxy: audit.trustProxy ?? false,
    logger,
  });
  const livePubSub = pubsub ?? createHubPubSub({ logger });
  // One authentication per request: the response cache needs the viewer before the context is built.
  const authenticateOnce = oncePerRequest(authenticate);
  const invalidations = responseCacheBus(livePubSub);
  const responseCache =
    responseCacheSettings && responseCacheSettings.ttlSeconds > 0
      ? createResponseCache({
          ...responseCacheSettings,
          schema: hubSchema(),
          bus: invalidations,
          authenticate: authenticateOnce,
          logger,
          registry: metrics.registry,
          countHit: async (request, req) => limits.countOperation(await authenticateOnce(request), req),
        })
      : null;
  const live = createLiveSubscribers({
    db,
    feed: livePubSub,
    log: logger,
    settings: {
      ...DEFAULT_LIVE_SETTINGS,
      instance: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      ...liveSettings,
    },
  });
  const migrations = loadMigrations(); // the ones this build expects; read once, probed often
  // Trusted documents: what a request may run, by mode, over every transport (gateway/documents).
  // The caller is authenticated before any registry lookup, and a refused document counts against its rate limit.
  const documents: DocumentPolicy = {
    mode,
    registry: createDocumentRegistry({ db, cacheTtlMs: trustedDocuments.cacheTtlMs }),
    authenticate: authenticateOnce,
    countRefusal: (viewer, req) => limits.countOperation(viewer, req),
  };

  const yoga = createYoga<{}, Context>({
    schema: hubSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: mode === 'production' ? false : { title: 'lgsp-hub', defaultQuery: EXAMPLE_QUERY },
    extraParamNames: DOCUMENT_PARAM_NAMES,
    batching: limits.batching,
    // The body limit is the hub's own (gateway/policy/limits/request-size.ts, PAYLOAD_TOO_LARGE): Yoga's would only count
    // every body a second time.
    maxRequestBodySize: false,
    cors,
    // The schema has no Upload scalar: no multipart request parser (GraphQL multipart request spec) to expose.
    multipart: false,
    logging: yogaLogger(logger),
    // An unexpected error is masked as Yoga does, and carries the request id (gateway/observability/request-id.ts).
    maskedErrors: { maskError: maskErrorWithRequestId },
    // The audit log last: its fail-closed replacement of a result is the one that goes out.
    plugins: [
      ...operationsPlugins({ metrics, tracing }),
      ...documentPlugins<Context>({ policy: documents, csrf }),
      ...limits.plugins,
      // Response cache: its mutations flush every instance's caches, cache on here or not; no answer is kept elsewhere.
      useMutationInvalidation(invalidations),
      usePrivateNoStore(),
      ...(responseCache ? [responseCache.plugin] : []),
      ...plugins,
      useAuditLog({ db, logger, config: { AUDIT_KEY: audit.auditKey, TRUST_PROXY: audit.trustProxy ?? false } }),
    ],
    // A WebSocket subscription authenticates once, at connection time, and passes its viewer in.
    context: async ({
      request,
      viewer: connected,
      dropLive,
      res,
    }: { request: Request; res?: ServerResponse } & Partial<WebSocketContext>): Promise<Context> => {
      const viewer = connected ?? (await authenticateOnce(request));
      return {
        db: graphDb,
        sync,
        viewer,
        units: createUnitAccess(graphDb, viewer),
        audit: createAuditTrail(),
        recheckCredential: async () => {
          await authenticate(request);
        },
        live: { subscribers: live, drop: dropLive ?? sseSlowConsumerDrop(res, logger) },
      };
    },
  });
  // SSE subscriptions, shared per consumer and document (gateway/transports/sse.ts); everything else goes to Yoga.
  const sse = createSseTransport({
    yoga,
    authenticate: limits.sseAuthenticate(authenticateOnce),
    live,
    logger,
    documents,
    maxBodyBytes: limits.settings.maxBodyBytes,
    cors,
  });

  /** The sources this instance syncs (else those in the store), as /ready and /metrics report them. */
  const sourceHealth = () =>
    readSourceHealth(db, {
      synced: sync?.engine.sources,
      circuit: sync ? (source) => sync.circuit(source) : undefined,
      staleAfterMs: staleAfterMinutes * 60_000,
    });
  metrics.observe({
    logger,
    sources: sourceHealth,
    // Read lazily: the transports are created below.
    subscribers: () => ({ sseMembers: sse.members, sseGroups: sse.groups, webSocketConnections: websockets.size }),
  });

  /** Liveness answers whenever the process can; readiness only when the store can serve (gateway/observability/readiness.ts). */
  async function readiness(res: ServerResponse) {
    const { httpStatus, body } = await checkReadiness({
      db,
      migrations,
      draining,
      sources: async () => (await sourceHealth()).sources,
      logger,
    });
    sendJson(res, httpStatus, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0];
    const probe = path === '/health' || path === '/ready' || path === '/metrics';
    res.setHeader('x-request-id', requestId);
    // Refusals written outside Yoga (sendGraphQLError, the size limits) count on this hub's metrics.
    countRefusalsOf(res, metrics.countRefusal);
    if (draining) res.setHeader('connection', 'close');
    res.on('finish', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      // Probes come every few seconds from orchestrators: keep them out of the info log.
      logger[probe ? 'debug' : 'info'](
        { requestId, method: req.method, url: req.url, status: res.statusCode, ms },
        'request',
      );
      // A keep-alive socket becomes idle once its response is out: while draining, close it then.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/ready') return readiness(res);
    if (req.method === 'GET' && path === '/metrics') {
      const { contentType, body } = await metrics.scrape();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      return res.end(body);
    }
    if (path !== undefined && isDashboardPath(path)) return serveDashboard(req, res, path);
    if (limits.refuseOversized(req, res)) return;
    return sse.handle(req, res) ?? yoga.handle(req, res);
  }

  const server = createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
    const serve = () =>
      handle(req, res, requestId).catch((error: unknown) => {
        logger.error({ err: error }, 'request failed');
        // Shaped as a GraphQL error, as every other failure the hub answers with, quotable and counted.
        if (!res.headersSent)
          sendGraphQLError(res, 500, requestError('INTERNAL_SERVER_ERROR', 'Unexpected error.', 500));
        else res.destroy();
      });
    // With tracing on, the request is a span, in the caller's trace when it sent a traceparent.
    requestScope.run({ requestId }, () => (tracing ? tracing.serveHttp(req, res, requestId, serve) : serve()));
  });

  const websockets = attachWebSocket({
    server,
    yoga,
    authenticate,
    logger,
    draining: () => draining,
    keepAliveMs: webSocketKeepAliveMs,
    documents,
    maxPayloadBytes: limits.settings.maxBodyBytes,
  });

  let stopping: Promise<void> | undefined;

  return {
    server,
    pubsub: livePubSub,
    live: sse.subscribers,
    responseCache,
    metrics,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        // Whatever fails on the way (a store that will not close …), the spans still queued are exported.
        try {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const deadline = setTimeout(() => {
            logger.warn({ shutdownTimeoutMs }, 'shutdown timeout: closing connections still in use');
            server.closeAllConnections();
          }, shutdownTimeoutMs);
          // Live connections never go idle by themselves: WebSockets get 1001, SSE streams a SHUTTING_DOWN error.
          await Promise.all([websockets.close(), live.close()]);
          await closed;
          clearTimeout(deadline);
          await sync?.engine.stop();
          responseCache?.close();
          invalidations.close(); // an invalidation held back by coalescing goes out before the pubsub closes
          if (!pubsub) await livePubSub.close();
          await db.close();
        } finally {
          // The spans of the last requests (and of the shutdown) are exported before the process ends.
          await tracing
            ?.shutdown()
            .catch((error: unknown) => logger.warn({ err: error }, 'tracing: spans not flushed'));
        }
      })();
      return stopping;
    },
  };
}
