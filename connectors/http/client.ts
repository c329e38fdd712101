/**
 * The HTTP layer every upstream connector uses, so that each of them gets the
 * same answers to the same failures: a keep-alive connection pool with
 * connect, header and body timeouts; retries with jittered exponential
 * backoff that honour Retry-After; a circuit breaker per upstream that stops
 * hammering a system that is down; the "200 but actually an error" bodies the
 * upstream contracts warn about; and metrics for all of it. A connector only
 * says which path and query it wants and gets the parsed body, or one
 * UpstreamError that says in a line what went wrong.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, request, type Dispatcher } from 'undici';
import {
  circuitBreaker,
  CircuitState as BreakerState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Registry } from 'prom-client';
import type { Logger } from '../../core/logger.ts';
import type { SourceName } from '../feed.ts';
import { CIRCUIT_STATE_VALUE, upstreamMetrics } from './metrics.ts';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export type UpstreamErrorKind =
  'HTTP_STATUS' | 'NETWORK' | 'TIMEOUT' | 'STATUS_ERROR_BODY' | 'MALFORMED_BODY' | 'CIRCUIT_OPEN';

export interface UpstreamErrorInit {
  source: SourceName;
  /** The full URL of the request, query included. */
  url: string;
  status: number | null;
  kind: UpstreamErrorKind;
  /** Attempts that reached for the network; 0 when none did (circuit open, client closed). */
  attempts: number;
  /** What went wrong, without the request: 'HTTP 503', 'no response headers within 30000 ms'. */
  detail: string;
  cause?: unknown;
}

/** The path and query of a URL, which is what a human needs to recognise the request. */
function requestTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** How a call to an upstream failed, after whatever retries it deserved. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly source: SourceName;
  readonly url: string;
  readonly status: number | null;
  readonly kind: UpstreamErrorKind;
  readonly attempts: number;

  constructor(init: UpstreamErrorInit) {
    const after = init.attempts > 0 ? ` after ${init.attempts} attempt${init.attempts === 1 ? '' : 's'}` : '';
    super(
      `${init.source} GET ${requestTarget(init.url)}: ${init.detail}${after}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.source = init.source;
    this.url = init.url;
    this.status = init.status;
    this.kind = init.kind;
    this.attempts = init.attempts;
  }
}

/**
 * The client's settings when none are given: the defaults of the hub's configuration too (UPSTREAM_* in
 * gateway/config.ts, docs/configuration.md).
 */
export const DEFAULT_UPSTREAM_CLIENT_SETTINGS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  maxAttempts: 5,
  backoffInitialMs: 250,
  backoffMaxMs: 15_000,
  maxRetryAfterMs: 60_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
} as const;

/** One HTTP answer as the client reads it: what record and replay keep (connectors/http/tape.ts). */
export interface Exchanged {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/**
 * Sends one GET and reads the whole answer; throws what undici throws on a transport failure (an error with a
 * `code`). The default goes to the network; connectors/http/tape.ts records it or replays a recording.
 */
export type Exchange = (url: URL, accept: string, signal: AbortSignal | undefined) => Promise<Exchanged>;

export interface UpstreamClientOptions {
  source: SourceName;
  /** May have a path prefix; paths are appended to it. */
  baseUrl: string;
  /** Keep-alive pool size, default 4. */
  connections?: number;
  /** Default 5_000. */
  connectTimeoutMs?: number;
  /** Default 30_000: a hung upstream fails after this. */
  headersTimeoutMs?: number;
  /** Default 30_000: the longest pause between two chunks of a body. */
  bodyTimeoutMs?: number;
  /** Default 5; 1 means no retries. */
  maxAttempts?: number;
  /** Default 250. */
  backoffInitialMs?: number;
  /** Default 15_000. */
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails. Default 60_000. */
  maxRetryAfterMs?: number;
  /** Consecutive failed attempts that open the circuit, default 5. */
  breakerThreshold?: number;
  /** Default 30_000. */
  breakerHalfOpenAfterMs?: number;
  /** Default: prom-client's global `register`. */
  registry?: Registry;
  /** Tests may inject one (a MockAgent, say); default: the client's own Pool, closed by close(). */
  dispatcher?: Dispatcher;
  /** Wraps or replaces the network exchange (record and replay, connectors/http/tape.ts). */
  exchange?: (network: Exchange) => Exchange;
  /** Retries and circuit breaker transitions are logged here at warn, with the upstream and the reason. */
  logger?: Pick<Logger, 'warn'>;
}

export type Query = Record<string, string | number | undefined>;

export interface UpstreamClient {
  readonly source: SourceName;
  readonly baseUrl: string;
  /**
   * GET, parse JSON. A 200 body `{"status":"error", "message": ...}` is an
   * UpstreamError STATUS_ERROR_BODY (retried); a body that is not JSON is
   * MALFORMED_BODY (retried). An aborted call rejects with the signal's reason.
   */
  getJson(path: string, query?: Query, signal?: AbortSignal): Promise<unknown>;
  /** GET, body as UTF-8 text (a leading BOM is kept; the caller strips it). */
  getText(path: string, query?: Query, signal?: AbortSignal): Promise<string>;
  /** OPEN stays OPEN past the half-open delay until a call comes: that call is the probe (HALF_OPEN while it runs). */
  readonly circuit: CircuitState;
  /**
   * Milliseconds spent waiting rather than reading since the client was made (a running total): backoff and
   * Retry-After before retries, and attempts that ended in a timeout. The sync engine reports a pass's share.
   */
  readonly waitedMs?: number;
  /** Called on every change of `circuit`; returns the unsubscribe function. */
  onCircuitChange(listener: (state: CircuitState) => void): () => void;
  /** The message of the last failure the breaker counted (what opened it, when open); null when none yet. */
  readonly lastFailure?: string | null;
  /** Closes the pool, once in-flight requests are done (idempotent). */
  close(): Promise<void>;
}

/** One attempt's failure, before the retry loop decides what becomes of it. */
class AttemptFailure extends Error {
  constructor(
    readonly kind: Exclude<UpstreamErrorKind, 'CIRCUIT_OPEN'>,
    readonly status: number | null,
    readonly detail: string,
    /** From a Retry-After header of a 429 or 503. */
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(detail, cause === undefined ? undefined : { cause });
  }

  /** Everything but an answer that says the request itself is wrong (4xx other than 429, or a 3xx). */
  get retryable(): boolean {
    return this.kind !== 'HTTP_STATUS' || this.status === 429 || (this.status !== null && this.status >= 500);
  }
}

const isRetryable = (error: unknown) => error instanceof AttemptFailure && error.retryable;

/**
 * The retry delay: the jittered exponential backoff, but never shorter than
 * the Retry-After the upstream sent with the failure it is retrying.
 */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly base: IBackoffFactory<unknown>) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const base = this.base.next(context) as IBackoff<unknown>;
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfterMs = error instanceof AttemptFailure ? (error.retryAfterMs ?? 0) : 0;
    return {
      duration: Math.max(base.duration, retryAfterMs),
      next: (nextContext) => new RetryAfterBackoff(base).next(nextContext),
    };
  }
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The start of a body, on one line, for an error message. */
function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

type TimeoutOption = 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs';

const TIMEOUT_DETAILS: Record<string, (o: Required<Pick<UpstreamClientOptions, TimeoutOption>>) => string> = {
  UND_ERR_CONNECT_TIMEOUT: (o) => `could not connect within ${o.connectTimeoutMs} ms`,
  UND_ERR_HEADERS_TIMEOUT: (o) => `no response headers within ${o.headersTimeoutMs} ms`,
  UND_ERR_BODY_TIMEOUT: (o) => `the body stalled for more than ${o.bodyTimeoutMs} ms`,
};

/** An error of undici or of the socket, as a TIMEOUT or NETWORK failure. */
function transportFailure(error: unknown, timeouts: Required<Pick<UpstreamClientOptions, TimeoutOption>>) {
  const code = (error as { code?: unknown } | null)?.code;
  const timeout = typeof code === 'string' ? TIMEOUT_DETAILS[code] : undefined;
  if (timeout) return new AttemptFailure('TIMEOUT', null, timeout(timeouts), undefined, error);
  if (code === 'ETIMEDOUT') return new AttemptFailure('TIMEOUT', null, 'the connection timed out', undefined, error);
  // Node reports a refused connection to a dual-stack name as an AggregateError with an empty message.
  const message = error instanceof Error ? error.message || error.name : String(error);
  const what = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return new AttemptFailure('NETWORK', null, `network error (${what})`, undefined, error);
}

function fromBreaker(state: BreakerState): CircuitState {
  switch (state) {
    case BreakerState.Closed:
      return 'CLOSED';
    case BreakerState.HalfOpen:
      return 'HALF_OPEN';
    default:
      // Open, or Isolated (held open by hand, which this client never does).
      return 'OPEN';
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** What a successful body becomes; throws an AttemptFailure for a body that is a failure in disguise. */
type Reader<T> = (bytes: Uint8Array) => T;

const readText: Reader<string> = (bytes) => utf8.decode(bytes);

const readJson: Reader<unknown> = (bytes) => {
  // A BOM is allowed before JSON (RFC 8259 lets parsers ignore it), unlike in the text a caller gets.
  const text = utf8.decode(bytes).replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AttemptFailure('MALFORMED_BODY', 200, `body is not JSON (${reason}): ${snippet(text, 100)}`);
  }
  if (parsed !== null && typeof parsed === 'object' && (parsed as { status?: unknown }).status === 'error') {
    const message = (parsed as { message?: unknown }).message;
    const said = typeof message === 'string' ? snippet(message) : snippet(text);
    throw new AttemptFailure('STATUS_ERROR_BODY', 200, `upstream answered status "error": ${said}`);
  }
  return parsed;
};

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { source, logger } = options;
  const defaults = DEFAULT_UPSTREAM_CLIENT_SETTINGS;
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? defaults.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? defaults.bodyTimeoutMs,
  };
  const maxAttempts = Math.max(1, options.maxAttempts ?? defaults.maxAttempts);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? defaults.maxRetryAfterMs;
  let waitedMs = 0;
  const metrics = upstreamMetrics(options.registry);

  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const ownPool = options.dispatcher
    ? null
    : new Pool(base.origin, {
        connections: options.connections ?? 4,
        connect: { timeout: timeouts.connectTimeoutMs },
        headersTimeout: timeouts.headersTimeoutMs,
        bodyTimeout: timeouts.bodyTimeoutMs,
      });
  const dispatcher: Dispatcher = options.dispatcher ?? ownPool!;
  const network: Exchange = async (url, accept, signal) => {
    const response = await request(url, { dispatcher, method: 'GET', headers: { accept }, signal });
    return { statusCode: response.statusCode, headers: response.headers, body: await response.body.bytes() };
  };
  const exchange = options.exchange ? options.exchange(network) : network;

  const backoff = new RetryAfterBackoff(
    // Decorrelated jitter, cockatiel's default generator.
    new ExponentialBackoff({
      initialDelay: options.backoffInitialMs ?? defaults.backoffInitialMs,
      maxDelay: options.backoffMaxMs ?? defaults.backoffMaxMs,
    }),
  );

  // Only failures that say something about the upstream count: not a 4xx (the request was wrong), not an abort.
  // (cockatiel closes a half-open circuit on any error it does not count, so an aborted probe closes it too; the
  // next failures open it again.)
  const breaker = circuitBreaker(handleWhen(isRetryable), {
    halfOpenAfter: options.breakerHalfOpenAfterMs ?? defaults.breakerHalfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? defaults.breakerThreshold),
  });
  const listeners = new Set<(state: CircuitState) => void>();
  metrics.circuitState.set({ source }, CIRCUIT_STATE_VALUE.CLOSED);
  breaker.onStateChange((raw) => {
    const state = fromBreaker(raw);
    metrics.circuitState.set({ source }, CIRCUIT_STATE_VALUE[state]);
    const last = breaker.lastFailure && 'error' in breaker.lastFailure ? breaker.lastFailure.error : undefined;
    logger?.warn(
      {
        source,
        circuit: state,
        reason: state === 'CLOSED' ? 'a probe succeeded' : (last as Error | undefined)?.message,
      },
      `circuit breaker of ${source} ${state}`,
    );
    for (const listener of listeners) {
      try {
        listener(state);
      } catch (error) {
        // The breaker calls this in the middle of a request: a listener's bug must not become that request's failure.
        process.emitWarning(`onCircuitChange listener of ${source} threw: ${String(error)}`);
      }
    }
  });

  let closed = false;
  let closing: Promise<void> | undefined;

  function target(path: string, query: Query | undefined): URL {
    const url = new URL(prefix + (path.startsWith('/') ? path : `/${path}`), base.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    return url;
  }

  /** One request, body read to the end inside it, so that a body cut off half-way is this attempt's failure. */
  async function attempt<T>(url: URL, accept: string, read: Reader<T>, signal: AbortSignal | undefined): Promise<T> {
    const labels = { source, path: url.pathname };
    const started = performance.now();
    const record = (outcome: string) => {
      metrics.requests.inc({ ...labels, outcome });
      metrics.duration.observe(labels, (performance.now() - started) / 1000);
    };
    let statusCode: number;
    let headers: Record<string, string | string[] | undefined>;
    let bytes: Uint8Array;
    try {
      ({ statusCode, headers, body: bytes } = await exchange(url, accept, signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = transportFailure(error, timeouts);
      record(failure.kind === 'TIMEOUT' ? 'timeout' : 'network');
      // A timed-out attempt was time spent waiting, not reading.
      if (failure.kind === 'TIMEOUT') waitedMs += performance.now() - started;
      throw failure;
    }
    if (statusCode >= 200 && statusCode < 300) {
      let value: T;
      try {
        value = read(bytes);
      } catch (error) {
        // A 200 that says "error" (or is not what was asked) failed: counted as such, not as a 200.
        const kind = error instanceof AttemptFailure ? error.kind : null;
        record(kind === 'STATUS_ERROR_BODY' ? 'error_body' : 'malformed_body');
        throw error;
      }
      record(String(statusCode));
      return value;
    }
    record(String(statusCode));
    const retryAfterMs = statusCode === 429 || statusCode === 503 ? parseRetryAfter(headers['retry-after']) : undefined;
    const failure = new AttemptFailure('HTTP_STATUS', statusCode, `HTTP ${statusCode}`, retryAfterMs);
    if (failure.retryable) throw failure;
    // Not retried, so this is the message the caller sees: the upstream usually says there what is wrong.
    const body = snippet(utf8.decode(bytes));
    throw new AttemptFailure('HTTP_STATUS', statusCode, body ? `HTTP ${statusCode}: ${body}` : `HTTP ${statusCode}`);
  }

  /**
   * The retry loop is written here rather than taken from cockatiel's `retry`
   * policy because cockatiel 3.2.1 waits between attempts on a bare
   * setTimeout that an AbortSignal cannot end: an aborted call would return,
   * but leave a timer of up to maxRetryAfterMs holding the process open and
   * an attempt to run after it. The delays still come from a cockatiel
   * backoff (RetryAfterBackoff over ExponentialBackoff), and every attempt
   * goes through cockatiel's circuit breaker.
   */
  async function call<T>(
    path: string,
    query: Query | undefined,
    signal: AbortSignal | undefined,
    accept: string,
    read: Reader<T>,
  ) {
    const url = target(path, query);
    const fail = (init: Omit<UpstreamErrorInit, 'source' | 'url'>) =>
      new UpstreamError({ source, url: url.href, ...init });
    let delays: IBackoff<IRetryBackoffContext<unknown>> | undefined;
    for (let attempts = 1; ; attempts++) {
      signal?.throwIfAborted();
      if (closed) throw fail({ kind: 'NETWORK', status: null, attempts: attempts - 1, detail: 'the client is closed' });
      try {
        return await breaker.execute(() => attempt(url, accept, read, signal), signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (isBrokenCircuitError(error)) {
          throw fail({
            kind: 'CIRCUIT_OPEN',
            status: null,
            attempts: attempts - 1,
            detail: `circuit open after repeated failures, not called`,
            cause: breaker.lastFailure && 'error' in breaker.lastFailure ? breaker.lastFailure.error : undefined,
          });
        }
        if (!(error instanceof AttemptFailure)) throw error;
        const final = (detail = error.detail) =>
          fail({ kind: error.kind, status: error.status, attempts, detail, cause: error.cause });
        if (!error.retryable || attempts >= maxAttempts) throw final();
        if (error.retryAfterMs !== undefined && error.retryAfterMs > maxRetryAfterMs) {
          throw final(
            `${error.detail}, Retry-After ${error.retryAfterMs} ms is beyond the ${maxRetryAfterMs} ms limit`,
          );
        }
        // This failure opened the circuit (or another call is probing it): the next attempt would only be refused.
        if (breaker.state !== BreakerState.Closed) throw final();
        const context = { attempt: attempts, signal: signal ?? new AbortController().signal, result: { error } };
        delays = delays ? delays.next(context) : backoff.next(context);
        metrics.retries.inc({ source, path: url.pathname });
        logger?.warn(
          {
            source,
            request: requestTarget(url.href),
            attempt: attempts,
            reason: error.detail,
            delayMs: delays.duration,
          },
          `${source} request retried`,
        );
        waitedMs += delays.duration;
        try {
          await sleep(delays.duration, undefined, { signal });
        } catch (sleepError) {
          throw signal?.aborted ? signal.reason : sleepError;
        }
      }
    }
  }

  return {
    source,
    baseUrl: options.baseUrl,
    getJson: (path, query, signal) => call(path, query, signal, 'application/json', readJson),
    getText: (path, query, signal) => call(path, query, signal, 'text/csv, text/plain, */*', readText),
    get circuit() {
      return fromBreaker(breaker.state);
    },
    get waitedMs() {
      return waitedMs;
    },
    get lastFailure() {
      const last = breaker.lastFailure;
      return last && 'error' in last ? (last.error as Error).message : null;
    },
    onCircuitChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      closed = true;
      closing ??= ownPool ? ownPool.close() : Promise.resolve();
      return closing;
    },
  };
}
