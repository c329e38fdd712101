/**
 * Every error carries `extensions.code` on every transport, variable coercion included (graphql-js reports a value
 * that does not coerce without one), and a refused SSE subscription reaches the graphql-sse client, the SSE client
 * frontends use, as the GraphQL errors with their codes rather than a bare NetworkError.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, testAdmin, testViewer, type TestHub } from '../support/hub.ts';
import { wsClient, wsSubscribe } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const STATUS = 'subscription { sourceStatusChanged { eventId status } }';
const DOSSIER_EVENTS =
  'subscription ($unitCode: String!, $kinds: [DossierEventKind!]) { dossierEvents(unitCode: $unitCode, kinds: $kinds) { eventId } }';

interface CodedError {
  message: string;
  extensions?: { code?: string };
}

/** What the graphql-sse client hands its caller for one subscription: the results, or the error it failed with. */
function sseSubscribe(url: string, token: string | undefined, query: string, variables: Record<string, unknown>) {
  const client = createSseClient({
    url: `${url}/graphql`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    // A refusal must not be worth retrying to be readable: the client retries network errors only.
    retryAttempts: 0,
  });
  return new Promise<{ results: { errors?: CodedError[] }[]; error?: unknown }>((resolve) => {
    const results: { errors?: CodedError[] }[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (result) => results.push(result as { errors?: CodedError[] }),
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  }).finally(() => client.dispose());
}

const codes = (errors: readonly CodedError[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

let store: TestStore;
let development: TestHub;
let production: TestHub;
let limited: TestHub;
const viewers = { admin: testAdmin(), ops: testViewer('ops', ['subscribe', 'read:aggregates']) };

beforeAll(async () => {
  store = await openTestStore('pglite');
  development = await startTestHub(store.db, { viewers });
  production = await startTestHub(store.db, { viewers, config: { HUB_MODE: 'production' } });
  limited = await startTestHub(store.db, { viewers, config: { RATE_LIMIT_PER_MINUTE: 1 } });
});

afterAll(async () => {
  for (const hub of [development, production, limited]) await hub?.hub.stop();
  await store?.dispose();
});

describe('a refused SSE subscription reaches graphql-sse as its errors', () => {
  it.each([
    ['an unknown credential', () => development, 'stranger', STATUS, {}, 'UNAUTHENTICATED'],
    ['an unknown credential and a query', () => development, 'stranger', '{ __typename }', {}, 'UNAUTHENTICATED'],
    ['production mode and an unregistered text', () => production, 'ops', STATUS, {}, 'PERSISTED_QUERY_ONLY'],
    [
      'a document that does not validate',
      () => development,
      'ops',
      'subscription { noSuchField }',
      {},
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a variable that does not coerce',
      () => development,
      'admin',
      DOSSIER_EVENTS,
      { unitCode: 'X', kinds: ['FAX'] },
      'BAD_USER_INPUT',
    ],
  ])('%s', async (_name, hub, token, query, variables, code) => {
    const { results, error } = await sseSubscribe(hub().url, token, query, variables);
    expect(error).toBeUndefined();
    expect(results).toHaveLength(1);
    expect(codes(results[0]!.errors)).toEqual([code]);
  });

  it('over the rate limit', async () => {
    expect((await limited.gql('{ __typename }', {}, 'ops')).data).toEqual({ __typename: 'Query' });
    const { results, error } = await sseSubscribe(limited.url, 'ops', STATUS, {});
    expect(error).toBeUndefined();
    expect(codes(results[0]!.errors)).toEqual(['RATE_LIMITED']);
  });
});

describe('a variable that does not coerce is BAD_USER_INPUT', () => {
  const cases = [
    ['an enum value', 'query ($c: DossierChannel) { dossiers(filter: { channel: $c }) { totalCount } }', { c: 'FAX' }],
    ['a Date', 'query ($d: Date) { dossiers(filter: { receivedFrom: $d }) { totalCount } }', { d: '2026-13-45' }],
    ['a required variable missing', 'query ($n: Int!) { dossiers(first: $n) { totalCount } }', {}],
  ] as const;

  it.each(cases)('over HTTP: %s', async (_name, query, variables) => {
    const answer = await development.gql(query, variables, 'admin');
    expect(answer.data ?? undefined).toBeUndefined();
    expect(codes(answer.errors as CodedError[])).toEqual(['BAD_USER_INPUT']);
  });

  it('over a WebSocket, subscription and query alike', async () => {
    const client = wsClient(development.url, { token: 'admin' });
    try {
      for (const [query, variables] of [
        [DOSSIER_EVENTS, { unitCode: 42 }],
        [cases[0][1], cases[0][2]],
      ] as const) {
        const operation = wsSubscribe(client, query, variables);
        expect(await operation.ended).toEqual({});
        expect(codes(operation.results[0]?.errors as CodedError[])).toEqual(['BAD_USER_INPUT']);
      }
    } finally {
      await client.dispose();
    }
  });

  it('and a literal that does not coerce fails validation', async () => {
    const answer = await development.gql(
      '{ dossiers(filter: { receivedFrom: "2026-13-45" }) { totalCount } }',
      {},
      'admin',
    );
    expect(codes(answer.errors as CodedError[])).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

it.each(['dossiers', 'units', 'staff', 'procedures'])('%s refuses first with last: BAD_USER_INPUT', async (field) => {
  const answer = await development.gql(`{ ${field}(first: 1, last: 1) { edges { cursor } } }`, {}, 'admin');
  expect(answer.data ?? undefined).toBeUndefined();
  expect(answer.errors?.map((e) => [e.extensions?.code, e.extensions?.argument])).toEqual([['BAD_USER_INPUT', 'last']]);
});
