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
 * parsePeriod gives them), evaluated under the CALENDAR convention. A pair is
 * watched on a hierarchy basis (migration 0020): as it was (hierarchyDate
 * null or absent, what every alert subscriber watches), or restated on the
 * tree of hierarchyDate (AS_IS); the same pair on two bases is two watches.
 */
import type { Queryable } from './db.ts';
import type { IsoDate } from './model.ts';

export interface LiveWatch {
  unitCode: string;
  /** Canonical period label. */
  period: string;
  /** AS_IS on the tree of this day; null or absent: AS_WAS. */
  hierarchyDate?: IsoDate | null;
}

const columns = (watches: readonly LiveWatch[]) => [
  watches.map((w) => w.unitCode),
  watches.map((w) => w.period),
  watches.map((w) => w.hierarchyDate ?? null),
];

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
    `INSERT INTO live_watches (unit_code, period, hierarchy_date, instance, expires_at)
     SELECT DISTINCT w.unit_code, w.period, w.hierarchy_date, $4, now() + make_interval(secs => $5)
       FROM unnest($1::text[], $2::text[], $3::date[]) AS w (unit_code, period, hierarchy_date)
     ON CONFLICT (unit_code, period, hierarchy_date, instance) DO UPDATE SET expires_at = excluded.expires_at`,
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
    `DELETE FROM live_watches l USING unnest($1::text[], $2::text[], $3::date[]) AS w (unit_code, period, hierarchy_date)
      WHERE l.instance = $4 AND l.unit_code = w.unit_code AND l.period = w.period
        AND l.hierarchy_date IS NOT DISTINCT FROM w.hierarchy_date
     RETURNING 1`,
    [...columns(watches), instance],
  );
  return rows.length;
}

/** The pairs some instance watches now (unexpired), each once, ordered by unit, period, then basis (AS_WAS first). */
export async function activeLiveWatches(db: Queryable): Promise<LiveWatch[]> {
  const rows = await db.query<{ unitCode: string; period: string; hierarchyDate: IsoDate | null }>(
    `SELECT DISTINCT unit_code::text AS "unitCode", period, to_char(hierarchy_date, 'YYYY-MM-DD') AS "hierarchyDate"
       FROM live_watches
      WHERE expires_at > now() ORDER BY 1, 2, 3 NULLS FIRST`,
  );
  // An AS_WAS watch is written without the date, as before the basis existed.
  return rows.map(({ hierarchyDate, ...watch }) => (hierarchyDate === null ? watch : { ...watch, hierarchyDate }));
}

/** Removes the expired rows (the producer does so now and then); returns how many. */
export async function dropExpiredLiveWatches(db: Queryable): Promise<number> {
  return (await db.query('DELETE FROM live_watches WHERE expires_at <= now() RETURNING 1')).length;
}
