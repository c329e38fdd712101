/**
 * The probes of a sync process that serves no graph (`npm run sync` in
 * continuous mode with SYNC_HTTP_PORT): GET /health, /ready and /metrics,
 * answered exactly as the hub answers them, from the same pieces (readiness,
 * source health, the hub's metrics registry with the upstream clients'
 * families), so that a split deployment is watched like a single hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceName } from '../../connectors/feed.ts';
import type { CircuitState } from '../../connectors/http/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { HubPubSub } from '../../live/pubsub.ts';
import type { Db } from '../../store/db.ts';
import { loadMigrations } from '../../store/migrate.ts';
import type { HubMetrics } from './metrics.ts';
import { checkReadiness } from './readiness.ts';
import { readSourceHealth } from './source-health.ts';

export interface SyncProbeOptions {
  db: Db;
  metrics: HubMetrics;
  /** The sources this process syncs, and their breakers. */
  sources: readonly SourceName[];
  circuit(source: SourceName): CircuitState | null;
  staleAfterMs: number;
  pubsub: Pick<HubPubSub, 'downSince'>;
  logger: Logger;
}

export interface SyncProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSyncProbeServer(
  port: number,
  host: string,
  options: SyncProbeOptions,
): Promise<SyncProbeServer> {
  const { db, metrics, logger } = options;
  const migrations = loadMigrations();
  let draining = false;
  const sourceHealth = () =>
    readSourceHealth(db, { synced: options.sources, circuit: options.circuit, staleAfterMs: options.staleAfterMs });
  metrics.observe({
    logger,
    sources: sourceHealth,
    subscribers: () => ({ sseMembers: 0, sseGroups: 0, webSocketConnections: 0 }),
  });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', JSON.stringify(body));
    void (async () => {
      if (req.method !== 'GET') return json(405, { error: 'only GET' });
      if (path === '/health') return json(200, { status: 'ok' });
      if (path === '/ready') {
        const { httpStatus, body } = await checkReadiness({
          db,
          migrations,
          draining,
          sources: async () => (await sourceHealth()).sources,
          pubsub: options.pubsub,
          logger,
        });
        return json(httpStatus, body);
      }
      if (path === '/metrics') {
        const { contentType, body } = await metrics.scrape();
        return send(200, contentType, body);
      }
      return json(404, { error: 'a sync process serves /health, /ready and /metrics only' });
    })().catch((error: unknown) => {
      logger.error({ err: error, path }, 'sync probe failed');
      if (!res.headersSent) json(500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    close() {
      draining = true;
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
