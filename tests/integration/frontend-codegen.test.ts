/**
 * The frontend guide (docs/frontend.md) as a frontend team follows it: GraphQL Code Generator's client preset, with
 * the guide's codegen.ts as written, over the committed schema.graphql and the guide's example documents (a paged
 * query, an indicators query, the four subscriptions); the manifest it writes registered with `npm run documents --
 * register --hub` (a process of its own) through a running hub in production mode; then each document run by its id
 * over HTTP, SSE (graphql-sse's client) and WebSocket (graphql-ws's), as a page would.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { createClient as createSseClient, type RequestParams } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDocumentsCliDocument } from '../../gateway/policy/documents/registration.ts';
import { LIVE_TOPIC } from '../../store/live-events.ts';
import { docExamples } from '../support/doc-examples.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { sourceStatusEvent, until, wsClient } from '../support/live-clients.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'docs/frontend.md'), 'utf8');
/** The guide's codegen.ts, as a team copies it. */
const CODEGEN_TS = /```ts\n(\/\/ codegen\.ts\n[\s\S]*?)```/.exec(GUIDE)?.[1];
const operationName = (text: string) =>
  (parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode).name!.value;
/** The guide's documents, by operation name. */
const DOCUMENTS = new Map(
  docExamples()
    .filter((example) => example.file === 'docs/frontend.md')
    .map(({ text }) => [operationName(text), text]),
);

const ADMIN = 'ci-admin-key';
const PORTAL = 'portal-token';
const PROVINCE = '000.00.00.H06'; // the fixture province's root (tests/support/fixture-province.ts)

/** Runs `npm run documents -- …` as a process of its own. */
const documentsCli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/documents.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });

describe('the frontend guide: codegen, trusted documents through a running hub, then HTTP, SSE and WebSocket', () => {
  let dir: string;
  let store: TestStore;
  let hub: TestHub;
  /** The manifest codegen wrote: "sha256:<hex>" → the text it normalised. */
  let manifest: Record<string, string>;
  /** The manifest's ids by operation name. */
  const ids = new Map<string, string>();
  const idOf = (name: string) => ids.get(name)!;

  beforeAll(async () => {
    expect(CODEGEN_TS, 'docs/frontend.md has a ```ts block starting // codegen.ts').toBeDefined();
    expect([...DOCUMENTS.keys()]).toEqual(
      expect.arrayContaining(['UnitsPage', 'UnitIndicators', 'SourceStatus', 'UnitAlerts']),
    );
    mkdirSync(join(ROOT, '.scratch'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.scratch', 'frontend-codegen-'));
    // A frontend project: the hub's schema copied in, the guide's codegen.ts, one document per file.
    copyFileSync(join(ROOT, 'schema.graphql'), join(dir, 'schema.graphql'));
    writeFileSync(join(dir, 'codegen.ts'), CODEGEN_TS!);
    mkdirSync(join(dir, 'src'));
    for (const [name, text] of DOCUMENTS) writeFileSync(join(dir, 'src', `${name}.graphql`), text);

    store = await openTestStore('pglite');
    await seedDemoProvince(store.db);
    // What a hub's start registers (gateway/main.ts): the registration mutation's document.
    await registerDocumentsCliDocument(store.db, {});
    hub = await startTestHub(store.db, {
      adminToken: ADMIN,
      viewers: { [PORTAL]: testViewer('yen-the-portal', ['read:aggregates', 'subscribe']) },
      config: { HUB_MODE: 'production' },
    });
  });
  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates typed documents and a manifest keyed sha256:<hex>, the custom scalars typed as the guide maps them', async () => {
    const { default: config } = await import(pathToFileURL(join(dir, 'codegen.ts')).href);
    await generate({ ...config, cwd: dir, silent: true }, true);
    manifest = JSON.parse(readFileSync(join(dir, 'src/gql/persisted-documents.json'), 'utf8'));
    for (const [id, text] of Object.entries(manifest)) ids.set(operationName(text), id);
    expect([...ids.keys()].sort()).toEqual([...DOCUMENTS.keys()].sort());
    expect(Object.keys(manifest)).toHaveLength(DOCUMENTS.size);
    for (const id of Object.keys(manifest)) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const types = readFileSync(join(dir, 'src/gql/graphql.ts'), 'utf8');
    // The operations' types inline the scalars: a Date (firstDay) and a DateTime (at) come out as strings.
    expect(types).toContain('firstDay: string, lastDay: string');
    expect(types).toMatch(/SourceStatusSubscription = \{ sourceStatusChanged: \{ eventId: string, at: string,/);
  });

  it('registers the manifest with the CLI through the running hub: unknown ids until then', async () => {
    const unregistered = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PORTAL}` },
      body: JSON.stringify({ documentId: idOf('UnitsPage'), variables: { first: 2 } }),
    });
    expect(unregistered.status).toBe(404);

    const { stdout } = await documentsCli(
      ['register', join(dir, 'src/gql/persisted-documents.json'), '--client', 'yen-the-portal'],
      // Through the hub only: a store the command would open does not exist.
      { HUB_URL: hub.url, HUB_API_KEY: ADMIN, PGLITE_DIR: join(dir, 'no-store') },
    );
    for (const id of Object.keys(manifest)) expect(stdout).toContain(`added ${id.slice('sha256:'.length)}`);
  });

  it('runs the queries by id over HTTP: a page of units and the next, a unit with its indicators', async () => {
    const run = async (name: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${PORTAL}`,
        },
        body: JSON.stringify({ documentId: idOf(name), variables }),
      });
      const body = await response.json();
      expect([response.status, body.errors]).toEqual([200, undefined]);
      return body.data;
    };
    const first = await run('UnitsPage', { first: 2 });
    expect(first.units.edges).toHaveLength(2);
    expect(first.units.pageInfo.hasNextPage).toBe(true);
    const next = await run('UnitsPage', { first: 2, after: first.units.pageInfo.endCursor });
    expect(next.units.edges).toHaveLength(2);
    const codes = (page: typeof first) => page.units.edges.map((edge: { node: { code: string } }) => edge.node.code);
    expect(codes(next)).not.toContain(codes(first)[0]);

    const indicators = await run('UnitIndicators', { unitCode: PROVINCE, period: '2025' });
    expect(indicators.unit.code).toBe(PROVINCE);
    expect(indicators.indicators.map((value: { code: string }) => value.code).sort()).toEqual([
      'DOSSIER_RECEIVED',
      'ON_TIME_RATE',
    ]);
  });

  it('runs the subscription by id over SSE with graphql-sse and over WebSocket with graphql-ws', async () => {
    const sse = createSseClient({
      url: `${hub.url}/graphql`,
      headers: { authorization: `Bearer ${PORTAL}` },
      retryAttempts: 0,
    });
    const ws = wsClient(hub.url, { token: PORTAL });
    const request = { query: '', documentId: idOf('SourceStatus'), variables: {} } as RequestParams;
    try {
      const overSse = sse.iterate<{ sourceStatusChanged: { eventId: string; status: string } }>(request);
      const overWs = ws.iterate<{ sourceStatusChanged: { eventId: string; status: string } }>(request as never);
      const [sseNext, wsNext] = [overSse.next(), overWs.next()];
      await until(() => hub.hub.live.size === 2, 'the SSE and the WebSocket subscriber');
      const event = sourceStatusEvent();
      hub.hub.pubsub.publish(LIVE_TOPIC, event);
      for (const next of [await sseNext, await wsNext]) {
        expect(next.value).toMatchObject({ data: { sourceStatusChanged: { eventId: event.id, status: 'FAILING' } } });
      }
      await overSse.return?.();
      await overWs.return?.();
    } finally {
      sse.dispose();
      await ws.dispose();
    }
  });
});
