/**
 * `npm run documents` (scripts/documents.ts) as a process of its own: it
 * registers .graphql files and JSON manifests (keyed "sha256:<hex>" as
 * graphql-codegen's client preset writes them, or by the bare hex) for a
 * client, through a running hub when given one, lists, shows and
 * removes (by id prefix), idempotently, restores the dashboard's documents,
 * and refuses, with nothing registered, a document that cannot run (a limit
 * every request meets included: its code and message are a request's) or a
 * manifest whose ids are not SHA-256. What it writes is what a hub reads.
 *
 * Each run is a process that opens and migrates the store (seconds on an
 * on-disk PGlite), so the whole scenario runs on one backend (PostgreSQL when
 * TEST_DATABASE_URL is set) and the others get a smoke test; the tests run
 * concurrently.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DOCUMENTS } from '../../gateway/dashboard/documents.js';
import { dashboardDocuments } from '../../gateway/policy/documents/dashboard.ts';
import { prepareDocument } from '../../gateway/policy/documents/documents-files.ts';
import { createDocumentCheck } from '../../gateway/policy/limits/document-check.ts';
import { DEFAULT_LIMITS } from '../../gateway/policy/limits/settings.ts';
import { hubSchema } from '../../schema/index.ts';
import { openDb } from '../../store/open-db.ts';
import { type Backend, type Db } from '../../store/db.ts';
import { documentIdOf, listTrustedDocuments } from '../../store/trusted-documents.ts';
import { hubOnStore, startTestHub, testViewer } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNITS = 'query TrustedUnits { units(first: 1) { edges { node { code } } } }';
const STATUS = 'subscription TrustedStatus { sourceStatusChanged { eventId source status } }';

/** Runs `npm run documents -- …` as a process of its own; its exit code, stdout and stderr. */
async function documentsCli(args: string[], env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/documents.ts', ...args], {
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

/** A store for the CLI: its environment, a way to read it from here, and its disposal. */
interface CliStore {
  env: Record<string, string>;
  read<T>(work: (db: Db) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

async function cliStore(backend: Backend, dir: string): Promise<CliStore> {
  if (backend === 'postgres') {
    const store: TestStore = await openTestStore('postgres');
    const [schema] = await store.db.query<{ name: string }>('SELECT current_schema() AS name');
    return {
      env: { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema!.name },
      read: <T>(work: (db: Db) => Promise<T>) => work(store.db),
      dispose: () => store.dispose(),
    };
  }
  const pgliteDir = join(dir, 'pglite');
  return {
    env: { PGLITE_DIR: pgliteDir },
    // An on-disk PGlite serves one process at a time: opened here only between two runs of the CLI.
    async read<T>(work: (db: Db) => Promise<T>) {
      const db = await openDb({ pgliteDir });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    dispose: async () => {},
  };
}

/** Each document's id, client and whether it is removed, as a hub reads them. */
const stored = async (db: Db) =>
  (await listTrustedDocuments(db)).map((d) => [d.id, d.clientName, d.removedAt !== null]);

describe.concurrent('npm run documents', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-documents-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const full = testBackends.at(-1)!;
  const UNITS_FILE = `${UNITS}\n`;
  const fileId = documentIdOf(UNITS_FILE);

  it(`on ${full}: registers a file and a manifest for a client, lists, removes by id prefix, restores and shows`, async () => {
    const dir = tempDir();
    const store = await cliStore(full, dir);
    const cli = (...args: string[]) => documentsCli(args, store.env);
    try {
      const file = join(dir, 'units.graphql');
      writeFileSync(file, UNITS_FILE);
      const manifest = join(dir, 'persisted-documents.json');
      // Keyed as graphql-codegen's client preset writes its manifest.
      writeFileSync(manifest, JSON.stringify({ [`sha256:${documentIdOf(STATUS)}`]: STATUS }));

      const registered = await cli('register', file, manifest, '--client', 'web-app');
      expect(registered).toMatchObject({ code: 0 });
      expect(registered.stdout).toContain(`added ${fileId} TrustedUnits`);
      expect(registered.stdout).toContain(`added ${documentIdOf(STATUS)} TrustedStatus`);

      const removed = await cli('remove', fileId.slice(0, 8));
      expect(removed).toMatchObject({ code: 0 });
      expect(removed.stdout).toContain(`removed ${fileId}`);

      const listed = await cli('list');
      expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+OPERATIONS\s+CLIENT\s+REGISTERED\s+REMOVED$/);
      expect(listed.stdout).toMatch(new RegExp(`^${documentIdOf(STATUS)}\\s+TrustedStatus\\s+web-app\\s+\\S+Z$`, 'm'));
      expect(listed.stdout).toMatch(new RegExp(`^${fileId}\\s+TrustedUnits\\s+web-app\\s+\\S+Z\\s+\\S+Z$`, 'm'));

      // What the CLI wrote is what a hub reads.
      expect(await store.read(stored)).toEqual([
        [documentIdOf(STATUS), 'web-app', false],
        [fileId, 'web-app', true],
      ]);

      // Registering again is idempotent, and brings a removed document back; --dashboard registers (or restores)
      // the dashboard's own documents.
      const again = await cli('register', file, manifest, '--dashboard');
      expect(again.stdout).toContain(`restored ${fileId} TrustedUnits`);
      expect(again.stdout).toContain(`registered already ${documentIdOf(STATUS)}`);
      for (const text of DASHBOARD_DOCUMENTS) expect(again.stdout).toContain(`added ${documentIdOf(text)} Dashboard`);
      expect((await cli('show', fileId.slice(0, 12))).stdout).toBe(UNITS_FILE);
    } finally {
      await store.dispose();
    }
  });

  for (const backend of testBackends.filter((b) => b !== full)) {
    it(`on ${backend}: registers, as a hub then reads`, async () => {
      const dir = tempDir();
      const store = await cliStore(backend, dir);
      try {
        const file = join(dir, 'units.graphql');
        writeFileSync(file, UNITS_FILE);
        const registered = await documentsCli(['register', file, '--client', 'web-app'], store.env);
        expect(registered).toMatchObject({ code: 0 });
        expect(registered.stdout).toContain(`added ${fileId} TrustedUnits`);
        expect(await store.read(stored)).toEqual([[fileId, 'web-app', false]]);
      } finally {
        await store.dispose();
      }
    });
  }

  it('with --hub, registers through the running hub; falls back to the store when none answers on this machine', async () => {
    const dir = tempDir();
    const store = await openTestStore('pglite');
    const hub = await startTestHub(store.db, {
      adminToken: 'admin-key',
      viewers: { reader: testViewer('r', ['read:aggregates']) },
    });
    try {
      const manifest = join(dir, 'persisted-documents.json');
      // Bare hex keys, as other tools write them.
      writeFileSync(manifest, JSON.stringify({ [documentIdOf(STATUS)]: STATUS }));
      const pgliteDir = join(dir, 'pglite');
      const [through, refused, fallback] = await Promise.all([
        documentsCli(['register', manifest, '--hub', hub.url, '--key', 'admin-key', '--client', 'web'], {
          PGLITE_DIR: join(dir, 'never-opened'),
        }),
        documentsCli(['register', manifest], {
          HUB_URL: hub.url,
          HUB_API_KEY: 'reader',
          PGLITE_DIR: join(dir, 'never-opened'),
        }),
        documentsCli(['register', manifest, '--hub', 'http://127.0.0.1:1', '--key', 'admin-key'], {
          PGLITE_DIR: pgliteDir,
        }),
      ]);
      expect(through).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(`added ${documentIdOf(STATUS)} TrustedStatus`),
      });
      expect(await stored(store.db)).toEqual([[documentIdOf(STATUS), 'web', false]]);
      // The hub's refusal is the command's: nothing is written anywhere else.
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('FORBIDDEN');
      expect(existsSync(join(dir, 'never-opened'))).toBe(false);
      expect(fallback).toMatchObject({ code: 0, stdout: expect.stringContaining(`added ${documentIdOf(STATUS)}`) });
      expect(fallback.stderr).toContain('no hub at http://127.0.0.1:1');
      const db = await openDb({ pgliteDir });
      try {
        expect(await stored(db)).toEqual([[documentIdOf(STATUS), null, false]]);
      } finally {
        await db.close();
      }

      // A manifest over the hub's body limit (MAX_BODY_BYTES, 100 KiB) is sent in batches.
      const big = join(dir, 'big.json');
      const texts = [1, 2, 3].map((i) => `# ${'x'.repeat(40_000)}\nquery Big${i} { __typename }`);
      writeFileSync(big, JSON.stringify(Object.fromEntries(texts.map((t) => [`sha256:${documentIdOf(t)}`, t]))));
      const batched = await documentsCli(['register', big, '--hub', hub.url, '--key', 'admin-key'], {
        PGLITE_DIR: join(dir, 'never-opened'),
      });
      expect(batched).toMatchObject({ code: 0, stderr: '' });
      for (const [i, text] of texts.entries())
        expect(batched.stdout).toContain(`added ${documentIdOf(text)} Big${i + 1}`);
    } finally {
      await hub.hub.stop();
      await store.dispose();
    }
  });

  it('refuses a document that cannot run, a manifest whose ids are not SHA-256 (exit 1), a usage error (exit 2)', async () => {
    const dir = tempDir();
    // No store is opened for these: files are checked first, usage before anything.
    const cliWith = (env: Record<string, string>, ...args: string[]) =>
      documentsCli(args, { PGLITE_DIR: join(dir, 'never-opened'), ...env });
    const cli = (...args: string[]) => cliWith({}, ...args);
    const good = join(dir, 'good.graphql');
    writeFileSync(good, UNITS);
    const bad = join(dir, 'bad.graphql');
    writeFileSync(bad, '{ nope }');
    const sha1 = join(dir, 'sha1.json');
    writeFileSync(sha1, JSON.stringify({ abc123: UNITS }));

    const deep = join(dir, 'deep.graphql');
    writeFileSync(deep, OVER_LIMITS.QUERY_TOO_DEEP);

    const [invalid, tooDeep, deepAllowed, notSha256, usage, remoteAway] = await Promise.all([
      cli('register', good, bad),
      cli('register', good, deep),
      // The limits are the environment's, as the hub's: deeper allowed, the deep document passes and bad is next.
      cliWith({ MAX_QUERY_DEPTH: '30' }, 'register', deep, bad),
      cli('register', sha1),
      cli('remove'),
      // A remote hub that does not answer: a store of this machine would not be its, so nothing is written.
      cli('register', good, '--hub', 'https://hub.invalid', '--key', 'k'),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('bad.graphql: does not validate: Cannot query field "nope"');
    expect(tooDeep.code).toBe(1);
    expect(tooDeep.stderr).toContain(
      `deep.graphql: does not validate: QUERY_TOO_DEEP: Query depth 23 exceeds the limit of ${DEFAULT_LIMITS.maxDepth}`,
    );
    expect([deepAllowed.code, deepAllowed.stderr]).toEqual([
      1,
      expect.stringContaining('bad.graphql: does not validate'),
    ]);
    expect([notSha256.code, notSha256.stderr]).toEqual([1, expect.stringContaining("hashAlgorithm: 'sha256'")]);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('remove needs a document id')]);
    expect([remoteAway.code, remoteAway.stderr]).toEqual([
      1,
      expect.stringContaining('no hub at https://hub.invalid (ENOTFOUND), and no DATABASE_URL'),
    ]);
    expect(existsSync(join(dir, 'never-opened'))).toBe(false);
  });
});

/** Documents every request refuses, each for one limit (the defaults: gateway/policy/limits/settings.ts). */
const OVER_LIMITS = {
  QUERY_TOO_DEEP: `{ units(first: 1) { edges { node { ${'parent { '.repeat(19)} code ${'} '.repeat(19)} } } } }`,
  TOO_MANY_ALIASES: `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: sources { name }`).join(' ')} }`,
  TOO_MANY_TOKENS: `{ units(first: 1) { totalCount ${' __typename'.repeat(2_100)} } }`,
  TOO_MANY_DIRECTIVES: `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`,
  QUERY_TOO_COMPLEX: '{ units(first: 100) { edges { node { descendants { descendants { code } } } } } }',
  // A NUL in a literal: refused as a request's argument is.
  BAD_USER_INPUT: '{ staffMember(id: "ST\\u0000") { id } }',
};

describe('registering a document checks the limits every request meets', () => {
  const check = createDocumentCheck(hubSchema());
  const refusal = (text: string) => {
    try {
      prepareDocument({ text, source: 'doc.graphql' }, check);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const hub = hubOnStore(testBackends[0]!);

  it.each(Object.entries(OVER_LIMITS))('refuses %s with the code and message a request gets', async (code, text) => {
    const request = await hub().gql(text);
    const [error] = request.errors ?? [];
    expect(error?.extensions?.code).toBe(code);
    expect(refusal(text)).toMatch(/^doc\.graphql: /);
    expect(refusal(text)).toContain(`${code}: ${error!.message}`);
  });

  it('names the limit it is over', () => {
    expect(refusal(OVER_LIMITS.QUERY_TOO_DEEP)).toBe(
      `doc.graphql: does not validate: QUERY_TOO_DEEP: Query depth 23 exceeds the limit of ${DEFAULT_LIMITS.maxDepth}`,
    );
    expect(refusal(OVER_LIMITS.QUERY_TOO_COMPLEX)).toMatch(
      new RegExp(
        `^doc\\.graphql: every request of it would be refused: QUERY_TOO_COMPLEX: Query cost \\d+ exceeds the limit of ${DEFAULT_LIMITS.maxCost}:`,
      ),
    );
  });

  it('takes the limits it is given: those the hub runs with', () => {
    const deeper = createDocumentCheck(hubSchema(), { maxDepth: 30 });
    expect(prepareDocument({ text: OVER_LIMITS.QUERY_TOO_DEEP, source: 'doc.graphql' }, deeper).document).toBe(
      OVER_LIMITS.QUERY_TOO_DEEP,
    );
  });

  it("lets through a document some variables keep under the cost limit, and the dashboard's", () => {
    // Over the limit with a page of 100, under it with a small page, which a client may send.
    expect(
      refusal(OVER_LIMITS.QUERY_TOO_COMPLEX.replace('{ units(first: 100)', 'query ($n: Int!) { units(first: $n)')),
    ).toBeNull();
    expect(dashboardDocuments().map((d) => d.document)).toEqual(DASHBOARD_DOCUMENTS);
    // Limits too low for the dashboard refuse its documents too (a hub with them does not start), naming the limit.
    expect(() => dashboardDocuments({ maxTokens: 100 })).toThrow(
      /^the dashboard's document \d+: TOO_MANY_TOKENS: The document has more than 100 tokens, the limit$/,
    );
  });
});
