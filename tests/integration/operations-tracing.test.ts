/**
 * OpenTelemetry tracing, switched on by OTEL_TRACES_EXPORTER (here: an
 * exporter of the test's own, HubDeps.tracing): a server span per HTTP request that joins the
 * caller's W3C trace, a span per GraphQL operation with its name, the store
 * statements under it, the request id on the spans, the span's traceparent
 * on the response; no variables recorded; nothing at all when off; spans
 * still queued are flushed when the hub stops.
 */
import { SpanKind, trace, type HrTime } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { overriding } from '../support/db-overrides.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { until } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const UNITS = 'query UnitsPage($first: Int!) { units(first: $first) { edges { node { code } } } }';

const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: UNITS, variables: { first: 2 } }),
  });

const micros = ([seconds, nanos]: HrTime) => seconds * 1e6 + nanos / 1e3;

describe.each(testBackends)('tracing on %s', (backend) => {
  let store: TestStore;
  let traced: TestHub;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    store = await openTestStore(backend);
    traced = await startTestHub(store.db, { tracing: { exporter, processor: 'simple' } });
  });

  beforeEach(() => exporter.reset());

  afterAll(async () => {
    await traced?.hub.stop();
    await store?.dispose();
  });

  /** The spans of the trace, once its server span has ended. */
  const traceOf = async (traceId: string) => {
    const spans = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    await until(() => spans().some((s) => s.kind === SpanKind.SERVER), 'the server span');
    return spans();
  };

  it("joins the caller's trace: request span, operation span with its name, store spans, request id", async () => {
    const response = await post(traced.url, {
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      'x-request-id': 'trace-me-1',
    });
    expect(response.status).toBe(200);
    expect((await response.json()).errors).toBeUndefined();
    const header = response.headers.get('traceparent');
    expect(header).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));

    const spans = await traceOf(CALLER_TRACE);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('POST /graphql');
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(header).toBe(`00-${CALLER_TRACE}-${server.spanContext().spanId}-01`);
    expect(server.attributes).toMatchObject({
      'lgsp.request_id': 'trace-me-1',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });

    const operation = spans.find((s) => s.name === 'query.UnitsPage')!;
    expect(operation).toBeDefined();
    expect(operation.parentSpanId).toBe(server.spanContext().spanId);
    expect(operation.attributes).toMatchObject({
      'graphql.execute.operationName': 'UnitsPage',
      'graphql.execute.operationType': 'query',
      'lgsp.request_id': 'trace-me-1',
    });
    // Variables (personal data, often) are never recorded; nor results.
    expect(Object.keys(operation.attributes)).not.toContain('graphql.execute.variables');
    expect(Object.keys(operation.attributes)).not.toContain('graphql.execute.result');

    const statements = spans.filter((s) => s.name === 'store select');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.parentSpanId).toBe(operation.spanContext().spanId);
      expect(statement.attributes['db.query.text']).toMatch(/select/i);
      expect(micros(statement.startTime)).toBeGreaterThanOrEqual(micros(operation.startTime));
    }
  });

  it('starts a trace of its own without a traceparent, and leaves probes untraced', async () => {
    const response = await post(traced.url);
    const [, traceId] = response.headers.get('traceparent')!.split('-');
    const spans = await traceOf(traceId!);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes['lgsp.request_id']).toBe(response.headers.get('x-request-id'));

    const probe = await fetch(`${traced.url}/ready`);
    expect(probe.headers.get('traceparent')).toBeNull();
  });

  it('records nothing and adds no header when off (the default)', async () => {
    const scratch = await openTestStore(backend);
    const plain = await startTestHub(scratch.db);
    try {
      const response = await post(plain.url, { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
      expect(response.status).toBe(200);
      expect(response.headers.get('traceparent')).toBeNull();
      // The traced hub's exporter saw nothing of the other hub's request.
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await plain.hub.stop();
      await scratch.dispose();
    }
  });

  it('exports the spans still queued when the hub stops', async () => {
    const exported: ReadableSpan[] = [];
    const collecting: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans);
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const scratch = await openTestStore(backend);
    // The batch processor (the default) exports every few seconds: stopping must not lose what is queued.
    const batched = await startTestHub(scratch.db, { tracing: { exporter: collecting } });
    try {
      expect((await post(batched.url)).status).toBe(200);
    } finally {
      await batched.hub.stop();
      await scratch.dispose();
    }
    expect(exported.map((s) => s.name)).toEqual(expect.arrayContaining(['POST /graphql', 'query.UnitsPage']));
  });
  it("keeps each hub's spans to its own provider: none is the process's global one", async () => {
    // Before, the first traced hub registered its provider globally: spans of the global API went to its exporter,
    // and, once that hub stopped, nowhere (later hubs' registrations were refused as duplicates).
    trace.getTracer('someone-else').startSpan('not the hub').end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).not.toContain('not the hub');
    // A second traced hub in the process (the first still running) traces with its own exporter only.
    const own = new InMemorySpanExporter();
    const scratch = await openTestStore(backend);
    const second = await startTestHub(scratch.db, { tracing: { exporter: own, processor: 'simple' } });
    try {
      const response = await post(second.url);
      const [, traceId] = response.headers.get('traceparent')!.split('-');
      await until(() => own.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER), "the second hub's span");
      expect(own.getFinishedSpans().every((s) => s.spanContext().traceId === traceId)).toBe(true);
      expect(exporter.getFinishedSpans().some((s) => s.spanContext().traceId === traceId)).toBe(false);
    } finally {
      await second.hub.stop();
      await scratch.dispose();
    }
  });
  it('exports the spans still queued even when closing the store fails', async () => {
    const exported: string[] = [];
    const collecting: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans.map((s) => s.name));
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const scratch = await openTestStore(backend);
    const closeFails = overriding(scratch.db, {
      close: async () => {
        throw new Error('the store would not close');
      },
    });
    const batched = await startTestHub(closeFails, { tracing: { exporter: collecting } });
    try {
      expect((await post(batched.url)).status).toBe(200);
      await expect(batched.hub.stop()).rejects.toThrow('the store would not close');
    } finally {
      await scratch.dispose();
    }
    expect(exported).toEqual(expect.arrayContaining(['POST /graphql', 'query.UnitsPage']));
  });
});
