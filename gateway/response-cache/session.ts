/**
 * Whose cached answers a request may get: its session, and the one
 * authentication per request that both the cache and the context use.
 */
import type { Viewer } from '../../store/access.ts';
import { sha256Hex } from '../../store/consumers.ts';
import type { AuthenticateFrom } from '../policy/limits/index.ts';

/**
 * Everything about a viewer that changes what it may see: the consumer (id
 * and name), how it authenticated, its effective scopes (a JWT may narrow
 * those of its consumer, so two credentials of one consumer can differ) and
 * its unit subtree. Two requests share cached answers only when all of these
 * are equal; every anonymous development request has the same ones. A
 * fixed-length hash, so that no document text can be made to run into it.
 */
export function cacheSessionOf(viewer: Viewer): string {
  const parts = [viewer.consumerId, viewer.consumer, viewer.credential, [...viewer.scopes].sort(), viewer.unitCode];
  return sha256Hex(JSON.stringify(parts));
}

/**
 * `authenticate` run at most once per Request: the cache needs the viewer to
 * look an answer up before Yoga builds the context, and the context factory
 * then reuses it (a failure too: the same error, as before). Checking a
 * credential again later (a long subscription's recheck) must call the
 * original, not this.
 */
export function oncePerRequest(authenticate: AuthenticateFrom): AuthenticateFrom {
  const viewers = new WeakMap<Request, Promise<Viewer>>();
  return (request, req) => {
    let viewer = viewers.get(request);
    if (!viewer) {
      viewer = authenticate(request, req);
      viewers.set(request, viewer);
    }
    return viewer;
  };
}
