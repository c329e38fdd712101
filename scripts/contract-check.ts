/**
 * `npm run contract:check -- --source=<ONE_STOP_SHOP|CADRE_DB|BUDGET> --url=<base URL> [--pages=3]`: reads a few
 * pages of each feed of one upstream, through the hub's own connector and contracts, writing nothing, and prints per
 * feed the records that pass, that would be stored with flaws, that would be quarantined and why, and the fields the
 * contract does not know (connectors/contract-check.ts). Exit 0 when it passes; 1 when a record would be
 * quarantined or a feed could not be read (an unexpected shape, an upstream failure); 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { checkContract, checkFailed, formatContractCheck, observingExchange } from '../connectors/contract-check.ts';
import { SOURCE_NAMES, sourceNamed } from '../connectors/feed.ts';
import { createUpstreams } from '../connectors/sync/upstreams.ts';
import { redactPassword } from '../core/redact.ts';

const USAGE = 'usage: npm run contract:check -- --source=<ONE_STOP_SHOP|CADRE_DB|BUDGET> --url=<base URL> [--pages=N]';

function fail(code: number, message: string): never {
  process.stderr.write(`lgsp-hub contract:check: ${message}\n`);
  process.exit(code);
}

let values: { source?: string; url?: string; pages: string; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      source: { type: 'string' },
      url: { type: 'string' },
      pages: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail(2, `${(error as Error).message}\n${USAGE}`);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const source = values.source === undefined ? null : sourceNamed(values.source);
if (!source) {
  fail(2, `--source must be one of ${SOURCE_NAMES.join(', ')}\n${USAGE}`);
}
if (!values.url || !URL.canParse(values.url) || !/^https?:$/.test(new URL(values.url).protocol)) {
  fail(2, `--url must be the upstream's http(s) base URL\n${USAGE}`);
}
if (!/^\d+$/.test(values.pages) || Number(values.pages) < 1) fail(2, '--pages must be a whole number from 1');

const bodies: Uint8Array[] = [];
const upstreams = createUpstreams(
  { [source]: values.url },
  {
    // A check is interactive: a few quick retries, not a pass's patience.
    client: { maxAttempts: 2, headersTimeoutMs: 15_000, bodyTimeoutMs: 15_000, backoffMaxMs: 1_000 },
    exchange: () => observingExchange((body) => bodies.push(body)),
  },
);
try {
  const connector = upstreams.connectors[0]!;
  const checks = await checkContract(connector, Number(values.pages), { drain: () => bodies.splice(0) });
  process.stdout.write(`${formatContractCheck(source, redactPassword(values.url)!, checks)}\n`);
  process.exitCode = checkFailed(checks) ? 1 : 0;
} finally {
  await upstreams.close();
}
