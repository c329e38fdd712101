import { pino, type Logger } from 'pino';
import type { Db } from '../../store/db.ts';
import { createHub, type Hub } from '../../gateway/server.ts';

export interface GraphQLResponse<Data = any> {
  data?: Data;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestHub {
  hub: Hub;
  url: string;
  /** POSTs a GraphQL request over a real socket, with `Authorization: Bearer <token>` when a token is given. */
  gql<Data = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Data>>;
}

/** The hub on an ephemeral loopback port, on the given store; silent unless given a logger. */
export async function startTestHub(
  db: Db,
  {
    shutdownTimeoutMs = 5_000,
    logger = pino({ level: 'silent' }),
    adminToken,
  }: { shutdownTimeoutMs?: number; logger?: Logger; adminToken?: string } = {},
): Promise<TestHub> {
  const hub = createHub({ db, logger, shutdownTimeoutMs, adminToken });
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
