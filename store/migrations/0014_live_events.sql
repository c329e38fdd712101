-- Live data (issue 8): the log of what subscribers are told, what they watch,
-- and what the producer last saw (so it reports changes, not states).

-- ---------------------------------------------------------------------------
-- live_events: every event published to subscribers, kept for a retention
-- window (LIVE_EVENT_RETENTION_HOURS) so a subscriber that reconnects with the
-- last id it saw is sent what it missed. Ids increase in commit order: the
-- writers take one advisory lock per transaction (store/live-events.ts), so a
-- reader that saw id n never later finds a committed id below n it missed.
CREATE TABLE live_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The instant of the insert (not of its transaction's start), so that the
  -- time order is the id order and pruning by age removes a prefix of ids.
  at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  kind      text NOT NULL CHECK (kind IN ('INDICATOR_CHANGED', 'DOSSIER', 'ALERT', 'SOURCE_STATUS')),
  -- The unit the event is about and all its ancestors (from unit_tree); '{}'
  -- for province-wide events. A subtree subscription matches by membership
  -- (unit_path @> ARRAY[code]), which the GIN index answers.
  unit_path text[] NOT NULL DEFAULT '{}',
  payload   jsonb NOT NULL
);
CREATE INDEX live_events_unit_path_idx ON live_events USING gin (unit_path);
-- Pruning deletes by age.
CREATE INDEX live_events_at_idx ON live_events (at);
-- The producer asks, under the log's lock on every tick, which overdue
-- dossiers were already told (dossiersLoggedOverdue): only OVERDUE dossier
-- events are indexed, by dossier code, so that is a lookup, not a scan.
CREATE INDEX live_events_overdue_dossier_idx ON live_events ((payload ->> 'dossierCode'))
  WHERE kind = 'DOSSIER' AND payload ->> 'kind' = 'OVERDUE';

-- ---------------------------------------------------------------------------
-- live_watches: the (unit, period) pairs some subscriber watches, per hub
-- instance, each with an expiry its instance keeps pushing forward while the
-- subscription lives. The producer evaluates indicators only for the pairs
-- watched now by any instance; an instance that dies stops renewing, and its
-- rows expire on their own.
CREATE TABLE live_watches (
  unit_code  identifier NOT NULL,
  period     text NOT NULL,
  instance   text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (unit_code, period, instance)
);
CREATE INDEX live_watches_expires_idx ON live_watches (expires_at);

-- ---------------------------------------------------------------------------
-- live_state: what the producer last reported, by key (a source's status, a
-- data-quality rule's violation count, the indicator values of a watch), so
-- that it reports each change once, across restarts and across instances.
CREATE TABLE live_state (
  key        text COLLATE "C" PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------
-- A dossier becomes overdue with time, not with an update: the producer looks
-- now and then for open dossiers whose due instant has just passed. Only open
-- dossiers are indexed (a small share of the table).
CREATE INDEX dossiers_open_due_idx ON dossiers (due_at) WHERE finished_at IS NULL;
