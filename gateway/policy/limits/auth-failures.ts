/**
 * Failed authentications per client address (AUTH_FAILURES_PER_MINUTE): each credential sent and refused
 * (UNAUTHENTICATED) counts one against its address's minute. Once they are used up, every request from the address
 * is refused with RATE_LIMITED (429, Retry-After) before its credential is checked, a valid one too, until the
 * minute ends: guessing keys or secrets costs the guesser its address, not the hub a store lookup per guess. The
 * address is the one the anonymous rate limit counts (TRUST_PROXY: X-Forwarded-For); the counters are the rate
 * limit's own kind (rate-limit.ts), in Redis with REDIS_URL. A request without a credential guesses nothing and
 * counts nothing (in production it is refused all the same).
 */
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Viewer } from '../../../store/access.ts';
import { clientAddress } from '../auth/audit-plugin.ts';
import { rateLimited, type MinuteCounter } from './rate-limit.ts';

/** The hub's authentication of a request, given the HTTP request (or WebSocket upgrade) under it: its address. */
export type AuthenticateFrom = (request: Request, req: IncomingMessage | undefined) => Promise<Viewer>;

export interface AuthFailureLimit {
  /** The refusal of the address of `req` while its failed authentications are used up, else null. */
  refusal(req: IncomingMessage | undefined): Promise<GraphQLError | null>;
  /** `authenticate`, refused first while the address is over its limit, its refusals counted. */
  guard(authenticate: (request: Request) => Promise<Viewer>): AuthenticateFrom;
}

const refusedCredential = (error: unknown, request: Request) =>
  error instanceof GraphQLError &&
  error.extensions.code === 'UNAUTHENTICATED' &&
  !!request.headers.get('authorization')?.trim();

/** `counter` null: no limit. Without a request under it (no address), an authentication is not counted. */
export function authFailureLimit(counter: MinuteCounter | null, trustProxy: boolean): AuthFailureLimit {
  const keyOf = (req: IncomingMessage | undefined) => {
    const address = clientAddress(req, trustProxy);
    return counter && address ? `address:${address}` : null;
  };
  async function refusal(req: IncomingMessage | undefined) {
    const key = keyOf(req);
    const seconds = key ? await counter!.usedUp(key) : null;
    if (seconds === null) return null;
    return rateLimited(
      `Rate limit exceeded: ${counter!.perMinute} failed authentications per minute from this address`,
      seconds,
      counter!.perMinute,
    );
  }
  return {
    refusal,
    guard: (authenticate) => async (request, req) => {
      const refused = await refusal(req);
      if (refused) throw refused;
      try {
        return await authenticate(request);
      } catch (error) {
        const key = keyOf(req);
        if (key && refusedCredential(error, request)) await counter!.take(key);
        throw error;
      }
    },
  };
}
