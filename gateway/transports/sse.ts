/**
 * GraphQL subscriptions over SSE (Yoga's "distinct connections" format:
 * `event: next` / `data: <json>`, `event: complete`, `:` keep-alive comments),
 * served in front of Yoga because Yoga's own SSE path costs about 42 KB of
 * heap and 110 µs of CPU per subscriber and delivery (a WHATWG Request and
 * Response, a ReadableStream piped into the socket, one execution and one
 * serialisation per subscriber; docs/benchmarks.md, "Live subscriptions").
 *
 * - Only requests that accept nothing but `text/event-stream` (EventSource,
 *   the dashboard, graphql-sse clients), GET or POST JSON to /graphql, whose
 *   operation parses, validates and is a subscription. Everything else
 *   (queries, mutations, parse and validation errors, odd parameters, other
 *   content types) is handed to Yoga unchanged, so it answers exactly as
 *   before. For these requests Yoga would answer with its SSE processor in
 *   every case, which this file reproduces byte for byte (status, headers,
 *   CORS, frames).
 * - Yoga's machinery still runs each subscription: `yoga.getEnveloped()`
 *   parses, validates, builds the context (gateway/server.ts's context
 *   factory, given the viewer authenticated here) and subscribes, so
 *   scope-auth, the audit log and every later plugin apply.
 * - Groups: subscribers with the same document, operation name, variables and
 *   extensions, as the same consumer (name, id, credential kind and id,
 *   scopes, unit), share one `subscribe()`, one context and one serialisation
 *   per event; the same bytes are written to every member. A member joins a
 *   running group from the next event on; when the last one leaves, the
 *   group's iterator is returned (schema/live releases its watches). A
 *   request with a lastEventId (it catches up) always gets a group of its own.
 * - Bounds per member: events written but not yet flushed to its socket
 *   (LIVE_QUEUE_MAX, the same bound and the same SLOW_CONSUMER error as
 *   schema/live/stream.ts), and its socket's unsent bytes (maxUnsentBytes).
 *   A member over either is sent the error and `complete`, and cut if it has
 *   not read them within a grace period; the others go on.
 * - One keep-alive timer for every stream; a fan-out yields to the event loop
 *   every `yieldEvery` writes so queries and probes are answered meanwhile.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { getCORSHeadersByRequestAndOptions, sendNodeResponse, type CORSOptions } from '@whatwg-node/server';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import { isAsyncIterable, maskError, type YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from '../../store/access.ts';
import { canonicalJson } from '../../store/audit.ts';
import type { Context } from '../../schema/index.ts';
import type { LiveSubscribers, RoutedSubscriber } from '../../live/subscribers.ts';
import type { Logger } from '../../core/logger.ts';
import { requestIdOf, resultWithRequestId } from '../observability/request-id.ts';
import { requestedDocumentId, resolveDocument, type DocumentPolicy } from '../policy/documents/policy.ts';
import { sendGraphQLError } from '../errors.ts';
import { bodyTooLarge } from '../policy/limits/request-size.ts';

export interface SseTransportOptions {
  // Yoga's server and user context types are the hub's business; this file calls getEnveloped, fetch and handle.
  yoga: YogaServerInstance<any, any>;
  authenticate: (request: Request) => Promise<Viewer>;
  /** The hub's live subscribers: their LIVE_QUEUE_MAX bounds each member's unflushed events. */
  live: LiveSubscribers;
  logger: Logger;
  /** Trusted documents: an id is resolved to its text; in production only registered documents run. */
  documents: DocumentPolicy;
  path?: string;
  /** Keep-alive comment interval; default as Yoga: 12 s, 300 ms when NODE_ENV=test. */
  keepAliveMs?: number;
  /** Unsent bytes a member's socket may hold before it is dropped as a slow consumer. */
  maxUnsentBytes?: number;
  /** How long a dropped member has to read its SLOW_CONSUMER error before its connection is cut. */
  slowConsumerGraceMs?: number;
  /** Socket writes between two yields to the event loop during a fan-out. */
  yieldEvery?: number;
  /**
   * The hub's MAX_BODY_BYTES: a body read here (a chunked one, without Content-Length) past it is refused with
   * 413 PAYLOAD_TOO_LARGE, as Yoga's path refuses it (gateway/policy/limits/request-size.ts). Default 1 MiB.
   */
  maxBodyBytes?: number;
  /** The hub's CORS policy (gateway/policy/cors.ts), as Yoga applies it to everything else. Default Yoga's: any origin. */
  cors?: CORSOptions;
}

export interface SseTransport {
  /**
   * Serves the request when it is an SSE subscription (the returned promise
   * settles when the request is handled, not when the stream ends); null when
   * it is not one of its requests and Yoga should handle it.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | null;
  /**
   * The hub's live subscribers as clients see them: `size` counts each SSE
   * member of a shared group as a subscription of its own.
   */
  readonly subscribers: LiveSubscribers;
  /** Groups (distinct subscriptions executed) and members (SSE connections) now. */
  readonly groups: number;
  readonly members: number;
}

const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions', 'documentId']);
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  Connection: 'keep-alive',
  'Cache-Control': 'no-cache',
  'Content-Encoding': 'none',
};
const PING = Buffer.from(':\n\n');
const COMPLETE = Buffer.from('event: complete\ndata:\n\n');

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
  documentId?: string | null;
}

/** Parameters as the request gives them: a trusted document's id instead of the text is allowed. */
type RequestParams = Omit<Params, 'query'> & { query?: string | null };

interface Member {
  res: ServerResponse;
  group: Group;
  /** Events written to the socket and not yet flushed to the kernel. */
  unflushed: number;
  /** Decrements `unflushed`: one closure per member, not one per write. */
  flushed: () => void;
  /** The eventId of the last event written to it: where it resumes after a drop. */
  lastEventId: string | null;
  /** Headers and the opening comment are out (the group has subscribed). */
  started: boolean;
  gone: boolean;
}

interface Group {
  key: string;
  label: string;
  members: Set<Member>;
  state: 'opening' | 'open' | 'ended';
  iterator: AsyncIterator<ExecutionResult> | null;
  /** Router entries (schema/live streams) this group holds open: one per subscription. */
  routed: number;
  /** The lastEventId variable the group subscribed with: the resume point before its first event. */
  lastEventId: string | null;
}

/** Whether the Accept header asks for SSE and for nothing else Yoga could answer with (Yoga's media type rules). */
export function acceptsOnlyEventStream(accept: string | undefined): boolean {
  const types: string[] = [];
  for (const item of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...params] = item.split(';');
    const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (type !== undefined && charset === 'charset=utf-8') types.push(type);
  }
  const matches = (offered: string, asked: string) => {
    const [offeredType, offeredSub] = offered.split('/');
    const [askedType, askedSub] = asked.split('/');
    return (askedType === '*' || askedType === offeredType) && (askedSub === '*' || askedSub === offeredSub);
  };
  const others = ['multipart/mixed', 'application/graphql-response+json', 'application/json'];
  return (
    types.some((type) => matches('text/event-stream', type)) &&
    !types.some((type) => others.some((other) => matches(other, type)))
  );
}

/** An error as Yoga serialises it: without the internal `http` and `unexpected` extensions. */
function publicError(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const json = error.toJSON() as { extensions?: Record<string, unknown> };
  if (json.extensions) {
    const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions;
    if (Object.keys(extensions).length > 0) json.extensions = extensions;
    else delete json.extensions;
  }
  return json;
}

function stringifyResult(result: ExecutionResult): string {
  if (!result.errors?.length && !(result.extensions as { http?: unknown } | undefined)?.http) {
    return JSON.stringify(result);
  }
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...result,
    errors: result.errors?.map(publicError),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}

const nextFrame = (result: ExecutionResult) => Buffer.from(`event: next\ndata: ${stringifyResult(result)}\n\n`);

function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null ? true : isOriginalGraphQLError(error.originalError);
}

/** Status and headers of a result's SSE response, by Yoga's rule (getResponseInitByRespectingErrors). */
function responseInit(result: ExecutionResult): { status: number; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...SSE_HEADERS };
  let status: number | undefined;
  let unexpected = false;
  const http = (result.extensions as { http?: { status?: number; headers?: Record<string, string> } } | undefined)
    ?.http;
  if (http?.headers) Object.assign(headers, http.headers);
  if (http?.status) status = http.status;
  if (result.errors?.length) {
    for (const error of result.errors) {
      const errorHttp = error.extensions?.http as { status?: number; headers?: Record<string, string>; spec?: boolean };
      if (errorHttp) {
        if (errorHttp.headers) Object.assign(headers, errorHttp.headers);
        if (errorHttp.spec) continue;
        if (errorHttp.status && (!status || errorHttp.status > status)) status = errorHttp.status;
      } else if (!isOriginalGraphQLError(error) || error.extensions?.unexpected) unexpected = true;
    }
  } else status ||= 200;
  if (!status) status = unexpected && !('data' in result) ? 500 : 200;
  return { status, headers };
}

/** A request's headers as a fetch Headers. */
function fetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

function requestUrl(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`).href;
  } catch {
    return new URL(req.url ?? '/', 'http://localhost').href;
  }
}

/** Reads a body up to `limit` bytes; past it, stops (paused) and says so, keeping what was read. */
function readBody(req: IncomingMessage, limit: number): Promise<{ chunks: Buffer[]; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        req.pause();
        cleanup();
        resolve({ chunks, complete: false });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, complete: true });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * GraphQL parameters as Yoga would accept them (a query, or the id of a trusted document instead), or null when
 * Yoga should judge them (and answer).
 */
function paramsOf(source: Record<string, unknown>): RequestParams | null {
  for (const name of Object.keys(source)) if (!PARAM_NAMES.has(name)) return null;
  const { query, variables, operationName, extensions, documentId } = source;
  const objectOrNull = (value: unknown) =>
    value == null || (typeof value === 'object' && !Array.isArray(value)) ? true : false;
  if (!objectOrNull(variables) || !objectOrNull(extensions)) return null;
  if (typeof query !== 'string' && !(query == null && requestedDocumentId(source) !== null)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (documentId != null && typeof documentId !== 'string') return null;
  return source as RequestParams;
}

function searchParams(url: URL): RequestParams | null {
  const source: Record<string, unknown> = {};
  try {
    for (const name of PARAM_NAMES) {
      const value = url.searchParams.get(name);
      if (value === null) continue;
      source[name] = name === 'variables' || name === 'extensions' ? JSON.parse(value) : value;
    }
  } catch {
    return null;
  }
  return paramsOf(source);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * After a slow consumer was sent its SLOW_CONSUMER error and the end of its
 * stream: it reads them once it reads on; one that has not read them within
 * `graceMs` (it stopped reading altogether) has its connection cut, so a
 * stuck client holds no socket either.
 */
function cutUnlessRead(res: ServerResponse, graceMs: number) {
  setTimeout(() => {
    if (!res.writableFinished && !res.destroyed) res.destroy();
  }, graceMs).unref();
}

/**
 * How a subscriber of Yoga's own SSE path (a request this transport hands to
 * Yoga, e.g. one whose Accept also names JSON) is cut once its stream was
 * ended as a slow consumer: Yoga writes the error and ends the response, and
 * the connection goes if the client has not read them within `graceMs`.
 */
export function sseSlowConsumerDrop(res: ServerResponse | undefined, logger: Logger, graceMs = 5_000) {
  return (reason: string) => {
    logger.warn({ reason, url: res?.req.url }, 'SSE subscriber dropped: slow consumer');
    if (res) cutUnlessRead(res, graceMs);
  };
}

/**
 * The lastEventId argument of the subscription's field as the request gives
 * it (a literal, or a variable: its value, else its default), as text; null
 * when absent or null. A root selection other than a plain field (a fragment)
 * counts as giving one: such a request is never shared.
 */
function lastEventIdOf(operation: OperationDefinitionNode, variables: Record<string, unknown> | null | undefined) {
  const field = operation.selectionSet.selections[0];
  if (operation.selectionSet.selections.length !== 1 || field?.kind !== Kind.FIELD) return 'unknown';
  const argument = field.arguments?.find((arg) => arg.name.value === 'lastEventId');
  if (!argument) return null;
  let value = argument.value;
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    const given = variables?.[name];
    if (given !== undefined) return given === null ? null : String(given);
    const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
    if (!fallback) return null;
    value = fallback;
  }
  if (value.kind === Kind.NULL) return null;
  return value.kind === Kind.STRING || value.kind === Kind.INT ? value.value : 'unknown';
}

export function createSseTransport({
  yoga,
  authenticate,
  live,
  logger,
  documents,
  path = '/graphql',
  keepAliveMs = process.env.NODE_ENV === 'test' ? 300 : 12_000,
  maxUnsentBytes = 4 * 1024 * 1024,
  slowConsumerGraceMs = 5_000,
  yieldEvery = 256,
  maxBodyBytes = 1 << 20,
  cors = {},
}: SseTransportOptions): SseTransport {
  const groups = new Map<string, Group>();
  let memberCount = 0;
  let writesSinceYield = 0;
  const isDev = process.env.NODE_ENV === 'development';

  /**
   * Counts a socket write; true every `yieldEvery` of them, when the writer should let the event loop run
   * (I/O, timers, other requests) before going on. (A plain function: an async one would cost a promise per write.)
   */
  function dueToYield(): boolean {
    if (++writesSinceYield < yieldEvery) return false;
    writesSinceYield = 0;
    return true;
  }

  // ---- keep-alive: one timer for every open stream, running only while there is one.
  let pingTimer: NodeJS.Timeout | null = null;
  let pinging = false;
  async function ping() {
    if (pinging) return;
    pinging = true;
    try {
      for (const group of groups.values()) {
        for (const member of group.members) {
          // As Yoga: no ping into a stream that has events waiting (they keep it alive).
          if (!member.started || member.gone || member.unflushed > 0 || member.res.writableNeedDrain) continue;
          member.res.write(PING);
          if (dueToYield()) await yieldToEventLoop();
        }
      }
    } finally {
      pinging = false;
    }
  }
  function membersChanged(delta: number) {
    memberCount += delta;
    if (memberCount > 0 && !pingTimer) {
      pingTimer = setInterval(
        () => void ping().catch((error) => logger.error({ err: error }, 'SSE ping failed')),
        keepAliveMs,
      );
      pingTimer.unref();
    } else if (memberCount === 0 && pingTimer) {
      clearInterval(pingTimer);
      pingTimer = null;
    }
  }

  // ---- responses

  /** The CORS headers for the request, by the hub's policy (none without an Origin, none when it is off). */
  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const headers = getCORSHeadersByRequestAndOptions({ headers: fetchHeaders(req) } as Request, cors);
    return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  }

  /** A whole response for a result that is not a stream (a refusal): the opening comment, the result, complete. */
  function sendResult(req: IncomingMessage, res: ServerResponse, result: ExecutionResult) {
    if (res.destroyed || res.writableEnded) return;
    const { status, headers } = responseInit(result);
    res.writeHead(status, { ...headers, ...corsHeaders(req) });
    res.write(PING);
    // Its errors carry this connection's request id (gateway/observability/request-id.ts), as Yoga's answers do.
    res.write(nextFrame(resultWithRequestId(result, requestIdOf(res))));
    res.end(COMPLETE);
  }

  /** A thrown error as Yoga turns it into a result: masked unless it is a GraphQL error of ours. */
  function errorResult(error: unknown): ExecutionResult {
    const masked = maskError(error, 'Unexpected error.', isDev);
    if (masked !== error) logger.error({ err: error }, 'SSE subscription failed');
    return {
      errors: [masked instanceof GraphQLError ? masked : new GraphQLError((masked as Error).message)],
    };
  }

  /** Hands the request to Yoga: as it came (GET, body unread) or rebuilt from the body already read. */
  async function toYoga(req: IncomingMessage, res: ServerResponse, body?: { chunks: Buffer[]; complete: boolean }) {
    if (!body) return yoga.handle(req, res);
    const rest = body.complete ? null : req;
    const request = new Request(requestUrl(req), {
      method: req.method,
      headers: fetchHeaders(req),
      body: rest
        ? (Readable.toWeb(
            Readable.from(
              (async function* () {
                yield* body.chunks;
                yield* rest;
              })(),
            ),
          ) as ReadableStream)
        : Buffer.concat(body.chunks),
      // @ts-expect-error Node's fetch needs it for a streamed body; lib.dom's RequestInit does not know it
      duplex: 'half',
    });
    const response: Response = await yoga.fetch(request, { req, res });
    await sendNodeResponse(response, res, req, false);
  }

  // ---- groups and members

  function startMember(member: Member, req: IncomingMessage) {
    member.started = true;
    member.res.writeHead(200, { ...SSE_HEADERS, ...corsHeaders(req) });
    // As Yoga: a comment first, so clients that wait for a body byte see the stream open.
    member.res.write(PING);
  }

  function leave(member: Member) {
    if (member.gone) return;
    member.gone = true;
    const { group } = member;
    if (!group.members.delete(member)) return;
    membersChanged(-1);
    if (group.members.size === 0 && group.state === 'open') closeGroup(group);
  }

  /** Ends the group: its members' streams (with `tail` before complete, if any), its iterator, its key. */
  function closeGroup(group: Group, tail?: Buffer) {
    if (group.state === 'ended') return;
    group.state = 'ended';
    if (groups.get(group.key) === group) groups.delete(group.key);
    for (const member of group.members) {
      member.gone = true;
      if (!member.res.writableEnded && !member.res.destroyed) {
        if (tail) member.res.write(tail);
        member.res.end(COMPLETE);
      }
    }
    membersChanged(-group.members.size);
    group.members.clear();
    const iterator = group.iterator;
    group.iterator = null;
    void Promise.resolve(iterator?.return?.()).catch((error: unknown) =>
      logger.error({ err: error, subscription: group.label }, 'SSE subscription did not close cleanly'),
    );
  }

  function dropSlowMember(member: Member, reason: string) {
    const { res, group } = member;
    const resume = member.lastEventId ?? group.lastEventId;
    logger.warn(
      { subscription: group.label, queued: member.unflushed, unsentBytes: res.writableLength, lastEventId: resume },
      'SSE subscriber dropped: slow consumer',
    );
    // The same error as schema/live/stream.ts's, so a client resubscribes the same way over either transport.
    const error = new GraphQLError(
      `${reason}; the subscription was ended${resume ? `: subscribe again with lastEventId "${resume}" to catch up` : ''}`,
      { extensions: { code: 'SLOW_CONSUMER', queued: member.unflushed, lastEventId: resume } },
    );
    leave(member);
    res.write(nextFrame(resultWithRequestId({ errors: [error] }, requestIdOf(res))));
    res.end(COMPLETE);
    cutUnlessRead(res, slowConsumerGraceMs);
  }

  /** Writes one event's bytes to a member, or drops the member if it is too far behind. */
  function deliver(member: Member, frame: Buffer, eventId: string | null) {
    const { res } = member;
    if (member.gone || res.destroyed || res.writableEnded) return;
    const { queueMax } = live.settings;
    if (member.unflushed >= queueMax) {
      return dropSlowMember(member, `slow consumer: ${member.unflushed} events queued (LIVE_QUEUE_MAX ${queueMax})`);
    }
    if (res.writableLength > maxUnsentBytes) {
      return dropSlowMember(member, `slow consumer: ${res.writableLength} bytes unsent (limit ${maxUnsentBytes})`);
    }
    member.unflushed++;
    if (eventId !== null) member.lastEventId = eventId;
    res.write(frame, member.flushed);
  }

  /** The eventId of an event's result (every live payload has one), to tell a dropped member where to resume. */
  function eventIdOf(result: ExecutionResult): string | null {
    const data = result.data as Record<string, unknown> | null | undefined;
    if (!data) return null;
    for (const key in data) {
      const value = data[key] as { eventId?: unknown } | null;
      return value && typeof value.eventId === 'string' ? value.eventId : null;
    }
    return null;
  }

  /** The group's fan-out: each result serialised once, its bytes written to every member. */
  async function run(group: Group) {
    const iterator = group.iterator!;
    let tail: Buffer | undefined;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done || group.state === 'ended') break;
        const frame = nextFrame(next.value);
        const eventId = eventIdOf(next.value);
        // A member that joins during the fan-out gets this event too: it was subscribed when it went out.
        for (const member of group.members) {
          deliver(member, frame, eventId);
          if (dueToYield()) await yieldToEventLoop();
        }
      }
    } catch (error) {
      // As Yoga: an error from the stream (SHUTTING_DOWN, SLOW_CONSUMER of the group itself) is a last result.
      tail = nextFrame(errorResult(error));
    }
    closeGroup(group, tail);
  }

  /** This group's view of the live subscribers: counts the router entries it opens (for `subscribers.size`). */
  function groupSubscribers(group: Group): LiveSubscribers {
    return {
      get settings() {
        return live.settings;
      },
      get log() {
        return live.log;
      },
      get size() {
        return live.size;
      },
      add(subscriber: RoutedSubscriber) {
        const remove = live.add(subscriber);
        group.routed++;
        let removed = false;
        return () => {
          if (removed) return;
          removed = true;
          group.routed--;
          remove();
        };
      },
      watch: (unitCode, period) => live.watch(unitCode, period),
      close: () => live.close(),
    };
  }

  async function openGroup(
    group: Group,
    initial: { request: Request; req: IncomingMessage; res: ServerResponse; params: Params; viewer: Viewer },
    document: DocumentNode,
  ) {
    let result: ExecutionResult | AsyncIterable<ExecutionResult>;
    try {
      const enveloped = yoga.getEnveloped({
        ...initial,
        // A slow group (one whose own stream overflows) ends for all its members with the error, from run().
        dropLive: (reason: string) => logger.warn({ subscription: group.label, reason }, 'SSE group dropped'),
      });
      const contextValue = (await enveloped.contextFactory()) as unknown as Context;
      // The router entries this group opens are counted, so that each member counts as a subscriber.
      if (contextValue.live) contextValue.live = { ...contextValue.live, subscribers: groupSubscribers(group) };
      result = await enveloped.subscribe({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: initial.params.variables,
        operationName: initial.params.operationName,
      });
    } catch (error) {
      result = errorResult(error);
    }
    if (!isAsyncIterable(result)) {
      // A refusal: every member waiting gets it as its whole response.
      if (groups.get(group.key) === group) groups.delete(group.key);
      group.state = 'ended';
      for (const member of group.members) {
        member.gone = true;
        sendResult(member.res.req, member.res, result);
      }
      membersChanged(-group.members.size);
      group.members.clear();
      return;
    }
    group.iterator = result[Symbol.asyncIterator]();
    if (group.members.size === 0) {
      group.state = 'open';
      return closeGroup(group);
    }
    group.state = 'open';
    for (const member of group.members) startMember(member, member.res.req);
    void run(group);
  }

  /** The consumer as far as sharing goes: everything of the viewer that can change what a resolver returns. */
  function consumerKey(viewer: Viewer): string | null {
    // Personal data is never shared: a read:pii viewer gets a group of its own, so every delivery of personal
    // data is executed in its own context, reaches only its connection, and its audit entry names its own
    // request (client address, request id). A shared group would record one entry for all of its members.
    if (viewer.scopes.has('read:pii')) return null;
    // The credential too: a group's stream ends when its credential is revoked or expires (schema/live/stream.ts),
    // which must not end the streams of the consumer's other keys.
    return JSON.stringify([
      viewer.consumer,
      viewer.consumerId,
      viewer.credential,
      viewer.credentialId ?? null,
      [...viewer.scopes].sort(),
      viewer.unitCode,
    ]);
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(requestUrl(req));
    let body: { chunks: Buffer[]; complete: boolean } | undefined;
    let given: RequestParams | null;
    if (req.method === 'POST') {
      // Over the limit, declared or read: refused unread, as on Yoga's path (the connection closes after it).
      const declared = Number(req.headers['content-length']);
      if (declared > maxBodyBytes) return sendGraphQLError(res, 413, bodyTooLarge(maxBodyBytes));
      body = await readBody(req, maxBodyBytes);
      if (!body.complete) return sendGraphQLError(res, 413, bodyTooLarge(maxBodyBytes));
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(body.chunks).toString('utf8'));
        given =
          parsed && typeof parsed === 'object' && !Array.isArray(parsed)
            ? paramsOf(parsed as Record<string, unknown>)
            : null;
      } catch {
        given = null;
      }
    } else given = searchParams(url);
    if (!given) return toYoga(req, res, body);

    let request: Request;
    try {
      request = new Request(url, {
        method: req.method,
        headers: fetchHeaders(req),
        ...(body ? { body: Buffer.concat(body.chunks) } : {}),
      });
    } catch {
      return toYoga(req, res, body); // headers fetch refuses: Yoga's own adapter decides what to answer
    }
    // Trusted documents (gateway/policy/documents/policy.ts), before anything is parsed: an id becomes its registered
    // text, shared with the subscribers that sent that text; in production an unregistered text is refused. The
    // caller is authenticated before any lookup, as on Yoga's path.
    let query: string | null;
    try {
      query = await resolveDocument(documents, given, { request, req });
    } catch (error) {
      return sendResult(req, res, errorResult(error));
    }
    if (query === null) return toYoga(req, res, body);
    const params: Params = { ...given, query };
    const initial = { request, req, res, params };
    const enveloped = yoga.getEnveloped(initial);
    let document: DocumentNode;
    try {
      document = enveloped.parse(params.query);
    } catch {
      return toYoga(req, res, body);
    }
    if (enveloped.validate(enveloped.schema, document).length > 0) return toYoga(req, res, body);
    const operation = getOperationAST(document, params.operationName);
    if (operation?.operation !== 'subscription') return toYoga(req, res, body);

    let viewer: Viewer;
    try {
      viewer = await authenticate(request);
    } catch (error) {
      return sendResult(req, res, errorResult(error));
    }
    if (res.destroyed) return; // gone while authenticating

    // A request that resumes (lastEventId) is never shared: a running group has replayed and moved past ranges
    // that this one has not seen, and a new group's replay would be given to members that did not ask for it.
    const lastEventId = lastEventIdOf(operation, params.variables);
    const consumer = lastEventId === null ? consumerKey(viewer) : null;
    const key =
      consumer === null
        ? null
        : `${consumer}\u0000${params.query}\u0000${params.operationName ?? ''}\u0000${canonicalJson(params.variables ?? {})}\u0000${canonicalJson(params.extensions ?? {})}`;
    let group = key === null ? undefined : groups.get(key);
    const opening = !group;
    if (!group) {
      const field = operation.selectionSet.selections[0];
      group = {
        key: key ?? `\u0000own\u0000${Math.random()}`,
        label: `${viewer.consumer} ${field?.kind === 'Field' ? field.name.value : 'subscription'}`,
        members: new Set(),
        state: 'opening',
        iterator: null,
        routed: 0,
        lastEventId: lastEventId === 'unknown' ? null : lastEventId,
      };
      groups.set(group.key, group);
    }
    const member: Member = {
      res,
      group,
      unflushed: 0,
      flushed: () => void member.unflushed--,
      lastEventId: null,
      started: false,
      gone: false,
    };
    group.members.add(member);
    membersChanged(1);
    res.once('close', () => leave(member));
    if (opening) await openGroup(group, { ...initial, viewer }, document);
    else if (group.state === 'open') startMember(member, req);
  }

  const subscribers: LiveSubscribers = {
    get settings() {
      return live.settings;
    },
    get log() {
      return live.log;
    },
    get size() {
      let shared = 0;
      for (const group of groups.values()) shared += group.routed * Math.max(0, group.members.size - 1);
      return live.size + shared;
    },
    add: (subscriber) => live.add(subscriber),
    watch: (unitCode, period) => live.watch(unitCode, period),
    close: () => live.close(),
  };

  return {
    handle(req, res) {
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname !== path || (req.method !== 'GET' && req.method !== 'POST')) return null;
      if (!acceptsOnlyEventStream(req.headers.accept)) return null;
      if (req.method === 'POST' && !/^application\/(graphql\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
        return null;
      }
      return serve(req, res);
    },
    subscribers,
    get groups() {
      return groups.size;
    },
    get members() {
      return memberCount;
    },
  };
}
