/**
 * Request ids in every error and log line: each GraphQL error the hub sends
 * (execution, parse, validation, authentication, HTTP-level, masked
 * unexpected errors; over HTTP and WebSocket) carries extensions.requestId,
 * the x-request-id of the response and the requestId of the log lines
 * written while serving it. A sync pass's log lines carry a pass id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNITS_FEED } from '../../connectors/cadre-db/connector.ts';
import type { Connector } from '../../connectors/feed.ts';
import { createLogger } from '../../core/logger.ts';
import { createSyncEngine } from '../../connectors/sync/engine.ts';
import type { Db } from '../../store/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { wsClient, wsSubscribe } from '../support/live-clients.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A store whose reads of units fail unexpectedly (as a lost connection would) while `failing` is set. */
function failingDb(db: Db) {
  const state = { failing: false };
  const wrapped: Db = {
    ...db,
    backend: db.backend,
    query: async (sql, params) => {
      if (state.failing && /\bFROM units\b/i.test(sql)) throw new Error('connection terminated unexpectedly');
      return db.query(sql, params);
    },
  };
  return { db: wrapped, state };
}

describe.each(testBackends)('request ids on %s', (backend) => {
  let store: TestStore;
  let test: TestHub;
  let failing: { failing: boolean };
  const lines: Record<string, any>[] = [];

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${test.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() };
  };
  const requestIdsOf = (body: { errors?: { extensions?: { requestId?: string } }[] }) =>
    (body.errors ?? []).map((error) => error.extensions?.requestId);

  beforeAll(async () => {
    store = await openTestStore(backend);
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const wrapped = failingDb(store.db);
    failing = wrapped.state;
    test = await startTestHub(wrapped.db, { logger, viewers: {} });
  });

  afterAll(async () => {
    await test?.hub.stop();
    await store?.dispose();
  });

  it('puts the given x-request-id on the errors of a failing request, and echoes it', async () => {
    const answer = await post(
      { query: 'query HugePage { units(first: 1000) { edges { node { code } } } }' },
      { 'x-request-id': 'ioc-2024-0042' },
    );
    expect(answer.requestId).toBe('ioc-2024-0042');
    expect(answer.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', requestId: 'ioc-2024-0042' });
  });

  it('gives every error the id of its response when none (or an unusable one) is sent', async () => {
    const answers = [
      await post({ query: 'query Broken { units(first: 1) {' }), // parse
      await post({ query: '{ noSuchField }' }), // validation
      await post({ query: '{ units(first: 1) { edges { node { code } } } }' }, { authorization: 'Bearer nobody' }), // 401
      await post(
        { query: '{ units(first: 1000) { edges { node { code } } } }' },
        { 'x-request-id': 'has spaces in it' },
      ),
      await post({ variables: {} }), // no query: refused by Yoga before any parsing
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 401, expect.any(Number), 400]);
    for (const answer of answers) {
      expect(answer.requestId).toMatch(UUID);
      expect(answer.body.errors.length).toBeGreaterThan(0);
      expect(requestIdsOf(answer.body)).toEqual(answer.body.errors.map(() => answer.requestId));
    }
  });

  it('puts the id on a masked unexpected error, and the log line of its cause carries the same id', async () => {
    failing.failing = true;
    try {
      const answer = await post({ query: 'query Units { units(first: 1) { edges { node { code } } } }' });
      expect(answer.body.errors[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: answer.requestId },
      });
      expect(JSON.stringify(answer.body)).not.toContain('connection terminated');
      const logged = lines.filter((line) => line.requestId === answer.requestId);
      expect(logged.some((line) => line.level === 50 && /connection terminated/.test(JSON.stringify(line)))).toBe(true);
      expect(logged.some((line) => line.msg === 'request' && line.status === 200)).toBe(true);
    } finally {
      failing.failing = false;
    }
  });

  it("puts the connection's id on the refusal of an SSE subscription", async () => {
    const url = new URL('/graphql', test.url);
    url.searchParams.set('query', 'subscription { sourceStatusChanged { eventId } }');
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', authorization: 'Bearer nobody', 'x-request-id': 'sse-refused-1' },
    });
    expect(response.status).toBe(401);
    const next = (await response.text()).split('\n').find((line) => line.startsWith('data: {'));
    expect(JSON.parse(next!.slice('data: '.length)).errors[0].extensions).toEqual({
      code: 'UNAUTHENTICATED',
      requestId: 'sse-refused-1',
    });
  });

  it('gives each WebSocket operation an id of its own, on its errors and its log lines', async () => {
    const client = wsClient(test.url);
    try {
      // Refused before it runs (validation): graphql-ws's error message.
      const invalid = wsSubscribe(client, '{ noSuchField }');
      const refused = (await invalid.ended).error as { extensions?: { requestId?: string } }[];
      expect(refused[0]!.extensions?.requestId).toMatch(UUID);

      // Errors of a result, and a masked unexpected error logged under the same id.
      const tooBig = wsSubscribe(client, '{ units(first: 1000) { edges { node { code } } } }');
      const [result] = await tooBig.received(1);
      expect(result!.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        requestId: expect.stringMatching(UUID),
      });
      const firstId = result!.errors![0]!.extensions!.requestId;
      expect(firstId).not.toBe(refused[0]!.extensions?.requestId);

      failing.failing = true;
      const broken = wsSubscribe(client, '{ units(first: 1) { edges { node { code } } } }');
      const [masked] = await broken.received(1);
      failing.failing = false;
      const error = masked!.errors![0]!;
      expect(error).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      const maskedId = error.extensions!.requestId as string;
      expect(maskedId).toMatch(UUID);
      expect(
        lines.some((line) => line.requestId === maskedId && /connection terminated/.test(JSON.stringify(line))),
      ).toBe(true);
    } finally {
      failing.failing = false;
      await client.dispose();
    }
  });

  it('logs a sync pass under a pass id', async () => {
    const passLines: Record<string, any>[] = [];
    const logger = createLogger('info', { write: (line: string) => void passLines.push(JSON.parse(line)) });
    // A connector whose upstream is down: the pass starts, fails and ends, logging each step.
    const connector: Connector = {
      source: 'CADRE_DB',
      feeds: [
        {
          name: UNITS_FEED,
          source: 'CADRE_DB',
          // eslint-disable-next-line require-yield
          async *pull() {
            throw new Error('upstream down');
          },
          retry: () => ({ key: 'x', raw: '', reason: 'never', retryable: false }),
        },
      ],
    };
    const engine = createSyncEngine({ db: store.db, connectors: [connector], logger, instance: 'test' });
    const result = await engine.run('CADRE_DB', { trigger: 'COMMAND' });
    await engine.stop();
    expect(result.error).toMatch(/upstream down/);
    const started = passLines.find((line) => line.msg === 'sync pass started');
    const failed = passLines.find((line) => line.msg === 'sync pass failed');
    expect(started?.requestId).toMatch(/^sync-cadre_db-[0-9a-f]{8}$/);
    expect(failed?.requestId).toBe(started?.requestId);
    // The next pass has another.
    await createSyncEngine({ db: store.db, connectors: [connector], logger, instance: 'test' }).run('CADRE_DB', {
      trigger: 'COMMAND',
    });
    const ids = new Set(passLines.filter((line) => line.msg === 'sync pass started').map((line) => line.requestId));
    expect(ids.size).toBe(2);
  });
});
