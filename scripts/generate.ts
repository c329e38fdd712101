/**
 * Writes the simulated province, as the upstreams would serve it, to a
 * directory (or only measures it): `npm run generate -- --scale=demo --seed=1 --out=.data/generated`.
 * With `--out=-` nothing is written; `--stats` prints a JSON line of counts,
 * time, peak memory and a digest of everything generated.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { exportProvince } from '../connectors/mock/generator/export.ts';
import { DEFAULT_SEED } from '../connectors/mock/generator/world.ts';
import { scaleNamed } from '../connectors/mock/generator/scales.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'demo' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    out: { type: 'string', default: '.data/generated' },
    stats: { type: 'boolean', default: false },
  },
});
const scale = scaleNamed(values.scale).name;
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, not ${values.seed}`);

const digest = createHash('sha256');
const streams = new Map<string, WriteStream>();
let bytes = 0;
const started = process.hrtime.bigint();
const counts = await exportProvince(
  { scale, seed },
  {
    async write(file, chunk) {
      digest.update(file).update(chunk);
      bytes += Buffer.byteLength(chunk);
      if (values.out === '-') return;
      let stream = streams.get(file);
      if (!stream) {
        const path = join(values.out!, file);
        mkdirSync(dirname(path), { recursive: true });
        streams.set(file, (stream = createWriteStream(path)));
      }
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
  },
);
await Promise.all([...streams.values()].map((stream) => new Promise((resolve) => stream.end(resolve))));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const records = Object.values(counts).reduce((a, b) => a + b, 0);
const result = {
  scale,
  seed,
  counts,
  records,
  seconds: Number(seconds.toFixed(2)),
  recordsPerSecond: Math.round(records / seconds),
  dossiersPerSecond: Math.round(counts.dossiers / seconds),
  megabytesWritten: Math.round(bytes / 1e6),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  sha256: digest.digest('hex'),
};
if (values.stats) process.stdout.write(JSON.stringify(result) + '\n');
else process.stdout.write(`${records} records (${JSON.stringify(counts)}) in ${result.seconds} s → ${values.out}\n`);
