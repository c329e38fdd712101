/**
 * The hub as a user starts it: a real process, configured by its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServerMissing, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { openTestStore } from '../support/store.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl)
  console.warn('tests/integration/main.test.ts: the Redis start-up checks are skipped: TEST_REDIS_URL is unset');

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startHub(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: [],
    stderr: [],
    exited: once(child, 'exit').then(([code]) => code as number | null),
  };
  child
    .stdout!.setEncoding('utf8')
    .on('data', (chunk: string) => run.stdout.push(...chunk.split('\n').filter(Boolean)));
  child
    .stderr!.setEncoding('utf8')
    .on('data', (chunk: string) => run.stderr.push(...chunk.split('\n').filter(Boolean)));
  return run;
}

/** A GraphQL query POSTed as JSON, without credentials. */
const postWithoutCredentials = (url: string, query: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });

/** Waits for the log line that says where the hub listens. */
async function listeningUrl(run: Run, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of run.stdout) {
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.msg === 'lgsp-hub listening') return entry.url!.replace(/\/graphql$/, '');
    }
    if (run.child.exitCode !== null) throw new Error(`hub exited: ${run.stderr.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('hub did not start in time');
}

// Each test starts the hub as a process of its own (tsx, PGlite, a demo sync) while other files run beside it: its
// own waits allow a minute for the start and a minute for the first pass, so the test may take that long.
describe('gateway/main.ts', { timeout: 150_000 }, () => {
  it('starts on a bare machine with embedded PGlite, syncs the demo province from in-process mock upstreams, and stops cleanly on SIGTERM', async () => {
    const run = startHub({ PGLITE_DIR: 'memory://', PORT: '0', DEMO_SCALE: 'tiny' });
    try {
      const url = await listeningUrl(run);
      // Demo mode prints a development credential with every scope, for a person to copy.
      const printed = run.stderr.join('\n');
      expect(printed).toContain('lgsp-hub: development mode: requests without credentials get every read scope');
      const adminToken = /Bearer (lgsp_[0-9a-f]{16}_[\w-]+)/.exec(printed)?.[1];
      expect(adminToken).toBeDefined();
      const gql = async (query: string, token?: string) => {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        });
        return (await response.json()) as { data: any; errors?: { message: string; extensions: { code: string } }[] };
      };
      // The first pass of every source runs at start, through the real connectors.
      for (let waited = 0; ; waited += 200) {
        const { data } = await gql('{ sources { name lastSuccessAt } }');
        if (data.sources.every((s: { lastSuccessAt: string | null }) => s.lastSuccessAt)) break;
        if (waited > 60_000) throw new Error(`demo sync did not finish: ${JSON.stringify(data)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const { data } = await gql('{ units(first: 5) { edges { node { code name } } } }');
      expect(data.units.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual([
        'UBND tỉnh Bắc Giang',
        'UBND huyện Yên Thế',
        'Văn phòng UBND tỉnh',
        'Văn phòng HĐND và UBND huyện Yên Thế',
        'Sở Nội vụ',
      ]);
      const sources = await gql('{ sources { name recordsSynced quarantined circuit lastError } }');
      expect(sources.data.sources.map((s: { name: string }) => s.name)).toEqual([
        'ONE_STOP_SHOP',
        'CADRE_DB',
        'BUDGET',
      ]);
      for (const source of sources.data.sources) {
        expect(source).toMatchObject({ quarantined: 0, circuit: 'CLOSED', lastError: null });
        expect(BigInt(source.recordsSynced)).toBeGreaterThan(0n);
      }

      const syncNow = 'mutation { syncNow(source: BUDGET) { name lastSuccessAt lastError } }';
      const refused = await gql(syncNow);
      expect(refused.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      const ran = await gql(syncNow, adminToken);
      expect(ran.errors).toBeUndefined();
      expect(ran.data.syncNow).toMatchObject({ name: 'BUDGET', lastError: null });

      // Personal data: null with a FORBIDDEN error anonymously, the name itself with the credential.
      const names = '{ staff(first: 1) { edges { node { fullName fullNameMasked } } } }';
      const anonymous = await gql(names);
      expect(anonymous.data.staff.edges[0].node.fullName).toBeNull();
      expect(anonymous.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      const named = await gql(names, adminToken);
      expect(named.errors).toBeUndefined();
      expect(named.data.staff.edges[0].node.fullName).toMatch(/^\p{Lu}\p{Ll}+( \p{Lu}\p{Ll}*)+$/u);

      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/lgsp_upstream_requests_total\{[^}]*source="CADRE_DB"/);
      const graphiql = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await graphiql.text()).toContain('lgsp-hub');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const messages = run.stdout.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain(
      'no upstream configured: syncing from mock upstreams over a simulated province (demo mode)',
    );
    expect(messages.filter((m) => m === 'sync pass succeeded').length).toBeGreaterThanOrEqual(3);
    expect(messages.slice(-2)).toEqual(['shutting down: finishing in-flight requests', 'stopped']);
    expect(run.stderr.filter((line) => !line.startsWith('lgsp-hub: '))).toEqual([]);
  });

  it("npm run demo:tick moves the demo hub's simulated clock on and syncs at once: new dossiers, live events", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lgsp-demo-tick-'));
    const env = { PGLITE_DIR: join(dataDir, 'pglite') };
    const tick = (...args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-tick.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      return once(child, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }));
    };
    try {
      // No hub on this data directory yet: the command says so, naming the state file it looked for.
      const alone = await tick('--hours=1');
      expect(alone).toMatchObject({ code: 1, stdout: '' });
      expect(alone.stderr).toContain(`no demo hub found: ${env.PGLITE_DIR}.demo.json is absent`);
      expect((await tick('--hours=-2')).code).toBe(2);

      const run = startHub({ ...env, PORT: '0', DEMO_SCALE: 'tiny' });
      let subscription: AbortController | undefined;
      try {
        const url = await listeningUrl(run);
        const adminToken = /Bearer (lgsp_[0-9a-f]{16}_[\w-]+)/.exec(run.stderr.join('\n'))?.[1];
        const gql = async (query: string) => {
          const response = await postWithoutCredentials(url, query);
          return ((await response.json()) as { data: any }).data;
        };
        for (let waited = 0; ; waited += 200) {
          const { sources } = await gql('{ sources { lastSuccessAt running } }');
          if (sources.every((s: { lastSuccessAt: string | null; running: boolean }) => s.lastSuccessAt && !s.running))
            break;
          if (waited > 60_000) throw new Error(`demo sync did not finish: ${JSON.stringify(sources)}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const before = (await gql('{ dossiers(first: 1) { totalCount } }')).dossiers.totalCount as number;

        // A province-wide subscription over SSE, opened before the tick: the sync's events reach it.
        subscription = new AbortController();
        const stream = await fetch(`${url}/graphql`, {
          method: 'POST',
          signal: subscription.signal,
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            authorization: `Bearer ${adminToken}`,
          },
          body: JSON.stringify({
            query: 'subscription { dossierEvents(unitCode: "000.00.00.H40") { eventId kind dossierCode } }',
          }),
        });
        expect(stream.status).toBe(200);
        const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
        const firstEvent = (async () => {
          let text = '';
          while (!/event: next\ndata: /.test(text)) text += (await reader.read()).value ?? '';
          return text;
        })();

        const ticked = await tick('--hours=24');
        expect(ticked.stderr).toBe('');
        expect(ticked.code).toBe(0);
        expect(ticked.stdout).toMatch(/^simulated clock moved 24 h on, now \d{4}-\d\d-\d\dT/);
        expect(ticked.stdout).toMatch(/ONE_STOP_SHOP +\d+ records written, 0 rejected/);
        expect(ticked.stdout).toContain(`live on ${url}/dashboard`);
        // A day of the simulated province: new dossiers in the graph and their events on the subscription.
        const after = (await gql('{ dossiers(first: 1) { totalCount } }')).dossiers.totalCount as number;
        expect(after).toBeGreaterThan(before);
        expect(await firstEvent).toMatch(/"dossierEvents":\{"eventId":"[^"]+","kind":"[A-Z_]+"/);
      } finally {
        subscription?.abort();
        run.child.kill('SIGTERM');
      }
      expect(await run.exited).toBe(0);
      // The state file goes with the hub: the command then finds none.
      expect(existsSync(`${env.PGLITE_DIR}.demo.json`)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('in production mode refuses a request without credentials with 401, and prints no credential', async () => {
    const run = startHub({ PGLITE_DIR: 'memory://', PORT: '0', DEMO_DATA: 'off', HUB_MODE: 'production' });
    try {
      const url = await listeningUrl(run);
      const response = await postWithoutCredentials(url, '{ units(first: 1) { edges { node { code } } } }');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.stderr.join('\n')).not.toContain('lgsp_');
  });

  /** Starts the hub with `env`, checks that anonymous requests read aggregates (development mode), stops it. */
  async function servesInDevelopment(env: Record<string, string>) {
    const run = startHub({ PORT: '0', SYNC_INTERVAL_SECONDS: '0', HUB_MODE: 'development', ...env });
    try {
      const url = await listeningUrl(run);
      const response = await postWithoutCredentials(url, '{ units(first: 1) { totalCount } }');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { units: { totalCount: 0 } } });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }

  it('starts in development mode set explicitly beside a real upstream', async () => {
    await servesInDevelopment({ PGLITE_DIR: 'memory://', ONE_STOP_SHOP_URL: 'http://127.0.0.1:9' });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'starts in development mode set explicitly beside DATABASE_URL (TEST_DATABASE_URL)',
    async () => {
      const store = await openTestStore('postgres');
      try {
        const [row] = await store.db.query<{ schema: string }>('SELECT current_schema() AS schema');
        await servesInDevelopment({
          DATABASE_URL: process.env.TEST_DATABASE_URL!,
          DATABASE_SCHEMA: row!.schema,
          DEMO_DATA: 'off',
        });
      } finally {
        await store.dispose();
      }
    },
  );

  it.each([
    [{ PORT: 'abc' }, 'lgsp-hub: Invalid configuration: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ LOG_LEVEL: 'chatty', PORT: '0' }, 'lgsp-hub: Invalid configuration: LOG_LEVEL must be one of'],
    [
      { DATABASE_URL: 'postgres://hub:pw@127.0.0.1:1/none', PORT: '0' },
      'lgsp-hub: Invalid configuration: HUB_MODE must be set to development or production when DATABASE_URL is set',
    ],
    [
      { ONE_STOP_SHOP_URL: 'http://127.0.0.1:1', PORT: '0' },
      'lgsp-hub: Invalid configuration: HUB_MODE must be set to development or production when ONE_STOP_SHOP_URL is set',
    ],
    [
      { DATABASE_URL: 'postgres://hub:pw@127.0.0.1:1/none', PORT: '0', HUB_MODE: 'production' },
      'lgsp-hub: cannot open the store (PostgreSQL at DATABASE_URL=postgres://hub:***@127.0.0.1:1/none)',
    ],
  ])('refuses %o with one line naming the cause, and no stack trace', async (env, message) => {
    const run = startHub({ PGLITE_DIR: 'memory://', ...env });
    expect(await run.exited).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toContain(message);
    expect(run.stderr.join('\n')).not.toMatch(/\n\s+at |pw@/);
  });
});

/** Starts the hub on `env` and expects it to stop at once with one line on stderr containing `message`. */
async function refusedAtStart(env: Record<string, string>, message: string) {
  const run = startHub({ PGLITE_DIR: 'memory://', PORT: '0', DEMO_DATA: 'off', ...env });
  // A hub that starts anyway is stopped, not left running after the test.
  const stillRunning = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
  try {
    expect(await run.exited).toBe(1);
  } finally {
    clearTimeout(stillRunning);
  }
  expect(run.stderr).toEqual([expect.stringContaining(message)]);
  expect(run.stdout.map((line) => (JSON.parse(line) as { msg: string }).msg)).not.toContain('lgsp-hub listening');
  return run;
}

describe.skipIf(!redisUrl)('gateway/main.ts on a Redis that refuses its commands', { timeout: 60_000 }, () => {
  it('a database the server does not have stops the start with one line naming REDIS_URL', async () => {
    const url = new URL(redisUrl!);
    url.pathname = '/99'; // a default Redis has 16
    await refusedAtStart(
      { REDIS_URL: url.href },
      `lgsp-hub: Redis at REDIS_URL=${url.href} refuses the hub's commands: SELECT 99: ERR DB index is out of range`,
    );
  });

  it('npm run sync, which publishes there too, stops the same way', async () => {
    const url = new URL(redisUrl!);
    url.pathname = '/99';
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sync.ts', '--once'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PGLITE_DIR: 'memory://',
        REDIS_URL: url.href,
        BUDGET_URL: 'http://127.0.0.1:9',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toBe(
      `lgsp-hub sync: Redis at REDIS_URL=${url.href} refuses the hub's commands: SELECT 99: ERR DB index is out of range\n`,
    );
  });
});

if (redisServerMissing)
  console.warn(`tests/integration/main.test.ts: the Redis password checks are skipped: ${redisServerMissing}`);

describe.skipIf(redisServerMissing !== null)(
  'gateway/main.ts on a Redis that wants a password',
  { timeout: 60_000 },
  () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedisServer(['--requirepass', 'redis-secret']);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('a URL without the password stops the start with one line naming REDIS_URL', async () => {
      await refusedAtStart(
        { REDIS_URL: server.url },
        `lgsp-hub: Redis at REDIS_URL=${server.url} refuses the hub's commands: connecting: NOAUTH`,
      );
    });

    it('a wrong password stops it too, and is not quoted', async () => {
      const run = await refusedAtStart(
        { REDIS_URL: `redis://:wrong-secret@127.0.0.1:${server.port}` },
        `lgsp-hub: Redis at REDIS_URL=redis://:***@127.0.0.1:${server.port} refuses the hub's commands: connecting: WRONGPASS`,
      );
      expect(run.stderr.join('\n')).not.toContain('wrong-secret');
    });
  },
);
