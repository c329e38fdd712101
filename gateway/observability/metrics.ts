/**
 * The hub's Prometheus metrics, served at GET /metrics (the families are listed in docs/operations.md). Each hub has a
 * registry of its own (`HubMetrics.registry`) for everything that belongs to it; process-wide metrics stay on
 * prom-client's global `register`: Node's own and the upstream HTTP clients' (connectors/http/metrics.ts,
 * `lgsp_upstream_*`). /metrics serves both, merged, so a process that creates many hubs (the tests) never registers a
 * metric twice, and each hub's /metrics tells only its own story. A new family goes on the hub's registry, never the
 * global one (a second hub in the process would fail to register it), with label values from a small fixed set:
 * never a consumer-chosen string as it comes (`metrics.operationLabel` bounds operation names).
 */
import { collectDefaultMetrics, Gauge, Histogram, register, Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import type { Db } from '../../store/db.ts';
import type { Logger } from '../../core/logger.ts';
import { DEFAULT_MAX_OPERATION_NAMES, operationLabeller, useGraphQLMetrics } from './graphql-metrics.ts';
import type { SourceHealthReport, SourceHealthStatus } from './source-health.ts';
import { refusalCounter } from './refusals.ts';
import { instrumentDb, type StoreComponent } from './store-timing.ts';
import type { Tracer } from '@opentelemetry/api';

export interface HubMetricsOptions {
  /** Distinct operation names a hub labels its GraphQL metrics with before it calls the rest `(other)`. */
  maxOperationNames?: number;
}

/** What the hub lets its metrics read at scrape time. */
export interface HubObservations {
  /** Open live subscriptions and connections of the hub's transports. */
  subscribers(): { sseMembers: number; sseGroups: number; webSocketConnections: number };
  /** The sources' health, as /ready reports it. */
  sources(): Promise<SourceHealthReport>;
  logger: Logger;
}

export interface HubMetrics {
  readonly registry: Registry;
  /** Operation names as label values, bounded. */
  operationLabel(name: unknown): string;
  /** The Yoga plugin measuring GraphQL requests (one per hub). */
  plugin(): Plugin;
  /**
   * Counts a request refused with nothing run, by its code (lgsp_graphql_refusals_total, refusals.ts): the plugin
   * counts what Yoga answers; whoever answers a GraphQL request outside Yoga calls this.
   */
  countRefusal(code: unknown): void;
  /** The Db with its statements timed (and traced, given a tracer) as `component`'s. */
  instrumentDb(db: Db, component: StoreComponent, tracer?: Tracer): Db;
  /** Registers the gauges read from the hub at scrape time (once; a second call is refused). */
  observe(observations: HubObservations): void;
  /** The exposition: this hub's families and the process-wide ones. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const STATUSES: readonly SourceHealthStatus[] = [
  'FRESH',
  'DEGRADED',
  'FAILING',
  'STALE',
  'CIRCUIT_OPEN',
  'NEVER_SYNCED',
];

/** Node's own metrics (CPU, memory, event loop, GC), on the global registry, once per process. */
function collectProcessMetrics() {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

export function createHubMetrics({
  maxOperationNames = DEFAULT_MAX_OPERATION_NAMES,
}: HubMetricsOptions = {}): HubMetrics {
  collectProcessMetrics();
  const registry = new Registry();
  const operationLabel = operationLabeller(maxOperationNames);
  let webSocketSubscriptions = 0;
  let observed = false;
  const countRefusal = refusalCounter(registry);

  const storeDuration = new Histogram({
    name: 'lgsp_store_query_duration_seconds',
    help: 'Duration of store statements, by kind and by the part of the hub that ran them (graphql, sync)',
    labelNames: ['statement', 'component'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return {
    registry,
    operationLabel,
    plugin: () =>
      useGraphQLMetrics({
        registry,
        operationLabel,
        onWebSocketSubscription: (delta) => (webSocketSubscriptions += delta),
        countRefusal,
      }),
    countRefusal,
    instrumentDb: (db, component, tracer) => instrumentDb(db, { duration: storeDuration, component, tracer }),
    observe({ subscribers, sources, logger }) {
      if (observed) throw new Error('the hub metrics observe one hub');
      observed = true;

      new Gauge({
        name: 'lgsp_live_subscribers',
        help: 'Live subscriptions open on this instance, by transport (an SSE connection, a WebSocket operation)',
        labelNames: ['transport'] as const,
        registers: [registry],
        collect() {
          this.set({ transport: 'sse' }, subscribers().sseMembers);
          this.set({ transport: 'websocket' }, webSocketSubscriptions);
        },
      });
      new Gauge({
        name: 'lgsp_live_sse_groups',
        help: 'Distinct SSE subscriptions executed (connections with the same operation and consumer share one)',
        registers: [registry],
        collect() {
          this.set(subscribers().sseGroups);
        },
      });
      new Gauge({
        name: 'lgsp_websocket_connections',
        help: 'Open GraphQL-over-WebSocket connections',
        registers: [registry],
        collect() {
          this.set(subscribers().webSocketConnections);
        },
      });

      // Read from the store at scrape time (at most once a second), as /ready reads it: one store read per scrape for
      // the three gauges below (prom-client collects them concurrently).
      let last: { at: number; report: Promise<SourceHealthReport | null> } | undefined;
      const report = () => {
        if (!last || Date.now() - last.at > 1_000) {
          last = {
            at: Date.now(),
            report: sources().catch((error: unknown) => {
              logger.warn({ err: error }, 'metrics: cannot read the sources from the store');
              return null;
            }),
          };
        }
        return last.report;
      };
      new Gauge({
        name: 'lgsp_sync_lag_seconds',
        help: "Seconds since the source's last successful sync pass (absent before the first)",
        labelNames: ['source'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const source of read?.sources ?? []) {
            if (source.lagSeconds !== null) this.set({ source: source.name }, source.lagSeconds);
          }
        },
      });
      new Gauge({
        name: 'lgsp_sync_source_status',
        help: "1 for the source's current status (FRESH, DEGRADED, FAILING, STALE, CIRCUIT_OPEN, NEVER_SYNCED), 0 for the others",
        labelNames: ['source', 'status'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const source of read?.sources ?? []) {
            for (const value of STATUSES)
              this.set({ source: source.name, status: value }, value === source.status ? 1 : 0);
          }
        },
      });
      new Gauge({
        name: 'lgsp_sync_quarantined_records',
        help: 'Records held in quarantine now, by source, feed and whether later passes retry them',
        labelNames: ['source', 'feed', 'retryable'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const q of read?.quarantine ?? []) {
            this.set({ source: q.source, feed: q.feed, retryable: String(q.retryable) }, q.count);
          }
        },
      });
      new Gauge({
        name: 'lgsp_sync_flawed_records',
        help: 'Open flaws of stored records now (rules of their contract they break while counted), by source, feed and rule',
        labelNames: ['source', 'feed', 'rule'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const f of read?.flaws ?? []) this.set({ source: f.source, feed: f.feed, rule: f.rule }, f.count);
        },
      });
      new Gauge({
        name: 'lgsp_sync_unknown_field_records',
        help: "Records of the feed's last pass carrying a field its contract does not know, by source, feed and field (at most 20 fields a feed)",
        labelNames: ['source', 'feed', 'field'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const source of read?.sources ?? []) {
            for (const feed of source.feeds) {
              for (const { field, records } of feed.unknownFields) {
                this.set({ source: source.name, feed: feed.feed, field }, records);
              }
            }
          }
        },
      });
      new Gauge({
        name: 'lgsp_sync_feed_rejected_ratio',
        help: "Share (0 to 1) of the records the feed's last pass read that it quarantined, by source and feed",
        labelNames: ['source', 'feed'] as const,
        registers: [registry],
        async collect() {
          const read = await report();
          this.reset();
          for (const source of read?.sources ?? []) {
            for (const feed of source.feeds)
              this.set({ source: source.name, feed: feed.feed }, feed.rejectedPercent / 100);
          }
        },
      });
    },
    async scrape() {
      const merged = Registry.merge([register, registry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
