/**
 * Request ids on errors: every GraphQL error the hub sends carries `extensions.requestId`, the same as the
 * `x-request-id` response header and the `requestId` of every log line written while serving it (core/logger.ts
 * `requestScope`): a consumer who reports an error quotes it; the operator finds the request's log lines and trace by
 * it. No one hook sees every error, hence several stamps: the plugin's execute and subscribe hooks (every transport),
 * its onResultProcess (errors Yoga writes itself over HTTP), `maskErrorWithRequestId` (errors Yoga masks after every
 * plugin has run), `withOperationRequestIds` (WebSocket operations refused before they run), and
 * gateway/transports/sse/ for the answers the SSE transport writes itself (`requestIdOf`). An SSE subscription shared
 * by several connections is one execution: its events' errors carry the id of the request that opened it.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, maskError, type Plugin } from 'graphql-yoga';
import { requestScope } from '../../core/logger.ts';

/** The id of the request (HTTP request, WebSocket operation or sync pass) being served, if any. */
export const currentRequestId = (): string | undefined => requestScope.getStore()?.requestId;

/**
 * The id of the request a response answers (gateway/server.ts sets its x-request-id header first): for answers
 * written outside that request's scope, e.g. to each member of a shared SSE subscription.
 */
export function requestIdOf(res: ServerResponse): string | undefined {
  const header = res.getHeader('x-request-id');
  return typeof header === 'string' ? header : undefined;
}

/** A copy of the error with the request id among its extensions (the original may be shared: never mutated). */
export function withRequestId<E extends GraphQLError | Error>(error: E, requestId: string): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  if (error.extensions?.requestId === requestId) return error;
  const copy = new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, requestId },
  });
  // Yoga and graphql-tools read a schema coordinate off some errors.
  const coordinate = (error as { coordinate?: unknown }).coordinate;
  if (coordinate !== undefined) Object.defineProperty(copy, 'coordinate', { value: coordinate, enumerable: false });
  return copy;
}

export function resultWithRequestId<R extends ExecutionResult>(result: R, requestId: string | undefined): R {
  if (!requestId || !result?.errors?.length) return result;
  if (result.errors.every((error) => error.extensions?.requestId === requestId)) return result;
  return { ...result, errors: result.errors.map((error) => withRequestId(error, requestId)) };
}

/**
 * Yoga's own masking (an unexpected error becomes "Unexpected error." with code
 * INTERNAL_SERVER_ERROR, its cause logged), with the request id added: the
 * only handle a consumer has on what went wrong. Installed as createYoga's maskedErrors.maskError.
 */
export function maskErrorWithRequestId(error: unknown, message: string, isDev?: boolean): Error {
  const masked = maskError(error, message, isDev);
  const requestId = currentRequestId();
  if (masked === error || !requestId || !(masked instanceof GraphQLError)) return masked;
  // A masked error is new, and so are its extensions: safe to extend in place.
  (masked.extensions as Record<string, unknown>).requestId = requestId;
  return masked;
}

interface OperationHooks {
  onSubscribe?: (...args: any[]) => unknown;
  execute?: (args: ExecutionArgs) => unknown;
  subscribe?: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws server options in which each operation (subscribe message) is a
 * request of its own: a new id, in scope while the operation is prepared
 * (authentication, parsing, validation, context) and while it is executed or
 * subscribed to, so log lines carry it; the errors that refuse it carry it too.
 */
export function withOperationRequestIds<T extends OperationHooks>(options: T): T {
  // What onSubscribe returns is what graphql-ws hands to execute/subscribe: the id rides along with it.
  const ids = new WeakMap<object, string>();
  const inScope = (args: ExecutionArgs, run: () => unknown) => {
    const requestId = ids.get(args);
    return requestId ? requestScope.run({ requestId }, run) : run();
  };
  const { onSubscribe, execute, subscribe } = options;
  return {
    ...options,
    ...(onSubscribe && {
      onSubscribe: (...args: unknown[]) => {
        const requestId = randomUUID();
        return requestScope.run({ requestId }, async () => {
          const prepared = await onSubscribe(...args);
          if (Array.isArray(prepared)) return prepared.map((error: Error) => withRequestId(error, requestId));
          if (prepared && typeof prepared === 'object') ids.set(prepared, requestId);
          return prepared;
        });
      },
    }),
    ...(execute && { execute: (args: ExecutionArgs) => inScope(args, () => execute(args)) }),
    ...(subscribe && { subscribe: (args: ExecutionArgs) => inScope(args, () => subscribe(args)) }),
  };
}

type Processable = ExecutionResult | ExecutionResult[] | AsyncIterable<ExecutionResult>;

function processable(result: Processable, requestId: string): Processable {
  if (Array.isArray(result)) return result.map((one) => resultWithRequestId(one, requestId));
  if (isAsyncIterable(result)) return result; // a Yoga stream: its results went through the execute/subscribe hooks
  return resultWithRequestId(result, requestId);
}

/** Puts the request id on the errors of a result, or of each result of a stream (execute's and subscribe's hooks alike). */
function stampRequestId({ result, setResult }: { result: unknown; setResult(result: ExecutionResult): void }) {
  const requestId = currentRequestId();
  if (!requestId) return undefined;
  if (!isAsyncIterable(result)) {
    setResult(resultWithRequestId(result as ExecutionResult, requestId));
    return undefined;
  }
  return {
    onNext: ({ result: next, setResult: setNext }: { result: ExecutionResult; setResult(r: ExecutionResult): void }) =>
      setNext(resultWithRequestId(next, requestId)),
  };
}

/** The Yoga plugin: request ids on execution results and on every result Yoga sends over HTTP. */
export function useRequestIds(): Plugin {
  return {
    onExecute() {
      return { onExecuteDone: stampRequestId };
    },
    onSubscribe() {
      return { onSubscribeResult: stampRequestId };
    },
    // Errors Yoga writes itself (unparsable request, parse and validation errors, a refused credential, limits): the
    // last step before a response is serialised.
    onResultProcess({ result, setResult }) {
      const requestId = currentRequestId();
      if (requestId) setResult(processable(result as Processable, requestId) as typeof result);
    },
  };
}
