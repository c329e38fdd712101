/**
 * GraphQL request metrics: the Yoga Prometheus plugin's families under their usual names (so the published
 * Yoga/Envelop dashboards work), with label values that stay bounded, since operation names are chosen by clients:
 * the HTTP histogram has no `url` label (the query string is the client's), the error counter no `path` (list
 * indices). The request-time summary, deprecated-field and schema-change counters are off: the histograms give the
 * same answers more cheaply. Response-cache hits are answered before parsing, so they are in none of these families
 * (graphql_yoga_http_duration is observed only for requests seen parsed) but in
 * lgsp_response_cache_total{result="hit"}: request rate = executed operations (graphql_envelop_request) + hits +
 * refusals (lgsp_graphql_refusals_total).
 */
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import {
  createCounter,
  createHistogram,
  usePrometheus,
  type FillLabelsFnParams,
} from '@graphql-yoga/plugin-prometheus';
import { Histogram, type Registry } from 'prom-client';
import { countRefusals } from './refusals.ts';
import { observeResolvers, timeRootResolvers } from './resolver-timing.ts';

export const DEFAULT_MAX_OPERATION_NAMES = 100;

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Operation names as label values, bounded: once `maxOperationNames` distinct names have been seen by this hub, any
 * new one is `(other)`. With trusted documents only registered operations reach the parser, so the names are the
 * registered ones.
 */
export function operationLabeller(maxOperationNames = DEFAULT_MAX_OPERATION_NAMES): (name: unknown) => string {
  const known = new Set<string>();
  return (name) => {
    if (typeof name !== 'string' || name === '' || name === 'Anonymous') return 'Anonymous';
    if (!GRAPHQL_NAME.test(name)) return '(invalid)';
    const label = name.slice(0, 64);
    if (known.has(label)) return label;
    if (known.size >= maxOperationNames) return '(other)';
    known.add(label);
    return label;
  };
}

/** An error's extensions.code as a label value; errors without one are named by where they arose. */
export function errorCodeLabel(error: unknown, phase: string | undefined): string {
  const code =
    error instanceof GraphQLError || (error && typeof error === 'object')
      ? (error as GraphQLError).extensions?.code
      : undefined;
  if (typeof code === 'string') return ERROR_CODE.test(code) ? code : 'UNKNOWN';
  if (phase === 'parse') return 'GRAPHQL_PARSE_FAILED';
  if (phase === 'validate') return 'GRAPHQL_VALIDATION_FAILED';
  // Not a GraphQLError, or one wrapping a thrown exception: Yoga masks it as INTERNAL_SERVER_ERROR.
  if (!(error instanceof GraphQLError) || (error.originalError && !(error.originalError instanceof GraphQLError))) {
    return 'INTERNAL_SERVER_ERROR';
  }
  return 'UNKNOWN';
}

export interface GraphQLMetricsOptions {
  registry: Registry;
  operationLabel: (name: unknown) => string;
  /** Called with +1 when a subscription opens over WebSocket and -1 when it ends (SSE: gateway/transports/sse/). */
  onWebSocketSubscription(delta: 1 | -1): void;
  /** Counts a request refused with nothing run, by its code (refusals.ts). */
  countRefusal(code: unknown): void;
}

/** An iterator that calls `onEnd` once, however it ends: done, returned (client left) or thrown. */
function endingOnce<T>(source: AsyncIterable<T>, onEnd: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      return iterator.next().then(
        (result) => {
          if (result.done) end();
          return result;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      );
    },
    return(value?: unknown) {
      end();
      return iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T });
    },
    throw(error?: unknown) {
      end();
      return iterator.throw?.(error) ?? Promise.reject(error);
    },
  };
}

export function useGraphQLMetrics({
  registry,
  operationLabel,
  onWebSocketSubscription,
  countRefusal,
}: GraphQLMetricsOptions): Plugin {
  const operationLabels = (params: FillLabelsFnParams) => ({
    operationName: operationLabel(params.operationName),
    operationType: params.operationType ?? 'unknown',
  });
  const labelNames = ['operationName', 'operationType'] as const;
  const phaseHistogram = <Phase>(name: string, help: string) =>
    createHistogram<Phase, (typeof labelNames)[number]>({
      registry,
      histogram: { name, help, labelNames },
      fillLabelsFn: operationLabels,
    });

  const resolverDuration = new Histogram({
    name: 'lgsp_graphql_resolver_duration_seconds',
    help: "Time spent in the root fields' own resolvers (Query, Mutation; Subscription setup), not their children",
    labelNames: ['type', 'field'] as const,
    registers: [registry],
  });
  const observeResolver = (type: string, field: string, seconds: number) =>
    resolverDuration.observe({ type, field }, seconds);

  const prometheus = usePrometheus({
    registry,
    endpoint: false, // the hub serves /metrics itself, with more than this plugin's families
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'graphql_envelop_request', help: 'GraphQL operations executed, per operation', labelNames },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_request_duration: phaseHistogram<'execute' | 'subscribe'>(
        'graphql_envelop_request_duration',
        'Time spent on running the GraphQL operation from parse to execute',
      ),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: phaseHistogram<'parse'>(
        'graphql_envelop_phase_parse',
        'Time spent parsing the operation',
      ),
      graphql_envelop_phase_validate: phaseHistogram<'validate'>(
        'graphql_envelop_phase_validate',
        'Time spent validating the operation',
      ),
      graphql_envelop_phase_context: phaseHistogram<'context'>(
        'graphql_envelop_phase_context',
        'Time spent building the context (authentication)',
      ),
      graphql_envelop_phase_execute: phaseHistogram<'execute'>(
        'graphql_envelop_phase_execute',
        'Time spent executing the operation',
      ),
      graphql_envelop_phase_subscribe: phaseHistogram<'subscribe'>(
        'graphql_envelop_phase_subscribe',
        'Time spent setting a subscription up (until its stream is returned)',
      ),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors in GraphQL responses, per operation, phase and extensions.code',
          labelNames: ['operationName', 'operationType', 'phase', 'code'] as const,
        },
        fillLabelsFn: (params: FillLabelsFnParams & { error?: unknown }) => ({
          ...operationLabels(params),
          phase: params.errorPhase ?? 'unknown',
          code: errorCodeLabel(params.error, params.errorPhase),
        }),
      }),
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time spent on the HTTP request of a GraphQL operation, until its response starts',
          labelNames: ['operationName', 'operationType', 'method', 'statusCode'] as const,
        },
        fillLabelsFn: (params, { request, response }: { request: Request; response: Response }) => ({
          ...operationLabels(params),
          method: request.method,
          statusCode: response.status,
        }),
      }),
    },
  });

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(prometheus);
    },
    onSchemaChange({ schema }) {
      timeRootResolvers(schema);
    },
    // Every answer Yoga sends over HTTP passes here, those refused before parsing too.
    onResultProcess({ result }) {
      countRefusals(result, countRefusal);
    },
    onExecute({ args }) {
      observeResolvers(args.contextValue as object, observeResolver);
    },
    onSubscribe({ args }) {
      const contextValue = args.contextValue as object & { socket?: unknown };
      observeResolvers(contextValue, observeResolver);
      // gateway/transports/websocket.ts puts the socket in the initial context; HTTP transports do not.
      if (!contextValue.socket) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          onWebSocketSubscription(1);
          setResult(endingOnce(result, () => onWebSocketSubscription(-1)));
        },
      };
    },
  };
}
