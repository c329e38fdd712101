/**
 * What the benchmarks share: the PostgreSQL they measure on, and the mock
 * upstreams in a child process (a core of their own, as real upstreams would
 * be on other machines).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';

/** The PostgreSQL the benchmarks run on: DATABASE_URL, else the local test database. */
export const benchDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Starts the mock upstreams of a scale in a child process; resolves with their URLs once they listen. */
export async function startMockProcess(scale: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/mock-upstreams.ts',
      `--scale=${scale}`,
      '--one-stop-shop-port=0',
      '--cadre-db-port=0',
      '--budget-port=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const urls: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /^(\w+_URL)=(.+)$/.exec(line);
    if (match) urls[match[1]!] = match[2]!;
    if (Object.keys(urls).length === 3) break;
  }
  if (Object.keys(urls).length < 3) throw new Error('the mock upstreams did not start');
  child.stdout!.resume();
  return { urls, stop: () => child.kill('SIGTERM') };
}

/** One connection of its own in `schema`, for work outside the hub's pool (DDL, COPY, VACUUM). */
export async function withClient<T>(schema: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
