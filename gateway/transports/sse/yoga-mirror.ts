/**
 * What the SSE transport copies from graphql-yoga 5.24.1, which does not export it, so that its answers are Yoga's
 * byte for byte. Mirrored (graphql-yoga/esm/…):
 * - error.js: getResponseInitByRespectingErrors, isOriginalGraphQLError, handleError (status, headers, masking);
 * - plugins/result-processor/sse.js: getSSEProcessor (headers, opening comment, frames, keep-alive interval);
 * - plugins/result-processor/stringify.js: omitInternalsFromResultErrors, omitInternalsFromError;
 * - plugins/result-processor/accept.js: getMediaTypesForRequestInOrder, isMatchingMediaType;
 * - plugins/use-result-processor.js: useResultProcessors, multipart, regular (which processor answers);
 * - plugins/request-parser: post-json.js isPOSTJsonRequest, utils.js isContentTypeMatch (what a JSON POST is);
 * - plugins/request-validation/use-check-graphql-query-params.js: checkGraphQLQueryParams, assertInvalidParams,
 *   expectedParameters (which parameters Yoga accepts).
 * tests/unit/yoga-mirror.test.ts fails when an upgrade changes any of them: re-check this file against them.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { maskError } from 'graphql-yoga';
import type { Logger } from '../../../core/logger.ts';

/** The version mirrored, and a SHA-256 of each mirrored function's source text (tests/unit/yoga-mirror.test.ts). */
export const MIRRORED_YOGA = {
  version: '5.24.1',
  /** File (under node_modules/graphql-yoga/) → function or constant → SHA-256 of its source text. */
  sources: {
    'esm/error.js': {
      getResponseInitByRespectingErrors: 'eb7269be79a51a2e6385461dc87ce10ddb9d653dcc451526fb8ea84f201cc0d8',
      isOriginalGraphQLError: '202febef36e9f5ab7863b31e6d560ebf3203f25ea5c068e277b7102cab41722c',
      handleError: '636c2526b38b7e75c131c072dab2faa1793cbb4c66f73123e0327f116a5459cf',
    },
    'esm/plugins/result-processor/sse.js': {
      getSSEProcessor: 'a536653f9ceccd1a612034689ee997442a4c4f6b4a615dc34321c90ae7302a48',
    },
    'esm/plugins/result-processor/stringify.js': {
      omitInternalsFromResultErrors: '2c2df2df03c0028822e4999662a533ca145de81ff43b5ea2c946b94eaeba4a13',
      omitInternalsFromError: '68a400fb66108e3a8e70fb84e6e6c06d1cf8352026ada7174e267de3b213fbc0',
    },
    'esm/plugins/result-processor/accept.js': {
      getMediaTypesForRequestInOrder: '5733e6e68e15eec0597e2473a6905ae833509fdbce0a38aea31a10d9f073b8a7',
      isMatchingMediaType: '1398c4b919ab22770ac74896d5ce2b0f4ab99485a748b27ccc2576b08cade202',
    },
    'esm/plugins/use-result-processor.js': {
      useResultProcessors: '8e2a4917cae7f7becfbcd90b7d25ab3240a5c28a80512b0def6d90f5dac8d94e',
      multipart: 'b7028379ef9b527e24c5c6fe5fb1c841787c9709261d2e607d33b2c523730e50',
      regular: '2ba7fc07387f0c967fedd45c3d4a665f8666a903bf0aed904cb62df1928022c6',
    },
    'esm/plugins/request-parser/post-json.js': {
      isPOSTJsonRequest: '5236a43433d271c5521624f2fcab4224526421fc98687dcde30b93ea91794ae1',
    },
    'esm/plugins/request-parser/utils.js': {
      isContentTypeMatch: 'bfe8e53de78678f4d2ede9712f72a5bac842f44c1be409ba9470015a963c303b',
    },
    'esm/plugins/request-validation/use-check-graphql-query-params.js': {
      checkGraphQLQueryParams: '5f8c4ba1b4a536378ee5925f778d82a3e353609b4d71dd923614b530acf16d13',
      assertInvalidParams: '301195137a4f22b213d03e281c62e11d40f3b943fba251d427b8ca55cfd75a19',
      expectedParameters: '16916b19f5cd843804b4428d086fbd20aed96e2ab18e0973c53d75677fe10f04',
    },
  },
} as const;

/** getSSEProcessor's headers, opening comment (also the keep-alive ping) and last frame. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  Connection: 'keep-alive',
  'Cache-Control': 'no-cache',
  'Content-Encoding': 'none',
};
export const PING = Buffer.from(':\n\n');
export const COMPLETE = Buffer.from('event: complete\ndata:\n\n');
/** getSSEProcessor's keep-alive interval: 12 s, 300 ms when NODE_ENV=test. */
export const defaultKeepAliveMs = () => (process.env.NODE_ENV === 'test' ? 300 : 12_000);

/**
 * Whether the Accept header asks for SSE and for nothing else Yoga could answer with (useResultProcessors' lists:
 * any other match would be answered by another processor, or chosen among them by Yoga).
 */
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

/** A POST whose body Yoga parses as JSON (isPOSTJsonRequest). */
export const isJsonContentType = (contentType: string | undefined) =>
  /^application\/(graphql\+)?json\b/i.test(contentType ?? '');

/** The parameters Yoga's checkGraphQLQueryParams lets through, `documentId` among them. */
export const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions', 'documentId']);

/**
 * The parameters when Yoga would accept them as they are (`query` may be absent when `namesId`: a trusted
 * document's id stands for it), else null: Yoga should judge them, and answer.
 */
export function acceptedParams(source: Record<string, unknown>, namesId: boolean): Record<string, unknown> | null {
  for (const name of Object.keys(source)) if (!PARAM_NAMES.has(name)) return null;
  const { query, variables, operationName, extensions, documentId } = source;
  const objectOrNull = (value: unknown) => value == null || (typeof value === 'object' && !Array.isArray(value));
  if (!objectOrNull(variables) || !objectOrNull(extensions)) return null;
  if (typeof query !== 'string' && !(query == null && namesId)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (documentId != null && typeof documentId !== 'string') return null;
  return source;
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

/** One result as getSSEProcessor frames it. */
export const nextFrame = (result: ExecutionResult) => Buffer.from(`event: next\ndata: ${stringifyResult(result)}\n\n`);

function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null ? true : isOriginalGraphQLError(error.originalError);
}

/** Status and headers of a result's SSE response (getResponseInitByRespectingErrors, as getSSEProcessor calls it). */
export function responseInit(result: ExecutionResult): { status: number; headers: Record<string, string> } {
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

/** A thrown error as Yoga turns it into a result (handleError): masked unless it is a GraphQL error of ours. */
export function errorResult(error: unknown, logger: Logger): ExecutionResult {
  const masked = maskError(error, 'Unexpected error.', process.env.NODE_ENV === 'development');
  if (masked !== error) logger.error({ err: error }, 'SSE subscription failed');
  return { errors: [masked instanceof GraphQLError ? masked : new GraphQLError((masked as Error).message)] };
}
