-- Where a feed's saved position came from (issue 25): the upstream's base URL
-- (password redacted) the cursor was read against. A pass whose configured URL
-- differs refuses the feed until an operator resets it (the cursor cleared:
-- the next pass reads from the beginning and reconciles by key) or confirms
-- the new URL (the position kept). Null: no position yet, or one saved before
-- this column, which the next pass adopts.
ALTER TABLE sync_state ADD COLUMN upstream_url text;

-- How much of a pass was spent waiting rather than reading: backoff before
-- retries, Retry-After, attempts that timed out (connectors/http/client.ts).
ALTER TABLE sync_runs ADD COLUMN waited_ms bigint;
