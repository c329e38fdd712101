/**
 * `npm run demo:tick -- [--hours=N]`: moves the running demo hub's simulated clock on by N hours (default 1) and
 * syncs the hub from its mock upstreams at once, so that the new dossiers, their events and alerts flow now (to the
 * dashboard and every subscription) rather than at the next scheduled pass. It finds the hub started with the same
 * PGLITE_DIR through its state file (gateway/demo-state.ts) and calls the mocks' admin API, which runs the sync
 * (connectors/mock/server.ts, syncOnClock); no credential is needed: the mocks listen on loopback only.
 * Exit 0 when every pass succeeded; 1 when one failed or no demo hub runs; 2 on a usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { demoStatePath, readDemoState } from '../gateway/demo-state.ts';
import type { PassResult } from '../connectors/sync/engine.ts';

/** A year: the mocks' admin API takes up to ten, but one pass over a year of dossiers is long enough. */
const MAX_HOURS = 366 * 24;

function exit(code: number, message: string): never {
  (code === 0 ? process.stdout : process.stderr).write(`${code === 0 ? '' : 'lgsp-hub demo:tick: '}${message}\n`);
  process.exit(code);
}

let hours: number;
let statePath: string | null;
try {
  const { values } = parseArgs({ options: { hours: { type: 'string', default: '1' } }, strict: true });
  hours = Number(values.hours);
  if (!(hours > 0 && hours <= MAX_HOURS)) {
    exit(2, `--hours must be a number of hours above 0, at most ${MAX_HOURS} (got ${JSON.stringify(values.hours)})`);
  }
  statePath = demoStatePath(loadConfig().PGLITE_DIR);
} catch (error) {
  if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    exit(2, (error as Error).message);
  }
  throw error;
}
if (!statePath) exit(2, 'PGLITE_DIR is in memory: a demo hub on it leaves no state file to find it by');
const state = readDemoState(statePath);
if (!state) exit(1, `no demo hub found: ${statePath} is absent (start one with npm start, same PGLITE_DIR)`);

let response: Response;
try {
  response = await fetch(`${state.upstreamAdmin}clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: Math.round(hours * 3600) }),
  });
} catch (error) {
  exit(1, `the demo hub of ${statePath} (pid ${state.pid}) does not answer: ${(error as Error).cause ?? error}`);
}
const answer = (await response.json()) as {
  nowLocal?: string;
  synced?: PassResult[];
  syncError?: string;
  error?: string;
};
if (!response.ok) exit(1, answer.syncError ?? answer.error ?? `the mocks' admin API answered ${response.status}`);

const lines = [`simulated clock moved ${hours} h on, now ${answer.nowLocal} (Vietnam time); synced:`];
for (const pass of answer.synced ?? []) {
  const outcome = pass.error ? `FAILED: ${pass.error}` : `${pass.records} records written, ${pass.rejected} rejected`;
  lines.push(`  ${pass.source.padEnd(13)} ${outcome}`);
}
lines.push(`live on ${state.hub}/dashboard`);
const failed = (answer.synced ?? []).some((pass) => pass.error);
exit(failed ? 1 : 0, lines.join('\n'));
