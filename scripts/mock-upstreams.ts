/**
 * Runs the three mock upstreams over one simulated province, for trying the
 * hub or a connector by hand:
 *
 *   npm run mock:upstreams -- --scale=tiny --seed=7 --host=0.0.0.0 --budget-port=5103
 *
 * Ports come from the flags, else MOCK_ONE_STOP_SHOP_PORT, MOCK_CADRE_DB_PORT
 * and MOCK_BUDGET_PORT, else 4101, 4102 and 4103. `--no-history` (or
 * MOCK_CADRE_DB_HISTORY=false) makes the cadre database an upstream before
 * v2.1: its history paths answer 404. Faults and the clock are
 * driven through each server's /__admin endpoints (connectors/mock/admin.ts).
 */
import { parseArgs } from 'node:util';
import { createMockWorld } from '../connectors/mock/generator/world.ts';
import { SCALE_NAMES, type ScaleName } from '../connectors/mock/generator/scales.ts';
import { DEFAULT_PORTS, startMockUpstreams, type UpstreamName } from '../connectors/mock/server.ts';

class UsageError extends Error {}

function wholeNumber(text: string, what: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`${what} must be a whole number up to ${max}`);
  return Number(text);
}

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: 'demo' },
      seed: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'one-stop-shop-port': { type: 'string' },
      'cadre-db-port': { type: 'string' },
      'budget-port': { type: 'string' },
      'no-history': { type: 'boolean', default: false },
    },
  });
  if (!(SCALE_NAMES as readonly string[]).includes(values.scale)) {
    throw new UsageError(`--scale must be one of ${SCALE_NAMES.join(', ')}`);
  }
  // A flag wins over the environment, which wins over the default.
  const port = (name: UpstreamName, flag: string | undefined, env: string) => {
    const text = flag || process.env[env];
    return text ? wholeNumber(text, `the port (${env})`, 65535) : DEFAULT_PORTS[name];
  };
  return {
    scale: values.scale as ScaleName,
    seed: values.seed === undefined ? undefined : wholeNumber(values.seed, '--seed', 2 ** 31 - 1),
    host: values.host,
    ports: {
      oneStopShop: port('oneStopShop', values['one-stop-shop-port'], 'MOCK_ONE_STOP_SHOP_PORT'),
      cadreDb: port('cadreDb', values['cadre-db-port'], 'MOCK_CADRE_DB_PORT'),
      budget: port('budget', values['budget-port'], 'MOCK_BUDGET_PORT'),
    },
    history: !values['no-history'] && process.env.MOCK_CADRE_DB_HISTORY !== 'false',
  };
}

try {
  const { scale, seed, host, ports, history } = options();
  const started = Date.now();
  const world = createMockWorld({ scale, ...(seed === undefined ? {} : { seed }) });
  const upstreams = await startMockUpstreams({ world, host, ports, cadreDb: { history } });
  process.stdout.write(
    `mock upstreams: scale ${world.scale}, seed ${world.seed}, simulated now ${world.now().toISOString()} ` +
      `(ready in ${Date.now() - started} ms)\n` +
      `ONE_STOP_SHOP_URL=${upstreams.urls.oneStopShop}\n` +
      `CADRE_DB_URL=${upstreams.urls.cadreDb}\n` +
      `BUDGET_URL=${upstreams.urls.budget}\n`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`mock upstreams: ${signal}, stopping\n`);
    upstreams.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mock upstreams: stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`mock upstreams: ${(error as Error).message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
