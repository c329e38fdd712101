/**
 * Credentials through a real hub (HTTP on a loopback socket, the real store):
 * API keys, JWTs from each kind of key source, revocation taking effect at the
 * next request, and the two modes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import lockfile from 'proper-lockfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_ANONYMOUS_SCOPES, type Viewer } from '../../store/access.ts';
import { createConsumer, issueApiKey, revokeApiKey, revokeConsumer } from '../../store/consumers.ts';
import type { Context } from '../../schema/index.ts';
import { API_KEY_REFUSED, createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import {
  DEVELOPMENT_CONSUMER,
  issueDevelopmentCredential,
  retireDevelopmentCredentials,
} from '../../gateway/policy/auth/development.ts';
import { loadConfig } from '../../gateway/config.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const logger = pino({ level: 'silent' });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ISSUER = 'https://sso.example.gov.vn';
const AUDIENCE = 'lgsp-hub';

/** The viewer each executed request acted as, observed from inside the hub. */
function viewerProbe() {
  const seen: Viewer[] = [];
  const plugin: Plugin<Context> = {
    onExecute({ args }) {
      seen.push(args.contextValue.viewer);
    },
  };
  return { seen, plugin };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(testBackends)('credentials on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;
  let production: TestHub;
  const probe = viewerProbe();
  let es256: Awaited<ReturnType<typeof generateKeyPair>>;
  let iocKey: { keyId: string; apiKey: string };

  /**
   * POSTs `{ __typename }` with the given Authorization header (and request id, when given); the status, challenge,
   * headers, body and viewer seen.
   */
  async function call(target: TestHub, authorization?: string, requestId?: string) {
    const before = probe.seen.length;
    const response = await fetch(`${target.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(authorization ? { authorization } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: any }[] };
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      headers: Object.fromEntries([...response.headers].filter(([name]) => name !== 'date')),
      text,
      body,
      viewer: probe.seen.length > before ? probe.seen.at(-1)! : null,
    };
  }

  const jwt = (claims: JWTPayload, { exp = '5m' as string | number, iss = ISSUER, aud = AUDIENCE } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(es256.privateKey);

  beforeAll(async () => {
    store = await openTestStore(backend);
    es256 = await generateKeyPair('ES256', { extractable: true });
    await createConsumer(store.db, { name: 'ioc', scopes: ['read:aggregates', 'read:dossiers', 'read:pii'] });
    await createConsumer(store.db, {
      name: 'yen-the-portal',
      scopes: ['read:dossiers'],
      unitCode: '000.00.12.H40',
      description: 'the district portal',
    });
    iocKey = await issueApiKey(store.db, 'ioc');
    const env = {
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_PUBLIC_KEY: await exportSPKI(es256.publicKey),
    };
    const development = createAuthenticator({ db: store.db, config: loadConfig(env), logger });
    const strict = createAuthenticator({
      db: store.db,
      config: loadConfig({ ...env, HUB_MODE: 'production' }),
      logger,
    });
    hub = await startTestHub(store.db, { authenticate: development, plugins: [probe.plugin] });
    production = await startTestHub(store.db, { authenticate: strict, plugins: [probe.plugin] });
  });

  afterAll(async () => {
    await hub?.hub.stop();
    await production?.hub.stop();
    await store?.dispose();
  });

  it('acts as the consumer of a valid API key, with its scopes and unit, and notes when the key was used', async () => {
    const answer = await call(hub, `Bearer ${iocKey.apiKey}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
    // The key's id names the credential (an SSE stream is shared per credential); a key does not expire.
    expect(answer.viewer).toMatchObject({
      consumer: 'ioc',
      credential: 'API_KEY',
      unitCode: null,
      credentialId: iocKey.keyId,
    });
    expect(answer.viewer!.expiresAt).toBeUndefined();
    expect([...answer.viewer!.scopes].sort()).toEqual(['read:aggregates', 'read:dossiers', 'read:pii']);

    const portal = await issueApiKey(store.db, 'yen-the-portal');
    const scoped = await call(hub, `bearer ${portal.apiKey}`); // the scheme is case-insensitive
    expect(scoped.viewer).toMatchObject({ consumer: 'yen-the-portal', unitCode: '000.00.12.H40' });
    expect([...scoped.viewer!.scopes]).toEqual(['read:dossiers']);

    const [row] = await store.db.query<{ lastUsedAt: Date | null; secret: string }>(
      'SELECT last_used_at AS "lastUsedAt", secret_sha256 AS secret FROM api_keys WHERE key_id = $1',
      [iocKey.keyId],
    );
    expect(row!.lastUsedAt).toBeInstanceOf(Date);
    // Only the hash of the secret is stored.
    expect(iocKey.apiKey).not.toContain(row!.secret);
    expect(row!.secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a wrong secret', () => `Bearer lgsp_${iocKey.keyId}_${'A'.repeat(43)}`, API_KEY_REFUSED],
    ['an unknown key id', () => `Bearer lgsp_0123456789abcdef_${'A'.repeat(43)}`, API_KEY_REFUSED],
    ['a token that is neither key nor JWT', () => 'Bearer let-me-in', 'neither a hub API key'],
    ['another scheme', () => `Basic ${Buffer.from('ioc:secret').toString('base64')}`, 'must be "Bearer'],
  ])('refuses %s with 401, even in development mode', async (_what, header, message) => {
    const answer = await call(hub, header());
    expect(answer.status).toBe(401);
    expect(answer.viewer).toBeNull();
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]?.message).toContain(message);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(answer.challenge).toMatch(/^Bearer realm="lgsp-hub", error="invalid_token", error_description="/);
    // No secret is echoed back.
    expect(JSON.stringify(answer.body)).not.toContain('A'.repeat(43));
  });

  it('refuses a revoked key from the next request on, while the hub runs', async () => {
    const key = await issueApiKey(store.db, 'ioc');
    expect((await call(hub, `Bearer ${key.apiKey}`)).status).toBe(200);
    await revokeApiKey(store.db, key.keyId);
    const refused = await call(hub, `Bearer ${key.apiKey}`);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe(API_KEY_REFUSED);
    // The consumer's other key still works.
    expect((await call(hub, `Bearer ${iocKey.apiKey}`)).status).toBe(200);
  });

  it('refuses every credential of a revoked consumer from the next request on', async () => {
    await createConsumer(store.db, { name: 'old-integrator', scopes: ['read:finance'] });
    const key = await issueApiKey(store.db, 'old-integrator');
    const token = await jwt({ sub: 'old-integrator' });
    expect((await call(hub, `Bearer ${key.apiKey}`)).status).toBe(200);
    expect((await call(hub, `Bearer ${token}`)).status).toBe(200);
    await revokeConsumer(store.db, 'old-integrator');
    const refused = [await call(hub, `Bearer ${key.apiKey}`), await call(hub, `Bearer ${token}`)];
    expect(refused.map((answer) => answer.status)).toEqual([401, 401]);
    // A key says nothing of why; a JWT, signed by the issuer, names its subject already.
    expect(refused.map((answer) => answer.body.errors?.[0]?.message)).toEqual([
      API_KEY_REFUSED,
      'consumer old-integrator is revoked',
    ]);
  });

  it('refuses an unknown key, a wrong secret and a revoked key or consumer with the same answer', async () => {
    await createConsumer(store.db, { name: 'gone-integrator', scopes: ['read:aggregates'] });
    const ofGone = await issueApiKey(store.db, 'gone-integrator');
    await revokeConsumer(store.db, 'gone-integrator');
    const revoked = await issueApiKey(store.db, 'ioc');
    await revokeApiKey(store.db, revoked.keyId);
    const attempts = {
      'unknown key': `Bearer lgsp_0123456789abcdef_${'B'.repeat(43)}`,
      'wrong secret': `Bearer lgsp_${iocKey.keyId}_${'A'.repeat(43)}`,
      'revoked key': `Bearer ${revoked.apiKey}`,
      'revoked consumer': `Bearer ${ofGone.apiKey}`,
    };
    const answers = [];
    // One request id for all, so that the bodies can be compared whole.
    for (const header of Object.values(attempts)) answers.push(await call(hub, header, 'same-request-id'));
    const [first, ...others] = answers.map(({ status, headers, text }) => ({ status, headers, text }));
    expect(first!.status).toBe(401);
    expect(JSON.parse(first!.text).errors[0].message).toBe(API_KEY_REFUSED);
    expect(first!.headers['www-authenticate']).toBe(
      `Bearer realm="lgsp-hub", error="invalid_token", error_description="${API_KEY_REFUSED}"`,
    );
    for (const other of others) expect(other).toEqual(first);
  });

  it("acts as the JWT's subject, with the consumer's scopes narrowed by the token's scope claim", async () => {
    const full = await call(hub, `Bearer ${await jwt({ sub: 'ioc' })}`);
    expect(full.status).toBe(200);
    expect(full.viewer).toMatchObject({ consumer: 'ioc', credential: 'JWT', unitCode: null });
    expect([...full.viewer!.scopes].sort()).toEqual(['read:aggregates', 'read:dossiers', 'read:pii']);

    // A token can narrow (openid is not a hub scope) but never widen: admin is not the consumer's.
    const narrowed = await call(hub, `Bearer ${await jwt({ sub: 'ioc', scope: 'openid read:dossiers admin' })}`);
    expect([...narrowed.viewer!.scopes]).toEqual(['read:dossiers']);

    const district = await call(hub, `Bearer ${await jwt({ sub: 'yen-the-portal' })}`);
    expect(district.viewer).toMatchObject({ consumer: 'yen-the-portal', unitCode: '000.00.12.H40' });
  });

  it("names a JWT by a digest of the token, and gives it the token's expiry (with the clock tolerance)", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const [first, second] = [await jwt({ sub: 'ioc' }, { exp }), await jwt({ sub: 'ioc', scope: 'read:pii' }, { exp })];
    const viewers = [(await call(hub, `Bearer ${first}`)).viewer!, (await call(hub, `Bearer ${second}`)).viewer!];
    expect(viewers.map((viewer) => viewer.credentialId)).toEqual([
      `jwt:${sha256(first).slice(0, 16)}`,
      `jwt:${sha256(second).slice(0, 16)}`,
    ]);
    // Two tokens of one consumer are two credentials; the token itself is kept nowhere.
    expect(viewers[0]!.credentialId).not.toBe(viewers[1]!.credentialId);
    expect(JSON.stringify(viewers[0])).not.toContain(first.split('.')[2]!);
    // The hub refuses the token 30 s (its clock tolerance) after exp: a subscription ends then too.
    for (const viewer of viewers) expect(viewer.expiresAt).toEqual(new Date((exp + 30) * 1000));
  });

  it('revokes the keys a demo run left when a hub starts out of demo mode', async () => {
    // No development consumer yet: nothing to do.
    expect(await retireDevelopmentCredentials(store.db)).toBe(0);
    const demoKey = await issueDevelopmentCredential(store.db);
    await issueApiKey(store.db, DEVELOPMENT_CONSUMER); // e.g. one issued by hand
    expect((await call(hub, `Bearer ${demoKey}`)).viewer).toMatchObject({ consumer: DEVELOPMENT_CONSUMER });
    expect(await retireDevelopmentCredentials(store.db)).toBe(2);
    const refused = await call(hub, `Bearer ${demoKey}`);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toBe(API_KEY_REFUSED);
    expect(await retireDevelopmentCredentials(store.db)).toBe(0);
  });

  it('refuses a JWT that lives longer than JWT_MAX_LIFETIME_SECONDS (a day), whatever its iat says', async () => {
    const now = Math.floor(Date.now() / 1000);
    const DAY = 86_400;
    // Signed by hand: SignJWT refuses no exp, however far.
    const sign = (claims: JWTPayload) =>
      new SignJWT({ sub: 'ioc', ...claims })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(es256.privateKey);
    const year5138 = Date.UTC(5138, 0, 1) / 1000;
    const refusals = [
      // The probe's token: valid until the year 5138, with and without iat.
      [{ iat: now, exp: year5138 }, `exp (5138-01-01T00:00:00.000Z) is ${year5138 - now} s after iat`],
      [{ exp: year5138 }, 'exp (5138-01-01T00:00:00.000Z) is'],
      // Issued two days ago for three: one day left, but a lifetime of three.
      [{ iat: now - 2 * DAY, exp: now + DAY }, `is ${3 * DAY} s after iat, over the limit of ${DAY} s`],
      // An iat in the future does not stretch it.
      [{ iat: now + DAY, exp: now + 2 * DAY }, 's from now, over the limit of 86400 s'],
      // Beyond what a Date can hold.
      [{ exp: 1e300 }, 'exp (1e+300 s after 1970) is'],
    ] as const;
    for (const [claims, why] of refusals) {
      const answer = await call(hub, `Bearer ${await sign(claims)}`);
      expect(answer.status).toBe(401);
      expect(answer.viewer).toBeNull();
      expect(answer.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining(why),
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(answer.body.errors?.[0]?.message).toMatch(/^the JWT lives too long: /);
      expect(answer.challenge).toContain(`error="invalid_token", error_description="the JWT lives too long: exp (`);
    }
    // A day exactly is accepted, from iat or from now.
    for (const claims of [{ iat: now, exp: now + DAY }, { exp: now + DAY }]) {
      expect((await call(hub, `Bearer ${await sign(claims)}`)).viewer).toMatchObject({ consumer: 'ioc' });
    }
  });

  it('takes the longest lifetime from JWT_MAX_LIFETIME_SECONDS', async () => {
    const env = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_PUBLIC_KEY: await exportSPKI(es256.publicKey) };
    const auth = createAuthenticator({
      db: store.db,
      config: loadConfig({ ...env, JWT_MAX_LIFETIME_SECONDS: '600' }),
      logger,
    });
    await expect(auth.authenticateHeader(`Bearer ${await jwt({ sub: 'ioc' }, { exp: '10m' })}`)).resolves.toMatchObject(
      { consumer: 'ioc' },
    );
    await expect(auth.authenticateHeader(`Bearer ${await jwt({ sub: 'ioc' }, { exp: '11m' })}`)).rejects.toThrow(
      'the JWT lives too long: exp (',
    );
  });

  it('takes the consumer from the claim JWT_CONSUMER_CLAIM names, so an SSO token can carry a person in sub', async () => {
    const env = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_PUBLIC_KEY: await exportSPKI(es256.publicKey) };
    const auth = createAuthenticator({
      db: store.db,
      config: loadConfig({ ...env, JWT_CONSUMER_CLAIM: 'azp' }),
      logger,
    });
    // A person signed in to the province's SSO, through the district portal's application.
    const person = { sub: 'nguyen.van.an@bacgiang.gov.vn', azp: 'yen-the-portal', scope: 'openid read:dossiers' };
    await expect(auth.authenticateHeader(`Bearer ${await jwt(person)}`)).resolves.toMatchObject({
      consumer: 'yen-the-portal',
      credential: 'JWT',
      unitCode: '000.00.12.H40',
    });
    // sub no longer names the consumer: a token naming a consumer only there is refused, the claim named.
    await expect(auth.authenticateHeader(`Bearer ${await jwt({ sub: 'ioc' })}`)).rejects.toThrow(
      'the JWT has no "azp" claim',
    );
    await expect(auth.authenticateHeader(`Bearer ${await jwt({ ...person, azp: 'nobody' })}`)).rejects.toThrow(
      'the JWT\'s "azp" claim "nobody" is not a registered consumer',
    );
    await expect(auth.authenticateHeader(`Bearer ${await jwt({ ...person, azp: ['ioc'] })}`)).rejects.toThrow(
      'the JWT\'s "azp" claim must be a string naming a consumer',
    );
    // A custom claim name works alike.
    const custom = createAuthenticator({
      db: store.db,
      config: loadConfig({ ...env, JWT_CONSUMER_CLAIM: 'https://sso.bacgiang.gov.vn/consumer' }),
      logger,
    });
    const token = await jwt({ sub: 'a-person', 'https://sso.bacgiang.gov.vn/consumer': 'ioc' });
    await expect(custom.authenticateHeader(`Bearer ${token}`)).resolves.toMatchObject({ consumer: 'ioc' });
  });

  it('allows a little clock skew on expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await call(hub, `Bearer ${await jwt({ sub: 'ioc' }, { exp: now - 10 })}`)).status).toBe(200);
  });

  it.each([
    ['expired', async () => jwt({ sub: 'ioc' }, { exp: Math.floor(Date.now() / 1000) - 120 }), 'the JWT expired at'],
    ['for another audience', async () => jwt({ sub: 'ioc' }, { aud: 'another-hub' }), 'another audience'],
    ['from another issuer', async () => jwt({ sub: 'ioc' }, { iss: 'https://evil.example' }), 'another issuer'],
    [
      'tampered with (subject changed after signing)',
      async () => {
        const [header, payload, signature] = (await jwt({ sub: 'yen-the-portal' })).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        return [header, b64({ ...claims, sub: 'ioc' }), signature].join('.');
      },
      'signature is invalid',
    ],
    [
      'signed with another key',
      async () => {
        const other = await generateKeyPair('ES256');
        return new SignJWT({ sub: 'ioc' })
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(other.privateKey);
      },
      'signature is invalid',
    ],
    [
      'unsigned (alg none)',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'ioc', iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.`;
      },
      'algorithm is not accepted',
    ],
    [
      'HS256 with the public key as secret (algorithm confusion)',
      async () =>
        new SignJWT({ sub: 'ioc' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(await exportSPKI(es256.publicKey))),
      'algorithm is not accepted',
    ],
    [
      'without expiry',
      async () =>
        new SignJWT({ sub: 'ioc' })
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(es256.privateKey),
      'no "exp" claim',
    ],
    ['for an unknown consumer', async () => jwt({ sub: 'nobody' }), 'subject "nobody" is not a registered consumer'],
    // The subject is echoed in the message; the WWW-Authenticate header gets an ASCII rendering.
    [
      'for an unknown consumer named in Vietnamese',
      async () => jwt({ sub: 'Sở "Nội vụ"' }),
      'subject "Sở \\"Nội vụ\\"" is not',
    ],
  ])('refuses a JWT %s with 401', async (_what, token, message) => {
    const answer = await call(hub, `Bearer ${await token()}`);
    expect(answer.status).toBe(401);
    expect(answer.viewer).toBeNull();
    expect(answer.body.errors?.[0]?.message).toContain(message);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(answer.challenge).toContain('error="invalid_token"');
  });

  it('in development mode, acts without a credential as the anonymous developer (no read:pii, no admin)', async () => {
    const answer = await call(hub);
    expect(answer.status).toBe(200);
    expect(answer.viewer).toMatchObject({ consumer: 'anonymous', credential: 'ANONYMOUS', consumerId: null });
    expect([...answer.viewer!.scopes].sort()).toEqual([...DEVELOPMENT_ANONYMOUS_SCOPES].sort());
    expect(answer.viewer!.scopes.has('read:pii')).toBe(false);
    expect(answer.viewer!.scopes.has('admin')).toBe(false);
  });

  it('in production mode, refuses a request without a credential with 401 and accepts one with', async () => {
    const answer = await call(production);
    expect(answer.status).toBe(401);
    expect(answer.viewer).toBeNull();
    expect(answer.challenge).toBe('Bearer realm="lgsp-hub"');
    expect(answer.body.errors?.[0]?.message).toContain('production mode');
    expect((await call(production, `Bearer ${iocKey.apiKey}`)).viewer).toMatchObject({ consumer: 'ioc' });
    expect((await call(production, `Bearer ${await jwt({ sub: 'ioc' })}`)).viewer).toMatchObject({ consumer: 'ioc' });
  });

  it('refuses JWTs when no JWT key is configured', async () => {
    const keysOnly = createAuthenticator({ db: store.db, config: loadConfig({}), logger });
    await expect(keysOnly.authenticateHeader(`Bearer ${await jwt({ sub: 'ioc' })}`)).rejects.toThrow(
      'JWTs are not accepted',
    );
    // A WebSocket connection passes its Authorization value as is.
    await expect(keysOnly.authenticateHeader(`Bearer ${iocKey.apiKey}`)).resolves.toMatchObject({ consumer: 'ioc' });
    await expect(keysOnly.authenticateHeader(null)).resolves.toMatchObject({ consumer: 'anonymous' });
  });

  it('verifies HS256 JWTs with JWT_SECRET', async () => {
    const secret = 'a-shared-secret-of-at-least-32-characters';
    const auth = createAuthenticator({
      db: store.db,
      config: loadConfig({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_SECRET: secret }),
      logger,
    });
    const sign = (key: string) =>
      new SignJWT({ sub: 'ioc', scope: 'read:pii' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(key));
    const viewer = await auth.authenticateHeader(`Bearer ${await sign(secret)}`);
    expect([...viewer.scopes]).toEqual(['read:pii']);
    await expect(auth.authenticateHeader(`Bearer ${await sign(`${secret}!`)}`)).rejects.toThrow('signature is invalid');
  });

  describe('with a JWKS', () => {
    let jwks: Server;
    let jwksUrl: string;
    let rsa: Awaited<ReturnType<typeof generateKeyPair>>;

    beforeAll(async () => {
      rsa = await generateKeyPair('RS256');
      const published = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
      jwks = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(published));
      });
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

    const signRs = (kid: string, key = rsa.privateKey) =>
      new SignJWT({ sub: 'ioc' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(key);

    it('verifies with the published key and refuses a token no published key signed', async () => {
      const auth = createAuthenticator({
        db: store.db,
        config: loadConfig({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwksUrl }),
        logger,
      });
      await expect(auth.authenticateHeader(`Bearer ${await signRs('k1')}`)).resolves.toMatchObject({
        consumer: 'ioc',
        credential: 'JWT',
      });
      const impostor = await generateKeyPair('RS256');
      await expect(auth.authenticateHeader(`Bearer ${await signRs('k1', impostor.privateKey)}`)).rejects.toThrow(
        'signature is invalid',
      );
      await expect(auth.authenticateHeader(`Bearer ${await signRs('k9', impostor.privateKey)}`)).rejects.toThrow(
        'no key of the JWKS matches',
      );
    });

    it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const auth = createAuthenticator({
        db: store.db,
        config: loadConfig({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: url }),
        logger,
      });
      const refusal = await auth.authenticateHeader(`Bearer ${await signRs('k1')}`).catch((error) => error);
      expect(refusal.extensions).toMatchObject({ code: 'AUTH_UNAVAILABLE', http: { status: 503 } });
    });
  });
});

/** Runs `npm run consumer -- …` as a process of its own; its exit code, stdout and stderr. */
async function consumerCli(args: string[], env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/consumer.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

// The CLI runs as a process of its own (tsx start-up each call) beside other files' tests.
describe.runIf(process.env.TEST_DATABASE_URL)('npm run consumer on PostgreSQL', { timeout: 120_000 }, () => {
  let store: TestStore;
  let env: Record<string, string>;
  const cli = (...args: string[]) => consumerCli(args, env);

  beforeAll(async () => {
    store = await openTestStore('postgres');
    const [schema] = await store.db.query<{ name: string }>('SELECT current_schema() AS name');
    env = { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema!.name };
  });
  afterAll(() => store?.dispose());

  it('adds a consumer, issues a key that works, lists, and revokes with immediate effect', async () => {
    const added = await cli('add', 'ioc', '--scopes', 'read:aggregates,read:pii', '--unit', '000.00.12.H40');
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('added ioc: read:aggregates, read:pii; 000.00.12.H40');
    // The units are not synced in this store: the CLI accepts the code and says so.
    expect(added.stderr).toContain('warning: unit 000.00.12.H40 is not in the store');

    const issued = await cli('key', 'ioc');
    expect(issued.code).toBe(0);
    const apiKey = issued.stdout.trim();
    expect(apiKey).toMatch(/^lgsp_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(issued.stderr).toContain('shown this once');
    const keyId = apiKey.split('_')[1]!;

    const auth = createAuthenticator({ db: store.db, config: loadConfig({ HUB_MODE: 'production' }), logger });
    const viewer = await auth.authenticateHeader(`Bearer ${apiKey}`);
    expect(viewer).toMatchObject({ consumer: 'ioc', unitCode: '000.00.12.H40' });
    expect([...viewer.scopes].sort()).toEqual(['read:aggregates', 'read:pii']);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+SCOPES\s+UNIT\s+KEYS\s+REVOKED$/);
    expect(listed.stdout).toMatch(/^ioc\s+read:aggregates,read:pii\s+000\.00\.12\.H40\s+1$/m);

    expect((await cli('revoke-key', keyId)).stdout).toContain(`revoked API key ${keyId} of ioc`);
    await expect(auth.authenticateHeader(`Bearer ${apiKey}`)).rejects.toThrow(API_KEY_REFUSED);
    expect((await cli('list')).stdout).toMatch(/^ioc\s+\S+\s+\S+\s+0$/m);

    const second = (await cli('key', 'ioc')).stdout.trim();
    expect((await cli('revoke', 'ioc')).code).toBe(0);
    await expect(auth.authenticateHeader(`Bearer ${second}`)).rejects.toThrow(API_KEY_REFUSED);
    expect((await cli('list')).stdout).toMatch(/^ioc\s+.*\d{4}-\d{2}-\d{2}T[\d:.]+Z$/m);
  });

  it.each([
    [['add', 'x', '--scopes', 'read:aggregates,read:everything'], 2, 'unknown scope read:everything'],
    [['add', 'x'], 2, 'add needs --scopes'],
    [['add', 'bad name', '--scopes', 'read:aggregates'], 1, 'consumer name "bad name" must be'],
    [['key', 'nobody'], 1, 'no consumer named "nobody"'],
    [['revoke-key', 'ffffffffffffffff'], 1, 'no API key with id "ffffffffffffffff"'],
    [['list', '--scopes', 'admin'], 2, '--scopes is for add only'],
    [['launch'], 2, 'unknown command "launch"'],
    [['add', 'x', '--scope', 'admin'], 2, "Unknown option '--scope'"],
  ])('refuses %j with exit code %i and a clear message', async (args, code, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
  });

  it('refuses a second consumer of the same name', async () => {
    expect((await cli('add', 'portal', '--scopes', 'read:dossiers')).code).toBe(0);
    const again = await cli('add', 'portal', '--scopes', 'read:staff');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a consumer named portal exists already');
  });
});

// The CLI runs as a process of its own (tsx start-up each call) beside other files' tests.
describe('npm run consumer on embedded PGlite', { timeout: 120_000 }, () => {
  it('says clearly that the store is in use while another process (a hub) holds it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-consumer-'));
    try {
      // The lock a running hub holds on its PGlite directory (store/pglite.ts).
      const release = await lockfile.lock(dir, { stale: 15_000, update: 5_000 });
      const locked = await consumerCli(['list'], { PGLITE_DIR: dir });
      await release();
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain('is in use by another process, probably a running hub');
      expect(locked.stderr).toContain('Stop the hub');
      const free = await consumerCli(['list'], { PGLITE_DIR: dir });
      expect(free).toMatchObject({ code: 0, stdout: expect.stringContaining('no consumers yet') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
