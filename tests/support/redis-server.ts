/**
 * A throwaway redis-server of a test's own, on a free loopback port: the test may stop it, start it again on the
 * same port, or start it with options (a password), without touching the shared Redis of TEST_REDIS_URL. Tests that
 * need it are skipped, saying so, where /usr/bin/redis-server is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const redisServerMissing = existsSync(REDIS_SERVER) ? null : `${REDIS_SERVER} is absent`;

export interface RedisServer {
  /** redis://127.0.0.1:<port>, without credentials. */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL, as a crash): connections drop at once. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once the port accepts a connection. */
async function accepting(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts redis-server with nothing persisted; `args` are its further options (`['--requirepass', 'x']`). */
export async function startRedisServer(args: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args], {
      stdio: 'ignore',
    });
    await accepting(port, child);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
