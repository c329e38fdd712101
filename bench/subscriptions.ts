/**
 * `npm run bench:subscriptions`: live events fanned out to many SSE
 * subscribers of one hub instance, published through Redis as another
 * instance's producer would, beside two floors on the same channel: a bare
 * graphql-yoga server (bench/subscriptions-bare.ts, what Yoga and Node cost)
 * and a hand-written SSE fan-out (bench/subscriptions-fanout.ts, what Node's
 * HTTP costs). Every server and the subscribers run in child processes, so a
 * server's memory is its own. Targets (issue 8): 10,000 concurrent
 * subscribers on one instance, p99 fan-out under 500 ms, under 20 KB memory
 * (RSS) per subscriber. The machine's load average is printed with the
 * figures: on two shared cores they move with whatever else runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createHubPubSub, storeNamespace, type HubPubSub } from '../live/pubsub.ts';
import { LIVE_TOPIC, type LiveEvent } from '../store/live-events.ts';
import { growthPerSubscriber } from './subscriptions-heap.ts';
import { benchDatabaseUrl, withClient } from './support.ts';

const SCHEMA = 'bench_subscriptions';
/** The project's root: child processes run their scripts from there, whatever the current directory. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Flags: --n=1000,10000 (subscriber counts), --servers=hub,yoga,fanout, --events=20, --interval=250 (ms), --clients=4
// (subscriber processes), --keep (keep the migrated schema and reuse it), --snapshots (heap snapshots of each server
// at the baseline and with all subscribers, in the temporary directory, and what grew per subscriber by constructor;
// the snapshots themselves inflate the RSS).
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const COUNTS = (flag('n') ?? '1000,10000').split(',').map((n) => Number(n.replace(/_/g, '')));
const EVENTS = Number(flag('events') ?? 20);
const INTERVAL_MS = Number(flag('interval') ?? 250);
const CLIENTS = Number(flag('clients') ?? 4);
const SERVERS = (flag('servers') ?? 'hub,yoga,fanout').split(',');
const SNAPSHOTS = args.includes('--snapshots');
const keep = args.includes('--keep');
/** Subscribers connected before the baseline memory is read. */
const BASELINE_SUBSCRIBERS = 10;
/** Subscriptions each client process opens at once. */
const OPEN_CONCURRENCY = 32;
/** Deliveries still missing after this long without any arriving count as lost. */
const DELIVERY_STALL_MS = 5_000;

// A province-wide event: no store read per delivery, so what is measured is the fan-out.
/** The subscription (the dashboard's selection) and where, in each event, the bench's key rides (its `error` text). */
const SUBSCRIPTION =
  'subscription { sourceStatusChanged { eventId at source status previousStatus lastSuccessAt error } }';
const KEY_PATH = ['sourceStatusChanged', 'error'];

for (const n of COUNTS) {
  if (!Number.isInteger(n) || n <= BASELINE_SUBSCRIBERS) throw new Error(`--n: ${n} is not a count above 10`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => `${n.toFixed(1).padStart(6)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const now = () => performance.timeOrigin + performance.now();
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---------------------------------------------------------------------------
// Child processes, spoken to over their IPC channel.

interface Messenger {
  child: ChildProcess;
  /** Sends `message` and resolves with the child's next message of type `reply` (default: the same type). */
  ask<T = any>(message: { type: string; [key: string]: unknown }, reply?: string): Promise<T>;
}

function messenger(child: ChildProcess, name: string): Messenger {
  const waiting = new Map<string, { resolve: (m: any) => void; reject: (e: Error) => void }[]>();
  child.on('message', (message: { type: string }) => waiting.get(message.type)?.shift()?.resolve(message));
  child.once('exit', (code, signal) => {
    for (const list of waiting.values()) {
      for (const waiter of list.splice(0)) waiter.reject(new Error(`${name} exited (${signal ?? code})`));
    }
  });
  return {
    child,
    ask(message, reply = message.type) {
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          return reject(new Error(`${name} exited (${child.signalCode ?? `code ${child.exitCode}`})`));
        }
        const list = waiting.get(reply) ?? [];
        waiting.set(reply, list);
        list.push({ resolve, reject });
        child.send(message);
      });
    },
  };
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
async function stop(child: ChildProcess, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const children = new Set<ChildProcess>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  cpuMs: number;
  delayMaxMs: number;
  delayP99Ms: number;
}

interface Target {
  name: string;
  pid: number;
  origin: string;
  /** Whether it reads the live events of the bench's store (the hub's namespaced channel), or the bare topic. */
  namespaced: boolean;
  memory(): Promise<Memory>;
  /** Starts measuring the event loop's delay afresh; resolves with the CPU time used so far. */
  resetDelay(): Promise<number>;
  /** Writes a heap snapshot to `path` (after the collection `memory()` ran). */
  snapshot(path: string): Promise<void>;
  stop(): Promise<void>;
}

/** The server's RSS as the kernel counts it, and its heap after a full collection, as the probe reads it. */
async function readMemory(probe: Messenger, pid: number): Promise<Memory> {
  const reply = await probe.ask<Memory & { gc: boolean }>({ type: 'memory' });
  if (!reply.gc) throw new Error('the probe cannot collect garbage (--expose-gc missing)');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return { ...reply, rss: rssKb * 1024 };
}

/** Starts a server script under the probe; resolves once `ready(origin)` says it serves. */
async function startServer(
  name: string,
  namespaced: boolean,
  script: string,
  env: Record<string, string>,
  ready: (origin: string) => Promise<boolean>,
): Promise<Target> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  delete childEnv.NODE_ENV; // "test" makes Yoga ping every 300 ms instead of 12 s
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--import', './bench/subscriptions-probe.ts', script],
    { cwd: ROOT, env: childEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const probe = messenger(child, name);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    if (await ready(origin).catch(() => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not start within 180 s`);
    await sleep(250);
  }
  return {
    name,
    namespaced,
    pid: child.pid!,
    origin,
    memory: () => readMemory(probe, child.pid!),
    resetDelay: async () => (await probe.ask<{ cpuMs: number }>({ type: 'reset-delay' })).cpuMs,
    snapshot: (path) => probe.ask({ type: 'snapshot', path }),
    stop: () => stop(child),
  };
}

// gateway/main.ts unchanged, in a schema of its own (dropped at the end), without demo data or sync, so that its
// memory is the subscribers'. Every subscriber is the anonymous developer from one address, and each subscription
// start costs a rate-limit point: the limit is off, as a load balancer's many clients would not share one.
const startHub = () =>
  startServer(
    'the hub',
    true,
    'gateway/main.ts',
    {
      DATABASE_URL: benchDatabaseUrl,
      DATABASE_SCHEMA: SCHEMA,
      HUB_MODE: 'development', // anonymous subscribers; on a real store the mode is never a default
      REDIS_URL,
      DEMO_DATA: 'off',
      SYNC_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '2000',
      RATE_LIMIT_PER_MINUTE: '0',
    },
    async (origin) => (await fetch(`${origin}/ready`)).status === 200,
  );

const helloAnswers = async (origin: string) => (await fetch(`${origin}/graphql?query=%7Bhello%7D`)).status === 200;
const startYoga = () => startServer('bare Yoga', false, 'bench/subscriptions-bare.ts', { REDIS_URL }, helloAnswers);
const startFanout = () =>
  startServer('hand-written fan-out', false, 'bench/subscriptions-fanout.ts', { REDIS_URL }, helloAnswers);
const STARTERS: Record<string, () => Promise<Target>> = {
  hub: startHub,
  yoga: startYoga,
  fanout: startFanout,
};
for (const name of SERVERS) {
  if (!STARTERS[name]) throw new Error(`--servers: ${name} is not one of ${Object.keys(STARTERS).join(', ')}`);
}

interface ClientStatus {
  open: number;
  warmed: number;
  ended: number;
  received: number;
  warmReceived: number;
  firstError: string | null;
}

function startClients(count: number): Messenger[] {
  return Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/subscriptions-client.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return messenger(child, `subscriber process ${i + 1}`);
  });
}

async function statusOf(clients: Messenger[]): Promise<ClientStatus> {
  const all = await Promise.all(clients.map((c) => c.ask<ClientStatus>({ type: 'status' })));
  return {
    open: all.reduce((sum, s) => sum + s.open, 0),
    warmed: all.reduce((sum, s) => sum + s.warmed, 0),
    ended: all.reduce((sum, s) => sum + s.ended, 0),
    received: all.reduce((sum, s) => sum + s.received, 0),
    warmReceived: all.reduce((sum, s) => sum + s.warmReceived, 0),
    firstError: all.find((s) => s.firstError)?.firstError ?? null,
  };
}

// ---------------------------------------------------------------------------
// Events, as the producer of another instance publishes them (JSON on the Redis channel LIVE_TOPIC).

let eventSequence = 0;

function sourceStatusEvent(key: string): LiveEvent {
  eventSequence += 1;
  return {
    // Far above any id the (empty) event log could have given: these are not in the log.
    id: String(1_000_000_000_000 + eventSequence),
    at: new Date().toISOString(),
    kind: 'SOURCE_STATUS',
    unitPath: [],
    payload: { source: 'BUDGET', status: 'STALE', previousStatus: 'FRESH', lastSuccessAt: null, error: key },
  };
}

/**
 * Publishes a warm-up event, and another whenever none has reached a new
 * subscription for 2 s, until every one of `expected` subscriptions has
 * received one; then waits until the warm-up deliveries have stopped, so
 * the server is idle when what follows is measured.
 */
async function warmUp(pubsub: HubPubSub, clients: Messenger[], expected: number, timeoutMs: number) {
  const started = Date.now();
  let round = 0;
  let progressAt = 0;
  let warmed = -1;
  for (;;) {
    if (Date.now() - progressAt >= 2_000) {
      pubsub.publish(LIVE_TOPIC, sourceStatusEvent(`warm-${round++}`));
      progressAt = Date.now();
    }
    await sleep(100);
    const status = await statusOf(clients);
    if (status.firstError) throw new Error(`a subscriber failed: ${status.firstError}`);
    if (status.warmed > warmed) {
      warmed = status.warmed;
      progressAt = Date.now();
    }
    if (warmed >= expected) break;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`only ${fmt(warmed)} of ${fmt(expected)} subscriptions received an event`);
    }
  }
  const warmedMs = Date.now() - started;
  for (let last = -1, stableSince = Date.now(); Date.now() - stableSince < 1_000;) {
    await sleep(200);
    const { warmReceived } = await statusOf(clients);
    if (warmReceived !== last) [last, stableSince] = [warmReceived, Date.now()];
  }
  return warmedMs;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface CaseResult {
  target: string;
  n: number;
  connectMs: number;
  warmMs: number;
  baseline: Memory;
  idle: Memory;
  afterEvents: Memory;
  afterClose: Memory;
  /** CPU time the server spent from the first measured event until every delivery arrived. */
  cpuMs: number;
  delivered: number;
  expected: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  firstError: string | null;
  heapGrowth: ReturnType<typeof growthPerSubscriber> | null;
}

async function runCase(target: Target, n: number, pubsub: HubPubSub): Promise<CaseResult> {
  const clients = startClients(CLIENTS);
  try {
    const open = async (count: number, spread: Messenger[]) => {
      const replies = await Promise.all(
        spread.map((client, i) =>
          client.ask<{ opened: number; failed: number; firstError: string | null }>(
            {
              type: 'open',
              origin: target.origin,
              body: JSON.stringify({ query: SUBSCRIPTION }),
              count: Math.floor(count / spread.length) + (i < count % spread.length ? 1 : 0),
              concurrency: OPEN_CONCURRENCY,
              keyPath: KEY_PATH,
            },
            'opened',
          ),
        ),
      );
      const failed = replies.reduce((sum, r) => sum + r.failed, 0);
      if (failed > 0) {
        throw new Error(
          `${fmt(failed)} of ${fmt(count)} subscriptions failed: ${replies.find((r) => r.firstError)?.firstError}`,
        );
      }
    };

    // The baseline: a few subscribers in, so code paths are loaded and the Redis channel subscribed. The memory per
    // subscriber is (idle − baseline) ÷ (n − BASELINE_SUBSCRIBERS), read once every subscription has received a
    // warm-up event (none is measured before it listens) and two idle seconds have passed.
    await open(BASELINE_SUBSCRIBERS, clients.slice(0, 1));
    await warmUp(pubsub, clients, BASELINE_SUBSCRIBERS, 30_000);
    await sleep(1_000);
    const baseline = await target.memory();
    const snapshotPath = (moment: string) =>
      join(tmpdir(), `bench-subscriptions-${target.name.replace(/\W+/g, '-')}-${n}-${moment}.heapsnapshot`);
    if (SNAPSHOTS) await target.snapshot(snapshotPath('baseline'));

    let started = Date.now();
    await open(n - BASELINE_SUBSCRIBERS, clients);
    const connectMs = Date.now() - started;
    const warmMs = await warmUp(pubsub, clients, n, 60_000 + n * 10);
    await sleep(2_000);
    const idle = await target.memory();
    if (SNAPSHOTS) await target.snapshot(snapshotPath('idle'));

    // The measured events. Fan-out latency is receipt − publish, both on now() (one machine's clock), over every
    // (event, subscriber) pair; every pair must arrive.
    const cpuBeforeMs = await target.resetDelay();
    const publishedAt = new Map<string, number>();
    for (let i = 0; i < EVENTS; i++) {
      if (i > 0) await sleep(INTERVAL_MS);
      const key = `event-${i}`;
      const event = sourceStatusEvent(key);
      publishedAt.set(key, now());
      pubsub.publish(LIVE_TOPIC, event);
    }
    const expected = EVENTS * n;
    let status = await statusOf(clients);
    let progressAt = Date.now();
    while (status.received < expected && Date.now() - progressAt < DELIVERY_STALL_MS) {
      await sleep(100);
      const received = status.received;
      status = await statusOf(clients);
      if (status.received > received) progressAt = Date.now();
    }
    const afterEvents = await target.memory();

    const latencies: number[] = [];
    const perKey = new Map<string, number>();
    for (const client of clients) {
      const { receipts } = await client.ask<{ receipts: Record<string, number[]> }>({ type: 'report' });
      for (const [key, instants] of Object.entries(receipts)) {
        const published = publishedAt.get(key);
        if (published === undefined) continue;
        perKey.set(key, (perKey.get(key) ?? 0) + instants.length);
        for (const instant of instants) latencies.push(instant - published);
      }
    }
    let delivered = 0;
    let duplicates = 0;
    for (const key of publishedAt.keys()) {
      const count = perKey.get(key) ?? 0;
      delivered += Math.min(count, n);
      duplicates += Math.max(0, count - n);
    }
    const sorted = Float64Array.from(latencies).sort();

    await Promise.all(clients.map((c) => c.ask({ type: 'close' }, 'closed')));
    const heapGrowth = SNAPSHOTS
      ? growthPerSubscriber(snapshotPath('baseline'), snapshotPath('idle'), n - BASELINE_SUBSCRIBERS)
      : null;
    await sleep(2_000);
    const afterClose = await target.memory();
    return {
      target: target.name,
      n,
      connectMs,
      warmMs,
      baseline,
      idle,
      afterEvents,
      afterClose,
      cpuMs: afterEvents.cpuMs - cpuBeforeMs,
      delivered,
      expected,
      duplicates,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      firstError: status.firstError,
      heapGrowth,
    };
  } finally {
    await Promise.all(clients.map((c) => stop(c.child, 2_000)));
  }
}

function printCase(r: CaseResult) {
  const added = r.n - BASELINE_SUBSCRIBERS;
  const heap = (m: Memory) => m.heapUsed + m.external;
  const perRss = (r.idle.rss - r.baseline.rss) / added;
  const perHeap = (heap(r.idle) - heap(r.baseline)) / added;
  console.log(`${r.target}, ${fmt(r.n)} subscribers (load average ${loadAverage()}):`);
  console.log(
    `  connected in ${(r.connectMs / 1000).toFixed(2)} s; every subscription had an event ` +
      `${(r.warmMs / 1000).toFixed(2)} s later`,
  );
  console.log(
    `  memory with ${BASELINE_SUBSCRIBERS}: RSS ${mb(r.baseline.rss)}, heap ${mb(heap(r.baseline))}; ` +
      `with ${fmt(r.n)}, idle: RSS ${mb(r.idle.rss)}, heap ${mb(heap(r.idle))}`,
  );
  console.log(
    `  per subscriber: RSS ${kb(perRss)}, heap ${kb(perHeap)} (heap = V8 heap used + external, after a full GC)`,
  );
  console.log(
    `  after the events: RSS ${mb(r.afterEvents.rss)}, heap ${mb(heap(r.afterEvents))}; ` +
      `all closed: RSS ${mb(r.afterClose.rss)}, heap ${mb(heap(r.afterClose))}`,
  );
  console.log(
    `  fan-out of ${EVENTS} events ${INTERVAL_MS} ms apart: ${fmt(r.delivered)} of ${fmt(r.expected)} deliveries ` +
      `(${((r.delivered / r.expected) * 100).toFixed(2)} %)${r.duplicates ? `, ${fmt(r.duplicates)} more than expected` : ''}`,
  );
  console.log(`  latency p50 ${ms(r.p50)}   p95 ${ms(r.p95)}   p99 ${ms(r.p99)}   max ${ms(r.max)}`);
  console.log(
    `  server CPU ${(r.cpuMs / 1000).toFixed(2)} s = ${((r.cpuMs * 1000) / r.expected).toFixed(1)} µs per delivery; ` +
      `event loop delay p99 ${r.afterEvents.delayP99Ms.toFixed(0)} ms, max ${r.afterEvents.delayMaxMs.toFixed(0)} ms`,
  );
  if (r.firstError) console.log(`  a subscriber reported: ${r.firstError}`);
  if (r.heapGrowth) {
    console.log('  (--snapshots: writing them grows the RSS and slows what follows; only the heap figures hold)');
    console.log(`  heap snapshots: ${kb(r.heapGrowth.total)} per subscriber (self sizes), the largest groups:`);
    for (const row of r.heapGrowth.rows) {
      console.log(`    ${kb(row.bytes).padStart(9)}  ${row.count.toFixed(1).padStart(5)} ×  ${row.group.slice(0, 90)}`);
    }
  }
}

async function main() {
  if (!keep) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  // The hub's own pubsub module, so the events travel exactly as another instance's producer sends them: on the
  // channel of the bench's store for the hub and the prototype, on the bare LIVE_TOPIC for the references.
  const logger = pino({ level: 'warn' });
  const namespace = storeNamespace(benchDatabaseUrl, SCHEMA);
  const storePubSub = createHubPubSub({ redisUrl: REDIS_URL, logger, namespace });
  const plainPubSub = createHubPubSub({ redisUrl: REDIS_URL, logger });
  const results: CaseResult[] = [];
  try {
    await Promise.all([storePubSub.ready, plainPubSub.ready]);
    console.log(
      `SSE subscribers of \`${SUBSCRIPTION}\`, in ${CLIENTS} processes; events published on Redis ` +
        `(${REDIS_URL}, topic ${LIVE_TOPIC}, namespace ${namespace}); open files limit ${readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)/)?.[1]}; ` +
        `${availableParallelism()} cores`,
    );
    for (const n of COUNTS) {
      for (const name of SERVERS) {
        const target = await STARTERS[name]!();
        try {
          const result = await runCase(target, n, target.namespaced ? storePubSub : plainPubSub);
          results.push(result);
          printCase(result);
        } finally {
          await target.stop();
        }
      }
    }
  } finally {
    await Promise.all([storePubSub.close(), plainPubSub.close()]);
    await Promise.all([...children].map((c) => stop(c, 2_000)));
    if (!keep) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }

  const hub = results.filter((r) => r.target === 'the hub').sort((a, b) => b.n - a.n)[0];
  if (!hub) return;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  const at = hub.n === 10_000 ? '' : ` (measured at ${fmt(hub.n)}; the target is at 10,000)`;
  const all = hub.delivered === hub.expected && hub.duplicates === 0 && !hub.firstError;
  const perSubscriber = (hub.idle.rss - hub.baseline.rss) / (hub.n - BASELINE_SUBSCRIBERS);
  console.log('');
  console.log(
    `${fmt(hub.n)} concurrent subscribers on one instance, every event delivered to each (target 10,000): ` +
      `${verdict(all && hub.n >= 10_000)}`,
  );
  console.log(`p99 fan-out ${hub.p99.toFixed(1)} ms (target < 500 ms): ${verdict(all && hub.p99 < 500)}${at}`);
  console.log(
    `memory per subscriber ${kb(perSubscriber)} RSS (target < 20 KB): ${verdict(perSubscriber < 20 * 1024)}${at}`,
  );
}

await main();
