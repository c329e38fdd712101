/**
 * The Prometheus metrics of the upstream HTTP layer: what the hub asked each
 * upstream, how it answered and how long it took, how often calls were
 * retried, and whether a circuit breaker holds an upstream off. Every client
 * writes to the same metrics, told apart by the `source` label, so they are
 * registered once per registry and reused by the next client (or test file)
 * that asks for them.
 */
import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';

export interface UpstreamMetrics {
  /**
   * One per attempt; outcome is the status code as text, 'network' or 'timeout', or for a 2xx whose body is a
   * failure: 'error_body' (the one-stop-shop's `{"status":"error"}`) or 'malformed_body' (not JSON).
   */
  requests: Counter<'source' | 'path' | 'outcome'>;
  /** Attempt duration until the whole body is read (or the attempt failed). */
  duration: Histogram<'source' | 'path'>;
  /** Attempts scheduled again after a retryable failure. */
  retries: Counter<'source' | 'path'>;
  /** 0 closed, 1 half-open, 2 open (CIRCUIT_STATE_VALUE). */
  circuitState: Gauge<'source'>;
}

export const CIRCUIT_STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;

/** From a fast local answer to a full page from a slow upstream (the body timeout is 30 s by default). */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metric of that name already on the registry, else a new one registered there. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The upstream metrics on `registry` (default: prom-client's global registry), registered on first use. */
export function upstreamMetrics(registry: Registry = register): UpstreamMetrics {
  const registers = [registry];
  return {
    requests: reuse(
      registry,
      'lgsp_upstream_requests_total',
      () =>
        new Counter({
          name: 'lgsp_upstream_requests_total',
          help: 'HTTP requests to the upstream systems, by outcome (status code, network or timeout)',
          labelNames: ['source', 'path', 'outcome'] as const,
          registers,
        }),
    ),
    duration: reuse(
      registry,
      'lgsp_upstream_request_duration_seconds',
      () =>
        new Histogram({
          name: 'lgsp_upstream_request_duration_seconds',
          help: 'Duration of HTTP requests to the upstream systems, body included',
          labelNames: ['source', 'path'] as const,
          buckets: DURATION_BUCKETS,
          registers,
        }),
    ),
    retries: reuse(
      registry,
      'lgsp_upstream_retries_total',
      () =>
        new Counter({
          name: 'lgsp_upstream_retries_total',
          help: 'Requests to the upstream systems retried after a retryable failure',
          labelNames: ['source', 'path'] as const,
          registers,
        }),
    ),
    circuitState: reuse(
      registry,
      'lgsp_upstream_circuit_state',
      () =>
        new Gauge({
          name: 'lgsp_upstream_circuit_state',
          help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
          labelNames: ['source'] as const,
          registers,
        }),
    ),
  };
}
