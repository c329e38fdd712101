/**
 * A mock upstream's app as msw handlers, for tests that intercept fetch in
 * the process instead of starting servers. Everything under `baseUrl`,
 * admin endpoints and faults included, behaves as on the real server.
 */
import { http } from 'msw';
import type { MockApp } from './app.ts';

export function mswHandlers(app: MockApp, baseUrl: string) {
  return [http.all(`${baseUrl.replace(/\/+$/, '')}/*`, ({ request }) => app(request))];
}
