/**
 * A refused SSE subscription (401, 403, 429, a validation or coercion error …: a result that is no stream), as
 * graphql-sse can read it. Over a POST it is an accepted stream, 200, its errors in a `next` then `complete`, as the
 * GraphQL over SSE protocol asks of errors found before execution (graphql-sse's PROTOCOL.md): graphql-sse, which
 * POSTs, reads any other status as a bare network error, and retries it. Over a GET (an EventSource, which cannot
 * POST) it keeps its own status, on which an EventSource gives up rather than reconnecting for ever. Headers
 * (WWW-Authenticate, Retry-After) are kept either way. The transport's own answers and Yoga's SSE answers alike.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { acceptsOnlyEventStream } from './yoga-mirror.ts';

export const refusalStatus = (method: string | undefined, status: number): number => (method === 'POST' ? 200 : status);

/** The error without the HTTP status Yoga would answer it with; its headers stay. */
function withoutStatus(error: GraphQLError): GraphQLError {
  const http = error.extensions.http as { headers?: Record<string, string> } | undefined;
  if (!http) return error;
  const { nodes, source, positions, path, originalError } = error;
  const extensions = { ...error.extensions, http: http.headers ? { headers: http.headers } : undefined };
  return new GraphQLError(error.message, { nodes, source, positions, path, originalError, extensions });
}

/** Yoga's SSE answers to a POST (the requests this transport hands it) refuse as refusalStatus says. */
export function useAcceptedSseRefusals(): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (request.method !== 'POST' || !acceptsOnlyEventStream(request.headers.get('accept') ?? undefined)) return;
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      const { errors } = result as ExecutionResult;
      if (!errors?.length) return;
      setResult({ ...result, errors: errors.map(withoutStatus) } as typeof result);
    },
  };
}
