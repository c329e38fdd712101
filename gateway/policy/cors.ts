/**
 * Which web pages may read the hub's answers (CORS). The hub has no ambient credentials (keys travel in
 * Authorization, no cookies), so CORS does not protect a consumer's data from a page that lacks its key; it decides
 * which origins' pages a browser lets read answers and send the preflighted requests GraphQL clients make (JSON
 * POSTs, Authorization).
 */
import type { CORSOptions } from '@whatwg-node/server';

/** Headers a browser page may read from an answer: the request id to quote, rate-limit and cache outcomes. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-response-cache', 'traceparent'];

export type { CORSOptions };

/**
 * CORS_ORIGINS set: exactly those origins (`*`: any), without credentials (there are none to send). Unset in
 * development: any origin, as Yoga's default (GraphiQL, a frontend on localhost:5173). Unset in production: no
 * cross-origin page at all (the dashboard, served by the hub, is same-origin); a province lists its portals' origins.
 */
export function corsPolicy(mode: 'development' | 'production', origins: readonly string[] | undefined): CORSOptions {
  if (!origins) return mode === 'production' ? false : { exposedHeaders: EXPOSED_HEADERS };
  return {
    origin: origins.includes('*') ? ['*'] : [...origins],
    credentials: false,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
}
