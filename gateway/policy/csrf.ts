/**
 * CSRF prevention for browser clients, with @graphql-yoga/plugin-csrf-prevention.
 *
 * A browser sends some requests to another site without asking it first (no
 * CORS preflight): a GET without custom headers, and a POST of an HTML form
 * (content types application/x-www-form-urlencoded, multipart/form-data,
 * text/plain). The plugin refuses those unless they carry one of
 * CSRF_HEADERS, which a page can only add after a preflight that the
 * hub's CORS answers. Requests that are preflighted anyway pass: a POST with
 * `content-type: application/json` (curl, every GraphQL client, GraphiQL,
 * the dashboard), and anything with an Authorization header.
 *
 * The refusal is CSRF_REJECTED (HTTP 403) instead of the plugin's code-less
 * error; the plugin's check is used as it is.
 *
 * Not covered, on purpose: the SSE subscriptions gateway/transports/sse.ts serves
 * (Accept: text/event-stream only, e.g. a browser's EventSource, which cannot
 * send headers). A subscription only reads, a cross-site page cannot read the
 * stream without the hub's CORS consent, and the hub has no ambient
 * credentials (no cookies: keys travel in Authorization), so such a request
 * can do nothing on a victim's behalf.
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
    403,
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
