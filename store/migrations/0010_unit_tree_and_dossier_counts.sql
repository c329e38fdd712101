-- The unit tree as a closure table, and dossier counts rolled up by unit, day
-- and month (issue 5's graph under load; issue 6's indicators start from the
-- same tree). Both are kept by statement-level triggers, so every writer (the
-- sync, a fixture, a manual fix) keeps them exact in its own transaction.

-- ---------------------------------------------------------------------------
-- unit_tree: one row per (ancestor, unit) pair, the unit itself included at
-- depth 0. Subtree reads become an index range instead of a recursive walk:
-- the walk cost 3–15 ms a request at bench scale, most of it planning, and its
-- row estimates were poor enough to push plans over the JIT threshold.

CREATE TABLE unit_tree (
  ancestor_code identifier NOT NULL,
  unit_code     identifier NOT NULL,
  depth         smallint NOT NULL CHECK (depth >= 0),
  PRIMARY KEY (ancestor_code, unit_code)
);
CREATE INDEX unit_tree_unit_idx ON unit_tree (unit_code, depth);

-- Rebuilt whole: a province has a few thousand units, the rebuild takes tens of
-- milliseconds, and the tree changes only when the cadre database reports a new
-- unit or a new parent. A cycle in the source data stops at depth 32; the
-- nearest path wins when there are several.
CREATE FUNCTION rebuild_unit_tree() RETURNS void
LANGUAGE sql AS $$
  DELETE FROM unit_tree;
  INSERT INTO unit_tree (ancestor_code, unit_code, depth)
  WITH RECURSIVE walk (ancestor_code, unit_code, depth) AS (
    SELECT code, code, 0 FROM units
    UNION ALL
    SELECT w.ancestor_code, u.code, w.depth + 1
      FROM walk w JOIN units u ON u.parent_code = w.unit_code
     WHERE w.depth < 32
  )
  SELECT DISTINCT ON (ancestor_code, unit_code) ancestor_code, unit_code, depth
    FROM walk ORDER BY ancestor_code, unit_code, depth;
$$;

CREATE FUNCTION units_tree_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only a new unit, a removed one or a changed parent reshapes the tree; a
  -- renamed unit (the common update) leaves it alone.
  -- (One branch per operation: a transition table exists only for the operations that have it.)
  IF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM new_units) THEN PERFORM rebuild_unit_tree(); END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM old_units) THEN PERFORM rebuild_unit_tree(); END IF;
  ELSIF EXISTS (SELECT 1 FROM new_units n JOIN old_units o ON o.code = n.code
                 WHERE o.parent_code IS DISTINCT FROM n.parent_code) THEN
    PERFORM rebuild_unit_tree();
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER units_tree_on_insert AFTER INSERT ON units
  REFERENCING NEW TABLE AS new_units FOR EACH STATEMENT EXECUTE FUNCTION units_tree_changed();
CREATE TRIGGER units_tree_on_update AFTER UPDATE ON units
  REFERENCING OLD TABLE AS old_units NEW TABLE AS new_units FOR EACH STATEMENT EXECUTE FUNCTION units_tree_changed();
CREATE TRIGGER units_tree_on_delete AFTER DELETE ON units
  REFERENCING OLD TABLE AS old_units FOR EACH STATEMENT EXECUTE FUNCTION units_tree_changed();

-- TRUNCATE fires no row or DELETE triggers: it empties the tree with the units.
CREATE FUNCTION units_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN DELETE FROM unit_tree; RETURN NULL; END $$;
CREATE TRIGGER units_tree_on_truncate AFTER TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION units_truncated();

SELECT rebuild_unit_tree();

-- ---------------------------------------------------------------------------
-- Dossier counts by receiving unit, Vietnam day of reception and how the
-- dossier stands (Unit.dossierCounts): a unit's year is then about 60 monthly
-- rows plus the days of the range's partial months, instead of every dossier it
-- received (up to 68,000 a year at bench scale). Open dossiers are counted as
-- OPEN here; whether one is overdue depends on when one asks, so the graph
-- splits them from the (few) open rows of the dossiers table itself.

CREATE FUNCTION dossier_count_outcome(status text, finished_at timestamptz, finish_outcome text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN status IN ('WITHDRAWN', 'REFUSED') THEN 'WITHDRAWN_OR_REFUSED'
  WHEN finished_at IS NOT NULL THEN coalesce(finish_outcome, 'RESOLVED_WITHOUT_DUE_DATE')
  ELSE 'OPEN'
END;

CREATE TABLE dossier_day_counts (
  unit_code identifier NOT NULL,
  day       date NOT NULL,                       -- vn_day(received_at)
  outcome   text NOT NULL,                       -- dossier_count_outcome(...)
  -- No CHECK (count >= 0): PostgreSQL checks the row an upsert proposes before
  -- it finds the conflict, and a decrement is proposed as a negative row.
  count     integer NOT NULL,
  PRIMARY KEY (unit_code, day, outcome)
);

CREATE TABLE dossier_month_counts (
  unit_code identifier NOT NULL,
  month     date NOT NULL,                       -- first day of the calendar month of vn_day(received_at)
  outcome   text NOT NULL,
  count     integer NOT NULL,
  PRIMARY KEY (unit_code, month, outcome)
);

-- Adds signed per-key deltas to both rollups. Keys are summed first, so each
-- upsert touches a key once.
CREATE FUNCTION apply_dossier_count_deltas(units text[], days date[], outcomes text[], deltas integer[]) RETURNS void
LANGUAGE sql AS $$
  WITH delta AS (
    SELECT unit_code, day, outcome, sum(n)::integer AS n
      FROM unnest(units, days, outcomes, deltas) AS d (unit_code, day, outcome, n)
     GROUP BY 1, 2, 3 HAVING sum(n) <> 0
  ), by_day AS (
    INSERT INTO dossier_day_counts AS c (unit_code, day, outcome, count)
    SELECT unit_code, day, outcome, n FROM delta
    ON CONFLICT (unit_code, day, outcome) DO UPDATE SET count = c.count + excluded.count
  )
  INSERT INTO dossier_month_counts AS c (unit_code, month, outcome, count)
  SELECT unit_code, date_trunc('month', day)::date, outcome, sum(n) FROM delta
   GROUP BY 1, 2, 3 HAVING sum(n) <> 0
  ON CONFLICT (unit_code, month, outcome) DO UPDATE SET count = c.count + excluded.count;
$$;

-- The rows a statement removed (old_dossiers) count -1 and the rows it added
-- (new_dossiers) +1, grouped per key: a batch of 1,000 dossiers costs two
-- grouped upserts, not 1,000 row triggers. An update that changes nothing the
-- counts depend on cancels out.
CREATE FUNCTION dossier_counts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM apply_dossier_count_deltas(array_agg(unit_code), array_agg(day), array_agg(outcome), array_agg(n))
       FROM (SELECT unit_code, vn_day(received_at) AS day,
                    dossier_count_outcome(status, finished_at, finish_outcome) AS outcome, count(*)::integer AS n
               FROM new_dossiers GROUP BY 1, 2, 3) AS d;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM apply_dossier_count_deltas(array_agg(unit_code), array_agg(day), array_agg(outcome), array_agg(n))
       FROM (SELECT unit_code, vn_day(received_at) AS day,
                    dossier_count_outcome(status, finished_at, finish_outcome) AS outcome, -count(*)::integer AS n
               FROM old_dossiers GROUP BY 1, 2, 3) AS d;
  ELSE
    PERFORM apply_dossier_count_deltas(array_agg(unit_code), array_agg(day), array_agg(outcome), array_agg(n))
       FROM (SELECT unit_code, vn_day(received_at) AS day,
                    dossier_count_outcome(status, finished_at, finish_outcome) AS outcome, count(*)::integer AS n
               FROM new_dossiers GROUP BY 1, 2, 3
             UNION ALL
             SELECT unit_code, vn_day(received_at), dossier_count_outcome(status, finished_at, finish_outcome),
                    -count(*)::integer
               FROM old_dossiers GROUP BY 1, 2, 3) AS d;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER dossiers_counts_on_insert AFTER INSERT ON dossiers
  REFERENCING NEW TABLE AS new_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_counts_changed();
CREATE TRIGGER dossiers_counts_on_update AFTER UPDATE ON dossiers
  REFERENCING OLD TABLE AS old_dossiers NEW TABLE AS new_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_counts_changed();
CREATE TRIGGER dossiers_counts_on_delete AFTER DELETE ON dossiers
  REFERENCING OLD TABLE AS old_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_counts_changed();

-- TRUNCATE fires no DELETE triggers: it empties the rollups with the dossiers.
CREATE FUNCTION dossiers_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN DELETE FROM dossier_day_counts; DELETE FROM dossier_month_counts; RETURN NULL; END $$;
CREATE TRIGGER dossiers_counts_on_truncate AFTER TRUNCATE ON dossiers
  FOR EACH STATEMENT EXECUTE FUNCTION dossiers_truncated();

-- The dossiers already stored.
INSERT INTO dossier_day_counts (unit_code, day, outcome, count)
SELECT unit_code, vn_day(received_at), dossier_count_outcome(status, finished_at, finish_outcome), count(*)
  FROM dossiers GROUP BY 1, 2, 3;
INSERT INTO dossier_month_counts (unit_code, month, outcome, count)
SELECT unit_code, date_trunc('month', day)::date, outcome, sum(count)
  FROM dossier_day_counts GROUP BY 1, 2, 3;

-- The open dossiers a unit's counts split into OPEN and OPEN_OVERDUE: few (a
-- few thousand in a province at any time), read with their due dates from the
-- index alone.
CREATE INDEX dossiers_unit_open_received_idx ON dossiers (unit_code, received_at) INCLUDE (due_at)
  WHERE finished_at IS NULL AND status NOT IN ('WITHDRAWN', 'REFUSED');

-- Serving staff by unit and category (Unit.staffCounts) from the index alone.
CREATE INDEX staff_serving_unit_category_idx ON staff (unit_code, category) WHERE status = 'SERVING';

-- A unit's staff in id order (Query.staff with a unit: a page from each unit of
-- the subtree, merged).
CREATE INDEX staff_unit_id_idx ON staff (unit_code, id);
