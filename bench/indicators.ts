/**
 * `npm run bench:indicators [bench|demo] [--keep] [--runs=N] [--raw-runs=N]`:
 * indicator queries on a province synced from the mock upstreams of the three
 * sources (the bench scale takes about 6 minutes; `--keep` keeps the schema
 * and reuses it), through the GraphQL hub one request at a time (the latency
 * of a query, not the server's throughput), against the raw aggregate over the
 * dossiers table in the same run: dossierFigures, the reference, beside the
 * dossierFiguresFromRollups the hub uses, which must give equal figures.
 * Targets (issue 7): province p95 < 200 ms, commune ranking p95 < 100 ms, each
 * at least 5× faster than the raw aggregate. Then both bases side by side
 * (issue 20), through the evaluator the resolvers call: the province's every
 * indicator for the year and the ranking's figures of every commune, AS_WAS
 * and AS_IS (hierarchyDate today), AS_IS within 1.5× of AS_WAS.
 */
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../gateway/config.ts';
import { createHub } from '../gateway/server.ts';
import { openDb } from '../store/open-db.ts';
import { dossierFiguresFromRollups } from '../store/indicators/dossier-rollups.ts';
import { dossierFigures } from '../store/indicators/dossiers.ts';
import type { DossierFigures } from '../store/indicators/figures.ts';
import type { DayRange } from '../store/indicators/scope.ts';
import { migrate } from '../store/migrate.ts';
import { AS_WAS, vietnamToday, type HierarchyBasis } from '../store/indicators/basis.ts';
import { definitionsOf, evaluateIndicatorsOfUnits, type EvaluatedUnit } from '../indicators/evaluate.ts';
import { parsePeriod } from '../indicators/period.ts';
import { benchDatabaseUrl, keptProvince, syncProvince, withClient } from './support.ts';

/** What the benchmark syncs, in this order. */
const SOURCES = ['CADRE_DB', 'BUDGET', 'ONE_STOP_SHOP'] as const;
const SCHEMA = 'bench_indicators';
const args = process.argv.slice(2);
const scale = args.find((a) => !a.startsWith('--')) ?? 'bench';
/** `--keep`: keep the synced schema at the end, and reuse it (no sync) when a previous run kept it. */
const keep = args.includes('--keep');
const option = (name: string, fallback: number) => {
  const value = args.find((a) => a.startsWith(`--${name}=`));
  return value ? Number(value.slice(name.length + 3)) : fallback;
};
const RUNS = option('runs', 30);
// Fewer raw runs: one takes seconds.
const RAW_RUNS = option('raw-runs', 5);
const WARMUP = 3;
/** The hub's pool: the production default (DATABASE_POOL_MAX). */
const POOL_MAX = 10;

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

// ---------------------------------------------------------------------------
// Timing

interface Timing {
  p50: number;
  p95: number;
  runs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `work` `warmup` times unmeasured, then `runs` times one after the other; the last result too. */
async function measure<T>(runs: number, warmup: number, work: () => Promise<T>): Promise<{ timing: Timing; last: T }> {
  for (let i = 0; i < warmup; i++) await work();
  const latencies: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await work();
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { timing: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), runs }, last };
}

const ms = (n: number) => `${n.toFixed(1).padStart(8)} ms`;
const show = (t: Timing) => `p50 ${ms(t.p50)}   p95 ${ms(t.p95)}   (${t.runs} runs)`;

// ---------------------------------------------------------------------------
// The periods: the last full calendar year, half-year and 24 months before the newest dossier.

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
const monthRange = (year: number, month: number): DayRange => ({
  first: `${year}-${pad(month)}-01`,
  last: lastDayOf(year, month),
});

function periods(newest: string) {
  const [year, month] = newest.split('-').map(Number) as [number, number];
  const fullYear = year - 1;
  const half = month > 6 ? { year, n: 1 } : { year: year - 1, n: 2 };
  // 24 months ending with the month before the newest dossier's.
  const months: { label: string; range: DayRange }[] = [];
  for (let i = 24; i >= 1; i--) {
    const index = year * 12 + (month - 1) - i;
    const [y, m] = [Math.floor(index / 12), (index % 12) + 1];
    months.push({ label: `${y}-${pad(m)}`, range: monthRange(y, m) });
  }
  return {
    year: { label: String(fullYear), range: { first: `${fullYear}-01-01`, last: `${fullYear}-12-31` } },
    half: {
      label: `${half.year}-H${half.n}`,
      range:
        half.n === 1
          ? { first: `${half.year}-01-01`, last: `${half.year}-06-30` }
          : { first: `${half.year}-07-01`, last: `${half.year}-12-31` },
    },
    months,
  };
}

// ---------------------------------------------------------------------------
// The cases

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

interface Case {
  name: string;
  /** What the GraphQL request is, in words. */
  through: string;
  /** The requests of one run (sent one after the other). */
  bodies: string[];
  /**
   * The dossier figures of the same roots and ranges, as the store's function computes them; several ranges
   * concurrently (as the hub's loaders ask them) unless `sequential` (the raw statements take seconds each and
   * would wait past the pool's connection timeout).
   */
  figures: (compute: typeof dossierFigures, sequential: boolean) => Promise<DossierFigures[][]>;
  /** How many raw runs (default --raw-runs). */
  rawRuns?: number;
  targetMs?: number;
}

/** `work` for each month, concurrently or one after the other. */
async function eachMonth<T>(
  months: readonly { range: DayRange }[],
  work: (m: { range: DayRange }) => Promise<T>,
  sequential: boolean,
) {
  if (!sequential) return Promise.all(months.map(work));
  const results: T[] = [];
  for (const m of months) results.push(await work(m));
  return results;
}

async function main() {
  const reuse = keep && (await keptProvince(SCHEMA, SOURCES));
  if (!reuse) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  const db = await openDb({ databaseUrl: benchDatabaseUrl, schema: SCHEMA, poolMax: POOL_MAX });
  let stopHub = async () => db.close();
  try {
    const migrated = Date.now();
    const applied = await migrate(db);
    if (applied.length) {
      console.log(
        `migrations ${applied.map((m) => m.version).join(', ')} applied in ${seconds(Date.now() - migrated)} s`,
      );
    }
    if (reuse) console.log(`reusing the province kept in schema ${SCHEMA} (--keep)`);
    else await syncProvince(db, SCHEMA, scale, SOURCES);
    const [sizes] = await db.query<{ dossiers: number; rollups: number }>(
      `SELECT (SELECT count(*)::int FROM dossiers) AS dossiers, (SELECT count(*)::int FROM dossier_figure_rollups) AS rollups`,
    );
    console.log(`${fmt(sizes!.dossiers)} dossiers, ${fmt(sizes!.rollups)} rollup rows (dossier_figure_rollups)`);

    // The hub as it runs by default (gateway/config.ts), without the rate limit (the load is one consumer's) or the
    // response cache (each case measures the store's work).
    const hub = createHub(
      { ...loadConfig({}), SHUTDOWN_TIMEOUT_MS: 5_000, RATE_LIMIT_PER_MINUTE: 0, RESPONSE_CACHE_TTL_SECONDS: 0 },
      { db, logger: pino({ level: 'silent' }) },
    );
    const origin = `http://127.0.0.1:${(await hub.listen(0, '127.0.0.1')).port}`;
    stopHub = () => hub.stop(); // closes the store too
    const gql = async (requestBody: string) => {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: requestBody,
      });
      const result = (await response.json()) as { errors?: { message: string }[]; data?: unknown };
      if (result.errors) throw new Error(`the hub refused a query: ${result.errors[0]?.message}`);
      return result;
    };

    const [{ province }] = (await db.query<{ province: string }>(
      `SELECT code AS province FROM units WHERE parent_code IS NULL AND level = 'PROVINCE' ORDER BY code LIMIT 1`,
    )) as [{ province: string }];
    const [{ newest }] = (await db.query<{ newest: string }>(
      `SELECT to_char(vn_day(max(received_at)), 'YYYY-MM-DD') AS newest FROM dossiers`,
    )) as [{ newest: string }];
    const { year, half, months } = periods(newest);
    // The communes a ranking holds: the communes' People's Committees (not the schools and stations of
    // the commune level) valid on the half-year's last day, as ranking(kind: PEOPLES_COMMITTEE) lists them.
    const communes = (
      await db.query<{ code: string }>(
        `SELECT code FROM units WHERE level = 'COMMUNE' AND kind = 'PEOPLES_COMMITTEE'
            AND (valid_from IS NULL OR valid_from <= $1::date) AND (valid_to IS NULL OR $1::date < valid_to)
          ORDER BY code`,
        [half.range.last],
      )
    ).map((r) => r.code);
    console.log(
      `province ${province}; year ${year.label}, half-year ${half.label} (${fmt(communes.length)} communes), ` +
        `months ${months[0]!.label} to ${months.at(-1)!.label}`,
    );

    const cases: Case[] = [];
    cases.push({
      name: 'province, every indicator, one year',
      through: `indicators(unitCode, period: "${year.label}") { code value numerator denominator }`,
      bodies: [
        body(
          `query ($unit: String!, $period: String!) {
            indicators(unitCode: $unit, period: $period) { code value numerator denominator }
          }`,
          { unit: province, period: year.label },
        ),
      ],
      figures: async (compute) => [await compute(db, [province], year.range)],
      targetMs: 200,
    });

    cases.push({
      name: 'ON_TIME_RATE of every commune, half-year (ranking)',
      through: `ranking(code: "ON_TIME_RATE", level: COMMUNE, kind: PEOPLES_COMMITTEE, period: "${half.label}") { rank unit { code } value { value } }`,
      bodies: [
        body(
          `query ($period: String!) {
            ranking(code: "ON_TIME_RATE", level: COMMUNE, kind: PEOPLES_COMMITTEE, period: $period) {
              rank unit { code } value { value }
            }
          }`,
          { period: half.label },
        ),
      ],
      figures: async (compute) => [await compute(db, communes, half.range)],
      targetMs: 100,
    });

    cases.push({
      name: 'ON_TIME_RATE of the province, 24 months (trend)',
      through: `trend(code: "ON_TIME_RATE", unitCode, from: "${months[0]!.label}", to: "${months.at(-1)!.label}", step: MONTH) { period value }`,
      bodies: [
        body(
          `query ($unit: String!, $from: String!, $to: String!) {
            trend(code: "ON_TIME_RATE", unitCode: $unit, from: $from, to: $to, step: MONTH) { period value }
          }`,
          { unit: province, from: months[0]!.label, to: months.at(-1)!.label },
        ),
      ],
      figures: (compute, sequential) => eachMonth(months, (m) => compute(db, [province], m.range), sequential),
      rawRuns: Math.min(RAW_RUNS, 3),
    });

    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    const summary: string[] = [];
    for (const c of cases) {
      console.log(`\n${c.name}\n  request: ${c.through}`);
      const hubRun = await measure(RUNS, WARMUP, async () => {
        for (const requestBody of c.bodies) await gql(requestBody);
      });
      console.log(`  hub (GraphQL):         ${show(hubRun.timing)}`);
      // The rollups are asked for a trend's months concurrently, as the hub's loaders ask them.
      const rolled = await measure(RUNS, WARMUP, () => c.figures(dossierFiguresFromRollups, false));
      console.log(`  dossier figures, rollups: ${show(rolled.timing)}`);
      const raw = await measure(c.rawRuns ?? RAW_RUNS, 1, () => c.figures(dossierFigures, true));
      console.log(
        `  dossier figures, raw:     ${show(raw.timing)}${c.rawRuns ? ', the months one after the other' : ''}`,
      );
      const equal = isDeepStrictEqual(rolled.last, raw.last);
      const ratio = raw.timing.p50 / hubRun.timing.p50;
      console.log(
        `  raw ÷ hub (p50): ${ratio.toFixed(1)}×   raw ÷ rollups (p50): ${(raw.timing.p50 / rolled.timing.p50).toFixed(1)}×   ` +
          `figures from the rollups ${equal ? 'equal the raw ones' : 'DIFFER FROM THE RAW ONES'}`,
      );
      if (c.targetMs !== undefined) {
        summary.push(
          `${c.name}: p95 ${hubRun.timing.p95.toFixed(1)} ms (target < ${c.targetMs} ms): ${verdict(hubRun.timing.p95 < c.targetMs)}; ` +
            `${ratio.toFixed(1)}× faster than the raw aggregate (target ≥ 5×): ${verdict(ratio >= 5)}` +
            (equal ? '' : '; the figures DIFFER'),
        );
      } else if (!equal) summary.push(`${c.name}: the figures DIFFER`);
    }

    // Both bases, through the evaluator (the GraphQL arguments that pick a basis are another change's).
    const asIs: HierarchyBasis = { hierarchy: 'AS_IS', hierarchyDate: vietnamToday() };
    const basisCases: {
      name: string;
      units: EvaluatedUnit[];
      codes: string[] | null;
      period: string;
      targetMs: number;
    }[] = [
      {
        name: 'province, every indicator, one year',
        units: [{ code: province, level: 'PROVINCE' }],
        codes: null,
        period: year.label,
        targetMs: 200,
      },
      {
        name: 'ON_TIME_RATE of every commune, half-year (the ranking’s figures)',
        units: communes.map((code) => ({ code, level: 'COMMUNE' })),
        codes: ['ON_TIME_RATE'],
        period: half.label,
        targetMs: 100,
      },
    ];
    for (const c of basisCases) {
      console.log(`\n${c.name}, both bases (evaluateIndicatorsOfUnits; AS_IS on ${asIs.hierarchyDate})`);
      const evaluate = (basis: HierarchyBasis) => () =>
        evaluateIndicatorsOfUnits(db, definitionsOf(c.codes), c.units, parsePeriod(c.period), basis);
      const was = await measure(RUNS, WARMUP, evaluate(AS_WAS));
      console.log(`  AS_WAS: ${show(was.timing)}`);
      const is = await measure(RUNS, WARMUP, evaluate(asIs));
      console.log(`  AS_IS:  ${show(is.timing)}`);
      const ratio = is.timing.p95 / was.timing.p95;
      console.log(`  AS_IS ÷ AS_WAS (p95): ${ratio.toFixed(2)}×`);
      summary.push(
        `${c.name}: AS_WAS p95 ${was.timing.p95.toFixed(1)} ms, AS_IS p95 ${is.timing.p95.toFixed(1)} ms ` +
          `(target < ${c.targetMs} ms): ${verdict(was.timing.p95 < c.targetMs && is.timing.p95 < c.targetMs)}; ` +
          `AS_IS ${ratio.toFixed(2)}× AS_WAS (target ≤ 1.5×): ${verdict(ratio <= 1.5)}`,
      );
    }
    console.log('');
    for (const line of summary) console.log(line);
  } finally {
    await stopHub();
    if (!keep) await withClient(SCHEMA, (c) => c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  }
}

await main();
