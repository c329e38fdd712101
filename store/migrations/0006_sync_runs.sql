-- A quarantined record either breaks the upstream's contract (it waits for a
-- valid version from the upstream) or refers to what the hub does not know
-- yet, a unit or a procedure (retryable: read again on every later run until
-- it resolves).
ALTER TABLE quarantine ADD COLUMN retryable boolean NOT NULL DEFAULT false;
CREATE INDEX quarantine_retryable_idx ON quarantine (source) WHERE resolved_at IS NULL AND retryable;

-- One row per sync pass of a source (all its feeds), by whichever instance ran
-- it: the history operators read, and the proof that two instances never
-- synced one source at once.
CREATE TABLE sync_runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source      identifier NOT NULL CHECK (source IN ('ONE_STOP_SHOP', 'CADRE_DB', 'BUDGET')),
  instance    text NOT NULL,                     -- host:pid of the hub that ran it
  trigger     text NOT NULL CHECK (trigger IN ('SCHEDULE', 'COMMAND', 'MUTATION', 'START')),
  started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  status      text NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  records     bigint NOT NULL DEFAULT 0,
  rejected    bigint NOT NULL DEFAULT 0,
  error       text
);
CREATE INDEX sync_runs_source_started_idx ON sync_runs (source, started_at DESC);
