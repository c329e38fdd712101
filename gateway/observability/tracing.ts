/**
 * OpenTelemetry tracing, off unless configured (OTEL_TRACES_EXPORTER=otlp or console): when off, nothing of this
 * module runs on a request. When on, each HTTP request (probes aside) is a server span that joins the caller's trace
 * (a W3C `traceparent`, or what OTEL_PROPAGATORS names), and the response's `traceparent` names it so a client can
 * quote its trace; inside it, @envelop/opentelemetry spans each GraphQL operation, store-timing.ts each statement.
 * Variables, results and resolver arguments are never recorded (they carry personal data); a document only when it
 * has no inline arguments (the plugin's rule). No span per resolver: costly, and root fields are timed as metrics.
 * WebSocket operations have no HTTP span: their operation span starts a trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { getCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { currentRequestId } from './request-id.ts';

export interface TracingOptions {
  /** Where finished spans go (an OTLPTraceExporter in production, an InMemorySpanExporter in tests). */
  exporter: SpanExporter;
  /** service.name of every span; default lgsp-hub. */
  serviceName?: string;
  /** batch (default): exported in the background, in batches; simple: each span as it ends (tests). */
  processor?: 'batch' | 'simple';
}

export interface Tracing {
  readonly tracer: Tracer;
  /** The Yoga plugins: a span per GraphQL operation, with the request id. */
  plugin(): Plugin;
  /** Serves the request inside its server span (the caller's trace continued when it sent one). */
  serveHttp<T>(req: IncomingMessage, res: ServerResponse, requestId: string, serve: () => Promise<T>): Promise<T>;
  /** Ends tracing: the spans still queued are exported first. */
  shutdown(): Promise<void>;
}

export const REQUEST_ID_ATTRIBUTE = 'lgsp.request_id';

/**
 * The exporter the configuration asks for; null when tracing is off. OTLP over HTTP goes, without either endpoint, to
 * the exporter's default http://localhost:4318/v1/traces.
 */
export function tracingFromConfig(
  config: Pick<
    Config,
    'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'
  >,
): TracingOptions | null {
  if (config.OTEL_TRACES_EXPORTER === 'none') return null;
  if (config.OTEL_TRACES_EXPORTER === 'console') {
    return { exporter: new ConsoleSpanExporter(), serviceName: config.OTEL_SERVICE_NAME };
  }
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  return { exporter: new OTLPTraceExporter(url ? { url } : {}), serviceName: config.OTEL_SERVICE_NAME };
}

/** The W3C traceparent of a span: version 00, trace id, span id, flags. */
export const traceparentOf = (span: SpanContext) =>
  `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;

/** Span names stay few: the hub's routes, not the paths clients make up. */
function routeOf(path: string): string {
  if (path === '/graphql') return '/graphql';
  if (path === '/' || path.startsWith('/dashboard')) return '/dashboard';
  return 'other';
}

/** Probes come every few seconds from orchestrators and scrapers: not worth a trace each. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

let contextRegistered = false;

/**
 * What tracing needs process-wide, registered once however many hubs the process makes (the tests make many):
 * the async context manager (so spans started in a request's async work find their parent) and the propagators of
 * OTEL_PROPAGATORS (default W3C trace context and baggage). `register()` installs both, and a tracer provider as
 * the global one; here that is a provider of its own without span processors, which lives as long as the process:
 * no hub's provider is global, so none stays global after its hub stopped and shut it down, and each hub uses only
 * its own (every span of the hub is made with it, explicitly). A process that registered an SDK of its own before
 * keeps it (the API keeps the first registration).
 */
function registerContextOnce() {
  if (contextRegistered) return;
  contextRegistered = true;
  new NodeTracerProvider().register();
}

// Sampling follows the standard OTEL_TRACES_SAMPLER variables (default: always, or as the caller's trace decided).
export function createTracing({ exporter, serviceName = 'lgsp-hub', processor = 'batch' }: TracingOptions): Tracing {
  const provider = new NodeTracerProvider({
    resource: new Resource({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  registerContextOnce();
  // This hub's spans go through its own provider, passed explicitly to whatever makes them (never the global one).
  const tracer = provider.getTracer('lgsp-hub');

  return {
    tracer,
    plugin() {
      const operations = useOpenTelemetry(
        { resolvers: false, variables: false, result: false, document: true },
        provider,
        SpanKind.INTERNAL,
        {},
        serviceName,
      );
      const tagRequestId = (contextValue: unknown) => {
        const requestId = currentRequestId();
        const span = trace.getSpan(getCurrentOtelContext(contextValue));
        if (requestId && span) span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
      };
      return {
        onPluginInit({ addPlugin }) {
          addPlugin(operations as Plugin);
          // Added after the span's plugin, so its operation span exists when these hooks run.
          addPlugin({
            onExecute: ({ args }) => tagRequestId(args.contextValue),
            onSubscribe: ({ args }) => tagRequestId(args.contextValue),
          });
        },
      };
    },
    serveHttp(req, res, requestId, serve) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (UNTRACED.has(path)) return serve();
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const route = routeOf(path);
      const span = tracer.startSpan(
        `${req.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: req.method ?? 'GET',
            [ATTR_URL_PATH]: path,
            [ATTR_HTTP_ROUTE]: route,
            [REQUEST_ID_ATTRIBUTE]: requestId,
          },
        },
        parent,
      );
      res.setHeader('traceparent', traceparentOf(span.spanContext()));
      res.once('close', () => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      return context.with(trace.setSpan(parent, span), serve);
    },
    shutdown: () => provider.shutdown(),
  };
}
