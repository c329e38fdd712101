-- Targets per indicator, unit and year, set by an administrator (issue 7).
-- A unit without a target of its own takes its nearest ancestor's (through
-- unit_tree), then the catalog's default (schema/indicators/catalog.ts): a
-- province sets one target for every commune and overrides it where it must.
--
-- indicator_code is not a foreign key: the catalog is code, not a table; the
-- mutation refuses unknown codes, and a target left over from an indicator
-- since removed from the catalog is simply never read.
-- A unit's targets go with it when it is deleted (units are normally closed by
-- valid_to, never deleted; tests empty the store with TRUNCATE … CASCADE).
CREATE TABLE indicator_targets (
  indicator_code identifier NOT NULL,
  unit_code      identifier NOT NULL REFERENCES units (code) ON DELETE CASCADE,
  year           smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  -- numeric, not a double: 98.5 stays 98.5, and meetsTarget compares exactly.
  target         numeric NOT NULL,
  set_by         text NOT NULL,
  set_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (indicator_code, unit_code, year)
);

-- The ancestor lookup walks unit_tree from the unit (unit_tree_unit_idx) and
-- probes this index once per ancestor.
CREATE INDEX indicator_targets_unit_idx ON indicator_targets (unit_code, indicator_code, year);
