/**
 * Subscription clients for tests, on real sockets: GraphQL over SSE as a
 * plain EventSource would do it (GET, Accept: text/event-stream, the
 * operation in the query string), and GraphQL over WebSocket with
 * graphql-ws's own client over the `ws` package.
 */
import http from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { LiveEvent } from '../../store/live-events.ts';
import type { GraphQLResponse } from './hub.ts';

export interface LiveSubscription<Data = any> {
  /** The results received so far, in order. */
  readonly results: GraphQLResponse<Data>[];
  /** Resolves with the results once `count` have arrived; rejects after `timeoutMs` naming what did arrive. */
  received(count: number, timeoutMs?: number): Promise<GraphQLResponse<Data>[]>;
  /** Resolves when the server ends the stream (SSE `complete`, graphql-ws `complete` or an error). */
  readonly ended: Promise<{ error?: unknown }>;
  close(): void;
}

function collector<Data>() {
  const results: GraphQLResponse<Data>[] = [];
  const waiters = new Set<() => void>();
  let endedResolve!: (value: { error?: unknown }) => void;
  const ended = new Promise<{ error?: unknown }>((resolve) => (endedResolve = resolve));
  let done = false;
  return {
    results,
    ended,
    push(result: GraphQLResponse<Data>) {
      results.push(result);
      for (const wake of waiters) wake();
    },
    end(error?: unknown) {
      if (done) return;
      done = true;
      endedResolve(error === undefined ? {} : { error });
      for (const wake of waiters) wake();
    },
    received(count: number, timeoutMs = 15_000): Promise<GraphQLResponse<Data>[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (results.length >= count) {
            cleanup();
            resolve(results.slice(0, count));
          } else if (done) {
            cleanup();
            reject(new Error(`stream ended after ${results.length} of ${count} results: ${JSON.stringify(results)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${results.length} of ${count} results within ${timeoutMs} ms: ${JSON.stringify(results)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The text of an SSE stream as events: `event:` and the `data:` lines joined; comments (pings) skipped. */
export function parseSseEvents(text: string): { event: string; data: string }[] {
  return text
    .split('\n\n')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || line === '') continue;
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'event') event = value;
        if (field === 'data') data.push(value);
      }
      return { event, data: data.join('\n') };
    })
    .filter((e) => e.data !== '' || e.event !== 'message');
}

/**
 * A subscription over SSE: GET /graphql?query=… with Accept: text/event-stream,
 * as a browser's EventSource sends it (node:http, so that close() closes the socket).
 */
export function sseSubscribe<Data = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  { token }: { token?: string } = {},
): LiveSubscription<Data> {
  const results = collector<Data>();
  const url = new URL('/graphql', baseUrl);
  url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify(variables));
  const request = http.get(
    url,
    { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, agent: false },
    (response) => {
      if (response.statusCode !== 200) {
        results.end(new Error(`SSE request answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const cut = buffer.lastIndexOf('\n\n');
        if (cut < 0) return;
        const complete = buffer.slice(0, cut + 2);
        buffer = buffer.slice(cut + 2);
        for (const event of parseSseEvents(complete)) {
          if (event.event === 'next') results.push(JSON.parse(event.data) as GraphQLResponse<Data>);
          if (event.event === 'complete') results.end();
        }
      });
      response.on('end', () => results.end(new Error('SSE stream closed without complete')));
      response.on('error', (error) => results.end(error));
    },
  );
  request.on('error', (error) => results.end(error));
  return {
    get results() {
      return results.results;
    },
    received: results.received,
    ended: results.ended,
    close: () => request.destroy(),
  };
}

/** A graphql-ws client over `ws` to the hub's /graphql, authenticated by connectionParams when given a token. */
export function wsClient(baseUrl: string, { token, lazy = true }: { token?: string; lazy?: boolean } = {}): Client {
  return createClient({
    url: baseUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** A subscription over graphql-ws. */
export function wsSubscribe<Data = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<Data> {
  const results = collector<Data>();
  const dispose = client.subscribe<Data>(
    { query, variables },
    {
      next: (value) => results.push(value as GraphQLResponse<Data>),
      error: (error) => results.end(error),
      complete: () => results.end(),
    },
  );
  return {
    get results() {
      return results.results;
    },
    received: results.received,
    ended: results.ended,
    close: dispose,
  };
}

/** Waits until `condition` holds, polling; throws `what` after the timeout. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let nextSourceEventId = 1;
/**
 * A province-wide SOURCE_STATUS live event (BUDGET turning FAILING), delivered without a store read; not logged, so
 * any increasing id will do. `error` pads it when a test needs large events.
 */
export const sourceStatusEvent = (error: string | null = null): LiveEvent => ({
  id: String(nextSourceEventId++),
  at: new Date().toISOString(),
  kind: 'SOURCE_STATUS',
  unitPath: [],
  payload: { source: 'BUDGET', status: 'FAILING', previousStatus: 'FRESH', lastSuccessAt: null, error },
});
