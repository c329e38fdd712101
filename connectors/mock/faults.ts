/**
 * Fault injection for the mock upstreams: the failures the upstream contracts
 * (docs/upstreams.md) warn about, on demand, so that connectors can be tested
 * against them. A fault is switched on for one request (the query parameter
 * `mockFault` or the header `x-mock-fault`, default options) or for a server
 * by its admin endpoint (`POST /__admin/faults`, see admin.ts). The modes that
 * replace the answer are carried out here; the ones that change the data
 * (invalid-records, duplicates, offset-shift, csv-bad-row) by the endpoints,
 * which note what they injected on the Injection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { BadParameter, json } from './http.ts';

/**
 * - latency: the answer comes `latencyMs` late.
 * - rate-limit: 429 with `Retry-After: retryAfterSeconds`.
 * - error-500, error-503: that status (`times` of them make a burst).
 * - hang: no answer ever; the connection stays open until either side closes it.
 * - status-error: 200 with `{"status":"error","message":...}` (JSON endpoints).
 * - malformed-json: 200 with a body that is not JSON (JSON endpoints).
 * - truncated: 200 whose body is cut off half-way.
 * - invalid-records: the page also carries records of its own keys that cannot be placed (invalid-records.ts).
 * - flawed-records: the page also carries records of its own keys with flaws that leave them placeable.
 * - duplicates: consecutive pages repeat records (paged lists; paging.ts, the dossier cursor).
 * - offset-shift: records move to the end between offset pages (offset lists; paging.ts).
 * - csv-bad-row: the CSV ends with broken rows (the budget execution CSV).
 * - renamed-field: every record of the page has one field the hub places it by under another name, as when an
 *   upstream renames a field in a release (RENAMED_FIELDS; JSON lists): each is "missing field <old name>" and
 *   carries the unknown field <new name> (the dossier feed: MaDonVi sent as MaDonViXuLy).
 */
export const FAULT_MODES = [
  'latency',
  'rate-limit',
  'error-500',
  'error-503',
  'hang',
  'status-error',
  'malformed-json',
  'truncated',
  'invalid-records',
  'flawed-records',
  'duplicates',
  'offset-shift',
  'csv-bad-row',
  'renamed-field',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** The modes every endpoint can suffer, whatever it serves. */
export const TRANSPORT_FAULTS: readonly FaultMode[] = [
  'latency',
  'rate-limit',
  'error-500',
  'error-503',
  'hang',
  'truncated',
];
/** The modes that only make sense where JSON is expected. */
export const JSON_FAULTS: readonly FaultMode[] = ['status-error', 'malformed-json', 'renamed-field'];

/**
 * renamed-field: the field each JSON list renames, by path, and its new name. Each is one the hub places a record
 * by, so the records are quarantined (the "missing" field named) while the new name arrives as an unknown field.
 */
export const RENAMED_FIELDS: Readonly<Record<string, readonly [from: string, to: string]>> = {
  '/api/procedures': ['TenTTHC', 'TenThuTuc'],
  '/api/dossiers': ['MaDonVi', 'MaDonViXuLy'],
  '/v2/units': ['cap', 'capDonVi'],
  '/v2/staff': ['hoTen', 'hoVaTen'],
  '/api/v1/psu-finance': ['nam', 'namNganSach'],
  '/api/v1/public-investment': ['tenDuAn', 'tenCongTrinh'],
};

/** The answer with RENAMED_FIELDS' field renamed in every record of its lists (the page's arrays of objects). */
export async function renameField(response: Response, path: string): Promise<Response> {
  const rename = RENAMED_FIELDS[path];
  if (!rename || !response.ok) return response;
  const [from, to] = rename;
  const body = (await response.json()) as unknown;
  const renamed = (record: unknown) => {
    if (typeof record !== 'object' || record === null || !(from in record)) return record;
    const { [from]: value, ...rest } = record as Record<string, unknown>;
    return { ...rest, [to]: value };
  };
  const page = Array.isArray(body)
    ? body.map(renamed)
    : Object.fromEntries(
        Object.entries(body as Record<string, unknown>).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.map(renamed) : value,
        ]),
      );
  return json(page, { status: response.status });
}

export const FAULT_QUERY_PARAMETER = 'mockFault';
export const FAULT_HEADER = 'x-mock-fault';

const DEFAULT_RETRY_AFTER_SECONDS = 1;
const DEFAULT_LATENCY_MS = 1000;
/** Enough to see what a test run did; older entries are dropped. */
const LOG_LIMIT = 500;

/** The body of `POST /__admin/faults`. */
export const faultSpec = z.strictObject({
  fault: z.enum(FAULT_MODES),
  /** How many requests it applies to; absent: until cleared. */
  times: z.number().int().positive().optional(),
  /** Only requests to this exact path; absent: any endpoint. */
  path: z.string().startsWith('/').optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  latencyMs: z.number().int().nonnegative().max(600_000).optional(),
});
export type FaultSpec = z.input<typeof faultSpec>;

export interface ActiveFault {
  id: number;
  fault: FaultMode;
  path: string | null;
  /** Requests still to be hit; null until cleared. */
  remaining: number | null;
  retryAfterSeconds: number;
  latencyMs: number;
}

/** A flaw a placeable injected record must be stored with. */
export interface FlawSpec {
  rule: string;
  field: string;
}

/** What a data fault put into an answer, so that a test can tell injected records from real ones. */
export interface InjectedRecord {
  key: string;
  reason: string;
  /** flawed-records: the flaws the hub must store it with. */
  flaws?: FlawSpec[];
}

/** One request that a fault hit. */
export interface Injection {
  at: string;
  fault: FaultMode;
  source: 'query' | 'header' | 'admin';
  method: string;
  path: string;
  query: string;
  retryAfterSeconds: number;
  latencyMs: number;
  records: InjectedRecord[];
}

export interface FaultController {
  add(spec: FaultSpec): ActiveFault;
  /** Drops the active faults and the log; returns how many faults were active. */
  clear(): number;
  list(): { active: ActiveFault[]; injected: Injection[] };
  /** The fault for this request, if one applies to an endpoint that supports `supported`; logged and counted. */
  take(request: Request, url: URL, supported: ReadonlySet<FaultMode>): Injection | null;
}

function requestedMode(value: string | null, parameter: string): FaultMode | null {
  if (value === null || value === '') return null;
  if (!(FAULT_MODES as readonly string[]).includes(value)) {
    throw new BadParameter(
      parameter,
      `${parameter} must be one of ${FAULT_MODES.join(', ')}, not ${JSON.stringify(value)}`,
    );
  }
  return value as FaultMode;
}

export function createFaultController(): FaultController {
  let active: ActiveFault[] = [];
  let injected: Injection[] = [];
  let nextId = 1;

  /**
   * A request carries at most one fault: its own first, else the oldest admin
   * fault that matches. A fault that makes no sense for an endpoint (a CSV
   * fault on a JSON list, say) is ignored there and not counted.
   */
  function choose(request: Request, url: URL, supported: ReadonlySet<FaultMode>) {
    // An unknown mode is a typo in a test, so it is an error even where the mode would be ignored.
    const fromQuery = requestedMode(url.searchParams.get(FAULT_QUERY_PARAMETER), FAULT_QUERY_PARAMETER);
    const fromHeader = requestedMode(request.headers.get(FAULT_HEADER), FAULT_HEADER);
    const own =
      (fromQuery && { fault: fromQuery, source: 'query' as const }) ||
      (fromHeader && { fault: fromHeader, source: 'header' as const });
    // A request that names its own fault gets that one or, where it makes no sense, none: never an admin one.
    if (own) {
      if (!supported.has(own.fault)) return null;
      return { ...own, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS, latencyMs: DEFAULT_LATENCY_MS };
    }
    const match = active.find((f) => supported.has(f.fault) && (f.path === null || f.path === url.pathname));
    if (!match) return null;
    if (match.remaining !== null && --match.remaining === 0) active = active.filter((f) => f !== match);
    return {
      fault: match.fault,
      source: 'admin' as const,
      retryAfterSeconds: match.retryAfterSeconds,
      latencyMs: match.latencyMs,
    };
  }

  return {
    add(spec) {
      const parsed = faultSpec.parse(spec);
      const fault: ActiveFault = {
        id: nextId++,
        fault: parsed.fault,
        path: parsed.path ?? null,
        remaining: parsed.times ?? null,
        retryAfterSeconds: parsed.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
        latencyMs: parsed.latencyMs ?? DEFAULT_LATENCY_MS,
      };
      active.push(fault);
      return { ...fault };
    },
    clear() {
      const count = active.length;
      active = [];
      injected = [];
      return count;
    },
    list() {
      return { active: active.map((f) => ({ ...f })), injected: [...injected] };
    },
    take(request, url, supported) {
      const chosen = choose(request, url, supported);
      if (!chosen) return null;
      const injection: Injection = {
        at: new Date().toISOString(),
        ...chosen,
        method: request.method,
        path: url.pathname,
        query: url.search,
        records: [],
      };
      injected.push(injection);
      if (injected.length > LOG_LIMIT) injected = injected.slice(-LOG_LIMIT);
      return injection;
    },
  };
}

/** Resolves when the client has gone away (or the server cut it off); never, when nobody can tell. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The answer that replaces the real one, for the modes that replace it; null
 * to go on and serve (after the delay, for latency).
 */
export async function faultResponse(injection: Injection, signal: AbortSignal): Promise<Response | null> {
  switch (injection.fault) {
    case 'latency':
      // A client that gives up early ends the wait; what is then served goes nowhere.
      await sleep(injection.latencyMs, undefined, { signal }).catch(() => {});
      return null;
    case 'rate-limit':
      return json(
        { error: 'too many requests' },
        { status: 429, headers: { 'retry-after': String(injection.retryAfterSeconds) } },
      );
    case 'error-500':
      return json({ error: 'internal server error' }, { status: 500 });
    case 'error-503':
      return json({ error: 'service unavailable' }, { status: 503 });
    case 'hang':
      // Never answers: whatever timeout the client has passes first. The promise ends with the connection.
      await untilAborted(signal);
      return json({ error: 'hung' }, { status: 504 });
    case 'status-error':
      return json({ status: 'error', message: 'Hệ thống đang bảo trì, vui lòng thử lại sau' });
    case 'malformed-json':
      // What a portal in front of the upstream sends when its back end is down: a page, labelled as JSON.
      return new Response('<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>', {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    default:
      return null;
  }
}

/**
 * The answer with its body cut in half: the client gets the status, the
 * headers (with the whole body's length) and half the bytes, then an error.
 * Over a socket the server adapter turns the stream's error into a cut
 * connection; through msw the client's read fails with it.
 */
export async function truncate(response: Response): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(half);
    },
    // Called only once the half has been taken, so the client does receive it before the error.
    pull(controller) {
      controller.error(new Error('mock fault: connection cut mid-body'));
    },
  });
  const headers = new Headers(response.headers);
  headers.set('content-length', String(bytes.length));
  return new Response(body, { status: response.status, headers });
}
