/**
 * The admin endpoints every mock upstream has, for tests and integrators:
 *
 * - `GET /__admin/state`: the simulated time, scale and seed.
 * - `POST /__admin/clock` `{"advanceSeconds": N}`: moves the shared world's
 *   clock forward; answers the new time.
 * - `GET /__admin/faults`: the active faults and the requests they hit.
 * - `POST /__admin/faults` (a FaultSpec): switches a fault on.
 * - `DELETE /__admin/faults`: switches all off and clears the log.
 *
 * Admin requests are never subject to faults. In the demo hub (gateway/main.ts)
 * a clock move also syncs the hub from the mocks (server.ts, syncOnClock), and the
 * answer says what each pass did.
 */
import { z } from 'zod';
import { formatIsoLocal } from '../common/wire.ts';
import type { MockWorld } from './world.ts';
import { faultSpec, type FaultController } from './faults.ts';
import { BadParameter, json, methodNotAllowed, notFound } from './http.ts';

export const ADMIN_PREFIX = '/__admin/';

const clockRequest = z.strictObject({
  advanceSeconds: z
    .number()
    .nonnegative()
    .max(10 * 366 * 86_400),
});

/** A JSON body checked by `schema`; a problem is a BadParameter naming the field (or `body`). */
async function readBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new BadParameter('body', 'the body must be JSON');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadParameter(issue.path.length ? issue.path.join('.') : 'body', issue.message);
}

function time(world: MockWorld, now = world.now()) {
  return { now: now.toISOString(), nowLocal: formatIsoLocal(now) };
}

export async function adminResponse(
  request: Request,
  url: URL,
  world: MockWorld,
  faults: FaultController,
): Promise<Response> {
  const route = `${request.method} ${url.pathname}`;
  switch (route) {
    case 'GET /__admin/state':
      return json({ ...time(world), scale: world.scale, seed: world.seed });
    case 'POST /__admin/clock': {
      const { advanceSeconds } = await readBody(request, clockRequest);
      return json(time(world, world.advance(advanceSeconds * 1000)));
    }
    case 'GET /__admin/faults':
      return json(faults.list());
    case 'POST /__admin/faults':
      return json(faults.add(await readBody(request, faultSpec)), { status: 201 });
    case 'DELETE /__admin/faults':
      return json({ cleared: faults.clear() });
  }
  if (url.pathname === '/__admin/faults') return methodNotAllowed('GET, POST, DELETE');
  if (url.pathname === '/__admin/state') return methodNotAllowed('GET');
  if (url.pathname === '/__admin/clock') return methodNotAllowed('POST');
  return notFound(url.pathname);
}
