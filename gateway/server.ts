import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Db } from '../store/db.ts';
import { loadMigrations } from '../store/migrate.ts';
import type { Authenticate } from '../store/access.ts';
import { createAuditTrail } from '../schema/audit-trail.ts';
import { hubSchema, type Context, type SyncAccess } from '../schema/index.ts';
import { createUnitAccess } from '../schema/unit-access.ts';
import { createLiveSubscribers, DEFAULT_LIVE_SETTINGS, type LiveSubscribers } from '../live/subscribers.ts';
import { requestScope, type Logger } from '../core/logger.ts';
import { yogaLogger } from './observability/yoga-logger.ts';
import { createHubPubSub, type HubPubSub } from '../live/pubsub.ts';
import { createSseTransport, sseSlowConsumerDrop, useAcceptedSseRefusals } from './transports/sse/index.ts';
import { attachWebSocket, type WebSocketContext } from './transports/websocket.ts';
import { useAuditLog } from './policy/auth/audit-plugin.ts';
import { isDashboardPath, serveDashboard } from './dashboard/serve.ts';
import { GRAPHIQL_OPTIONS, renderLocalGraphiQL, useCompressedGraphiQL } from './graphiql.ts';
import { createHubMetrics, type HubMetrics } from './observability/metrics.ts';
import { operationsPlugins } from './observability/plugins.ts';
import { checkReadiness } from './observability/readiness.ts';
import { registerRefusalCounter } from './observability/refusals.ts';
import { readSourceHealth } from './observability/source-health.ts';
import { createTracing, tracingFromConfig, type TracingOptions } from './observability/tracing.ts';
import { responseCacheBus } from './response-cache/bus.ts';
import { useMutationInvalidation } from './response-cache/mutations.ts';
import { usePrivateNoStore } from './response-cache/no-store.ts';
import { createResponseCache, type ResponseCache } from './response-cache/cache.ts';
import { oncePerRequest } from './response-cache/session.ts';
import { documentPlugins } from './policy/documents/plugins.ts';
import { createDocumentRegistry } from './policy/documents/registry.ts';
import { createDocumentRegistrar } from './policy/documents/registration.ts';
import { DOCUMENT_PARAM_NAMES } from './policy/documents/trusted-documents-plugin.ts';
import { createAuthenticator } from './policy/auth/authenticate.ts';
import { createLimits } from './policy/limits/index.ts';
import { hubSettings } from './hub-settings.ts';
import { createAdmission } from './policy/admission.ts';
import { connectRateLimitRedis } from './policy/limits/rate-limit.ts';
import type { Config } from './config.ts';
import { maskHubError, requestError, sendGraphQLError, useNoEcho } from './errors.ts';

/**
 * What the hub is given, made outside it; every setting it derives from the Config itself (hubSettings).
 */
export interface HubDeps {
  /** The store; closed when the hub stops. */
  db: Db;
  logger: Logger;
  /** The sync engine, for `sources` and `syncNow`; stopped before the store closes. */
  sync?: SyncAccess | null;
  /** The live events' pubsub (live/pubsub.ts), closed by its creator; default: one in memory, closed with the hub. */
  pubsub?: HubPubSub;
  /**
   * The hub's Prometheus registry and families (gateway/observability/metrics.ts); default: a new one. main.ts passes
   * its own, with which it also times the sync engine's statements.
   */
  metrics?: HubMetrics;
  /**
   * OpenTelemetry tracing (gateway/observability/tracing.ts): spans go to `exporter`, flushed when the hub stops.
   * Default: as OTEL_TRACES_EXPORTER says (tracingFromConfig; off with `none`); null: off.
   */
  tracing?: TracingOptions | null;
  /**
   * Turns a request's credential into the consumer it acts as. Default: the hub's API keys and JWTs
   * (gateway/policy/auth/authenticate.ts, as JWT_* configure them), the anonymous developer for a request without
   * credentials in development, 401 in production. Tests give tables of tokens.
   */
  authenticate?: Authenticate;
  /** More Yoga plugins, run after the hub's own and before the audit log's. */
  plugins?: Plugin<Context>[];
  /**
   * The rate limiter's Redis connection, closed by its creator. Default: with REDIS_URL and the rate limit on, one of
   * the hub's own (connectRateLimitRedis), closed when the hub stops.
   */
  rateLimitRedis?: Redis;
}

export interface Hub {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Where live events are published for this hub's subscribers (and, with Redis, every instance's). */
  readonly pubsub: HubPubSub;
  /** The live subscriptions open on this hub. */
  readonly live: LiveSubscribers;
  /** The response cache (RESPONSE_CACHE_TTL_SECONDS); null when off. */
  readonly responseCache: ResponseCache | null;
  /** The hub's metrics (served at /metrics); other parts of the hub register their families on its registry. */
  readonly metrics: HubMetrics;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the store. */
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createHub(
  config: Config,
  {
    db,
    logger,
    sync = null,
    authenticate = createAuthenticator({ db, config, logger }),
    plugins = [],
    pubsub,
    metrics = createHubMetrics(),
    tracing: tracingOptions = tracingFromConfig(config),
    rateLimitRedis,
  }: HubDeps,
): Hub {
  const {
    shutdownTimeoutMs,
    httpTimeouts,
    mode,
    trustedDocuments,
    csrf,
    cors,
    limits: limitSettings,
    responseCache: responseCacheSettings,
    live: liveOfConfig,
    webSocketKeepAliveMs,
    staleAfterMinutes,
    degradedAbovePercent,
    audit,
    rateLimit: rateLimitSettings,
    authFailures: authFailureSettings,
  } = hubSettings(config);
  // The rate limits count in Redis when there is one, so that every instance shares each budget.
  const ownRateLimitRedis =
    !rateLimitRedis && config.REDIS_URL && (rateLimitSettings.perMinute > 0 || authFailureSettings.perMinute > 0)
      ? connectRateLimitRedis(config.REDIS_URL, logger)
      : undefined;
  const counters = rateLimitRedis ?? ownRateLimitRedis?.client;
  let draining = false;
  // Operations (gateway/observability): tracing when configured, and the store as the graph sees it, timed.
  const tracing = tracingOptions ? createTracing(tracingOptions) : null;
  const graphDb = metrics.instrumentDb(db, 'graphql', tracing?.tracer);
  const limits = createLimits({
    // Field suggestions map the schema for whoever probes it: off in production unless asked for.
    settings: { ...limitSettings, fieldSuggestions: limitSettings?.fieldSuggestions ?? mode !== 'production' },
    rateLimit: { ...rateLimitSettings, redis: counters },
    authFailures: { ...authFailureSettings, redis: counters },
    trustProxy: audit.trustProxy ?? false,
    logger,
  });
  const livePubSub = pubsub ?? createHubPubSub({ logger });
  // One authentication per request: the response cache needs the viewer before the context is built. An address
  // over its failed authentications is refused before its credential is checked.
  const authenticateOnce = oncePerRequest(limits.authFailures.guard(authenticate));
  // One admission step for every operation over every transport (gateway/policy/admission.ts): size, credential,
  // trusted document (by mode), rate limit.
  const registry = createDocumentRegistry({ db, cacheTtlMs: trustedDocuments.cacheTtlMs });
  const registrar = createDocumentRegistrar(registry, limits.settings);
  const admission = createAdmission({
    mode,
    enforced: trustedDocuments.enforced,
    registry,
    authenticate: authenticateOnce,
    limits,
  });
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
          countHit: (request, req) => admission.countAnswered(request, req),
        })
      : null;
  const live = createLiveSubscribers({
    db,
    feed: livePubSub,
    log: logger,
    settings: {
      ...DEFAULT_LIVE_SETTINGS,
      instance: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      ...liveOfConfig,
    },
  });
  const migrations = loadMigrations(); // the ones this build expects; read once, probed often

  const yoga = createYoga<{}, Context>({
    schema: hubSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: mode === 'production' ? false : GRAPHIQL_OPTIONS,
    renderGraphiQL: renderLocalGraphiQL,
    extraParamNames: DOCUMENT_PARAM_NAMES,
    batching: limits.batching,
    // The body limit is the hub's own (gateway/policy/limits/request-size.ts, PAYLOAD_TOO_LARGE): Yoga's would only count
    // every body a second time.
    maxRequestBodySize: false,
    cors,
    // The schema has no Upload scalar: no multipart request parser (GraphQL multipart request spec) to expose.
    multipart: false,
    logging: yogaLogger(logger),
    // Every error carries a code; an unexpected one is masked as Yoga does, with the request id (gateway/errors.ts).
    maskedErrors: { maskError: maskHubError },
    // The audit log last: its fail-closed replacement of a result is the one that goes out.
    plugins: [
      ...operationsPlugins({ metrics, tracing }),
      ...documentPlugins<Context>({ policy: admission, csrf }),
      ...limits.plugins,
      // Response cache: its mutations flush every instance's caches, cache on here or not; no answer is kept elsewhere.
      useMutationInvalidation(invalidations),
      usePrivateNoStore(),
      useNoEcho(),
      // A refused SSE subscription as graphql-sse reads it (gateway/transports/sse/refusals.ts).
      useAcceptedSseRefusals(),
      ...(mode === 'production' ? [] : [useCompressedGraphiQL()]),
      ...(responseCache ? [responseCache.plugin] : []),
      ...plugins,
      useAuditLog({ db, logger, config: { AUDIT_KEY: audit.auditKey, TRUST_PROXY: audit.trustProxy ?? false } }),
    ],
    // A WebSocket subscription authenticates once, at connection time, and passes its viewer in.
    context: async ({
      request,
      viewer: connected,
      dropLive,
      req,
      res,
    }: {
      request: Request;
      req?: IncomingMessage;
      res?: ServerResponse;
    } & Partial<WebSocketContext>): Promise<Context> => {
      const viewer = connected ?? (await authenticateOnce(request, req));
      return {
        db: graphDb,
        sync,
        degradedAbovePercent,
        staleAfterMinutes,
        viewer,
        units: createUnitAccess(graphDb, viewer),
        audit: createAuditTrail(),
        documents: registrar,
        recheckCredential: async () => {
          await authenticate(request);
        },
        live: { subscribers: live, drop: dropLive ?? sseSlowConsumerDrop(res, logger) },
      };
    },
  });
  // SSE subscriptions, shared per consumer and document (gateway/transports/sse/); everything else goes to Yoga.
  const sse = createSseTransport({ yoga, admission, live, logger, cors });

  /** The sources this instance syncs (else those in the store), as /ready and /metrics report them. */
  const sourceHealth = () =>
    readSourceHealth(db, {
      synced: sync?.engine.sources,
      circuit: sync ? (source) => sync.circuit(source) : undefined,
      staleAfterMs: staleAfterMinutes * 60_000,
      degradedAbovePercent,
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
      pubsub: livePubSub,
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
    registerRefusalCounter(res, metrics.countRefusal);
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
    // Admission's first step (the URL, a declared body) before anything reads the request.
    if (admission.refuseOversized(req, res)) return;
    return sse.handle(req, res) ?? yoga.handle(req, res);
  }

  // Bound receiving a request (408 and the connection closed past them), never a response streaming out: Node stops
  // timing a request once its body is in, and a WebSocket once it is upgraded.
  const timeouts = {
    headersTimeout: httpTimeouts.headersMs,
    requestTimeout: httpTimeouts.requestMs,
    keepAliveTimeout: httpTimeouts.keepAliveMs,
    // Node checks the first two on this interval (default 30 s, which would let a 10 s limit run to 40 s).
    connectionsCheckingInterval: Math.min(1_000, httpTimeouts.headersMs / 4),
  };
  const server = createServer(timeouts, (req, res) => {
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
    admission,
    logger,
    draining: () => draining,
    keepAliveMs: webSocketKeepAliveMs,
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
          await ownRateLimitRedis?.close();
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
