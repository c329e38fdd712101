-- Records stored with flaws (issue 19): a record that breaks a rule of its
-- contract but can still be placed (its key, references and the date it
-- counts from are sound) is stored, each field whose value is invalid stored
-- as null, and each broken rule kept here. The sync writes a page's flaws in
-- the page's transaction, and clears the flaws a record's later version no
-- longer has (connectors/common/flaws.ts, store/flaws.ts).
CREATE TABLE record_flaws (
  source        identifier NOT NULL,   -- the feed, as quarantine.source names it
  record_key    identifier NOT NULL,   -- as the feed keys it (a budget row's key starts with its period)
  rule          identifier NOT NULL,   -- 'invalid-value' or a rule between fields, e.g. 'returned-without-return-time'
  field         text NOT NULL,         -- the upstream's field name
  value         text,                  -- the offending value as JSON text; null when the field was absent
  unit_code     identifier,            -- the unit the record counts for (null: a procedure)
  day           date,                  -- the day it counts on (a dossier's reception day, a budget period's first day)
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, record_key, rule, field)
);
CREATE INDEX record_flaws_unit_idx ON record_flaws (unit_code, day);

-- Fields that an upstream can send invalid while the record stays placeable
-- are stored as null (never guessed): their columns allow it.
ALTER TABLE procedures
  ALTER COLUMN field_code DROP NOT NULL,
  ALTER COLUMN field_name DROP NOT NULL,
  ALTER COLUMN levels DROP NOT NULL,
  ALTER COLUMN online_service DROP NOT NULL,
  ALTER COLUMN has_fee DROP NOT NULL;
ALTER TABLE dossiers
  ALTER COLUMN channel DROP NOT NULL,
  ALTER COLUMN status DROP NOT NULL,
  ALTER COLUMN full_process_online DROP NOT NULL,
  ALTER COLUMN has_fee DROP NOT NULL,
  ALTER COLUMN digitised DROP NOT NULL,
  ALTER COLUMN electronic_result DROP NOT NULL;
ALTER TABLE staff
  ALTER COLUMN category DROP NOT NULL,
  ALTER COLUMN meets_standard DROP NOT NULL,
  ALTER COLUMN status DROP NOT NULL;
ALTER TABLE psu_finance
  ALTER COLUMN autonomy_group DROP NOT NULL,
  ALTER COLUMN own_revenue DROP NOT NULL,
  ALTER COLUMN recurrent_expenditure DROP NOT NULL;
ALTER TABLE budget_execution_lines
  ALTER COLUMN estimate DROP NOT NULL,
  ALTER COLUMN executed DROP NOT NULL;
ALTER TABLE investment_disbursements
  ALTER COLUMN capital_plan DROP NOT NULL,
  ALTER COLUMN disbursed_to_date DROP NOT NULL;

-- A unit whose validity ends before it starts, or with a sector outside a
-- public service unit, is now stored as sent and flagged
-- (validity-ends-before-it-starts, sector-outside-public-service-unit).
ALTER TABLE units
  DROP CONSTRAINT units_check,
  DROP CONSTRAINT units_check1;
