import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtKeyAlgorithm } from '../../gateway/policy/auth/jwt.ts';
import { ConfigError, loadConfig, loadServerConfig, upstreamsConfigured } from '../../gateway/config.ts';
import { hubSettings } from '../../gateway/hub-settings.ts';

describe('loadConfig', () => {
  it('validates the sync probe port and the upstream client settings', () => {
    expect(loadConfig({ SYNC_HTTP_PORT: '0', UPSTREAM_MAX_ATTEMPTS: '1' })).toMatchObject({
      SYNC_HTTP_PORT: 0,
      UPSTREAM_MAX_ATTEMPTS: 1,
    });
    expect(() => loadConfig({ SYNC_HTTP_PORT: '70000' })).toThrow(
      'Invalid configuration: SYNC_HTTP_PORT must be a whole number from 0 to 65535 (got "70000")',
    );
    expect(() => loadConfig({ UPSTREAM_MAX_ATTEMPTS: '0' })).toThrow(
      'UPSTREAM_MAX_ATTEMPTS must be a whole number from 1 to 100 (got "0")',
    );
    expect(() => loadConfig({ UPSTREAM_BACKOFF_INITIAL_MS: '20000' })).toThrow(
      'UPSTREAM_BACKOFF_INITIAL_MS must not exceed UPSTREAM_BACKOFF_MAX_MS (15000) (got "20000")',
    );
  });

  it('gives the documented defaults on an empty environment', () => {
    expect(loadConfig({})).toEqual({
      PORT: 4000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_POOL_MAX: 10,
      PGLITE_DIR: './.data/pglite',
      DEMO_DATA: 'auto',
      DEMO_SCALE: 'demo',
      SYNC_INTERVAL_SECONDS: 300,
      // The upstream client's constants before they were settings (connectors/http/client.ts).
      UPSTREAM_CONNECT_TIMEOUT_MS: 5_000,
      UPSTREAM_HEADERS_TIMEOUT_MS: 30_000,
      UPSTREAM_BODY_TIMEOUT_MS: 30_000,
      UPSTREAM_MAX_ATTEMPTS: 5,
      UPSTREAM_BACKOFF_INITIAL_MS: 250,
      UPSTREAM_BACKOFF_MAX_MS: 15_000,
      UPSTREAM_MAX_RETRY_AFTER_MS: 60_000,
      UPSTREAM_BREAKER_THRESHOLD: 5,
      UPSTREAM_BREAKER_HALF_OPEN_MS: 30_000,
      LIVE_EVENT_RETENTION_HOURS: 24,
      FEED_DEGRADED_ABOVE_PERCENT: 5,
      LIVE_QUEUE_MAX: 1000,
      LIVE_RECHECK_SECONDS: 30,
      LIVE_CATCH_UP_PAGE_SIZE: 500,
      WEBSOCKET_KEEPALIVE_MS: 12_000,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      MAX_QUERY_DEPTH: 12,
      MAX_QUERY_ALIASES: 30,
      MAX_QUERY_TOKENS: 2000,
      MAX_QUERY_DIRECTIVES: 20,
      MAX_QUERY_COST: 20_000,
      MAX_BODY_BYTES: 102_400,
      MAX_BATCH_OPERATIONS: 10,
      RATE_LIMIT_PER_MINUTE: 600,
      AUTH_FAILURES_PER_MINUTE: 20,
      STATEMENT_TIMEOUT_MS: 15_000,
      RESPONSE_CACHE_TTL_SECONDS: 60,
      RESPONSE_CACHE_MAX_ENTRIES: 1000,
      HUB_MODE: 'development',
      TRUSTED_DOCUMENTS_CACHE_SECONDS: 60,
      CSRF: true,
      JWT_MAX_LIFETIME_SECONDS: 86_400,
      JWT_CONSUMER_CLAIM: 'sub',
      TRUST_PROXY: false,
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'lgsp-hub',
    });
  });

  it('reads and converts what is set', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://hub@db:5432/lgsp',
      CADRE_DB_URL: 'http://127.0.0.1:4102',
      REDIS_URL: 'redis://redis:6379',
      DEMO_DATA: 'off',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://hub@db:5432/lgsp',
      DEMO_DATA: 'off',
    });
    expect(upstreamsConfigured(config)).toBe(true);
    expect(upstreamsConfigured(loadConfig({}))).toBe(false);
  });

  it('reads CORS_ORIGINS as a list of origins, or *', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://portal.bacgiang.gov.vn, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://portal.bacgiang.gov.vn',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
    expect(loadConfig({}).CORS_ORIGINS).toBeUndefined();
    for (const bad of ['https://portal.bacgiang.gov.vn/', 'portal.bacgiang.gov.vn', 'ftp://x.vn', ' , ']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(
        /CORS_ORIGINS must be \* or a comma-separated list of origins/,
      );
    }
  });

  it('refuses a headers timeout longer than the request timeout (the headers are part of the request)', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (10000) (got "20000")',
    );
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '10000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 10_000,
    });
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(4000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535 (got "65536")'],
    [{ PORT: '80.5' }, 'PORT must be a whole number from 0 to 65535 (got "80.5")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL must be a URL starting with postgres:// or postgresql://'],
    [{ BUDGET_URL: 'budget.local' }, 'BUDGET_URL must be a URL starting with http:// or https:// (got "budget.local")'],
    [{ DEMO_DATA: 'yes' }, 'DEMO_DATA must be auto or off (got "yes")'],
    [{ HUB_MODE: 'prod' }, 'HUB_MODE must be development or production (got "prod")'],
    [{ TRUSTED_DOCUMENTS: 'on' }, 'TRUSTED_DOCUMENTS must be enforce or off (got "on")'],
    [
      { HUB_MODE: 'production', TRUSTED_DOCUMENTS: 'off' },
      'TRUSTED_DOCUMENTS cannot be off in production mode, which runs trusted documents only (got "off")',
    ],
    [
      { RESPONSE_CACHE_TTL_SECONDS: '-1' },
      'RESPONSE_CACHE_TTL_SECONDS must be a whole number from 0 to 86400 (got "-1")',
    ],
    [
      { RESPONSE_CACHE_MAX_ENTRIES: '0' },
      'RESPONSE_CACHE_MAX_ENTRIES must be a whole number from 1 to 1000000 (got "0")',
    ],
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, 'OTEL_TRACES_EXPORTER must be none, otlp or console (got "jaeger")'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must be a URL starting with http:// or https:// (got "collector:4318")',
    ],
    [{ MAX_QUERY_COST: '-1' }, 'MAX_QUERY_COST must be a whole number from 0 to 1000000000 (got "-1")'],
    [{ RATE_LIMIT_PER_MINUTE: 'lots' }, 'RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 1000000 (got "lots")'],
    [
      { AUTH_FAILURES_PER_MINUTE: '-1' },
      'AUTH_FAILURES_PER_MINUTE must be a whole number from 0 to 1000000 (got "-1")',
    ],
    [
      { JWT_MAX_LIFETIME_SECONDS: '0' },
      'JWT_MAX_LIFETIME_SECONDS must be a whole number from 60 to 31536000 (got "0")',
    ],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY must be true or false (got "yes")'],
    [{ JWT_JWKS_URL: 'ftp://sso/jwks' }, 'JWT_JWKS_URL must be a URL starting with http:// or https://'],
    [
      { JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', JWT_JWKS_URL: 'http://sso.example.gov.vn/jwks' },
      'JWT_JWKS_URL must be an https:// URL (plain http only for 127.0.0.1, ::1 or localhost) (got "http://sso.example.gov.vn/jwks")',
    ],
    // A look-alike host is not the loopback interface.
    [
      { JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', JWT_JWKS_URL: 'http://localhost.example.gov.vn/jwks' },
      'JWT_JWKS_URL must be an https:// URL',
    ],
    [
      { JWT_SECRET: 'x'.repeat(32) },
      'JWT_ISSUER must be set when JWT_SECRET is; JWT_AUDIENCE must be set when JWT_SECRET is',
    ],
    [
      { JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', JWT_SECRET: 'x'.repeat(32), JWT_JWKS_URL: 'https://sso/jwks' },
      'JWT_SECRET cannot be set together with JWT_JWKS_URL',
    ],
    [
      { JWT_PUBLIC_KEY: 'not a key' },
      'JWT_PUBLIC_KEY must be a PEM public key (SPKI) of type RSA, EC P-256 or Ed25519',
    ],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('fetches a JWKS over https, or over plain http from this machine only', () => {
    const jwt = { JWT_ISSUER: 'https://sso.example.gov.vn', JWT_AUDIENCE: 'lgsp-hub' };
    for (const url of [
      'https://sso.example.gov.vn/.well-known/jwks.json',
      'http://127.0.0.1:8080/jwks',
      'http://[::1]:8080/jwks',
      'http://localhost/jwks',
    ]) {
      expect(loadConfig({ ...jwt, JWT_JWKS_URL: url }).JWT_JWKS_URL).toBe(url);
    }
  });

  it('reports every bad variable on one line, without the password of a URL', () => {
    let message = '';
    try {
      loadConfig({ PORT: '-1', DATABASE_URL: 'mysql://hub:s3cret@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('\n');
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('mysql://hub:***@db/x');
    expect(message).not.toContain('s3cret');
  });

  it('never echoes a secret it refuses', () => {
    const secret = 'short-s3cret';
    for (const name of ['JWT_SECRET', 'AUDIT_KEY']) {
      expect(() => loadConfig({ [name]: secret })).toThrow(
        `${name} must be at least 32 characters (got 12 characters)`,
      );
      expect(() => loadConfig({ [name]: secret })).not.toThrow(secret);
    }
  });

  it('reads the security settings', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    // A PEM in a one-line env file, its line breaks written as \n.
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const config = loadConfig({
      HUB_MODE: 'production',
      TRUST_PROXY: 'true',
      JWT_ISSUER: 'https://sso.example.gov.vn',
      JWT_AUDIENCE: 'lgsp-hub',
      JWT_PUBLIC_KEY: pem.trim().replaceAll('\n', '\\n'),
      AUDIT_KEY: 'k'.repeat(32),
    });
    expect(config).toMatchObject({ HUB_MODE: 'production', TRUST_PROXY: true, AUDIT_KEY: 'k'.repeat(32) });
    expect(config.JWT_PUBLIC_KEY).toBe(pem.trim());
    expect(jwtKeyAlgorithm(config.JWT_PUBLIC_KEY!)).toBe('EdDSA');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(jwtKeyAlgorithm(rsa.toString())).toBe('RS256');
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(jwtKeyAlgorithm(p256.toString())).toBe('ES256');
    // P-384 would need ES384, which the hub does not accept: refused at start-up, not at the first token.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(jwtKeyAlgorithm(p384.toString())).toBeNull();
  });
});

describe('loadServerConfig', () => {
  it('takes development mode by default on demo data only (no store or upstream configured)', () => {
    expect(loadServerConfig({}).HUB_MODE).toBe('development');
    expect(loadServerConfig({ PGLITE_DIR: 'memory://', DEMO_DATA: 'off', DATABASE_URL: '' }).HUB_MODE).toBe(
      'development',
    );
  });

  it('refuses to start with a real store or upstream and HUB_MODE unset, naming HUB_MODE and what is set', () => {
    const database = { DATABASE_URL: 'postgres://hub:s3cret@db:5432/lgsp' };
    expect(() => loadServerConfig(database)).toThrow(ConfigError);
    expect(() => loadServerConfig({ ...database, HUB_MODE: '' })).toThrow(
      'HUB_MODE must be set to development or production when DATABASE_URL is set',
    );
    expect(() => loadServerConfig({ BUDGET_URL: 'https://budget.bacgiang.gov.vn', CADRE_DB_URL: 'http://x' })).toThrow(
      'HUB_MODE must be set to development or production when CADRE_DB_URL, BUDGET_URL are set',
    );
    let message = '';
    try {
      loadServerConfig(database);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('\n');
    expect(message).not.toContain('s3cret');
  });

  it('enforces trusted documents in production, and in development when TRUSTED_DOCUMENTS=enforce', () => {
    const enforced = (env: Record<string, string>) => hubSettings(loadConfig(env)).trustedDocuments.enforced;
    expect(enforced({ HUB_MODE: 'production' })).toBe(true);
    expect(enforced({ HUB_MODE: 'production', TRUSTED_DOCUMENTS: 'enforce' })).toBe(true);
    expect(enforced({ HUB_MODE: 'development' })).toBe(false);
    expect(enforced({ HUB_MODE: 'development', TRUSTED_DOCUMENTS: 'enforce' })).toBe(true);
    expect(enforced({ HUB_MODE: 'development', TRUSTED_DOCUMENTS: 'off' })).toBe(false);
  });

  it('starts in the mode set explicitly, development included', () => {
    const real = { DATABASE_URL: 'postgres://hub@db:5432/lgsp', ONE_STOP_SHOP_URL: 'https://mc.bacgiang.gov.vn' };
    expect(loadServerConfig({ ...real, HUB_MODE: 'development' }).HUB_MODE).toBe('development');
    expect(loadServerConfig({ ...real, HUB_MODE: 'production' }).HUB_MODE).toBe('production');
  });
});
