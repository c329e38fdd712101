/**
 * Client input nested thousands of levels deep (10 KB of JSON) is refused with INPUT_TOO_DEEP before anything walks
 * it, over HTTP, SSE and WebSocket, in variables and in extensions; the hub goes on serving. Before, the audit log's
 * canonical JSON overflowed the stack and the client got a 500.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_INPUT_NESTING, nestsDeeperThan } from '../../gateway/policy/limits/input-nesting.ts';
import { hubOnStore, testViewer } from '../support/hub.ts';

/** `[[[…]]]` nested `levels` deep, as JSON text and as a value (JSON.stringify of it would overflow here too). */
const nestedText = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const nested = (levels: number) => JSON.parse(nestedText(levels)) as unknown;
const DEEP = nestedText(5_000);
const READER = testViewer('reader', ['read:aggregates', 'subscribe']);
const SUBSCRIPTION = 'subscription { sourceStatusChanged { source status } }';

const hubOf = hubOnStore('pglite', { viewers: { reader: READER } });

/** A request whose `part` (variables or extensions) is `{"x": <json>}`. */
const deepBody = (query: string, part: 'variables' | 'extensions', json: string) =>
  `{"query":${JSON.stringify(query)},"${part}":{"x":${json}}}`;

async function post(body: string, accept = 'application/graphql-response+json') {
  const response = await fetch(`${hubOf().url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: 'Bearer reader' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('input nesting', () => {
  it('measures depth without recursion: a value 100,000 levels deep, and exactly at the limit', () => {
    expect(nestsDeeperThan(nested(100_000), MAX_INPUT_NESTING)).toBe(true);
    expect(nestsDeeperThan(nested(MAX_INPUT_NESTING), MAX_INPUT_NESTING)).toBe(false);
    expect(nestsDeeperThan({ a: nested(MAX_INPUT_NESTING) }, MAX_INPUT_NESTING)).toBe(true);
    expect(nestsDeeperThan('[[[[', 1)).toBe(false);
  });

  it('refuses deep variables and deep extensions over HTTP with 400 INPUT_TOO_DEEP, and serves on', async () => {
    for (const part of ['variables', 'extensions'] as const) {
      const answer = await post(deepBody('{ __typename }', part, DEEP));
      expect(answer.status).toBe(400);
      const parsed = JSON.parse(answer.text) as { errors: { extensions: { code: string; limit: number } }[] };
      expect(parsed.errors[0]!.extensions).toMatchObject({ code: 'INPUT_TOO_DEEP', limit: MAX_INPUT_NESTING });
    }
    // A real input nests a few levels: it runs.
    const fine = await post(deepBody('{ __typename }', 'variables', nestedText(4)));
    expect(fine.status).toBe(200);
    expect(JSON.parse(fine.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a deep SSE subscription request with INPUT_TOO_DEEP', async () => {
    const answer = await post(deepBody(SUBSCRIPTION, 'variables', DEEP), 'text/event-stream');
    expect(answer.text).toContain('INPUT_TOO_DEEP');
    expect(answer.status).not.toBe(500);
  });

  it('refuses a deep WebSocket subscription with INPUT_TOO_DEEP, and the connection serves on', async () => {
    const socket = new WebSocket(`${hubOf().url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const next = async (type: string, id?: string) => {
      for (let waited = 0; waited < 5_000; waited += 20) {
        const found = messages.find((m) => m.type === type && (id === undefined || m.id === id));
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no ${type} message: ${JSON.stringify(messages)}`);
    };
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer reader' } }));
      await next('connection_ack');
      socket.send(`{"type":"subscribe","id":"deep","payload":${deepBody(SUBSCRIPTION, 'variables', DEEP)}}`);
      const refused = await next('error', 'deep');
      expect(JSON.stringify(refused.payload)).toContain('INPUT_TOO_DEEP');
      socket.send(JSON.stringify({ type: 'subscribe', id: 'fine', payload: { query: '{ __typename }' } }));
      expect((await next('next', 'fine')).payload).toEqual({ data: { __typename: 'Query' } });
    } finally {
      socket.close();
    }
  });
});
