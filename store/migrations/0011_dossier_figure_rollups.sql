-- The one-stop-shop's figures (store/indicators/dossiers.ts, form 06) rolled
-- up by receiving unit and Vietnam day, month and year, so that an indicator
-- over a province reads a few rows per unit instead of its dossiers
-- (store/indicators/dossier-rollups.ts). Kept by statement-level triggers, as
-- migration 0010 keeps its counts: every writer keeps them exact in its own
-- transaction.
--
-- Every figure is a count of events, each on one Vietnam day, so any range of
-- days is a difference of two prefix sums (everything before its first day,
-- everything up to its last):
--
-- - the received figures: on the day of received_at;
-- - the resolved figures: on the day of finished_at, for status PROCESSED or RETURNED;
-- - the stocks: with closed_at = least(finished_at, source_updated_at when the
--   status is WITHDRAWN, REFUSED or STOPPED) (null while open), a dossier is
--   open at the first instant of day D iff received before D and not closed
--   before D. "received_at < S and closed_at < S" is "greatest(received_at,
--   closed_at) < S", so the open count at D's start is
--     #received before D − #closed before D,
--   with `closed` counted on the day of greatest(received_at, closed_at) (a
--   dossier never closed is never counted there). Carried over is that count
--   at the range's first day, pending at the day after its last. Overdue
--   pending adds "due_at < E" to both sides: `due` on the day of
--   greatest(received_at, due_at), `due_closed` on the day of
--   greatest(received_at, due_at, closed_at).
--
-- Instants are compared with day boundaries only (vnDayStart/vnDayEnd), so an
-- instant is before the start of day D exactly when its Vietnam day is before
-- D: per-day rows are exact.
--
-- Rows: one per unit and day with any event, plus one per unit and month and
-- per unit and year. A prefix sum before day D reads the unit's years before
-- D's year, the months of D's year before D's month and the days of D's month
-- before D: at most a handful of years, 11 months and 30 days, and for a
-- calendar year, half-year or month only year and month rows.
--
-- Full-process eligibility (receivedFullProcessEligible) is the procedure's
-- online_service, which a later sync of the procedure catalogue may change.
-- The rollups store it as counted with the procedure as it stands, and a
-- trigger on procedures moves the counts of that procedure's dossiers when its
-- eligibility changes (rare: a procedure is reclassified a few times a year at
-- most). Keying the rollups by procedure instead would keep them exact without
-- that trigger, but a unit receives under a hundred procedures, so rows would
-- approach one per dossier and the reads would lose most of their gain.

CREATE TABLE dossier_figure_rollups (
  unit_code                      identifier NOT NULL,
  grain                          text NOT NULL CHECK (grain IN ('day', 'month', 'year')),
  start                          date NOT NULL,   -- the day, or the first day of the month or year
  -- On the day of received_at (no CHECK (>= 0): an upsert proposes a decrement as a negative row, see 0010).
  received                       integer NOT NULL,
  received_online                integer NOT NULL,
  received_in_person             integer NOT NULL,
  received_postal                integer NOT NULL,
  received_full_process_eligible integer NOT NULL,
  received_full_process_online   integer NOT NULL,
  received_with_fee              integer NOT NULL,
  received_paid_online           integer NOT NULL,
  received_digitised             integer NOT NULL,
  -- On the day of finished_at, status PROCESSED or RETURNED.
  resolved                       integer NOT NULL,
  resolved_early                 integer NOT NULL,
  resolved_on_time               integer NOT NULL,   -- finish_outcome ON_TIME or null (no due date)
  resolved_late                  integer NOT NULL,
  resolved_electronic_result     integer NOT NULL,
  -- The stock events (above).
  closed                         integer NOT NULL,
  due                            integer NOT NULL,
  due_closed                     integer NOT NULL,
  PRIMARY KEY (unit_code, grain, start)
);

-- The units that have any row (every event writes a year row): a query over a
-- province skips, in one index-only scan, the units that never received a
-- dossier (most of its thousands: agencies, schools, health stations).
CREATE INDEX dossier_figure_rollups_units_idx ON dossier_figure_rollups (unit_code) WHERE grain = 'year';

-- The grouped upsert of the signed changes a source query yields: each row a
-- dossier's columns with `sign` (+1 added, -1 removed) and `full_process` (its
-- procedure offered as a FULL_PROCESS online service). Each dossier becomes
-- its events (up to five days), the events are summed per unit and day, then
-- per unit and day, month and year; keys whose deltas all cancel (an update
-- that changes nothing the figures depend on) are not written. Built as text
-- and run with EXECUTE by the triggers, which alone can see their transition
-- tables, and by the backfill below: one statement for every writer.
CREATE FUNCTION dossier_figure_upsert_sql(changes text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN format($sql$
  WITH changes AS (%s),
  events AS (
    SELECT c.unit_code, e.kind, e.day, c.sign, c.channel, c.full_process, c.full_process_online, c.has_fee,
           c.paid_online, c.digitised, c.finish_outcome, c.electronic_result
      FROM changes c
     CROSS JOIN LATERAL (
       SELECT least(c.finished_at, CASE WHEN c.status IN ('WITHDRAWN', 'REFUSED', 'STOPPED') THEN c.source_updated_at END)
         AS closed_at
     ) AS x
     CROSS JOIN LATERAL (VALUES
       ('received', vn_day(c.received_at)),
       ('resolved', CASE WHEN c.status IN ('PROCESSED', 'RETURNED') THEN vn_day(c.finished_at) END),
       ('closed', CASE WHEN x.closed_at IS NOT NULL THEN vn_day(greatest(c.received_at, x.closed_at)) END),
       ('due', CASE WHEN c.due_at IS NOT NULL THEN vn_day(greatest(c.received_at, c.due_at)) END),
       ('due_closed', CASE WHEN c.due_at IS NOT NULL AND x.closed_at IS NOT NULL
                           THEN vn_day(greatest(c.received_at, c.due_at, x.closed_at)) END)
     ) AS e (kind, day)
     WHERE e.day IS NOT NULL
  ),
  by_day AS (
    SELECT unit_code, day,
           sum(sign) FILTER (WHERE kind = 'received') AS received,
           sum(sign) FILTER (WHERE kind = 'received' AND channel = 'ONLINE') AS received_online,
           sum(sign) FILTER (WHERE kind = 'received' AND channel = 'IN_PERSON') AS received_in_person,
           sum(sign) FILTER (WHERE kind = 'received' AND channel = 'POSTAL') AS received_postal,
           sum(sign) FILTER (WHERE kind = 'received' AND full_process) AS received_full_process_eligible,
           sum(sign) FILTER (WHERE kind = 'received' AND full_process AND full_process_online)
             AS received_full_process_online,
           sum(sign) FILTER (WHERE kind = 'received' AND has_fee) AS received_with_fee,
           sum(sign) FILTER (WHERE kind = 'received' AND has_fee AND paid_online) AS received_paid_online,
           sum(sign) FILTER (WHERE kind = 'received' AND digitised) AS received_digitised,
           sum(sign) FILTER (WHERE kind = 'resolved') AS resolved,
           sum(sign) FILTER (WHERE kind = 'resolved' AND finish_outcome = 'EARLY') AS resolved_early,
           -- null finish_outcome: resolved without a due date, on time (dossiers.ts)
           sum(sign) FILTER (WHERE kind = 'resolved' AND coalesce(finish_outcome, 'ON_TIME') = 'ON_TIME')
             AS resolved_on_time,
           sum(sign) FILTER (WHERE kind = 'resolved' AND finish_outcome = 'LATE') AS resolved_late,
           sum(sign) FILTER (WHERE kind = 'resolved' AND electronic_result) AS resolved_electronic_result,
           sum(sign) FILTER (WHERE kind = 'closed') AS closed,
           sum(sign) FILTER (WHERE kind = 'due') AS due,
           sum(sign) FILTER (WHERE kind = 'due_closed') AS due_closed
      FROM events GROUP BY 1, 2
  ),
  by_grain AS (
    SELECT b.unit_code, g.grain, g.start,
           coalesce(sum(received), 0) AS received,
           coalesce(sum(received_online), 0) AS received_online,
           coalesce(sum(received_in_person), 0) AS received_in_person,
           coalesce(sum(received_postal), 0) AS received_postal,
           coalesce(sum(received_full_process_eligible), 0) AS received_full_process_eligible,
           coalesce(sum(received_full_process_online), 0) AS received_full_process_online,
           coalesce(sum(received_with_fee), 0) AS received_with_fee,
           coalesce(sum(received_paid_online), 0) AS received_paid_online,
           coalesce(sum(received_digitised), 0) AS received_digitised,
           coalesce(sum(resolved), 0) AS resolved,
           coalesce(sum(resolved_early), 0) AS resolved_early,
           coalesce(sum(resolved_on_time), 0) AS resolved_on_time,
           coalesce(sum(resolved_late), 0) AS resolved_late,
           coalesce(sum(resolved_electronic_result), 0) AS resolved_electronic_result,
           coalesce(sum(closed), 0) AS closed,
           coalesce(sum(due), 0) AS due,
           coalesce(sum(due_closed), 0) AS due_closed
      FROM by_day b
     CROSS JOIN LATERAL (VALUES
       ('day', b.day),
       ('month', date_trunc('month', b.day::timestamp)::date),
       ('year', date_trunc('year', b.day::timestamp)::date)
     ) AS g (grain, start)
     GROUP BY 1, 2, 3
  )
  INSERT INTO dossier_figure_rollups AS r
  SELECT * FROM by_grain
   WHERE (received, received_online, received_in_person, received_postal, received_full_process_eligible,
          received_full_process_online, received_with_fee, received_paid_online, received_digitised, resolved,
          resolved_early, resolved_on_time, resolved_late, resolved_electronic_result, closed, due, due_closed)
         IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  ON CONFLICT (unit_code, grain, start) DO UPDATE SET
    received = r.received + excluded.received,
    received_online = r.received_online + excluded.received_online,
    received_in_person = r.received_in_person + excluded.received_in_person,
    received_postal = r.received_postal + excluded.received_postal,
    received_full_process_eligible = r.received_full_process_eligible + excluded.received_full_process_eligible,
    received_full_process_online = r.received_full_process_online + excluded.received_full_process_online,
    received_with_fee = r.received_with_fee + excluded.received_with_fee,
    received_paid_online = r.received_paid_online + excluded.received_paid_online,
    received_digitised = r.received_digitised + excluded.received_digitised,
    resolved = r.resolved + excluded.resolved,
    resolved_early = r.resolved_early + excluded.resolved_early,
    resolved_on_time = r.resolved_on_time + excluded.resolved_on_time,
    resolved_late = r.resolved_late + excluded.resolved_late,
    resolved_electronic_result = r.resolved_electronic_result + excluded.resolved_electronic_result,
    closed = r.closed + excluded.closed,
    due = r.due + excluded.due,
    due_closed = r.due_closed + excluded.due_closed
$sql$, changes);

-- The rows a statement removed (old_dossiers) count -1 and the rows it added
-- (new_dossiers) +1, each with its procedure's eligibility as it stands: a
-- batch of 1,000 dossiers costs one grouped upsert, not 1,000 row triggers.
-- (One branch per operation: a transition table exists only for the
-- operations that have it.)
CREATE FUNCTION dossier_figures_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  added constant text := $q$SELECT 1 AS sign, d.*, p.online_service = 'FULL_PROCESS' AS full_process
                              FROM new_dossiers d JOIN procedures p ON p.code = d.procedure_code$q$;
  removed constant text := $q$SELECT -1 AS sign, d.*, p.online_service = 'FULL_PROCESS' AS full_process
                                FROM old_dossiers d JOIN procedures p ON p.code = d.procedure_code$q$;
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE dossier_figure_upsert_sql(added);
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE dossier_figure_upsert_sql(removed);
  ELSE
    EXECUTE dossier_figure_upsert_sql(added || ' UNION ALL ' || removed);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER dossiers_figures_on_insert AFTER INSERT ON dossiers
  REFERENCING NEW TABLE AS new_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_figures_changed();
CREATE TRIGGER dossiers_figures_on_update AFTER UPDATE ON dossiers
  REFERENCING OLD TABLE AS old_dossiers NEW TABLE AS new_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_figures_changed();
CREATE TRIGGER dossiers_figures_on_delete AFTER DELETE ON dossiers
  REFERENCING OLD TABLE AS old_dossiers FOR EACH STATEMENT EXECUTE FUNCTION dossier_figures_changed();

-- TRUNCATE fires no DELETE triggers: it empties the rollups with the dossiers
-- (also when procedures or units are truncated with CASCADE).
CREATE FUNCTION dossier_figures_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN DELETE FROM dossier_figure_rollups; RETURN NULL; END $$;
CREATE TRIGGER dossiers_figures_on_truncate AFTER TRUNCATE ON dossiers
  FOR EACH STATEMENT EXECUTE FUNCTION dossier_figures_truncated();

-- A procedure whose eligibility changes moves its dossiers' counts: each
-- counted again with the old eligibility (-1) and the new (+1); everything but
-- the eligibility columns cancels. A procedure can only be deleted or renamed
-- (its code) once no dossier refers to it (the foreign key), and a new one has
-- no dossiers yet, so updates are the only case.
CREATE FUNCTION procedure_figures_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_procedures n JOIN old_procedures o ON o.code = n.code
              WHERE (o.online_service = 'FULL_PROCESS') <> (n.online_service = 'FULL_PROCESS')) THEN
    EXECUTE dossier_figure_upsert_sql($q$
      SELECT s.sign, d.*, s.full_process
        FROM new_procedures n JOIN old_procedures o ON o.code = n.code
        JOIN dossiers d ON d.procedure_code = n.code
       CROSS JOIN LATERAL (VALUES (-1, o.online_service = 'FULL_PROCESS'), (1, n.online_service = 'FULL_PROCESS'))
         AS s (sign, full_process)
       WHERE (o.online_service = 'FULL_PROCESS') <> (n.online_service = 'FULL_PROCESS')$q$);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER procedures_figures_on_update AFTER UPDATE ON procedures
  REFERENCING OLD TABLE AS old_procedures NEW TABLE AS new_procedures
  FOR EACH STATEMENT EXECUTE FUNCTION procedure_figures_changed();

-- The dossiers already stored.
DO $$
BEGIN
  EXECUTE dossier_figure_upsert_sql($q$SELECT 1 AS sign, d.*, p.online_service = 'FULL_PROCESS' AS full_process
                                         FROM dossiers d JOIN procedures p ON p.code = d.procedure_code$q$);
END $$;
