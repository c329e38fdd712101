-- Acting on quarantine (issue 25): an operator discards an entry it has
-- judged (who, when, why stay on the row; the audit log has the request).
-- A discarded entry is closed like a resolved one (resolved_at set), so no
-- pass retries it and no count holds it; the same payload received again
-- leaves it closed, a different payload (a later version) opens it again.
ALTER TABLE quarantine
  ADD COLUMN discarded_at   timestamptz,
  ADD COLUMN discarded_by   text,
  ADD COLUMN discard_reason text;

-- Data-level health of each feed (issue 25): what its last pass read, how
-- many of those records it quarantined, how many it stored with flaws, and
-- the fields the records carried that the contract does not know
-- ({"field": records carrying it}). Written when the feed's pass ends.
ALTER TABLE sync_state
  ADD COLUMN last_pass_read           bigint,
  ADD COLUMN last_pass_rejected       bigint,
  ADD COLUMN last_pass_flawed         bigint,
  ADD COLUMN last_pass_unknown_fields jsonb;
