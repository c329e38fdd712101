/**
 * GraphQL over WebSocket (the graphql-ws protocol, subprotocol
 * graphql-transport-ws) on the hub's own port and path, /graphql, beside
 * Yoga's HTTP and SSE.
 *
 * - The `ws` server runs without a port of its own: the HTTP server's
 *   'upgrade' event hands it the sockets for /graphql; any other path is
 *   answered 404, and a hub that is shutting down answers 503.
 * - Authentication at connection_init, with the hub's `authenticate`: the
 *   credential is connectionParams.authorization (what a browser can send)
 *   or else the upgrade request's Authorization header. A refusal closes the
 *   socket with 4403 and the reason.
 * - And again at every operation (subscribe message), as a new HTTP request
 *   would be: a key revoked or a JWT expired while the socket is open stops
 *   the next operation. That refusal is a graphql-ws `error` message for the
 *   operation's id carrying the UNAUTHENTICATED error, not a closed socket:
 *   the client learns why, and a momentary failure to check (AUTH_UNAVAILABLE)
 *   does not cut the subscriptions already running. Those end by themselves
 *   through ctx.recheckCredential() (schema/live/stream.ts).
 *   The fresh viewer goes into Yoga's context (Yoga's context has no
 *   `request` over a WebSocket: this one is built from the upgrade request,
 *   and `req`, the upgrade request itself, gives the audit log the client's
 *   address).
 * - Trusted documents (gateway/policy/documents/policy.ts), for every operation, as
 *   over HTTP: a subscribe message may name a registered document by id
 *   (`documentId` in the payload, or extensions.persistedQuery.sha256Hash,
 *   with `query: ""` since graphql-ws requires the field); in production a
 *   text that is not registered is refused (PERSISTED_QUERY_ONLY), and
 *   introspection too (the validation rule applies to every transport).
 * - Keep-alive: a `ws` ping every 12 s; a socket that has not answered by the
 *   next one is terminated (graphql-ws's useServer does both).
 * - Slow consumers: a subscription dropped for falling LIVE_QUEUE_MAX events
 *   behind, or a socket whose unsent data passes maxBufferedBytes, closes the
 *   socket with 4499 and the reason. Protocol errors close with the
 *   protocol's own codes (4400, 4401, 4409, 4429 …).
 * - close() closes every socket with 1001 (going away).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Viewer } from '../../store/access.ts';
import type { Logger } from '../../core/logger.ts';
import { withOperationRequestIds } from '../observability/request-id.ts';
import { resolveDocument, type DocumentPolicy } from '../policy/documents/policy.ts';
import { withoutHttp } from '../errors.ts';

/** Close code for a subscriber dropped as too slow: in the 4xxx range graphql-ws leaves to applications. */
export const SLOW_CONSUMER_CLOSE_CODE = 4499;
export const FORBIDDEN_CLOSE_CODE = CloseCode.Forbidden;

/** What the WebSocket transport puts in Yoga's initial context (gateway/server.ts's context factory reads it). */
export interface WebSocketContext {
  /** A fetch Request built from the upgrade request, with the connection's credential. */
  request: Request;
  /** The upgrade request, as Yoga's node:http context has it: the audit log reads the client's address off it. */
  req: IncomingMessage;
  /** The consumer, as authenticated for this operation. */
  viewer: Viewer;
  /** Cuts this connection when one of its subscriptions is dropped as a slow consumer. */
  dropLive(reason: string): void;
}

export interface WebSocketOptions {
  server: Server;
  // Yoga's server and user context types are the hub's business; this file only calls getEnveloped.
  yoga: YogaServerInstance<any, any>;
  authenticate: (request: Request) => Promise<Viewer>;
  logger: Logger;
  /** True while the hub shuts down: upgrades are refused. */
  draining(): boolean;
  /** Trusted documents: an id is resolved to its text; in production only registered documents run. */
  documents: DocumentPolicy;
  path?: string;
  keepAliveMs?: number;
  /** Unsent bytes a socket may hold before it is dropped as a slow consumer. */
  maxBufferedBytes?: number;
  /** How long close() waits for clients to answer 1001 before cutting them. */
  closeGraceMs?: number;
  /** Largest message a client may send (MAX_BODY_BYTES, as for an HTTP body); a larger one closes the socket (1009). */
  maxPayloadBytes?: number;
}

export interface WebSocketTransport {
  /** Open sockets. */
  readonly size: number;
  /** Closes every socket with 1001 going away and stops accepting. */
  close(): Promise<void>;
}

interface Connection extends Extra {
  authenticated?: { request: Request; viewer: Viewer };
}

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455 §5.5). */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= 123) return text;
  return (
    bytes
      .subarray(0, 120)
      .toString('utf8')
      .replace(/\uFFFD+$/, '') + '…'
  );
}

/** Upgrade headers say nothing about the consumer; everything else of the upgrade request is kept. */
const CONNECTION_HEADERS = /^(host|connection|upgrade|sec-websocket-.*)$/i;

/** The upgrade request as a fetch Request, with connectionParams.authorization as its Authorization when given. */
export function upgradeRequest(
  request: IncomingMessage,
  connectionParams: Record<string, unknown> | undefined,
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || CONNECTION_HEADERS.test(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const credential = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof credential === 'string') headers.set('authorization', credential);
  let url: URL;
  try {
    url = new URL(request.url ?? '/graphql', `http://${request.headers.host ?? 'localhost'}`);
  } catch {
    url = new URL('http://localhost/graphql');
  }
  return new Request(url, { headers });
}

/**
 * An operation's unexpected failure (the store down while its document is looked up, a bug) as the client sees
 * it: masked as Yoga masks one over HTTP, the cause logged (with the operation's request id, which
 * withOperationRequestIds also puts on the error). Thrown instead, it would close the socket with its text.
 */
function unexpectedError(logger: Logger) {
  return (error: unknown): GraphQLError => {
    logger.error({ err: error }, 'WebSocket operation failed');
    return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}

function refuseUpgrade(socket: Duplex, status: number, message: string) {
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export function attachWebSocket({
  server,
  yoga,
  authenticate,
  logger,
  draining,
  documents,
  path = '/graphql',
  keepAliveMs = 12_000,
  maxBufferedBytes = 4 * 1024 * 1024,
  closeGraceMs = 2_000,
  maxPayloadBytes = 1024 * 1024,
}: WebSocketOptions): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes });
  const unexpected = unexpectedError(logger);

  function dropSlowConsumer(socket: WebSocket, consumer: string, reason: string) {
    if (socket.readyState !== socket.OPEN) return;
    logger.warn({ consumer, reason, bufferedBytes: socket.bufferedAmount }, 'WebSocket closed: slow consumer');
    socket.close(SLOW_CONSUMER_CLOSE_CODE, closeReason(reason));
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (draining()) return refuseUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const graphqlWs = useServer<Record<string, unknown>, { authenticated?: Connection['authenticated'] }>(
    // Each operation is a request of its own: an id on its log lines and errors (gateway/observability/request-id.ts).
    withOperationRequestIds({
      async onConnect(ctx) {
        const connection = ctx.extra as Connection;
        const request = upgradeRequest(connection.request, ctx.connectionParams);
        try {
          connection.authenticated = { request, viewer: await authenticate(request) };
          return true;
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : 'authentication failed';
          if (!(error instanceof GraphQLError)) logger.error({ err: error }, 'WebSocket authentication failed');
          connection.socket.close(FORBIDDEN_CLOSE_CODE, closeReason(`Forbidden: ${message}`));
          return false;
        }
      },
      async onSubscribe(ctx, _id, payload: SubscribePayload) {
        const connection = ctx.extra as Connection;
        const { request } = connection.authenticated!;
        const socket = connection.socket;
        // The credential may have been revoked (or the JWT expired) since connection_init: checked per operation.
        let viewer: Viewer;
        try {
          viewer = await authenticate(request);
        } catch (error) {
          // The error as an HTTP response would carry it, less the HTTP status and headers Yoga strips there.
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          logger.error({ err: error }, 'WebSocket authentication failed');
          return [new GraphQLError('authentication failed', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        connection.authenticated = { request, viewer };
        // An id becomes its registered text; in production an unregistered text stops here, before it is parsed.
        let query: string;
        try {
          const caller = { request, req: connection.request, viewer };
          query = (await resolveDocument(documents, payload, caller)) ?? payload.query;
        } catch (error) {
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          return [unexpected(error)];
        }
        const params = { ...payload, query };
        const initial: WebSocketContext & Record<string, unknown> = {
          request,
          req: connection.request,
          viewer,
          dropLive: (reason: string) => dropSlowConsumer(socket, viewer.consumer, reason),
          params,
          socket,
          connectionParams: ctx.connectionParams,
        };
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(initial);
        let document;
        try {
          document = parse(query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          return [unexpected(error)];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [withoutHttp(error)];
          return [unexpected(error)];
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          // Envelop's execute and subscribe (with the hub's plugins) ride along to the hooks below.
          rootValue: { execute, subscribe },
        } satisfies ExecutionArgs;
      },
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onNext(ctx) {
        const connection = ctx.extra as Connection;
        // Sends are awaited one by one, so this only grows with many subscriptions on one stuck socket.
        if (connection.socket.bufferedAmount > maxBufferedBytes) {
          dropSlowConsumer(
            connection.socket,
            connection.authenticated?.viewer.consumer ?? 'unknown',
            `slow consumer: ${connection.socket.bufferedAmount} bytes unsent`,
          );
        }
      },
      // Whatever still escapes (a bug) closes the socket with 4500: with a fixed reason, never the error's text.
      isProd: true,
    }),
    wss,
    keepAliveMs,
  );

  return {
    get size() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      const disposed = graphqlWs.dispose(); // 1001 Going away to every client, then waits for them to go
      // A client that does not answer the close handshake (one that stopped reading) is cut, not waited for.
      const cut = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, closeGraceMs);
      await disposed;
      clearTimeout(cut);
    },
  };
}
