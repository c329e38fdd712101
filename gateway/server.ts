import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { register } from 'prom-client';
import type { Db } from '../store/db.ts';
import { loadMigrations, pendingMigrations } from '../store/migrate.ts';
import { hubSchema, type Context, type SyncAccess } from '../schema/index.ts';
import { requestScope, yogaLogger, type Logger } from './logger.ts';

export interface HubOptions {
  db: Db;
  logger: Logger;
  /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
  shutdownTimeoutMs: number;
  /** The sync engine, for `sources` and `syncNow`; stopped before the store closes. */
  sync?: SyncAccess | null;
  /** The bearer token that makes a request an administrator's; unset: nobody is. */
  adminToken?: string | undefined;
}

export interface Hub {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
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

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests in constant time, so the response time says nothing about the token. */
function isAdminRequest(request: Request, adminToken: string | undefined): boolean {
  const header = request.headers.get('authorization');
  if (!adminToken || !header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(adminToken));
}

export function createHub({ db, logger, shutdownTimeoutMs, sync = null, adminToken }: HubOptions): Hub {
  let draining = false;
  const migrations = loadMigrations(); // the ones this build expects; read once, probed often

  const yoga = createYoga<{}, Context>({
    schema: hubSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'lgsp-hub', defaultQuery: EXAMPLE_QUERY },
    logging: yogaLogger(logger),
    context: ({ request }) => ({ db, sync, admin: isAdminRequest(request, adminToken) }),
  });

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
    return yoga.handle(req, res);
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

  let stopping: Promise<void> | undefined;

  return {
    server,
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
        await closed;
        clearTimeout(deadline);
        await sync?.engine.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
