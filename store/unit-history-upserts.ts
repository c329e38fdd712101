/**
 * Writing the cadre database's v2.1 history (migration 0018): unit versions,
 * administrative events and staff assignments, each keyed by its upstream
 * key. Rows the upstream serves replace, in the same transaction, the rows the
 * hub had observed itself for the same units and people (the triggers of
 * 0018 then leave those alone). Versions and assignments must not overlap
 * (the exclusion constraints are checked at commit, where a violation would
 * fail the whole page): a record that would is refused before anything is
 * written, with a reason naming both ranges, and the caller quarantines it.
 */
import type { Queryable } from './db.ts';
import type { StaffAssignment, UnitEvent, UnitVersion } from './model.ts';
import { defineUpsert } from './upsert.ts';

/** A record of the batch the writer would not write: its index in the batch, and why. */
export interface Refusal {
  index: number;
  reason: string;
}

export interface HistoryWritten {
  written: number;
  refused: Refusal[];
}

const upsertVersionRows = defineUpsert<UnitVersion>({
  table: 'unit_versions',
  key: ['code', 'version'],
  versioned: true,
  columns: {
    code: ['text', (v) => v.code],
    version: ['integer', (v) => v.version],
    valid_from: ['date', (v) => v.validFrom],
    valid_to: ['date', (v) => v.validTo],
    name: ['text', (v) => v.name.normalize('NFC')],
    parent_code: ['text', (v) => v.parentCode],
    level: ['text', (v) => v.level],
    kind: ['text', (v) => v.kind],
    sector: ['text', (v) => v.sector],
    budget_code: ['text', (v) => v.budgetCode],
    headcount_quota: ['integer', (v) => v.headcountQuota],
    observed: ['boolean', () => false],
    source_updated_at: ['timestamptz', (v) => v.sourceUpdatedAt],
  },
});

const upsertAssignmentRows = defineUpsert<StaffAssignment>({
  table: 'staff_assignments',
  key: ['staff_id', 'starts_on'],
  versioned: true,
  columns: {
    staff_id: ['text', (a) => a.staffId],
    starts_on: ['date', (a) => a.startsOn],
    ends_on: ['date', (a) => a.endsOn],
    unit_code: ['text', (a) => a.unitCode],
    category: ['text', (a) => a.category],
    position: ['text', (a) => a.position?.normalize('NFC') ?? null],
    meets_standard: ['boolean', (a) => a.meetsStandard],
    observed: ['boolean', () => false],
    source_updated_at: ['timestamptz', (a) => a.sourceUpdatedAt],
  },
});

const upsertEventRows = defineUpsert<UnitEvent>({
  table: 'unit_events',
  key: ['id'],
  versioned: true,
  columns: {
    id: ['text', (e) => e.id],
    type: ['text', (e) => e.type],
    effective_on: ['date', (e) => e.effectiveOn],
    legal_basis: ['text', (e) => e.legalBasis?.normalize('NFC') ?? null],
    source_updated_at: ['timestamptz', (e) => e.sourceUpdatedAt],
  },
});

/** A range as the reasons write it: [from, to), '…' for an open end. */
const range = (from: string, to: string | null) => `[${from}, ${to ?? '…'})`;

/** How one history table is checked for overlaps: its key and range columns. */
interface RangeTable {
  table: string;
  /** The owner (a unit's code, a person's id) and the record's own part of the key. */
  owner: string;
  part: string;
  partType: 'integer' | 'date';
  from: string;
  to: string;
  /** Names the owner and the parts in a reason. */
  describe: (owner: string, part: string) => string;
}

interface RangeRow {
  owner: string;
  part: string;
  from: string;
  to: string | null;
  updatedAt: Date;
}

/**
 * The page's records that would overlap another of the same owner, once
 * written: against the stored rows read from the upstream (the observed ones
 * are replaced) and against the page itself, each key by its newest version
 * (a stored one newer than the page's stands, as the upsert keeps it).
 * Of two records of the page that overlap, the one changed last is refused
 * (on a tie, the later one). Refusing a record keeps its stored row, which
 * may then overlap another record: checked again without the refused ones
 * until nothing changes.
 */
async function overlapping(tx: Queryable, spec: RangeTable, rows: readonly RangeRow[]): Promise<Refusal[]> {
  const refused = new Map<number, string>();
  const text = (column: string) => `${column}::text`;
  const sql = `
    WITH page AS (
      SELECT * FROM unnest($1::int[], $2::text[], $3::${spec.partType}[], $4::date[], $5::date[], $6::timestamptz[])
               AS p (idx, owner, part, valid_from, valid_to, updated)
       WHERE NOT (idx = ANY($7::int[]))
    ), latest AS (
      SELECT DISTINCT ON (owner, part) * FROM page ORDER BY owner, part, updated DESC, idx DESC
    ), effective AS (
      SELECT s.${spec.owner} AS owner, s.${spec.part} AS part, s.${spec.from} AS valid_from, s.${spec.to} AS valid_to,
             s.source_updated_at AS updated, NULL::int AS idx
        FROM ${spec.table} s
       WHERE s.${spec.owner} IN (SELECT owner FROM page) AND NOT s.observed
         AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.owner = s.${spec.owner} AND l.part = s.${spec.part}
                                                  AND l.updated >= s.source_updated_at)
      UNION ALL
      SELECT l.owner, l.part, l.valid_from, l.valid_to, l.updated, l.idx FROM latest l
       WHERE NOT EXISTS (SELECT 1 FROM ${spec.table} s WHERE s.${spec.owner} = l.owner AND s.${spec.part} = l.part
                                                      AND s.source_updated_at > l.updated)
    )
    SELECT a.idx, a.owner, ${text('a.part')} AS part, ${text('a.valid_from')} AS "from", ${text('a.valid_to')} AS "to",
           ${text('b.part')} AS "otherPart", ${text('b.valid_from')} AS "otherFrom", ${text('b.valid_to')} AS "otherTo",
           b.idx IS NULL AS stored
      FROM effective a
      JOIN effective b ON b.owner = a.owner AND b.part <> a.part
                      AND daterange(a.valid_from, a.valid_to) && daterange(b.valid_from, b.valid_to)
     WHERE a.idx IS NOT NULL
       -- Of two records of the page, the one changed last is refused (on a tie, the later part): the other stands.
       AND (b.idx IS NULL OR a.updated > b.updated OR (a.updated = b.updated AND a.part > b.part))
     ORDER BY a.idx, b.part`;
  const params = [
    rows.map((_, i) => i),
    rows.map((r) => r.owner),
    rows.map((r) => r.part),
    rows.map((r) => r.from),
    rows.map((r) => r.to),
    rows.map((r) => r.updatedAt.toISOString()),
  ];
  for (let round = 0; round < 8; round++) {
    const found = await tx.query<{
      idx: number;
      owner: string;
      part: string;
      from: string;
      to: string | null;
      otherPart: string;
      otherFrom: string;
      otherTo: string | null;
      stored: boolean;
    }>(sql, [...params, [...refused.keys()]]);
    if (found.length === 0) break;
    for (const row of found) {
      if (refused.has(row.idx)) continue;
      refused.set(
        row.idx,
        `${spec.describe(row.owner, row.part)} ${range(row.from, row.to)} overlaps ` +
          `${row.stored ? 'the stored' : "this page's"} ${spec.describe(row.owner, row.otherPart)} ` +
          `${range(row.otherFrom, row.otherTo)}`,
      );
    }
  }
  return [...refused].map(([index, reason]) => ({ index, reason }));
}

/** Deletes the observed rows of these owners, when there are any (a statement rebuilds unit_ancestry). */
async function forgetObserved(tx: Queryable, table: string, owner: string, owners: readonly string[]) {
  if (owners.length === 0) return;
  const [any] = await tx.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table} WHERE observed AND ${owner} = ANY($1::text[])) AS found`,
    [owners],
  );
  if (any?.found) await tx.query(`DELETE FROM ${table} WHERE observed AND ${owner} = ANY($1::text[])`, [owners]);
}

const kept = <T>(records: readonly T[], refused: readonly Refusal[]) => {
  const out = new Set(refused.map((r) => r.index));
  return records.filter((_, i) => !out.has(i));
};

const VERSIONS: RangeTable = {
  table: 'unit_versions',
  owner: 'code',
  part: 'version',
  partType: 'integer',
  from: 'valid_from',
  to: 'valid_to',
  describe: (code, version) => `version ${version} of unit ${code}`,
};

const ASSIGNMENTS: RangeTable = {
  table: 'staff_assignments',
  owner: 'staff_id',
  part: 'starts_on',
  partType: 'date',
  from: 'starts_on',
  to: 'ends_on',
  describe: (id, startsOn) => `the assignment of ${id} from ${startsOn}`,
};

/** Unit versions from the upstream's history; they replace the observed versions of their units. */
export async function writeUnitVersions(tx: Queryable, records: readonly UnitVersion[]): Promise<HistoryWritten> {
  if (records.length === 0) return { written: 0, refused: [] };
  const refused = await overlapping(
    tx,
    VERSIONS,
    records.map((v) => ({
      owner: v.code,
      part: String(v.version),
      from: v.validFrom,
      to: v.validTo,
      updatedAt: v.sourceUpdatedAt,
    })),
  );
  const rows = kept(records, refused);
  await forgetObserved(tx, 'unit_versions', 'code', [...new Set(rows.map((v) => v.code))]);
  return { written: await upsertVersionRows(tx, rows), refused };
}

/** Staff assignments from the upstream's history; they replace the observed assignments of their people. */
export async function writeStaffAssignments(
  tx: Queryable,
  records: readonly StaffAssignment[],
): Promise<HistoryWritten> {
  if (records.length === 0) return { written: 0, refused: [] };
  const refused = await overlapping(
    tx,
    ASSIGNMENTS,
    records.map((a) => ({
      owner: a.staffId,
      part: a.startsOn,
      from: a.startsOn,
      to: a.endsOn,
      updatedAt: a.sourceUpdatedAt,
    })),
  );
  const rows = kept(records, refused);
  await forgetObserved(tx, 'staff_assignments', 'staff_id', [...new Set(rows.map((a) => a.staffId))]);
  return { written: await upsertAssignmentRows(tx, rows), refused };
}

/**
 * Administrative events; each event's units are replaced whole when the
 * stored event is this version of it and its units differ (a replayed page
 * rewrites nothing).
 */
export async function writeUnitEvents(tx: Queryable, records: readonly UnitEvent[]): Promise<number> {
  if (records.length === 0) return 0;
  const written = await upsertEventRows(tx, records);
  // The newest version of each event in the batch.
  const latest = new Map<string, UnitEvent>();
  for (const event of records) {
    const held = latest.get(event.id);
    if (!held || held.sourceUpdatedAt <= event.sourceUpdatedAt) latest.set(event.id, event);
  }
  const stored = await tx.query<{ id: string; current: boolean; units: string[] | null }>(
    `SELECT e.id, e.source_updated_at = r.updated AS current,
            (SELECT array_agg(u.side || ' ' || u.unit_code)
               FROM unit_event_units u WHERE u.event_id = e.id) AS units
       FROM unit_events e JOIN unnest($1::text[], $2::timestamptz[]) AS r (id, updated) ON r.id = e.id`,
    [[...latest.keys()], [...latest.values()].map((e) => e.sourceUpdatedAt.toISOString())],
  );
  const sides = (event: UnitEvent) =>
    [...event.unitsBefore.map((code) => `BEFORE ${code}`), ...event.unitsAfter.map((code) => `AFTER ${code}`)].sort();
  const changed = stored.flatMap((row) => {
    const event = latest.get(row.id)!;
    const wanted = sides(event);
    const held = [...(row.units ?? [])].sort();
    return row.current && wanted.join('\n') !== held.join('\n') ? [event] : [];
  });
  if (changed.length === 0) return written;
  await tx.query('DELETE FROM unit_event_units WHERE event_id = ANY($1::text[])', [changed.map((e) => e.id)]);
  const units = changed.flatMap((event) => [
    ...event.unitsBefore.map((code) => [event.id, 'BEFORE', code] as const),
    ...event.unitsAfter.map((code) => [event.id, 'AFTER', code] as const),
  ]);
  if (units.length > 0) {
    await tx.query(
      `INSERT INTO unit_event_units (event_id, side, unit_code)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [units.map((u) => u[0]), units.map((u) => u[1]), units.map((u) => u[2])],
    );
  }
  return written;
}
