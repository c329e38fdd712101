/**
 * The upstream HTTP client over real sockets: against the mock upstreams and
 * the faults they inject, and against a tiny node:http server of its own for
 * what the mocks cannot do (a 404 or 400 counted per request, a Retry-After
 * as an HTTP date, a body that stalls half-way, the socket each request came
 * on). Timeouts and backoffs are small so that the whole file runs in seconds.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createUpstreamClient,
  UpstreamError,
  type CircuitState,
  type UpstreamClient,
  type UpstreamClientOptions,
  type UpstreamErrorKind,
} from '../../connectors/http/client.ts';
import { startMockUpstreams, type MockUpstreams } from '../../connectors/mock/server.ts';
import type { FaultSpec } from '../../connectors/mock/faults.ts';
import { PROCEDURES_PATH } from '../../connectors/one-stop-shop/contract.ts';
import { BUDGET_EXECUTION_PATH } from '../../connectors/budget/contract.ts';
import { createFakeWorld } from '../support/fake-world.ts';

let upstreams: MockUpstreams;
const clients: UpstreamClient[] = [];
const servers: OwnServer[] = [];

beforeAll(async () => {
  upstreams = await startMockUpstreams({ world: createFakeWorld(), ports: { oneStopShop: 0, cadreDb: 0, budget: 0 } });
});
afterAll(() => upstreams.close());
afterEach(async () => {
  for (const faults of Object.values(upstreams.faults)) faults.clear();
  // Servers first: cutting their connections ends anything a test left in flight, so that the pools close at once.
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** A client of the mock one-stop-shop (or of `baseUrl`) with fast timeouts and backoff, and a registry of its own. */
function makeClient(options: Partial<UpstreamClientOptions> = {}) {
  const registry = options.registry ?? new Registry();
  const client = createUpstreamClient({
    source: 'ONE_STOP_SHOP',
    baseUrl: upstreams.urls.oneStopShop,
    headersTimeoutMs: 300,
    bodyTimeoutMs: 300,
    backoffInitialMs: 10,
    backoffMaxMs: 50,
    ...options,
    registry,
  });
  clients.push(client);
  return { client, registry };
}

const oneStopShop = () => upstreams.faults.oneStopShop;
const addFault = (spec: FaultSpec) => oneStopShop().add(spec);
/** The requests that a fault hit; with a fault on every request, the requests that reached the server. */
const hits = () => oneStopShop().list().injected.length;

/** One sample of a metric, 0 when the series does not exist. For a histogram, `series` is e.g. '_count'. */
async function sample(registry: Registry, name: string, labels: Record<string, string>, series = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name + series &&
      Object.entries(labels).every(([label, value]) => v.labels[label] === value),
  );
  return found?.value ?? 0;
}
const requests = (registry: Registry, outcome: string, path = PROCEDURES_PATH) =>
  sample(registry, 'lgsp_upstream_requests_total', { source: 'ONE_STOP_SHOP', path, outcome });
const retries = (registry: Registry, path = PROCEDURES_PATH) =>
  sample(registry, 'lgsp_upstream_retries_total', { source: 'ONE_STOP_SHOP', path });
const circuitGauge = (registry: Registry, source = 'ONE_STOP_SHOP') =>
  sample(registry, 'lgsp_upstream_circuit_state', { source });

/** The UpstreamError a call failed with; fails the test when it succeeded or failed otherwise. */
async function failure(call: Promise<unknown>): Promise<UpstreamError> {
  const error = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

interface OwnServer {
  url: string;
  /** Every request: its path and query, the number of the connection it came on, and when. */
  seen: { url: string; socket: number; at: number }[];
  close(): Promise<void>;
}

async function ownServer(handle: (req: IncomingMessage, res: ServerResponse, index: number) => void) {
  const seen: OwnServer['seen'] = [];
  const socketNumbers = new WeakMap<object, number>();
  let sockets = 0;
  const server = createServer((req, res) => {
    if (!socketNumbers.has(req.socket)) socketNumbers.set(req.socket, ++sockets);
    seen.push({ url: req.url ?? '', socket: socketNumbers.get(req.socket)!, at: Date.now() });
    handle(req, res, seen.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const own: OwnServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(own);
  return own;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const procedures = (client: UpstreamClient, signal?: AbortSignal) =>
  client.getJson(PROCEDURES_PATH, { page: 1 }, signal) as Promise<{ data: unknown[]; total: number }>;

describe('answers', () => {
  it('gets JSON with its query, and text with its BOM', async () => {
    const { client } = makeClient();
    const page = (await client.getJson(PROCEDURES_PATH, { page: 2, pageSize: 3, absent: undefined })) as {
      page: number;
      data: { MaTTHC: string }[];
    };
    expect(page.page).toBe(2);
    expect(page.data.map((p) => p.MaTTHC)).toEqual(['1.002335', '1.003125', '2.000288']);

    const budget = makeClient({ source: 'BUDGET', baseUrl: upstreams.urls.budget }).client;
    const csv = await budget.getText(BUDGET_EXECUTION_PATH, { nam: 2024, thang: 5 });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.split('\r\n').length).toBeGreaterThan(3);
  });

  it('appends paths to a base URL with a prefix and encodes the query', async () => {
    const server = await ownServer((_req, res) => send(res, 200, { ok: true }));
    const { client } = makeClient({ baseUrl: `${server.url}/gateway/v1/` });
    await expect(client.getJson('items', { q: 'Bắc Giang', n: 3, skipped: undefined })).resolves.toEqual({ ok: true });
    await client.getJson('/api/units');
    expect(server.seen.map((s) => s.url)).toEqual([
      '/gateway/v1/items?q=B%E1%BA%AFc+Giang&n=3',
      '/gateway/v1/api/units',
    ]);
  });

  it('reuses one keep-alive connection, error answers included', async () => {
    const server = await ownServer((_req, res, index) =>
      index < 2 ? send(res, 503, { error: 'x'.repeat(1_000_000) }) : send(res, 200, { index }),
    );
    // One connection: an error body left unread would hold it, and the retry would have to wait for another.
    const { client } = makeClient({ baseUrl: server.url, connections: 1 });
    expect(await client.getJson('/flaky')).toEqual({ index: 2 });
    for (let i = 0; i < 3; i++) await client.getJson('/steady');
    expect(server.seen).toHaveLength(6);
    expect(new Set(server.seen.map((s) => s.socket)).size).toBe(1);
  }, 5_000);
});

describe('retries', () => {
  const cases: { fault: FaultSpec['fault']; outcome: string; extra?: Partial<FaultSpec> }[] = [
    { fault: 'error-500', outcome: '500' },
    { fault: 'error-503', outcome: '503' },
    { fault: 'rate-limit', outcome: '429', extra: { retryAfterSeconds: 0 } },
    // A 200 whose body says "error" (or is not JSON) is a failed attempt, counted as such, not as a 200.
    { fault: 'status-error', outcome: 'error_body' },
    { fault: 'malformed-json', outcome: 'malformed_body' },
    { fault: 'truncated', outcome: 'network' },
    { fault: 'hang', outcome: 'timeout' },
  ];

  it.each(cases)('retries $fault and then succeeds', async ({ fault, outcome, extra }) => {
    const { client, registry } = makeClient();
    addFault({ fault, times: 2, path: PROCEDURES_PATH, ...extra });
    const page = await procedures(client);
    expect(page.data.length).toBeGreaterThan(0);
    expect(hits()).toBe(2);
    expect(await requests(registry, outcome)).toBe(2);
    expect(await requests(registry, '200')).toBe(1);
    expect(await retries(registry)).toBe(2);
    const durations = { source: 'ONE_STOP_SHOP', path: PROCEDURES_PATH };
    expect(await sample(registry, 'lgsp_upstream_request_duration_seconds', durations, '_count')).toBe(3);
  });

  it('retries a body that stalls half-way (body timeout)', async () => {
    const server = await ownServer((_req, res, index) => {
      const body = JSON.stringify({ index, padding: 'y'.repeat(1000) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      if (index === 0) res.write(body.slice(0, 500));
      else res.end(body);
    });
    const { client, registry } = makeClient({ baseUrl: server.url });
    expect(await client.getJson('/slow')).toMatchObject({ index: 1 });
    expect(await requests(registry, 'timeout', '/slow')).toBe(1);
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const expectations: { fault: FaultSpec['fault']; kind: UpstreamErrorKind; status: number | null; says: RegExp }[] =
      [
        { fault: 'error-500', kind: 'HTTP_STATUS', status: 500, says: /: HTTP 500 after 3 attempts$/ },
        { fault: 'status-error', kind: 'STATUS_ERROR_BODY', status: 200, says: /"error": Hệ thống đang bảo trì/ },
        { fault: 'malformed-json', kind: 'MALFORMED_BODY', status: 200, says: /not JSON .*<html>/ },
        { fault: 'hang', kind: 'TIMEOUT', status: null, says: /no response headers within 300 ms after 3 attempts/ },
      ];
    for (const { fault, kind, status, says } of expectations) {
      const { client, registry } = makeClient({ maxAttempts: 3 });
      oneStopShop().clear();
      addFault({ fault, path: PROCEDURES_PATH });
      const error = await failure(procedures(client));
      expect({ kind: error.kind, status: error.status, attempts: error.attempts }).toEqual({
        kind,
        status,
        attempts: 3,
      });
      expect(error.source).toBe('ONE_STOP_SHOP');
      expect(error.url).toBe(`${upstreams.urls.oneStopShop}${PROCEDURES_PATH}?page=1`);
      expect(error.message).toMatch(/^ONE_STOP_SHOP GET \/api\/procedures\?page=1: /);
      expect(error.message).toMatch(says);
      expect(error.message).not.toContain('\n');
      expect(hits()).toBe(3);
      expect(await retries(registry)).toBe(2);
    }
  });

  it('gives up on a refused connection as NETWORK', async () => {
    const closed = await ownServer(() => {});
    await closed.close();
    const { client, registry } = makeClient({ baseUrl: closed.url, maxAttempts: 2 });
    const error = await failure(client.getJson('/x'));
    expect({ kind: error.kind, status: error.status, attempts: error.attempts }).toEqual({
      kind: 'NETWORK',
      status: null,
      attempts: 2,
    });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(await requests(registry, 'network', '/x')).toBe(2);
  });

  it('does not retry with maxAttempts 1', async () => {
    const { client } = makeClient({ maxAttempts: 1 });
    addFault({ fault: 'error-503', times: 1 });
    expect((await failure(procedures(client))).attempts).toBe(1);
    expect(hits()).toBe(1);
  });

  it.each([
    [404, { error: 'not found', message: 'no endpoint /api/nope' }],
    [400, { error: 'bad request', message: 'page must be an integer of at least 1' }],
  ])('fails at once on %i, with the start of the body', async (status, body) => {
    const server = await ownServer((_req, res) => send(res, status, body));
    const { client, registry } = makeClient({ baseUrl: server.url, breakerThreshold: 1 });
    const error = await failure(client.getJson('/api/nope', { page: 0 }));
    expect({ kind: error.kind, status: error.status, attempts: error.attempts }).toEqual({
      kind: 'HTTP_STATUS',
      status,
      attempts: 1,
    });
    expect(error.message).toContain(`HTTP ${status}: ${JSON.stringify(body)}`);
    expect(server.seen).toHaveLength(1);
    expect(await retries(registry, '/api/nope')).toBe(0);
    // Even with a threshold of one, the request's own mistake is not the upstream's failure.
    expect(client.circuit).toBe('CLOSED');
  });

  it('keeps an error message to one line of about 200 characters', async () => {
    const server = await ownServer((_req, res) => send(res, 422, `line one\n${'z'.repeat(500)}`));
    const { client } = makeClient({ baseUrl: server.url });
    const error = await failure(client.getJson('/x'));
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('HTTP 422: line one zzz');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('Retry-After', () => {
  it('waits at least Retry-After seconds after a 429', async () => {
    const { client, registry } = makeClient();
    addFault({ fault: 'rate-limit', times: 1, retryAfterSeconds: 1 });
    const started = performance.now();
    await procedures(client);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(995);
    expect(elapsed).toBeLessThan(3000);
    expect(await requests(registry, '429')).toBe(1);
  });

  it('waits until a Retry-After date after a 503', async () => {
    let retryAt = 0;
    const server = await ownServer((_req, res, index) => {
      if (index > 0) return send(res, 200, { ok: true });
      // An HTTP date has whole seconds: the next full second but one is 1 to 2 s away.
      retryAt = Math.ceil(Date.now() / 1000) * 1000 + 1000;
      send(res, 503, { error: 'maintenance' }, { 'retry-after': new Date(retryAt).toUTCString() });
    });
    const { client } = makeClient({ baseUrl: server.url });
    await client.getJson('/x');
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.at).toBeGreaterThanOrEqual(retryAt - 5);
  });

  it('fails at once when Retry-After is beyond maxRetryAfterMs', async () => {
    const { client } = makeClient({ maxRetryAfterMs: 2000 });
    addFault({ fault: 'rate-limit', retryAfterSeconds: 3 });
    const started = performance.now();
    const error = await failure(procedures(client));
    expect(performance.now() - started).toBeLessThan(1000);
    expect({ kind: error.kind, status: error.status, attempts: error.attempts }).toEqual({
      kind: 'HTTP_STATUS',
      status: 429,
      attempts: 1,
    });
    expect(error.message).toMatch(/HTTP 429, Retry-After 3000 ms is beyond the 2000 ms limit after 1 attempt$/);
    expect(hits()).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast, half-opens after the delay and closes on success', async () => {
    const { client, registry } = makeClient({ breakerThreshold: 3, breakerHalfOpenAfterMs: 300 });
    const changes: CircuitState[] = [];
    const unsubscribe = client.onCircuitChange((state) => changes.push(state));
    expect(client.circuit).toBe('CLOSED');
    addFault({ fault: 'error-503' });

    // The third failed attempt opens it; the retries stop there, with the real failure.
    const first = await failure(procedures(client));
    expect({ kind: first.kind, status: first.status, attempts: first.attempts }).toEqual({
      kind: 'HTTP_STATUS',
      status: 503,
      attempts: 3,
    });
    expect(hits()).toBe(3);
    expect(client.circuit).toBe('OPEN');
    expect(changes).toEqual(['OPEN']);
    expect(await circuitGauge(registry)).toBe(2);

    const started = performance.now();
    const refused = await failure(procedures(client));
    expect(performance.now() - started).toBeLessThan(100);
    expect({ kind: refused.kind, status: refused.status, attempts: refused.attempts }).toEqual({
      kind: 'CIRCUIT_OPEN',
      status: null,
      attempts: 0,
    });
    expect(refused.message).toMatch(/^ONE_STOP_SHOP GET \/api\/procedures\?page=1: circuit open/);
    expect(hits()).toBe(3);

    // After the delay one probe goes through; while it is out, others wait for it rather than calling too.
    oneStopShop().clear();
    addFault({ fault: 'latency', latencyMs: 400 });
    await sleep(350);
    const probe = procedures(client);
    const waiting = procedures(client);
    await sleep(100);
    expect(client.circuit).toBe('HALF_OPEN');
    expect(await circuitGauge(registry)).toBe(1);
    expect(hits()).toBe(1);
    await expect(probe).resolves.toMatchObject({ page: 1 });
    await expect(waiting).resolves.toMatchObject({ page: 1 });
    expect(hits()).toBe(2);
    expect(client.circuit).toBe('CLOSED');
    expect(changes).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
    expect(await circuitGauge(registry)).toBe(0);

    unsubscribe();
    oneStopShop().clear();
    addFault({ fault: 'error-500' });
    await failure(procedures(client));
    expect(client.circuit).toBe('OPEN');
    expect(changes).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('opens again when the probe fails', async () => {
    const { client, registry } = makeClient({ breakerThreshold: 2, breakerHalfOpenAfterMs: 200, maxAttempts: 2 });
    const changes: CircuitState[] = [];
    client.onCircuitChange((state) => changes.push(state));
    addFault({ fault: 'malformed-json' });
    await failure(procedures(client));
    await sleep(250);
    const probe = await failure(procedures(client));
    expect({ kind: probe.kind, attempts: probe.attempts }).toEqual({ kind: 'MALFORMED_BODY', attempts: 1 });
    expect(hits()).toBe(3);
    expect(changes).toEqual(['OPEN', 'HALF_OPEN', 'OPEN']);
    expect(await circuitGauge(registry)).toBe(2);
    expect((await failure(procedures(client))).kind).toBe('CIRCUIT_OPEN');
  });

  it('is per client: another upstream is not held off', async () => {
    const registry = new Registry();
    const { client } = makeClient({ registry, breakerThreshold: 1, maxAttempts: 1 });
    const budget = makeClient({ registry, source: 'BUDGET', baseUrl: upstreams.urls.budget }).client;
    addFault({ fault: 'error-500' });
    await failure(procedures(client));
    expect(client.circuit).toBe('OPEN');
    expect(budget.circuit).toBe('CLOSED');
    await expect(budget.getText(BUDGET_EXECUTION_PATH, { nam: 2024, thang: 5 })).resolves.toMatch(/^\uFEFF/);
    expect(await circuitGauge(registry, 'ONE_STOP_SHOP')).toBe(2);
    expect(await circuitGauge(registry, 'BUDGET')).toBe(0);
  });
});

describe('metrics', () => {
  it('registers once per registry, shared by every client on it', async () => {
    const registry = new Registry();
    const first = makeClient({ registry }).client;
    const second = makeClient({ registry }).client;
    await procedures(first);
    await procedures(second);
    expect(await requests(registry, '200')).toBe(2);
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([
      'lgsp_upstream_requests_total',
      'lgsp_upstream_request_duration_seconds',
      'lgsp_upstream_retries_total',
      'lgsp_upstream_circuit_state',
    ]);
  });

  it('labels requests by path without the query', async () => {
    const { client, registry } = makeClient();
    await client.getJson(PROCEDURES_PATH, { page: 1 });
    await client.getJson(PROCEDURES_PATH, { page: 2 });
    expect(await requests(registry, '200')).toBe(2);
    const { values } = await registry.getSingleMetric('lgsp_upstream_requests_total')!.get();
    expect(values.map((v) => v.labels.path)).toEqual([PROCEDURES_PATH]);
  });
});

describe('abort', () => {
  it('aborts the request in flight', async () => {
    const { client } = makeClient({ headersTimeoutMs: 10_000 });
    addFault({ fault: 'hang' });
    const controller = new AbortController();
    const started = performance.now();
    const call = procedures(client, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hits()).toBe(1);
  });

  it('aborts the wait before a retry', async () => {
    const { client } = makeClient();
    addFault({ fault: 'rate-limit', retryAfterSeconds: 5 });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const started = performance.now();
    const call = procedures(client, controller.signal);
    setTimeout(() => controller.abort(reason), 150);
    await expect(call).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hits()).toBe(1);
  });

  it('does not call at all with a signal already aborted', async () => {
    const server = await ownServer((_req, res) => send(res, 200, {}));
    const { client } = makeClient({ baseUrl: server.url });
    const reason = new Error('too late');
    await expect(client.getJson('/x', {}, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(server.seen).toHaveLength(0);
  });
});

describe('close', () => {
  it('is idempotent and refuses later calls', async () => {
    const { client } = makeClient();
    await procedures(client);
    await client.close();
    await client.close();
    const error = await failure(procedures(client));
    expect(error.message).toMatch(/client is closed/);
  });
});
