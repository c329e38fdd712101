/**
 * The response cache's Prometheus counter: aggregate queries answered from
 * the cache (hit) or executed (miss), on the hub's registry
 * (gateway/observability/metrics.ts), which /metrics serves. Registered once
 * per registry and reused if already there, as connectors/http/metrics.ts does.
 */
import { Counter, type Registry } from 'prom-client';

export const RESPONSE_CACHE_METRIC = 'lgsp_response_cache_total';

export type ResponseCacheCounter = Counter<'result'>;

export function responseCacheCounter(registry: Registry): ResponseCacheCounter {
  return (
    (registry.getSingleMetric(RESPONSE_CACHE_METRIC) as ResponseCacheCounter | undefined) ??
    new Counter({
      name: RESPONSE_CACHE_METRIC,
      help: 'Cacheable (aggregate) queries by result: hit (answered from the response cache) or miss (executed)',
      labelNames: ['result'] as const,
      registers: [registry],
    })
  );
}
