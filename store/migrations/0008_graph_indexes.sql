-- Indexes for the graph's dossier lists (issue 5). Dossiers are listed newest
-- received first; a procedure's dossiers (Procedure.dossiers, one page per
-- procedure in one LATERAL statement) need its own dossiers in that order, as
-- a unit's have in its (unit_code, received_at) index. The new index also serves every
-- lookup by procedure alone (its leading column), so it replaces the old one:
-- one index less for the sync to maintain.
CREATE INDEX dossiers_procedure_received_idx ON dossiers (procedure_code, received_at);
DROP INDEX dossiers_procedure_idx;

-- A unit's dossier counts by outcome (Unit.dossierCounts) read only these
-- columns: carried in the index, the counts come from an index-only scan
-- instead of fetching every dossier row (demo scale, a year: 19 ms → 0.8 ms a
-- page). It replaces the plain (unit_code, received_at) index it extends.
CREATE INDEX dossiers_unit_received_cover_idx ON dossiers (unit_code, received_at)
  INCLUDE (status, finished_at, finish_outcome, due_at);
DROP INDEX dossiers_unit_received_idx;
