import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import { register } from 'prom-client';
import type { Db } from '../store/db.ts';
import { loadMigrations, pendingMigrations } from '../store/migrate.ts';
import { DEVELOPMENT_ANONYMOUS_SCOPES, type Viewer } from '../store/access.ts';
import { createAuditTrail } from '../schema/audit-trail.ts';
import { hubSchema, type Context, type SyncAccess } from '../schema/index.ts';
import { createUnitAccess } from '../schema/unit-access.ts';
import {
  createLiveSubscribers,
  DEFAULT_LIVE_SETTINGS,
  type LiveSettings,
  type LiveSubscribers,
} from '../schema/live/subscribers.ts';
import { requestScope, yogaLogger, type Logger } from './logger.ts';
import { createHubPubSub, type HubPubSub } from './pubsub.ts';
import { createSseTransport, sseSlowConsumerDrop } from './sse.ts';
import { attachWebSocket, type WebSocketContext } from './websocket.ts';
import { useAuditLog } from './auth/audit-plugin.ts';
import { isDashboardPath, serveDashboard } from './dashboard/serve.ts';

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
   * The audit log (gateway/auth/audit-plugin.ts) is always written, fail-closed: `auditKey` (AUDIT_KEY) keys its
   * hash chain; `trustProxy` (TRUST_PROXY) takes the client's address from X-Forwarded-For.
   */
  audit?: { auditKey?: string | undefined; trustProxy?: boolean };
  /** The live events' pubsub (gateway/pubsub.ts), closed by its creator; default: one in memory, closed with the hub. */
  pubsub?: HubPubSub;
  /** Live subscription settings (LIVE_QUEUE_MAX, the watch TTL, this process's name); defaults in schema/live/subscribers.ts. */
  live?: Partial<LiveSettings>;
  /** How often a WebSocket is pinged; one that has not answered by the next ping is cut. Default 12 s. */
  webSocketKeepAliveMs?: number;
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
}: HubOptions): Hub {
  let draining = false;
  const livePubSub = pubsub ?? createHubPubSub({ logger });
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

  const yoga = createYoga<{}, Context>({
    schema: hubSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'lgsp-hub', defaultQuery: EXAMPLE_QUERY },
    logging: yogaLogger(logger),
    // The audit log last: its fail-closed replacement of a result is the one that goes out.
    plugins: [
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
      const viewer = connected ?? (await authenticate(request));
      return {
        db,
        sync,
        viewer,
        units: createUnitAccess(db, viewer),
        audit: createAuditTrail(),
        recheckCredential: async () => {
          await authenticate(request);
        },
        live: { subscribers: live, drop: dropLive ?? sseSlowConsumerDrop(res, logger) },
      };
    },
  });
  // SSE subscriptions, shared per consumer and document (gateway/sse.ts); everything else goes to Yoga.
  const sse = createSseTransport({ yoga, authenticate, live, logger });

  /** Liveness answers whenever the process can; readiness only when the store can serve. */
  async function readiness(res: ServerResponse) {
    if (draining) return sendJson(res, 503, { status: 'draining' });
    try {
      const pending = await pendingMigrations(db, migrations);
      const ready = pending.length === 0;
      sendJson(res, ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        store: { backend: db.backend, reachable: true, pendingMigrations: pending },
      });
    } catch (error) {
      sendJson(res, 503, {
        status: 'not ready',
        store: { backend: db.backend, reachable: false, error: (error as Error).message },
      });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0];
    const probe = path === '/health' || path === '/ready' || path === '/metrics';
    res.setHeader('x-request-id', requestId);
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
      res.writeHead(200, { 'content-type': register.contentType });
      return res.end(await register.metrics());
    }
    if (path !== undefined && isDashboardPath(path)) return serveDashboard(req, res, path);
    return sse.handle(req, res) ?? yoga.handle(req, res);
  }

  const server = createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
    requestScope.run({ requestId }, () =>
      handle(req, res, requestId).catch((error: unknown) => {
        logger.error({ err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', requestId });
        else res.destroy();
      }),
    );
  });

  const websockets = attachWebSocket({
    server,
    yoga,
    authenticate,
    logger,
    draining: () => draining,
    keepAliveMs: webSocketKeepAliveMs,
  });

  let stopping: Promise<void> | undefined;

  return {
    server,
    pubsub: livePubSub,
    live: sse.subscribers,
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
        if (!pubsub) await livePubSub.close();
        await db.close();
      })();
      return stopping;
    },
  };
}
