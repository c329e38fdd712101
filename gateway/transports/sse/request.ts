/**
 * An SSE request as the transport reads it: whether it is one of its own, its GraphQL parameters (by Yoga's rules,
 * yoga-mirror.ts), the fetch Request the credential and Yoga's context are built from, and the way back to Yoga
 * for anything it does not serve.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { YogaServerInstance } from 'graphql-yoga';
import { requestedDocumentId } from '../../policy/documents/policy.ts';
import { acceptedParams, acceptsOnlyEventStream, isJsonContentType, PARAM_NAMES } from './yoga-mirror.ts';

/** GraphQL parameters as a request gives them: a trusted document's id may stand for the text. */
export interface RequestParams {
  query?: string | null;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
  documentId?: string | null;
}

/** Whether the request is an SSE subscription request this transport may serve: else it is Yoga's. */
export function isSseRequest(req: IncomingMessage, path: string): boolean {
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname !== path || (req.method !== 'GET' && req.method !== 'POST')) return false;
  if (!acceptsOnlyEventStream(req.headers.accept)) return false;
  return req.method === 'GET' || isJsonContentType(req.headers['content-type']);
}

/** A request's headers as a fetch Headers. */
export function fetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  } catch {
    return new URL(req.url ?? '/', 'http://localhost');
  }
}

const paramsOf = (source: Record<string, unknown>) =>
  acceptedParams(source, requestedDocumentId(source) !== null) as RequestParams | null;

/** The parameters of a JSON body, or null when Yoga should judge them. */
export function bodyParams(body: Buffer<ArrayBuffer>): RequestParams | null {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? paramsOf(parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The parameters of a GET's query string, or null when Yoga should judge them. */
export function urlParams(url: URL): RequestParams | null {
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

/** The request as a fetch Request (with the body already read), or null when fetch refuses its headers. */
export function fetchRequest(req: IncomingMessage, url: URL, body: Buffer<ArrayBuffer> | undefined): Request | null {
  try {
    return new Request(url, { method: req.method, headers: fetchHeaders(req), ...(body ? { body } : {}) });
  } catch {
    return null;
  }
}

/** Hands the request to Yoga: as it came (GET, body unread), or rebuilt from the body already read. */
export async function toYoga(
  // Yoga's server and user context types are the hub's business: this calls handle and fetch.
  yoga: YogaServerInstance<any, any>,
  req: IncomingMessage,
  res: ServerResponse,
  body?: Buffer<ArrayBuffer>,
) {
  if (!body) return yoga.handle(req, res);
  const request = new Request(requestUrl(req), { method: req.method, headers: fetchHeaders(req), body });
  const response: Response = await yoga.fetch(request, { req, res });
  await sendNodeResponse(response, res, req, false);
}
