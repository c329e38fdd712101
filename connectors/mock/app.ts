/**
 * What the three mock upstreams have in common: a fetch-style app that
 * routes the admin endpoints, answers unknown paths and bad parameters, and
 * applies faults around the endpoints, which only say what they serve and
 * which data faults they can inject.
 */
import type { MockWorld } from './world.ts';
import { ADMIN_PREFIX, adminResponse } from './admin.ts';
import {
  faultResponse,
  JSON_FAULTS,
  renameField,
  TRANSPORT_FAULTS,
  truncate,
  type FaultController,
  type FaultMode,
  type Injection,
} from './faults.ts';
import { BadParameter, badRequest, methodNotAllowed, notFound } from './http.ts';

export type MockApp = (request: Request) => Promise<Response>;

export interface Endpoint {
  format: 'json' | 'csv';
  /** The data faults this endpoint can inject, on top of the ones every endpoint takes. */
  dataFaults: readonly FaultMode[];
  /** The answer; throws BadParameter for a bad query. `injection` is the fault this request carries, if any. */
  serve(url: URL, injection: Injection | null): Response | Promise<Response>;
}

export function createMockApp(
  world: MockWorld,
  faults: FaultController,
  endpoints: Readonly<Record<string, Endpoint>>,
): MockApp {
  const supported = new Map(
    Object.entries(endpoints).map(([path, endpoint]) => [
      path,
      new Set([...TRANSPORT_FAULTS, ...(endpoint.format === 'json' ? JSON_FAULTS : []), ...endpoint.dataFaults]),
    ]),
  );

  return async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname.startsWith(ADMIN_PREFIX)) return await adminResponse(request, url, world, faults);
      const endpoint = Object.hasOwn(endpoints, url.pathname) ? endpoints[url.pathname] : undefined;
      if (!endpoint) return notFound(url.pathname);
      if (request.method !== 'GET') return methodNotAllowed('GET');
      const injection = faults.take(request, url, supported.get(url.pathname)!);
      const replaced = injection && (await faultResponse(injection, request.signal));
      if (replaced) return replaced;
      const response = await endpoint.serve(url, injection);
      // An endpoint that renames its records itself (noting each on the injection) lists the fault among its own.
      if (injection?.fault === 'renamed-field' && !endpoint.dataFaults.includes('renamed-field')) {
        return await renameField(response, url.pathname);
      }
      return injection?.fault === 'truncated' ? await truncate(response) : response;
    } catch (error) {
      if (error instanceof BadParameter) return badRequest(error);
      throw error;
    }
  };
}
