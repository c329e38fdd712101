import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { pino, type Logger } from 'pino';
import { SCOPES, type Scope, type Viewer } from '../../store/access.ts';
import type { Db } from '../../store/db.ts';
import type { Context } from '../../schema/index.ts';
import { ANONYMOUS_DEVELOPER, createHub, type Authenticate, type Hub, type HubOptions } from '../../gateway/server.ts';

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
    shutdownTimeoutMs = 5_000,
    logger = pino({ level: 'silent' }),
    adminToken,
    viewers = {},
    authenticate,
    plugins,
    options = {},
  }: {
    shutdownTimeoutMs?: number;
    logger?: Logger;
    /** A bearer token that acts as an administrator with every scope. */
    adminToken?: string;
    /** Bearer tokens and the viewers they act as (ignored when `authenticate` is given). */
    viewers?: Record<string, Viewer>;
    authenticate?: Authenticate;
    plugins?: Plugin<Context>[];
    /** Any other createHub option (limits, documents, response cache, metrics …). */
    options?: Partial<Omit<HubOptions, 'db' | 'logger' | 'shutdownTimeoutMs' | 'authenticate' | 'plugins'>>;
  } = {},
): Promise<TestHub> {
  const table = { ...viewers, ...(adminToken ? { [adminToken]: testAdmin() } : {}) };
  const hub = createHub({
    db,
    logger,
    shutdownTimeoutMs,
    authenticate: authenticate ?? tokenTable(table),
    plugins,
    ...options,
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
  options: Partial<Omit<HubOptions, 'db'>> = {},
): Promise<{ hub: Hub; port: number; url: string }> {
  const hub = createHub({ db, logger: pino({ level: 'silent' }), shutdownTimeoutMs: 2_000, ...options });
  const { port } = await hub.listen(0, '127.0.0.1');
  return { hub, port, url: `http://127.0.0.1:${port}` };
}
