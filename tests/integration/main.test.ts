/**
 * The hub as a user starts it: a real process, configured by its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

describe('gateway/main.ts', () => {
  it('starts on a bare machine with embedded PGlite and the demo province, and stops cleanly on SIGTERM', async () => {
    const run = startHub({ PGLITE_DIR: 'memory://', PORT: '0', DEMO_SCALE: 'tiny' });
    try {
      const url = await listeningUrl(run);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ units(first: 5) { edges { node { code name } } } }' }),
      });
      const { data } = (await response.json()) as { data: { units: { edges: { node: { name: string } }[] } } };
      expect(data.units.edges.map((e) => e.node.name)).toEqual([
        'UBND tỉnh Bắc Giang',
        'UBND huyện Yên Thế',
        'Văn phòng UBND tỉnh',
        'Văn phòng HĐND và UBND huyện Yên Thế',
        'Sở Nội vụ',
      ]);
      const graphiql = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await graphiql.text()).toContain('lgsp-hub');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const messages = run.stdout.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('empty store: loaded the demo province');
    expect(messages.slice(-2)).toEqual(['shutting down: finishing in-flight requests', 'stopped']);
    expect(run.stderr).toEqual([]);
  });

  it.each([
    [{ PORT: 'abc' }, 'lgsp-hub: Invalid configuration: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ LOG_LEVEL: 'chatty', PORT: '0' }, 'lgsp-hub: Invalid configuration: LOG_LEVEL must be one of'],
    [
      { DATABASE_URL: 'postgres://hub:pw@127.0.0.1:1/none', PORT: '0' },
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
