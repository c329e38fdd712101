-- The past as it was (issue 20): every version of every unit, the
-- administrative events that merged, split or dissolved units (lineage), each
-- person's working history, and a dated closure of the tree built from them,
-- from the cadre database's v2.1 history (docs/upstreams.md#history-cadre-database-v21).
--
-- `units` and `staff` stay what /v2/units and /v2/staff give (each as it stands
-- today), and `unit_tree` stays the closure of each unit's latest parent (where
-- a unit's records are filed for lists and access). The tables below answer
-- "as it stood on day d": the figures of a period, the tree on a date.
--
-- Validity ranges are dates in the Vietnam calendar, [from, to): `to` excluded,
-- null meaning "still in force" (or, for `from`, "since before the hub knows").

-- Versions never overlap: an exclusion constraint, not only the writer's care.
-- btree_gist gives the `=` of a text column a GiST operator class. It goes in
-- public so that every schema of the database (the test suites make one each)
-- shares one copy, and dropping a schema never drops it.
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;

CREATE TABLE unit_versions (
  code              identifier NOT NULL,
  version           integer NOT NULL CHECK (version >= 1),   -- phienBan; the hub numbers on from the last one
  valid_from        date,                                    -- tuNgay (null: since before the hub knows)
  valid_to          date,                                    -- denNgay (null: still in force)
  valid_during      daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to)) STORED,
  name              text NOT NULL,
  name_folded       text GENERATED ALWAYS AS (fold_vi(name)) STORED,
  parent_code       identifier,
  level             text NOT NULL CHECK (level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')),
  kind              text NOT NULL CHECK (kind IN ('PEOPLES_COMMITTEE', 'AGENCY', 'PUBLIC_SERVICE_UNIT')),
  sector            text CHECK (sector IN ('EDUCATION', 'HEALTH', 'CULTURE', 'SCIENCE', 'LABOUR', 'ECONOMY', 'OTHER')),
  budget_code       identifier,
  headcount_quota   integer CHECK (headcount_quota >= 0),
  -- true: recorded by the hub from /v2/units (an upstream without the history
  -- paths); false: read from /v2/units/history.
  observed          boolean NOT NULL DEFAULT false,
  source_updated_at timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, version),
  CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from),
  -- Deferred: a correction that moves the boundary between two versions
  -- rewrites both, and the first write alone would overlap the second.
  CONSTRAINT unit_versions_do_not_overlap
    EXCLUDE USING gist (code WITH =, valid_during WITH &&) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX unit_versions_parent_idx ON unit_versions (parent_code);
-- The versions the hub only observed: few or none once the upstream's history is read, and asked of every
-- indicator answer (store/history.ts historyCoverage), so found without reading the others.
CREATE INDEX unit_versions_observed_idx ON unit_versions (code) WHERE observed;

-- Merges, splits, dissolutions, creations and renames, with their legal basis
-- (/v2/unit-events). The units before and after are kept as sent.
CREATE TABLE unit_events (
  id                identifier PRIMARY KEY,                  -- maSuKien
  type              text NOT NULL CHECK (type IN ('MERGER', 'SPLIT', 'DISSOLUTION', 'CREATION', 'RENAME')),
  effective_on      date NOT NULL,                           -- ngayHieuLuc
  legal_basis       text,                                    -- canCu
  source_updated_at timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_events_effective_idx ON unit_events (effective_on, id);

CREATE TABLE unit_event_units (
  event_id  identifier NOT NULL REFERENCES unit_events (id) ON DELETE CASCADE,
  side      text NOT NULL CHECK (side IN ('BEFORE', 'AFTER')),   -- donViTruoc / donViSau
  unit_code identifier NOT NULL,
  PRIMARY KEY (event_id, side, unit_code)
);
CREATE INDEX unit_event_units_unit_idx ON unit_event_units (unit_code, side);

-- Lineage: each predecessor → successor pair of an event (a rename keeps the
-- same unit on both sides and so adds no pair).
CREATE VIEW unit_lineage AS
SELECT b.unit_code AS predecessor_code, a.unit_code AS successor_code,
       e.id AS event_id, e.type, e.effective_on, e.legal_basis
  FROM unit_events e
  JOIN unit_event_units b ON b.event_id = e.id AND b.side = 'BEFORE'
  JOIN unit_event_units a ON a.event_id = e.id AND a.side = 'AFTER'
 WHERE a.unit_code <> b.unit_code;

-- Each person's working history (/v2/staff/assignments). An assignment the hub
-- recorded itself (an upstream without the history) whose start it does not
-- know starts on '-infinity'.
CREATE TABLE staff_assignments (
  staff_id          identifier NOT NULL,                     -- soHieu
  starts_on         date NOT NULL,                           -- tuNgay
  ends_on           date,                                    -- denNgay (null: still in force)
  valid_during      daterange GENERATED ALWAYS AS (daterange(starts_on, ends_on)) STORED,
  unit_code         identifier NOT NULL,                     -- maDinhDanhDonVi; no foreign key, as units.parent_code
  category          text CHECK (category IN ('CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER')),
  position          text,
  meets_standard    boolean,
  observed          boolean NOT NULL DEFAULT false,
  source_updated_at timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, starts_on),
  CHECK (ends_on IS NULL OR ends_on > starts_on),
  CONSTRAINT staff_assignments_do_not_overlap
    EXCLUDE USING gist (staff_id WITH =, valid_during WITH &&) DEFERRABLE INITIALLY DEFERRED
);
-- A unit's assignments in force on a day, from the index alone (store/indicators/staff.ts).
CREATE INDEX staff_assignments_unit_idx ON staff_assignments (unit_code, starts_on)
  INCLUDE (ends_on, category, meets_standard);
CREATE INDEX staff_assignments_observed_idx ON staff_assignments (staff_id) WHERE observed;

-- ---------------------------------------------------------------------------
-- unit_ancestry: the dated closure. One row says that `ancestor_code` holds
-- the records of `unit_code` on the days of `valid_during`:
--
-- - TREE: the ancestor was the unit itself (depth 0) or above it in the tree
--   as it stood on those days (built from the versions' parents);
-- - SUCCESSOR: the unit had ended and its records pass, by lineage, to a
--   single heir (a merger, a dissolution with a unit that takes over, and on
--   along the heir's own mergers); the ancestor held the heir on those days;
-- - UNATTRIBUTED: the unit had ended with no single heir (a split, a
--   dissolution without successor): from its end its records count only at
--   the province level unit that held it on its last day.
--
-- Subtree reads stay index reads: `ancestor_code = ANY(roots)` and a range test.
CREATE TABLE unit_ancestry (
  ancestor_code identifier NOT NULL,
  unit_code     identifier NOT NULL,
  depth         smallint NOT NULL CHECK (depth >= 0),
  valid_during  daterange NOT NULL CHECK (NOT isempty(valid_during)),
  link          text NOT NULL CHECK (link IN ('TREE', 'SUCCESSOR', 'UNATTRIBUTED'))
);
CREATE INDEX unit_ancestry_ancestor_idx ON unit_ancestry (ancestor_code, unit_code);
CREATE INDEX unit_ancestry_unit_idx ON unit_ancestry (unit_code, depth);

-- Computed whole, as unit_tree is (a province has a few thousand units and
-- versions, and they change a few times a year), but written as a difference:
-- only the rows that changed. A cycle stops at depth 32.
CREATE FUNCTION rebuild_unit_ancestry() RETURNS void
LANGUAGE sql AS $$
  WITH RECURSIVE up (unit_code, ancestor_code, depth, during) AS (
    SELECT code, code, 0, valid_during FROM unit_versions
    UNION ALL
    -- The ancestor's parent on the days its version and the parent's version share.
    SELECT up.unit_code, v.parent_code, up.depth + 1, up.during * v.valid_during * p.valid_during
      FROM up
      JOIN unit_versions v ON v.code = up.ancestor_code AND v.valid_during && up.during
      JOIN unit_versions p ON p.code = v.parent_code AND p.valid_during && (up.during * v.valid_during)
     WHERE up.depth < 32
  ),
  tree AS (
    -- Adjacent ranges of the same pair and depth become one row.
    SELECT ancestor_code, unit_code, depth, unnest(range_agg(during)) AS during
      FROM up WHERE NOT isempty(during) GROUP BY 1, 2, 3
  ),
  -- Where each unit ends (the end of its last version), if it does.
  ends AS (
    SELECT code, max(valid_to) AS ended_on FROM unit_versions GROUP BY code
    HAVING bool_and(valid_to IS NOT NULL)
  ),
  -- The single heir of an ended unit (one successor by lineage), from the event's date.
  heir AS (
    SELECT l.predecessor_code AS code, min(l.successor_code) AS heir_code, min(l.effective_on) AS from_day
      FROM unit_lineage l JOIN ends e ON e.code = l.predecessor_code
     WHERE l.type IN ('MERGER', 'DISSOLUTION')
     GROUP BY l.predecessor_code HAVING count(DISTINCT l.successor_code) = 1
  ),
  -- Every heir along the chain, each from the day it took over.
  heirs (code, heir_code, from_day, steps) AS (
    SELECT code, heir_code, from_day, 1 FROM heir
    UNION ALL
    SELECT hs.code, h.heir_code, greatest(hs.from_day, h.from_day), hs.steps + 1
      FROM heirs hs JOIN heir h ON h.code = hs.heir_code
     WHERE hs.steps < 32
  ),
  successor AS (
    SELECT t.ancestor_code, hs.code AS unit_code, t.depth, t.during * daterange(hs.from_day, NULL) AS during
      FROM heirs hs JOIN tree t ON t.unit_code = hs.heir_code
     WHERE t.during && daterange(hs.from_day, NULL)
  ),
  -- Ended units with no single heir, and the end of a chain of heirs that ends so.
  -- `last_code` is the unit whose last day places the records: the unit itself, or the end of its chain.
  orphan AS (
    SELECT e.code, e.ended_on, e.code AS last_code FROM ends e WHERE e.code NOT IN (SELECT code FROM heir)
    UNION
    SELECT hs.code, e.ended_on, hs.heir_code
      FROM heirs hs JOIN ends e ON e.code = hs.heir_code
     WHERE hs.heir_code NOT IN (SELECT code FROM heir)
  ),
  unattributed AS (
    SELECT t.ancestor_code, o.code AS unit_code, 0 AS depth, daterange(o.ended_on, NULL) AS during
      FROM orphan o
      JOIN tree t ON t.unit_code = o.last_code AND t.during @> (o.ended_on - 1)
      JOIN unit_versions a ON a.code = t.ancestor_code AND a.valid_during @> (o.ended_on - 1)
     WHERE a.level = 'PROVINCE' AND a.parent_code IS NULL
  ),
  fresh (ancestor_code, unit_code, depth, valid_during, link) AS (
    SELECT ancestor_code, unit_code, depth, during, 'TREE' FROM tree
    UNION ALL
    SELECT ancestor_code, unit_code, depth, unnest(range_agg(during)), 'SUCCESSOR'
      FROM successor WHERE NOT isempty(during) GROUP BY 1, 2, 3
    UNION ALL
    SELECT ancestor_code, unit_code, depth, during, 'UNATTRIBUTED' FROM unattributed
  ),
  -- Only the rows that changed are written: the rebuild runs after every statement that writes versions or events
  -- (a page of a sync), and rewriting the whole closure each time left the table mostly dead rows until a vacuum.
  -- (Both sides see the rows as they were before this statement.)
  removed AS (
    DELETE FROM unit_ancestry a
     WHERE NOT EXISTS (SELECT 1 FROM fresh f
                        WHERE f.ancestor_code = a.ancestor_code AND f.unit_code = a.unit_code AND f.depth = a.depth
                          AND f.valid_during = a.valid_during AND f.link = a.link)
  )
  INSERT INTO unit_ancestry (ancestor_code, unit_code, depth, valid_during, link)
  SELECT f.ancestor_code, f.unit_code, f.depth, f.valid_during, f.link FROM fresh f
   WHERE NOT EXISTS (SELECT 1 FROM unit_ancestry a
                      WHERE a.ancestor_code = f.ancestor_code AND a.unit_code = f.unit_code AND a.depth = f.depth
                        AND a.valid_during = f.valid_during AND a.link = f.link);
$$;

CREATE FUNCTION unit_history_changed() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN PERFORM rebuild_unit_ancestry(); RETURN NULL; END $$;

-- Statement-level: a page of 500 versions rebuilds once. Deferred to the end of
-- the transaction would be cheaper still, but statement triggers cannot be.
CREATE TRIGGER unit_versions_ancestry AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_versions
  FOR EACH STATEMENT EXECUTE FUNCTION unit_history_changed();
CREATE TRIGGER unit_events_ancestry AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_events
  FOR EACH STATEMENT EXECUTE FUNCTION unit_history_changed();
CREATE TRIGGER unit_event_units_ancestry AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_event_units
  FOR EACH STATEMENT EXECUTE FUNCTION unit_history_changed();

-- ---------------------------------------------------------------------------
-- What the hub observes. A unit (or person) whose history the upstream has not
-- given (a cadre database before v2.1, a unit its history feed has not reached
-- yet, a fixture) is versioned by the hub from what /v2/units (/v2/staff)
-- says, so every writer keeps the history exact in its own transaction:
-- - first seen: one observed version over its validity (an assignment from
--   '-infinity': the hub does not know since when);
-- - seen changed: the open observed version ends on the day of the change (the
--   Vietnam day of the record's source_updated_at) and a new one begins; a
--   change on the version's first day rewrites it in place;
-- - seen dissolved (valid_to set) or no longer serving: the open one ends.
-- Units and people with versions read from the upstream (observed = false)
-- are left alone: their history is the upstream's. (A unit whose validity ends
-- before it starts is stored with a flaw and gets no version.)
CREATE FUNCTION observe_unit_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Changed attributes: rewrite in place when the change falls on the version's first day, else close it.
  WITH latest AS (
    SELECT DISTINCT ON (v.code) v.code, v.version, v.valid_from, s.source_updated_at
      FROM unit_versions v JOIN (SELECT n.* FROM new_units n WHERE (n.valid_to IS NULL OR n.valid_from IS NULL OR n.valid_to > n.valid_from) AND NOT EXISTS (SELECT 1 FROM unit_versions u WHERE u.code = n.code AND NOT u.observed)) AS s ON s.code = v.code
     WHERE (v.name, v.parent_code, v.level, v.kind, v.sector, v.budget_code, v.headcount_quota)
           IS DISTINCT FROM (s.name, s.parent_code, s.level, s.kind, s.sector, s.budget_code, s.headcount_quota)
       AND v.version = (SELECT max(w.version) FROM unit_versions w WHERE w.code = v.code)
       AND v.valid_to IS NULL
     ORDER BY v.code
  ), closed AS (
    UPDATE unit_versions v SET valid_to = vn_day(l.source_updated_at), synced_at = now()
      FROM latest l
     WHERE v.code = l.code AND v.version = l.version
       AND (l.valid_from IS NULL OR vn_day(l.source_updated_at) > l.valid_from)
    RETURNING v.code, v.version, v.valid_to
  )
  INSERT INTO unit_versions (code, version, valid_from, valid_to, name, parent_code, level, kind, sector,
                             budget_code, headcount_quota, observed, source_updated_at)
  SELECT s.code, c.version + 1, c.valid_to, CASE WHEN s.valid_to > c.valid_to THEN s.valid_to END,
         s.name, s.parent_code, s.level, s.kind, s.sector, s.budget_code, s.headcount_quota, true, s.source_updated_at
    FROM closed c JOIN (SELECT n.* FROM new_units n WHERE (n.valid_to IS NULL OR n.valid_from IS NULL OR n.valid_to > n.valid_from) AND NOT EXISTS (SELECT 1 FROM unit_versions u WHERE u.code = n.code AND NOT u.observed)) AS s ON s.code = c.code
   WHERE s.valid_to IS NULL OR s.valid_to > c.valid_to;

  -- Everything else: the latest observed version takes the record's attributes and end (a first-day change, a
  -- dissolution, a correction of the dates); a unit seen for the first time gets its first version.
  UPDATE unit_versions v
     SET name = s.name, parent_code = s.parent_code, level = s.level, kind = s.kind, sector = s.sector,
         budget_code = s.budget_code, headcount_quota = s.headcount_quota,
         valid_from = CASE WHEN v.version = 1 THEN s.valid_from ELSE v.valid_from END,
         valid_to = s.valid_to, source_updated_at = s.source_updated_at, synced_at = now()
    FROM (SELECT n.* FROM new_units n WHERE (n.valid_to IS NULL OR n.valid_from IS NULL OR n.valid_to > n.valid_from) AND NOT EXISTS (SELECT 1 FROM unit_versions u WHERE u.code = n.code AND NOT u.observed)) AS s
   WHERE v.code = s.code AND v.version = (SELECT max(w.version) FROM unit_versions w WHERE w.code = s.code)
     AND (v.valid_from IS NULL OR s.valid_to IS NULL OR s.valid_to > v.valid_from)
     AND (v.name, v.parent_code, v.level, v.kind, v.sector, v.budget_code, v.headcount_quota, v.valid_to,
          CASE WHEN v.version = 1 THEN v.valid_from END)
         IS DISTINCT FROM (s.name, s.parent_code, s.level, s.kind, s.sector, s.budget_code, s.headcount_quota, s.valid_to,
          CASE WHEN v.version = 1 THEN s.valid_from END);

  INSERT INTO unit_versions (code, version, valid_from, valid_to, name, parent_code, level, kind, sector,
                             budget_code, headcount_quota, observed, source_updated_at)
  SELECT s.code, 1, s.valid_from, s.valid_to, s.name, s.parent_code, s.level, s.kind, s.sector, s.budget_code,
         s.headcount_quota, true, s.source_updated_at
    FROM (SELECT n.* FROM new_units n WHERE (n.valid_to IS NULL OR n.valid_from IS NULL OR n.valid_to > n.valid_from) AND NOT EXISTS (SELECT 1 FROM unit_versions u WHERE u.code = n.code AND NOT u.observed)) AS s
   WHERE NOT EXISTS (SELECT 1 FROM unit_versions v WHERE v.code = s.code);
  RETURN NULL;
END $$;

CREATE TRIGGER units_observed_on_insert AFTER INSERT ON units
  REFERENCING NEW TABLE AS new_units FOR EACH STATEMENT EXECUTE FUNCTION observe_unit_versions();
CREATE TRIGGER units_observed_on_update AFTER UPDATE ON units
  REFERENCING NEW TABLE AS new_units FOR EACH STATEMENT EXECUTE FUNCTION observe_unit_versions();

CREATE FUNCTION forget_observed_units() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM unit_versions WHERE observed;
  ELSE
    DELETE FROM unit_versions v USING old_units o WHERE v.code = o.code AND v.observed;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER units_observed_on_delete AFTER DELETE ON units
  REFERENCING OLD TABLE AS old_units FOR EACH STATEMENT EXECUTE FUNCTION forget_observed_units();
CREATE TRIGGER units_observed_on_truncate AFTER TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION forget_observed_units();

CREATE FUNCTION observe_staff_assignments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The open observed assignment ends when the person leaves, moves, or changes category or standing; rewritten in
  -- place when that happens on its first day.
  WITH open AS (
    SELECT a.staff_id, a.starts_on, s.status, s.source_updated_at,
           (a.unit_code, a.category, a.meets_standard) IS DISTINCT FROM (s.unit_code, s.category, s.meets_standard)
             AS changed
      FROM staff_assignments a JOIN (SELECT n.* FROM new_staff n WHERE NOT EXISTS (SELECT 1 FROM staff_assignments u WHERE u.staff_id = n.id AND NOT u.observed)) AS s ON s.id = a.staff_id
     WHERE a.ends_on IS NULL
  ), ended AS (
    DELETE FROM staff_assignments a USING open o
     WHERE a.staff_id = o.staff_id AND a.starts_on = o.starts_on
       AND (o.status IS DISTINCT FROM 'SERVING' OR o.changed) AND vn_day(o.source_updated_at) <= o.starts_on
    RETURNING a.staff_id
  )
  UPDATE staff_assignments a SET ends_on = vn_day(o.source_updated_at), synced_at = now()
    FROM open o
   WHERE a.staff_id = o.staff_id AND a.starts_on = o.starts_on
     AND (o.status IS DISTINCT FROM 'SERVING' OR o.changed) AND vn_day(o.source_updated_at) > o.starts_on;

  UPDATE staff_assignments a SET position = s.position, source_updated_at = s.source_updated_at, synced_at = now()
    FROM (SELECT n.* FROM new_staff n WHERE NOT EXISTS (SELECT 1 FROM staff_assignments u WHERE u.staff_id = n.id AND NOT u.observed)) AS s
   WHERE a.staff_id = s.id AND a.ends_on IS NULL AND a.position IS DISTINCT FROM s.position;

  -- A serving person without an open assignment begins one: from '-infinity' when first seen, else on the day seen.
  INSERT INTO staff_assignments (staff_id, starts_on, ends_on, unit_code, category, position, meets_standard,
                                 observed, source_updated_at)
  SELECT s.id,
         CASE WHEN EXISTS (SELECT 1 FROM staff_assignments a WHERE a.staff_id = s.id)
              THEN vn_day(s.source_updated_at) ELSE '-infinity' END,
         NULL, s.unit_code, s.category, s.position, s.meets_standard, true, s.source_updated_at
    FROM (SELECT n.* FROM new_staff n WHERE NOT EXISTS (SELECT 1 FROM staff_assignments u WHERE u.staff_id = n.id AND NOT u.observed)) AS s
   WHERE s.status = 'SERVING'
     AND NOT EXISTS (SELECT 1 FROM staff_assignments a WHERE a.staff_id = s.id AND a.ends_on IS NULL)
     AND NOT EXISTS (SELECT 1 FROM staff_assignments a WHERE a.staff_id = s.id AND a.ends_on > vn_day(s.source_updated_at));
  RETURN NULL;
END $$;

CREATE TRIGGER staff_observed_on_insert AFTER INSERT ON staff
  REFERENCING NEW TABLE AS new_staff FOR EACH STATEMENT EXECUTE FUNCTION observe_staff_assignments();
CREATE TRIGGER staff_observed_on_update AFTER UPDATE ON staff
  REFERENCING NEW TABLE AS new_staff FOR EACH STATEMENT EXECUTE FUNCTION observe_staff_assignments();

CREATE FUNCTION forget_observed_staff() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM staff_assignments WHERE observed;
  ELSE
    DELETE FROM staff_assignments a USING old_staff o WHERE a.staff_id = o.id AND a.observed;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER staff_observed_on_delete AFTER DELETE ON staff
  REFERENCING OLD TABLE AS old_staff FOR EACH STATEMENT EXECUTE FUNCTION forget_observed_staff();
CREATE TRIGGER staff_observed_on_truncate AFTER TRUNCATE ON staff
  FOR EACH STATEMENT EXECUTE FUNCTION forget_observed_staff();

-- A store synced before this migration has no history: each unit as the hub
-- last saw it becomes its one observed version, and each serving person an
-- open assignment whose start the hub does not know. A unit whose validity
-- ends before it starts (stored with a flaw) gets no version: it counted
-- nowhere before either.
INSERT INTO unit_versions (code, version, valid_from, valid_to, name, parent_code, level, kind, sector,
                           budget_code, headcount_quota, observed, source_updated_at, synced_at)
SELECT code, 1, valid_from, valid_to, name, parent_code, level, kind, sector, budget_code, headcount_quota,
       true, source_updated_at, synced_at
  FROM units
 WHERE valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from;

INSERT INTO staff_assignments (staff_id, starts_on, ends_on, unit_code, category, position, meets_standard,
                               observed, source_updated_at, synced_at)
SELECT id, '-infinity', NULL, unit_code, category, position, meets_standard, true, source_updated_at, synced_at
  FROM staff
 WHERE status = 'SERVING';

-- A feed whose path the upstream does not have (404: a cadre database before
-- v2.1 has no history paths) is skipped, not failed, and marked here; the
-- mark is cleared when the path answers.
ALTER TABLE sync_state ADD COLUMN path_missing_since timestamptz;
