/**
 * JWTs, verified with `jose` against one configured key source: a JWKS URL
 * (keys fetched and cached by jose, refetched for an unknown `kid`), a PEM
 * public key, or a shared HS256 secret. The issuer, audience and expiry are
 * always checked, a token living longer than JWT_MAX_LIFETIME_SECONDS (its
 * exp beyond its iat, or beyond now) is refused, and only the algorithms of
 * the configured source are accepted, so `alg: none` and an HS256 token signed with a public key (the
 * classic algorithm confusion) are refused.
 */
import { createPublicKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWSAlgorithm,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyInput,
} from 'jose';

/** The JWT settings of the config (gateway/config.ts), named as there. */
export interface JwtConfig {
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_PUBLIC_KEY?: string | undefined;
  JWT_SECRET?: string | undefined;
  /** Default: DEFAULT_JWT_MAX_LIFETIME_SECONDS. */
  JWT_MAX_LIFETIME_SECONDS?: number | undefined;
  /** The claim naming the registered consumer. Default: DEFAULT_JWT_CONSUMER_CLAIM. */
  JWT_CONSUMER_CLAIM?: string | undefined;
}

/** The longest a JWT may live (JWT_MAX_LIFETIME_SECONDS): one day. */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 86_400;

/**
 * The claim naming the consumer (JWT_CONSUMER_CLAIM): `sub`. A province SSO's token for a person carries the
 * person in `sub` and the application in another claim (`azp`, `client_id` …), which the setting then names.
 */
export const DEFAULT_JWT_CONSUMER_CLAIM = 'sub';

/** Clocks of the issuer and the hub may differ a little. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The signature algorithm of a PEM public key (SPKI); null when it is none the hub accepts. */
export function jwtKeyAlgorithm(pem: string): 'RS256' | 'ES256' | 'EdDSA' | null {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType === 'rsa') return 'RS256';
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
    if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
    return null;
  } catch {
    return null;
  }
}

export type JwtCheck =
  /** `consumer`: the name the consumer claim carries. */
  | { ok: true; payload: JWTPayload; consumer: string }
  /** `unavailable`: the hub could not check the token (the JWKS cannot be fetched), not the token's fault. */
  | { ok: false; reason: string; unavailable?: boolean };

export type JwtVerifier = (token: string) => Promise<JwtCheck>;

/** A verifier for the configured key source; null when no JWT key source is configured. */
export function createJwtVerifier(config: JwtConfig): JwtVerifier | null {
  let key: KeyInput | JWTVerifyGetKey;
  let algorithms: JWSAlgorithm[];
  if (config.JWT_JWKS_URL) {
    key = createRemoteJWKSet(new URL(config.JWT_JWKS_URL));
    algorithms = ['RS256', 'ES256', 'EdDSA'];
  } else if (config.JWT_PUBLIC_KEY) {
    key = createPublicKey(config.JWT_PUBLIC_KEY);
    algorithms = [jwtKeyAlgorithm(config.JWT_PUBLIC_KEY)!];
  } else if (config.JWT_SECRET) {
    key = new TextEncoder().encode(config.JWT_SECRET);
    algorithms = ['HS256'];
  } else return null;
  if (!config.JWT_ISSUER || !config.JWT_AUDIENCE) throw new Error('JWT_ISSUER and JWT_AUDIENCE must be set');
  const consumerClaim = config.JWT_CONSUMER_CLAIM ?? DEFAULT_JWT_CONSUMER_CLAIM;
  const options = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp', consumerClaim],
  };

  const maxLifetime = config.JWT_MAX_LIFETIME_SECONDS ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;

  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, options);
      const tooLong = overlong(payload as JWTPayload & { exp: number }, maxLifetime);
      if (tooLong) return { ok: false, reason: tooLong };
      const consumer = payload[consumerClaim];
      if (typeof consumer !== 'string' || consumer === '') {
        return { ok: false, reason: `the JWT's "${consumerClaim}" claim must be a string naming a consumer` };
      }
      return { ok: true, payload, consumer };
    } catch (error) {
      return refusal(error, algorithms);
    }
  };
}

/**
 * Why a verified token lives too long, else null: its exp more than `max` seconds beyond its iat (when it has one),
 * or beyond now (the clock tolerance allowed). A stolen token is worth as long as it lives; exp is required.
 */
/** A NumericDate as an ISO instant; as it is when no Date can hold it (a token may say anything). */
function instant(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s after 1970` : date.toISOString();
}

function overlong({ exp, iat }: { exp: number; iat?: number | undefined }, max: number): string | null {
  const expires = instant(exp);
  if (typeof iat === 'number' && exp - iat > max)
    return `the JWT lives too long: exp (${expires}) is ${exp - iat} s after iat, over the limit of ${max} s`;
  const now = Math.floor(Date.now() / 1000);
  if (exp - now > max + CLOCK_TOLERANCE_SECONDS)
    return `the JWT lives too long: exp (${expires}) is ${exp - now} s from now, over the limit of ${max} s`;
  return null;
}

/** What was wrong with a token, in words a client's developer can act on; never the token itself. */
function refusal(error: unknown, algorithms: readonly string[]): JwtCheck & { ok: false } {
  if (error instanceof errors.JWTExpired) {
    const exp = error.payload.exp;
    return {
      ok: false,
      reason: `the JWT expired${typeof exp === 'number' ? ` at ${instant(exp)}` : ''}`,
    };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return { ok: false, reason: `the JWT has no "${error.claim}" claim` };
    if (error.claim === 'aud') return { ok: false, reason: 'the JWT is for another audience (aud)' };
    if (error.claim === 'iss') return { ok: false, reason: 'the JWT is from another issuer (iss)' };
    if (error.claim === 'nbf') return { ok: false, reason: 'the JWT is not valid yet (nbf)' };
    return { ok: false, reason: `the JWT's "${error.claim}" claim is invalid` };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { ok: false, reason: `the JWT's signature algorithm is not accepted (accepted: ${algorithms.join(', ')})` };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { ok: false, reason: 'the JWT signature is invalid' };
  if (error instanceof errors.JWKSNoMatchingKey) return { ok: false, reason: 'no key of the JWKS matches the JWT' };
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return { ok: false, reason: `the JWT is malformed or unsupported (${error.message})` };
  }
  // The JWKS could not be fetched or read: the hub cannot check the token, which may well be good.
  return { ok: false, unavailable: true, reason: `the JWT cannot be checked now: ${(error as Error).message}` };
}
