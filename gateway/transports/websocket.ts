/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the hub's own port and path, /graphql.
 * - The credential (connectionParams.authorization, else the upgrade's Authorization header) is checked at
 *   connection_init (a refusal closes with 4403 and the reason; an address over its failed authentications is
 *   refused at the upgrade already, 429), and every operation is admitted again as a new
 *   HTTP request would be (gateway/policy/admission.ts): a key revoked meanwhile stops the next operation.
 * - A refusal before an operation runs is an `error` message for its id, not a closed socket; RATE_LIMITED is the
 *   operation's result, as over HTTP. Protocol errors close with the protocol's codes (4400, 4409, 4429 …).
 * - A subscriber over LIVE_QUEUE_MAX events or maxBufferedBytes behind is closed with 4499; close() sends 1001.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Viewer } from '../../store/access.ts';
import { hubError } from '../../core/error-codes.ts';
import type { Logger } from '../../core/logger.ts';
import { currentRequestId, resultWithRequestId, withOperationRequestIds } from '../observability/request-id.ts';
import type { Admission, Checked } from '../policy/admission.ts';
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
  /**
   * The hub's admission: the largest message (MAX_BODY_BYTES; a larger one closes the socket, 1009), and each
   * operation's credential, trusted document and rate limit.
   */
  admission: Admission;
  logger: Logger;
  /** True while the hub shuts down: upgrades are refused. */
  draining(): boolean;
  path?: string;
  keepAliveMs?: number;
  /** Unsent bytes a socket may hold before it is dropped as a slow consumer. */
  maxBufferedBytes?: number;
  /** How long close() waits for clients to answer 1001 before cutting them. */
  closeGraceMs?: number;
}

export interface WebSocketTransport {
  /** Open sockets. */
  readonly size: number;
  /** Closes every socket with 1001 going away and stops accepting. */
  close(): Promise<void>;
}

/** An operation parsed and validated: Yoga's initial context (the viewer goes in once admitted) and enveloped. */
interface Run {
  initial: Partial<WebSocketContext> & Record<string, unknown>;
  enveloped: ReturnType<YogaServerInstance<any, any>['getEnveloped']>;
  document: DocumentNode;
}

interface Connection extends Extra {
  /** The connection's credential (connection_init), and the viewer of its last operation. */
  authenticated?: { connectionParams: Record<string, unknown> | undefined; viewer: Viewer };
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
    return withoutHttp(hubError('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
  };
}

function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}) {
  const more = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\n${more.join('')}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export function attachWebSocket({
  server,
  yoga,
  admission,
  logger,
  draining,
  path = '/graphql',
  keepAliveMs = 12_000,
  maxBufferedBytes = 4 * 1024 * 1024,
  closeGraceMs = 2_000,
}: WebSocketOptions): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: admission.maxMessageBytes });
  const unexpected = unexpectedError(logger);

  function dropSlowConsumer(socket: WebSocket, consumer: string, reason: string) {
    if (socket.readyState !== socket.OPEN) return;
    logger.warn({ consumer, reason, bufferedBytes: socket.bufferedAmount }, 'WebSocket closed: slow consumer');
    socket.close(SLOW_CONSUMER_CLOSE_CODE, closeReason(reason));
  }

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (draining()) return refuseUpgrade(socket, 503, 'Service Unavailable');
    // An address over its failed authentications gets the 429 an HTTP request would, before any connection_init.
    // Meanwhile the socket has no error listener of node:http's any more, nor yet one of ws's: a reset would throw.
    const ignore = () => {};
    socket.on('error', ignore);
    const throttled = await admission.refuseFailingAddress(request);
    if (throttled) {
      const { headers } = throttled.extensions.http as { headers: Record<string, string> };
      return refuseUpgrade(socket, 429, 'Too Many Requests', headers);
    }
    socket.off('error', ignore);
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  /** A refusal before the operation runs, as graphql-ws sends it (an `error` message): less its HTTP details. */
  function refusal(stage: 'credential' | 'document', error: unknown): GraphQLError[] {
    if (error instanceof GraphQLError) return [withoutHttp(error)];
    if (stage === 'document') return [unexpected(error)];
    logger.error({ err: error }, 'WebSocket authentication failed');
    return [withoutHttp(hubError('UNAUTHENTICATED', 'authentication failed'))];
  }

  const graphqlWs = useServer<Record<string, unknown>, { authenticated?: Connection['authenticated'] }>(
    // Each operation is a request of its own: an id on its log lines and errors (gateway/observability/request-id.ts).
    withOperationRequestIds({
      async onConnect(ctx) {
        const connection = ctx.extra as Connection;
        const request = upgradeRequest(connection.request, ctx.connectionParams);
        try {
          const viewer = await admission.authenticate(request, connection.request);
          connection.authenticated = { connectionParams: ctx.connectionParams, viewer };
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
        const socket = connection.socket;
        // A Request of its own: the credential is checked again for each operation (it may have been revoked, or
        // the JWT expired, since connection_init), and the operation counted once.
        const request = upgradeRequest(connection.request, connection.authenticated!.connectionParams);
        const decision = await admission.admit({
          request,
          req: connection.request,
          params: payload,
          check(query): Checked<Run, readonly GraphQLError[]> {
            const initial: Run['initial'] = {
              request,
              req: connection.request,
              params: { ...payload, query },
              socket,
              connectionParams: ctx.connectionParams,
            };
            const enveloped = yoga.getEnveloped(initial);
            let document: DocumentNode;
            try {
              document = enveloped.parse(query);
            } catch (error) {
              return { answer: [error instanceof GraphQLError ? error : unexpected(error)] };
            }
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length > 0) return { answer: errors };
            return { run: { initial, enveloped, document } };
          },
        });
        if (decision.outcome === 'answered') return decision.answer;
        if (decision.outcome === 'refused' && decision.stage !== 'rate') return refusal(decision.stage, decision.error);
        if (decision.outcome === 'refused') {
          // Over the rate limit: the operation's result (a `next`, then `complete`), as where it runs over HTTP.
          const { error, run } = decision;
          const refused = (): ExecutionResult =>
            resultWithRequestId({ errors: [withoutHttp(error)] }, currentRequestId());
          const { schema } = run.enveloped;
          const { operationName } = payload;
          return { schema, document: run.document, operationName, rootValue: { execute: refused, subscribe: refused } };
        }
        const { viewer, run } = decision;
        connection.authenticated = { ...connection.authenticated!, viewer };
        const { initial, enveloped, document } = run;
        initial.viewer = viewer;
        initial.dropLive = (reason: string) => dropSlowConsumer(socket, viewer.consumer, reason);
        const { schema, execute, subscribe, contextFactory } = enveloped;
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
