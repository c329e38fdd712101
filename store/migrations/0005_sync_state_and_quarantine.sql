-- Where each source's sync stands. The cursor is the source's own (an opaque
-- cursor, an updatedFrom/modifiedSince mark, an offset): the sync engine
-- writes it in the same transaction as the batch it covers.
CREATE TABLE sync_state (
  source            identifier PRIMARY KEY,      -- e.g. 'one-stop-shop/dossiers'
  cursor            text,
  status            text NOT NULL DEFAULT 'IDLE' CHECK (status IN ('IDLE', 'RUNNING', 'SUCCEEDED', 'FAILED')),
  last_started_at   timestamptz,
  last_succeeded_at timestamptz,
  last_error        text,
  records_synced    bigint NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Upstream records the hub could not accept, kept with the reason and the raw
-- payload exactly as received (text: a CSV row is not JSON), retried on later
-- runs; resolved_at is set when a retry succeeds.
CREATE TABLE quarantine (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        identifier NOT NULL,
  record_key    identifier NOT NULL,
  reason        text NOT NULL,
  raw_payload   text NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  resolved_at   timestamptz,
  UNIQUE (source, record_key)
);
CREATE INDEX quarantine_open_idx ON quarantine (source) WHERE resolved_at IS NULL;
