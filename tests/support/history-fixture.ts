/**
 * Writes a unit history straight into the store, as the cadre database's
 * v2.1 history feeds would leave it (observed = false): unit versions, unit
 * events with their units, staff assignments. The versions are written
 * before `units` (the latest version of each unit, which other code still
 * reads), so the hub's observation triggers leave them alone.
 */
import type { Queryable } from '../../store/db.ts';
import type { IsoDate, Unit, UnitKind, UnitLevel } from '../../store/model.ts';
import { upsertUnits } from '../../store/units.ts';

export interface VersionDraft {
  code: string;
  from: IsoDate | null;
  /** Excluded; null: still in force. */
  to: IsoDate | null;
  name: string;
  parent: string | null;
  level: UnitLevel;
  kind: UnitKind;
  headcountQuota?: number | null;
}

export interface EventDraft {
  id: string;
  type: 'MERGER' | 'SPLIT' | 'DISSOLUTION' | 'CREATION' | 'RENAME';
  on: IsoDate;
  before: string[];
  after: string[];
}

export interface AssignmentDraft {
  staffId: string;
  from: IsoDate;
  /** Excluded; null: still in force. */
  to: IsoDate | null;
  unit: string;
  category: 'CADRE' | 'CIVIL_SERVANT' | 'PUBLIC_EMPLOYEE' | 'CONTRACT_WORKER';
  meetsStandard?: boolean;
}

const RECORDED_AT = '2026-01-01T00:00:00Z';

export async function writeHistory(
  db: Queryable,
  history: { versions: VersionDraft[]; events?: EventDraft[]; assignments?: AssignmentDraft[] },
): Promise<void> {
  const numbered = new Map<string, number>();
  const versions = [...history.versions]
    .sort((a, b) => a.code.localeCompare(b.code) || (a.from ?? '').localeCompare(b.from ?? ''))
    .map((v) => {
      const version = (numbered.get(v.code) ?? 0) + 1;
      numbered.set(v.code, version);
      return { ...v, version, headcountQuota: v.headcountQuota ?? null };
    });
  await db.query(
    `INSERT INTO unit_versions (code, version, valid_from, valid_to, name, parent_code, level, kind, headcount_quota,
                                observed, source_updated_at)
     SELECT code, version, "from", "to", name, parent, level, kind, "headcountQuota", false, $2::timestamptz
       FROM json_to_recordset($1::json) AS x (code text, version int, "from" date, "to" date, name text, parent text,
                                              level text, kind text, "headcountQuota" int)`,
    [JSON.stringify(versions), RECORDED_AT],
  );
  const events = history.events ?? [];
  if (events.length > 0) {
    await db.query(
      `INSERT INTO unit_events (id, type, effective_on, source_updated_at)
       SELECT id, type, "on", $2::timestamptz FROM json_to_recordset($1::json) AS x (id text, type text, "on" date)`,
      [JSON.stringify(events), RECORDED_AT],
    );
    const sides = events.flatMap((e) => [
      ...e.before.map((unit) => ({ event: e.id, side: 'BEFORE', unit })),
      ...e.after.map((unit) => ({ event: e.id, side: 'AFTER', unit })),
    ]);
    if (sides.length > 0)
      await db.query(
        `INSERT INTO unit_event_units (event_id, side, unit_code)
         SELECT event, side, unit FROM json_to_recordset($1::json) AS x (event text, side text, unit text)`,
        [JSON.stringify(sides)],
      );
  }
  const assignments = history.assignments ?? [];
  if (assignments.length > 0)
    await db.query(
      `INSERT INTO staff_assignments (staff_id, starts_on, ends_on, unit_code, category, meets_standard, observed,
                                      source_updated_at)
       SELECT "staffId", "from", "to", unit, category, coalesce("meetsStandard", false), false, $2::timestamptz
         FROM json_to_recordset($1::json) AS x ("staffId" text, "from" date, "to" date, unit text, category text,
                                                "meetsStandard" boolean)`,
      [JSON.stringify(assignments), RECORDED_AT],
    );
  // Each unit as it stands last, for the code that reads `units` (lists, dossiers' foreign keys).
  const latest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) latest.set(v.code, v);
  const first = new Map<string, IsoDate | null>();
  for (const v of versions) if (!first.has(v.code)) first.set(v.code, v.from);
  const units: Unit[] = [...latest.values()].map((v) => ({
    code: v.code,
    budgetCode: null,
    name: v.name,
    parentCode: v.parent,
    level: v.level,
    kind: v.kind,
    sector: null,
    headcountQuota: v.headcountQuota,
    validFrom: first.get(v.code) ?? null,
    validTo: v.to,
    sourceUpdatedAt: new Date(RECORDED_AT),
  }));
  await upsertUnits(db, units);
}
