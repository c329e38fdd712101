/**
 * `npm run bench:generate`: generates every scale in its own process (so each
 * peak memory reading is its own) and prints records per second and peak
 * memory. Targets (issue 3): the bench scale's 2 million dossiers in under
 * 60 s and under 500 MB; memory flat as the scale grows.
 */
import { execFileSync } from 'node:child_process';

const scales = process.argv.slice(2).length ? process.argv.slice(2) : ['tiny', 'demo', 'bench'];
console.log('scale  records    dossiers   seconds  records/s  dossiers/s  peak RSS MB');
for (const scale of scales) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate.ts', `--scale=${scale}`, '--out=-', '--stats'],
    {
      encoding: 'utf8',
    },
  );
  const r = JSON.parse(out.trim().split('\n').at(-1)!);
  console.log(
    [
      scale.padEnd(6),
      String(r.records).padStart(9),
      String(r.counts.dossiers).padStart(10),
      String(r.seconds).padStart(8),
      String(r.recordsPerSecond).padStart(10),
      String(r.dossiersPerSecond).padStart(11),
      String(r.peakRssMb).padStart(12),
    ].join(' '),
  );
  if (scale === 'bench') {
    const ok = r.counts.dossiers >= 2_000_000 && r.seconds < 60 && r.peakRssMb < 500;
    console.log(`bench target (≥ 2,000,000 dossiers, < 60 s, < 500 MB): ${ok ? 'met' : 'NOT MET'}`);
  }
}
