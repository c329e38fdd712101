/**
 * Indicator targets kept in the store (migration 0012): set per indicator,
 * unit and year by an administrator, read for a batch of keys in one
 * statement. A unit without a target of its own takes its nearest ancestor's
 * (unit_tree depth, the unit itself at depth 0): a province sets one target
 * for all its communes and overrides it for a few. Catalog defaults are the
 * schema's business (schema/indicators/target.ts): the store returns only what
 * is stored. Targets come back as the numeric's text ('98.5'), so that the
 * schema can compare them exactly against a value's numerator and denominator.
 */
import type { Queryable } from '../db.ts';

export interface TargetKey {
  indicatorCode: string;
  unitCode: string;
  year: number;
}

export interface StoredTarget extends TargetKey {
  /** The target as the numeric's text, exact (e.g. '98.5'). */
  target: string;
  setBy: string;
  setAt: Date;
}

/** The nearest stored target for a key: the unit's own (depth 0) or its nearest ancestor's. */
export interface EffectiveStoredTarget extends StoredTarget {
  /** The unit asked about; `unitCode` is the unit the target was set for. */
  forUnitCode: string;
  /** 0 when set for the unit itself, else how many levels up. */
  depth: number;
}

interface TargetRow {
  indicatorCode: string;
  unitCode: string;
  year: number;
  target: string;
  setBy: string;
  setAt: Date;
}

const keyOf = (key: TargetKey) => `${key.indicatorCode}\u0000${key.unitCode}\u0000${key.year}`;

/**
 * Sets (inserts or replaces) targets, one statement for the batch. A key given
 * twice keeps its last value. Returns the rows as stored.
 */
export async function upsertTargets(
  db: Queryable,
  targets: readonly (TargetKey & { target: string | number })[],
  setBy: string,
): Promise<StoredTarget[]> {
  if (targets.length === 0) return [];
  const last = new Map(targets.map((t) => [keyOf(t), t]));
  const rows = [...last.values()];
  return db.query<TargetRow>(
    `INSERT INTO indicator_targets AS t (indicator_code, unit_code, year, target, set_by)
     SELECT code, unit, year, target, $5
       FROM unnest($1::text[], $2::text[], $3::int[], $4::numeric[]) AS k (code, unit, year, target)
     ON CONFLICT (indicator_code, unit_code, year)
     DO UPDATE SET target = excluded.target, set_by = excluded.set_by, set_at = now()
     RETURNING indicator_code AS "indicatorCode", unit_code AS "unitCode", year, target::text AS target,
               set_by AS "setBy", set_at AS "setAt"`,
    [
      rows.map((r) => r.indicatorCode),
      rows.map((r) => r.unitCode),
      rows.map((r) => r.year),
      rows.map((r) => String(r.target)),
      setBy,
    ],
  );
}

/** Removes targets, one statement for the batch; returns the rows that existed (and are now gone). */
export async function deleteTargets(db: Queryable, keys: readonly TargetKey[]): Promise<StoredTarget[]> {
  if (keys.length === 0) return [];
  return db.query<TargetRow>(
    `DELETE FROM indicator_targets t
      USING unnest($1::text[], $2::text[], $3::int[]) AS k (code, unit, year)
      WHERE t.indicator_code = k.code AND t.unit_code = k.unit AND t.year = k.year
     RETURNING t.indicator_code AS "indicatorCode", t.unit_code AS "unitCode", t.year, t.target::text AS target,
               t.set_by AS "setBy", t.set_at AS "setAt"`,
    [keys.map((k) => k.indicatorCode), keys.map((k) => k.unitCode), keys.map((k) => k.year)],
  );
}

/**
 * For each key, the nearest stored target (its unit's own, else the nearest
 * ancestor's through unit_tree), aligned with `keys`; null where neither the
 * unit nor any ancestor has one. One statement for the batch: each distinct
 * key walks its unit's ancestors (unit_tree_unit_idx) and probes the targets'
 * primary key once per ancestor, nearest first.
 */
export async function readEffectiveTargets(
  db: Queryable,
  keys: readonly TargetKey[],
): Promise<(EffectiveStoredTarget | null)[]> {
  if (keys.length === 0) return [];
  const distinct = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
  const rows = await db.query<TargetRow & { forUnitCode: string; depth: number }>(
    `SELECT k.code AS "indicatorCode", k.unit AS "forUnitCode", k.year, n.unit_code AS "unitCode", n.depth,
            n.target::text AS target, n.set_by AS "setBy", n.set_at AS "setAt"
       FROM unnest($1::text[], $2::text[], $3::int[]) AS k (code, unit, year)
       CROSS JOIN LATERAL (
         SELECT t.unit_code, a.depth, t.target, t.set_by, t.set_at
           FROM unit_tree a
           JOIN indicator_targets t
             ON t.unit_code = a.ancestor_code AND t.indicator_code = k.code AND t.year = k.year
          WHERE a.unit_code = k.unit
          ORDER BY a.depth
          LIMIT 1
       ) AS n`,
    [distinct.map((k) => k.indicatorCode), distinct.map((k) => k.unitCode), distinct.map((k) => k.year)],
  );
  const found = new Map(
    rows.map((row) => [
      keyOf({ indicatorCode: row.indicatorCode, unitCode: row.forUnitCode, year: row.year }),
      { ...row, year: Number(row.year), depth: Number(row.depth) },
    ]),
  );
  return keys.map((key) => found.get(keyOf(key)) ?? null);
}
