/**
 * The flaws of stored records (migration 0016): what a record breaks of its
 * contract without losing its place in the counts (connectors/common/flaws.ts).
 * Written by the sync in each page's transaction; read by the graph (the
 * records' own `flaws`, dataQuality, sources) and the metrics.
 */
import type { Queryable } from './db.ts';

/**
 * A flaw of one stored record as the sync writes it: the rule broken, the
 * upstream field, the value sent there (JSON text, null when absent), and the
 * record `key`, counting for `unitCode` on `day` (the day it counts on, if any).
 */
export interface RecordFlaw {
  key: string;
  rule: string;
  field: string;
  value: string | null;
  unitCode: string | null;
  day: string | null;
}

/**
 * Records the flaws of a page's records (`keys`, every record written or met
 * again) in one statement: inserts the flaws they have, refreshes the ones
 * they still have, and deletes the ones their earlier versions had and these
 * no longer do. A page whose records have no flaws and had none writes nothing.
 */
export async function recordFlaws(
  db: Queryable,
  feed: string,
  keys: readonly string[],
  flaws: readonly RecordFlaw[],
): Promise<void> {
  if (keys.length === 0 && flaws.length === 0) return;
  // One row per (key, rule, field): PostgreSQL refuses to upsert the same row twice in a statement.
  const unique = [...new Map(flaws.map((f) => [`${f.key}\u0000${f.rule}\u0000${f.field}`, f])).values()];
  await db.query(
    `WITH current AS (
       SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[])
         AS f (record_key, rule, field, value, unit_code, day)
     ),
     cleared AS (
       DELETE FROM record_flaws r
        WHERE r.source = $1 AND r.record_key = ANY($2::text[])
          AND NOT EXISTS (SELECT 1 FROM current c
                           WHERE c.record_key = r.record_key AND c.rule = r.rule AND c.field = r.field)
     )
     INSERT INTO record_flaws AS r (source, record_key, rule, field, value, unit_code, day)
     SELECT $1, record_key, rule, field, value, unit_code, day FROM current
     ON CONFLICT (source, record_key, rule, field) DO UPDATE SET
       value = EXCLUDED.value, unit_code = EXCLUDED.unit_code, day = EXCLUDED.day, last_seen_at = now()`,
    [
      feed,
      keys,
      unique.map((f) => f.key),
      unique.map((f) => f.rule),
      unique.map((f) => f.field),
      unique.map((f) => f.value),
      unique.map((f) => f.unitCode),
      unique.map((f) => f.day),
    ],
  );
}

/** Whether any stored record of the feed has an open flaw (one index probe). */
export async function hasOpenFlaws(db: Queryable, feed: string): Promise<boolean> {
  const [row] = await db.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM record_flaws WHERE source = $1) AS any',
    [feed],
  );
  return row?.any ?? false;
}

export interface RecordFlawRow {
  feed: string;
  key: string;
  rule: string;
  field: string;
  value: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** The flaws of records of one feed, by record key (for loaders); a record without flaws is absent. */
export function findFlawsOfRecords(db: Queryable, feed: string, keys: readonly string[]): Promise<RecordFlawRow[]> {
  return db.query<RecordFlawRow>(
    `SELECT source AS feed, record_key AS key, rule, field, value,
            first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
       FROM record_flaws WHERE source = $1 AND record_key = ANY($2::text[])
      ORDER BY record_key, field, rule`,
    [feed, keys],
  );
}

/** Stored records with open flaws, per feed. */
export function countFlawedRecordsByFeed(
  db: Queryable,
  feeds: readonly string[],
): Promise<{ feed: string; records: number }[]> {
  return db.query(
    `SELECT source AS feed, count(DISTINCT record_key)::int AS records
       FROM record_flaws WHERE source = ANY($1::text[]) GROUP BY source`,
    [feeds],
  );
}

/** Open flaws per feed and rule (the metrics' gauge). */
export function countFlawsByRule(db: Queryable): Promise<{ feed: string; rule: string; flaws: number }[]> {
  return db.query(
    `SELECT source AS feed, rule, count(*)::int AS flaws FROM record_flaws GROUP BY source, rule ORDER BY 1, 2`,
  );
}

export interface FlawCountRow {
  feed: string;
  rule: string;
  field: string;
  unitCode: string;
  records: number;
  /** Up to 20 of the flawed records' keys, in key order. */
  keys: string[];
}

/**
 * The open flaws of the records of a unit's subtree (units valid on some day
 * of the period) that count on a day of the period (records without a day,
 * units and staff, always), per feed, rule, field and unit.
 */
export function countFlawsOfSubtree(
  db: Queryable,
  root: string,
  range: { first: string; last: string },
  /** The units counted: those whose records the root counts on some day of the period (as it was), or on this date. */
  hierarchyDate: string | null = null,
): Promise<FlawCountRow[]> {
  return db.query<FlawCountRow>(
    `SELECT f.source AS feed, f.rule, f.field, f.unit_code AS "unitCode", count(*)::int AS records,
            (array_agg(f.record_key::text ORDER BY f.record_key))[1:20] AS keys
       FROM record_flaws f
       JOIN units u ON u.code = f.unit_code
      WHERE EXISTS (SELECT 1 FROM unit_ancestry a
                     WHERE a.ancestor_code = $1 AND a.unit_code = f.unit_code
                       AND CASE WHEN $4::date IS NULL THEN a.valid_during && daterange($2::date, $3::date, '[]')
                                ELSE a.valid_during @> $4::date END)
        AND (u.valid_from IS NULL OR u.valid_from <= $3::date) AND (u.valid_to IS NULL OR $2::date < u.valid_to)
        AND (f.day IS NULL OR f.day BETWEEN $2::date AND $3::date)
      GROUP BY 1, 2, 3, 4
      ORDER BY 4`,
    [root, range.first, range.last, hierarchyDate],
  );
}
