/**
 * Turns a request's credential into the consumer it acts as.
 *
 * `Authorization: Bearer <token>`: a token of three base64url segments is a
 * JWT (its `sub` names a registered consumer), anything else must be a hub API
 * key (`lgsp_<keyId>_<secret>`). No credential: the anonymous developer in
 * development mode, 401 in production. A bad credential is 401 in either
 * mode, never a silent fall back to anonymous. Nothing is cached: a revoked
 * key or consumer is refused from the next request on. A key refused is
 * refused in one message whatever the reason (an unknown key id, a wrong
 * secret, a key or consumer revoked): the reason goes to the log only.
 */
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ANONYMOUS_DEVELOPER, type Authenticate, type Scope, type Viewer } from '../../../store/access.ts';
import { checkApiKey, findConsumer, parseApiKey, sha256Hex, type Consumer } from '../../../store/consumers.ts';
import type { Queryable } from '../../../store/db.ts';
import type { Config } from '../../config.ts';
import { requestError } from '../../errors.ts';
import { CLOCK_TOLERANCE_SECONDS, createJwtVerifier, DEFAULT_JWT_CONSUMER_CLAIM, type JwtConfig } from './jwt.ts';

export type AuthConfig = Pick<Config, 'HUB_MODE'> & JwtConfig;

export interface Authenticator extends Authenticate {
  /** The same check for a bare `Authorization` value: graphql-ws connections carry it in connectionParams. */
  authenticateHeader(authorization: string | null | undefined): Promise<Viewer>;
}

/** The refusal of an API key that is well-formed but unknown, wrong or revoked (its consumer's too). */
export const API_KEY_REFUSED = 'the API key is not valid: unknown, wrong or revoked';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** 401 with RFC 6750's WWW-Authenticate; `error` is absent when no credential was sent at all. */
export function unauthenticated(message: string, { missing = false } = {}): GraphQLError {
  // RFC 6750: error_description is printable ASCII without " and \ (a JWT's subject may be anything).
  const description = message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
  const challenge = missing
    ? 'Bearer realm="lgsp-hub"'
    : `Bearer realm="lgsp-hub", error="invalid_token", error_description="${description}"`;
  return requestError('UNAUTHENTICATED', message, { headers: { 'www-authenticate': challenge } });
}

const viewerOf = (
  consumer: Consumer,
  credential: Viewer['credential'],
  { credentialId, expiresAt, scopes = consumer.scopes }: { credentialId: string; expiresAt?: Date; scopes?: Scope[] },
): Viewer => ({
  consumer: consumer.name,
  consumerId: consumer.id,
  credential,
  scopes: new Set(scopes),
  unitCode: consumer.unitCode,
  credentialId,
  ...(expiresAt ? { expiresAt } : {}),
});

/**
 * Names a JWT without keeping it: its SHA-256, shortened (64 bits tell the
 * tokens of one consumer apart; this is an identifier, not a secret check).
 */
export const jwtCredentialId = (token: string) => `jwt:${sha256Hex(token).slice(0, 16)}`;

export function createAuthenticator({
  db,
  config,
  logger,
}: {
  db: Queryable;
  config: AuthConfig;
  logger: Logger;
}): Authenticator {
  const verifyJwt = createJwtVerifier(config);

  async function withApiKey(token: string): Promise<Viewer> {
    const parsed = parseApiKey(token);
    if (!parsed) {
      throw unauthenticated('the bearer token is neither a hub API key (lgsp_<keyId>_<secret>) nor a JWT');
    }
    const check = await checkApiKey(db, parsed.keyId, parsed.secret);
    if (check.ok) return viewerOf(check.consumer, 'API_KEY', { credentialId: check.keyId });
    // One answer whatever the reason, so that no one learns which key ids exist or which are revoked; the log says.
    logger.info({ keyId: parsed.keyId, reason: check.reason, consumer: check.consumer?.name }, 'API key refused');
    throw unauthenticated(API_KEY_REFUSED);
  }

  async function withJwt(token: string): Promise<Viewer> {
    if (!verifyJwt) throw unauthenticated('JWTs are not accepted: the hub has no JWT key configured');
    const check = await verifyJwt(token);
    if (!check.ok) {
      if (check.unavailable) {
        logger.error({ reason: check.reason }, 'cannot verify a JWT');
        throw requestError('AUTH_UNAVAILABLE', 'the hub cannot verify JWTs at the moment; try again later');
      }
      logger.info({ reason: check.reason }, 'JWT refused');
      throw unauthenticated(check.reason);
    }
    const { scope, exp } = check.payload;
    const consumer = await findConsumer(db, check.consumer);
    if (!consumer) {
      const claim = config.JWT_CONSUMER_CLAIM ?? DEFAULT_JWT_CONSUMER_CLAIM;
      const named = claim === 'sub' ? 'subject' : `"${claim}" claim`;
      throw unauthenticated(`the JWT's ${named} ${JSON.stringify(check.consumer)} is not a registered consumer`);
    }
    if (consumer.revokedAt) throw unauthenticated(`consumer ${consumer.name} is revoked`);
    const credential = {
      credentialId: jwtCredentialId(token),
      // exp is required (jwt.ts). The instant the hub starts refusing the token, tolerance included: a long-lived
      // subscription ends then, and not before a new request with the same token would be refused.
      expiresAt: new Date((exp! + CLOCK_TOLERANCE_SECONDS) * 1000),
    };
    if (scope === undefined) return viewerOf(consumer, 'JWT', credential);
    if (typeof scope !== 'string') throw unauthenticated('the JWT\'s "scope" claim must be a space-separated string');
    // A token may narrow the consumer's scopes, never widen them.
    const asked = new Set(scope.split(/\s+/));
    return viewerOf(consumer, 'JWT', { ...credential, scopes: consumer.scopes.filter((s) => asked.has(s)) });
  }

  async function authenticateHeader(authorization: string | null | undefined): Promise<Viewer> {
    if (authorization == null || authorization.trim() === '') {
      if (config.HUB_MODE === 'development') return ANONYMOUS_DEVELOPER;
      throw unauthenticated('this hub runs in production mode: send "Authorization: Bearer <API key or JWT>"', {
        missing: true,
      });
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <API key or JWT>"');
    const token = match[1]!;
    return JWT_SHAPE.test(token) ? withJwt(token) : withApiKey(token);
  }

  const authenticate = (request: Request) => authenticateHeader(request.headers.get('authorization'));
  return Object.assign(authenticate, { authenticateHeader });
}
