/**
 * What live subscribers watch, shared by every hub instance (migration 0014):
 * the (unit, period) pairs whose indicators some `indicatorChanged` or
 * `alerts` subscriber follows. A subscription's instance registers its pairs
 * and keeps renewing them (touchLiveWatches) while it lives; the live producer,
 * on whichever instance runs a sync, evaluates indicators only for the pairs
 * active now (activeLiveWatches). A row expires unless renewed, so an
 * instance that dies without saying so stops costing evaluations after one TTL.
 *
 * Periods are canonical labels ('2026', '2026-Q4', '2026-11'; the schema's
 * parsePeriod gives them), evaluated under the CALENDAR convention.
 */
import type { Queryable } from './db.ts';

export interface LiveWatch {
  unitCode: string;
  /** Canonical period label. */
  period: string;
}

const columns = (watches: readonly LiveWatch[]) => [watches.map((w) => w.unitCode), watches.map((w) => w.period)];

/**
 * Registers the pairs for `instance`, or extends them: each expires `ttlSeconds`
 * from now unless touched again. One statement for the batch.
 */
export async function touchLiveWatches(
  db: Queryable,
  instance: string,
  watches: readonly LiveWatch[],
  ttlSeconds: number,
): Promise<void> {
  if (watches.length === 0) return;
  if (!(ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
  await db.query(
    `INSERT INTO live_watches (unit_code, period, instance, expires_at)
     SELECT DISTINCT w.unit_code, w.period, $3, now() + make_interval(secs => $4)
       FROM unnest($1::text[], $2::text[]) AS w (unit_code, period)
     ON CONFLICT (unit_code, period, instance) DO UPDATE SET expires_at = excluded.expires_at`,
    [...columns(watches), instance, ttlSeconds],
  );
}

/** Removes the instance's pairs given, or all of its pairs when `watches` is absent (an instance shutting down). */
export async function dropLiveWatches(
  db: Queryable,
  instance: string,
  watches?: readonly LiveWatch[],
): Promise<number> {
  if (watches === undefined) {
    return (await db.query('DELETE FROM live_watches WHERE instance = $1 RETURNING 1', [instance])).length;
  }
  if (watches.length === 0) return 0;
  const rows = await db.query(
    `DELETE FROM live_watches l USING unnest($1::text[], $2::text[]) AS w (unit_code, period)
      WHERE l.instance = $3 AND l.unit_code = w.unit_code AND l.period = w.period
     RETURNING 1`,
    [...columns(watches), instance],
  );
  return rows.length;
}

/** The pairs some instance watches now (unexpired), each once, ordered by unit then period. */
export function activeLiveWatches(db: Queryable): Promise<LiveWatch[]> {
  return db.query<LiveWatch>(
    `SELECT DISTINCT unit_code::text AS "unitCode", period FROM live_watches
      WHERE expires_at > now() ORDER BY 1, 2`,
  );
}

/** Removes the expired rows (the producer does so now and then); returns how many. */
export async function dropExpiredLiveWatches(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM live_watches WHERE expires_at <= now() RETURNING 1')).length;
}
