/**
 * The hub's refusals of a request, one shape everywhere: a GraphQL error with
 * `extensions.code` and the HTTP status (and headers) it is answered with,
 * the status taken from the registry (core/error-codes.ts).
 *
 * - Over HTTP, Yoga takes `extensions.http` off the error and onto the
 *   response; an answer the hub sends outside Yoga (sendGraphQLError) does
 *   the same by hand.
 * - graphql-ws sends errors as they are: over a WebSocket the HTTP status and
 *   headers, meaningless there, are taken off (withoutHttp, forTransport).
 */
import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { httpOf, hubError, type ErrorCode } from '../core/error-codes.ts';
import { countRefusalOn } from './observability/refusals.ts';
import { currentRequestId, maskErrorWithRequestId, requestIdOf } from './observability/request-id.ts';

/** How an error is answered over HTTP, as Yoga reads it from `extensions.http`. */
export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  /**
   * As the GraphQL-over-HTTP spec has it for request errors: the status for
   * application/graphql-response+json clients, 200 for application/json ones
   * (as Yoga answers validation errors).
   */
  spec?: boolean;
}

/**
 * A refusal of the request: `code`, the message, its HTTP answer from the registry, and any other extensions (the
 * limit …). `http` overrides the registry's answer for this one refusal: a status (a URL over the limit is 414), or
 * headers (Retry-After) merged over it.
 */
export function requestError(
  code: ErrorCode,
  message: string,
  http?: number | Partial<HttpAnswer>,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const override = typeof http === 'number' ? { status: http } : http;
  const answer: Partial<HttpAnswer> = { ...httpOf(code) };
  for (const [name, value] of Object.entries(override ?? {}))
    if (value !== undefined) Object.assign(answer, { [name]: value });
  if (answer.status === undefined) return hubError(code, message, extensions);
  return new GraphQLError(message, { extensions: { code, ...extensions, http: answer } });
}

/** The error without its HTTP status and headers, for transports that are not HTTP. */
export function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/**
 * An operation's refusal as its transport sends it: without HTTP details over
 * a WebSocket (gateway/transports/websocket.ts puts the `socket` in the context), as it
 * is over HTTP.
 */
export function forTransport(error: GraphQLError, context: unknown): GraphQLError {
  return (context as { socket?: unknown } | null)?.socket ? withoutHttp(error) : error;
}

/**
 * Answers a request outside Yoga with one GraphQL error, as Yoga would: `{"errors":[…]}`, the headers of its
 * `extensions.http`, which stays out of the body, and the request id (gateway/observability/request-id.ts) on it.
 * Counted in lgsp_graphql_refusals_total (gateway/observability/refusals.ts), as Yoga's refusals are.
 */
export function sendGraphQLError(res: ServerResponse, status: number, error: GraphQLError): void {
  const { http, ...extensions } = error.extensions as { http?: HttpAnswer };
  const body = JSON.stringify({
    errors: [
      { message: error.message, extensions: { ...extensions, requestId: currentRequestId() ?? requestIdOf(res) } },
    ],
  });
  res.writeHead(status, {
    ...http?.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
  countRefusalOn(res, (extensions as { code?: unknown }).code);
}

/** The most of a cause's message a development answer echoes (`extensions.originalError.message`). */
export const ECHO_MAX = 200;

const excerpt = (error: unknown): unknown => {
  const extensions = (error as { extensions?: { originalError?: { message?: unknown } } } | null)?.extensions;
  const message = extensions?.originalError?.message;
  if (typeof message !== 'string' || message.length <= ECHO_MAX) return error;
  const { originalError, ...rest } = extensions as { originalError: object };
  const cut = { ...originalError, message: `${message.slice(0, ECHO_MAX)}… (cut)` };
  return error instanceof GraphQLError
    ? new GraphQLError(error.message, { ...error, extensions: { ...rest, originalError: cut } })
    : { ...(error as object), extensions: { ...rest, originalError: cut } };
};

/**
 * In development Yoga puts an error's cause into `extensions.originalError`, and JSON.parse's cause quotes the
 * malformed body whole (60 KB sent, 60 KB answered): an excerpt only, for any client input a cause may quote.
 */
export function useNoEcho(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      const results = Array.isArray(result) ? result : [result];
      let cut = false;
      const trimmed = results.map((r) => {
        const errors = (r as { errors?: unknown[] } | null)?.errors;
        const excerpts = errors?.map(excerpt);
        if (!errors || excerpts!.every((e, i) => e === errors[i])) return r;
        cut = true;
        return { ...(r as object), errors: excerpts };
      });
      if (cut) setResult((Array.isArray(result) ? trimmed : trimmed[0]) as typeof result);
    },
  };
}

/** Whether the error was raised as a GraphQL error all the way down (Yoga's maskError leaves those unmasked). */
const raisedAsGraphQLError = (error: unknown): boolean =>
  error instanceof GraphQLError && (error.originalError == null || raisedAsGraphQLError(error.originalError));

/**
 * The hub's maskError (Yoga's `maskedErrors`, applied to every result over HTTP, SSE and WebSocket alike): graphql-js
 * reports a variable that does not coerce (a value not in its enum, a Date that is no day, a required one missing)
 * without a code, and a scalar's own check throws without one: such an error is BAD_USER_INPUT, so that every error
 * carries `extensions.code` (a literal that does not coerce fails validation: GRAPHQL_VALIDATION_FAILED). An
 * unexpected error is masked as Yoga does, with the request id.
 */
export function maskHubError(error: unknown, message: string, isDev?: boolean): Error {
  if (error instanceof GraphQLError && error.extensions.code === undefined && raisedAsGraphQLError(error)) {
    const { nodes, source, positions, path, originalError } = error;
    const extensions = { ...error.extensions, code: 'BAD_USER_INPUT' };
    return new GraphQLError(error.message, { nodes, source, positions, path, originalError, extensions });
  }
  return maskErrorWithRequestId(error, message, isDev);
}
