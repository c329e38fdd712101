/**
 * The operations plugins, first in the hub's Yoga plugin list (so they see
 * every request, including those a later plugin refuses): the operation span
 * (when tracing is on), the GraphQL metrics, and the request id on every error.
 */
import type { Plugin } from 'graphql-yoga';
import type { HubMetrics } from './metrics.ts';
import { useRequestIds } from './request-id.ts';
import type { Tracing } from './tracing.ts';

export function operationsPlugins({ metrics, tracing }: { metrics: HubMetrics; tracing: Tracing | null }): Plugin[] {
  return [...(tracing ? [tracing.plugin()] : []), metrics.plugin(), useRequestIds()];
}
