/**
 * CSRF prevention for browser clients: @graphql-yoga/plugin-csrf-prevention's check used as it is, refusing with
 * CSRF_REJECTED (HTTP 403) instead of its code-less error. A browser sends a GET without custom headers, or a POST
 * typed as an HTML form, to another site without a CORS preflight: those are refused unless they carry one of
 * CSRF_HEADERS, which a page can only add after a preflight the hub's CORS answers. A POST of application/json (every
 * GraphQL client, GraphiQL, the dashboard) is preflighted anyway and passes. Not covered, on purpose: the SSE
 * subscriptions of gateway/transports/sse/ (a browser's EventSource cannot send headers). A subscription only reads,
 * a cross-site page cannot read the stream without the hub's CORS consent, and the hub has no ambient credentials (no
 * cookies: keys travel in Authorization), so such a request can do nothing on a victim's behalf.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../errors.ts';

/** Headers that make a request one a browser preflights; any one of them lets a GET or form-typed POST through. */
export const CSRF_HEADERS = [
  'authorization',
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

export function csrfRejected(requestHeaders: readonly string[] = CSRF_HEADERS) {
  return requestError(
    'CSRF_REJECTED',
    'Refused as a possible cross-site request forgery (CSRF): a GET, or a POST typed as an HTML form ' +
      '(application/x-www-form-urlencoded, multipart/form-data, text/plain), must carry one of the headers ' +
      `${requestHeaders.join(', ')}. GraphQL clients POST with content-type application/json, which needs none.`,
  );
}

export function useCsrfPrevention<Context extends Record<string, any>>(
  requestHeaders: readonly string[] = CSRF_HEADERS,
): Plugin<Context> {
  const check = useCSRFPrevention({ requestHeaders: [...requestHeaders] }).onRequestParse!;
  return {
    onRequestParse(payload) {
      try {
        return check(payload as Parameters<typeof check>[0]);
      } catch {
        throw csrfRejected(requestHeaders);
      }
    },
  };
}
