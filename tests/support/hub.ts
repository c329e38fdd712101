import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { ANONYMOUS_DEVELOPER, SCOPES, type Authenticate, type Scope, type Viewer } from '../../store/access.ts';
import type { Backend, Db } from '../../store/db.ts';
import { loadConfig, type Config } from '../../gateway/config.ts';
import { createHub, type Hub, type HubDeps } from '../../gateway/server.ts';
import { openTestStore, type TestStore } from './store.ts';

/**
 * Where the test rigs' hubs depart from the production defaults (gateway/config.ts), each for a reason of the
 * rigs' own; a test that needs the production behaviour back says so (`{ CSRF: true }`).
 */
export const TEST_RIG_CONFIG = {
  // The tests' clients send bare GETs (no Authorization, no CSRF header), as no browser would without a preflight.
  CSRF: false,
  // Tests write to the store directly (fixtures, upserts, SQL), which neither a sync batch of the hub's nor a hub
  // mutation announces: a cached answer would outlive the data it was computed from.
  RESPONSE_CACHE_TTL_SECONDS: 0,
  // Every suite's client is 127.0.0.1, and the credential suites send refused credentials by the dozen: the limit on
  // failed authentications per address would refuse them all. tests/integration/auth-failures.test.ts sets it.
  AUTH_FAILURES_PER_MINUTE: 0,
} satisfies Partial<Config>;

/**
 * A hub's configuration in a test: an empty environment parsed as gateway/config.ts parses the real one (the
 * production defaults), the rigs' departures (TEST_RIG_CONFIG), then what the test itself changes.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...TEST_RIG_CONFIG, ...overrides };
}

export interface GraphQLResponse<Data = any> {
  data?: Data;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestHub {
  hub: Hub;
  url: string;
  /** POSTs a GraphQL request over a real socket, with `Authorization: Bearer <token>` when a token is given. */
  gql<Data = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Data>>;
}

/**
 * A consumer for tests that need one without the credential machinery (tests/integration/auth*.test.ts test that);
 * an API key's unless another credential is named (a JWT may narrow its consumer's scopes).
 */
export function testViewer(
  consumer: string,
  scopes: readonly Scope[],
  unitCode: string | null = null,
  credential: Viewer['credential'] = 'API_KEY',
): Viewer {
  return { consumer, consumerId: null, credential, scopes: new Set(scopes), unitCode };
}

/** Every scope, the whole province. */
export const testAdmin = (name = 'test-admin') => testViewer(name, SCOPES);

/**
 * An authenticator from a token table: a known bearer token acts as its
 * viewer, an unknown one is refused, none is the anonymous developer. The
 * table is read on every request: tokens added to it later count.
 */
export function tokenTable(viewers: Record<string, Viewer> | ReadonlyMap<string, Viewer>): Authenticate {
  const lookup = (token: string) =>
    viewers instanceof Map
      ? viewers.get(token)
      : Object.hasOwn(viewers, token)
        ? (viewers as Record<string, Viewer>)[token]
        : undefined;
  return async (request) => {
    const header = request.headers.get('authorization');
    if (!header) return ANONYMOUS_DEVELOPER;
    const viewer = lookup(header.replace(/^Bearer /, ''));
    if (!viewer)
      throw new GraphQLError('unknown test token', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    return viewer;
  };
}

/** The hub on an ephemeral loopback port, on the given store; silent unless given a logger. */
export async function startTestHub(
  db: Db,
  {
    config,
    logger = pino({ level: 'silent' }),
    adminToken,
    viewers = {},
    authenticate,
    ...deps
  }: {
    /** What the test changes of testConfig()'s configuration (`{ HUB_MODE: 'production' }` …). */
    config?: Partial<Config>;
    /** A bearer token that acts as an administrator with every scope. */
    adminToken?: string;
    /** Bearer tokens and the viewers they act as (ignored when `authenticate` is given). */
    viewers?: Record<string, Viewer>;
  } & Partial<Omit<HubDeps, 'db'>> = {},
): Promise<TestHub> {
  const table = { ...viewers, ...(adminToken ? { [adminToken]: testAdmin() } : {}) };
  const hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 5_000, ...config }), {
    db,
    logger,
    authenticate: authenticate ?? tokenTable(table),
    ...deps,
  });
  const { port } = await hub.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    hub,
    url,
    async gql(query, variables, token) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
  };
}

/** A hub (createHub) on a free loopback port, silent and quick to stop: what the live-data suites start. */
export async function startHubOnLoopback(
  db: Db,
  { config, ...deps }: { config?: Partial<Config> } & Partial<Omit<HubDeps, 'db'>> = {},
): Promise<{ hub: Hub; port: number; url: string }> {
  const hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000, ...config }), {
    db,
    logger: pino({ level: 'silent' }),
    ...deps,
  });
  const { port } = await hub.listen(0, '127.0.0.1');
  return { hub, port, url: `http://127.0.0.1:${port}` };
}

/**
 * A hub over a store of its own for the tests of a file or describe block: opened before them, stopped after.
 * The hub is there once the block's tests run (the getter reads it then).
 */
export function hubOnStore(backend: Backend, options: Parameters<typeof startTestHub>[1] = {}): () => TestHub {
  let store: TestStore | undefined;
  let hub: TestHub | undefined;
  beforeAll(async () => {
    store = await openTestStore(backend);
    hub = await startTestHub(store.db, options);
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });
  return () => hub!;
}
