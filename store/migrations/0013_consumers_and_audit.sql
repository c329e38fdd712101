-- The systems that consume the hub (a frontend, the IOC, an integrator), with
-- the scopes they hold and the unit subtree they may see (NULL: the whole
-- province). The scope list is store/access.ts's SCOPES. unit_code has no
-- foreign key: a consumer may be registered before the unit tree is synced.
-- A consumer is revoked, never deleted, so the audit log keeps naming it.
CREATE TABLE consumers (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        identifier NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$'),
  description text,
  scopes      text[] NOT NULL CHECK (
    cardinality(scopes) > 0
    AND scopes <@ ARRAY['read:aggregates', 'read:dossiers', 'read:staff', 'read:finance', 'read:pii', 'subscribe', 'admin']
  ),
  unit_code   identifier,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- API keys: lgsp_<key_id>_<secret>. key_id is the public half, to find the
-- row; of the secret only its SHA-256 is kept (gateway/auth explains why a
-- fast hash suffices for 256 random bits).
CREATE TABLE api_keys (
  key_id        identifier PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
  consumer_id   bigint NOT NULL REFERENCES consumers (id),
  secret_sha256 text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_consumer_idx ON api_keys (consumer_id);

-- Every request that read personal data or ran an admin operation (Decree
-- 13/2023). Append-only and hash-chained: hash covers prev_hash and the
-- entry's other columns, so editing or removing a row breaks the chain
-- (store/audit.ts). ids are assigned by the appender from audit_head, not by
-- a sequence: a rolled-back sequence value would leave a gap, and a gap is
-- how a deleted row shows.
CREATE TABLE audit_log (
  id               bigint PRIMARY KEY,
  at               timestamptz NOT NULL,
  consumer         identifier NOT NULL,
  consumer_id      bigint REFERENCES consumers (id),
  credential       text NOT NULL CHECK (credential IN ('API_KEY', 'JWT', 'ANONYMOUS')),
  operation_name   text,
  document_hash    text NOT NULL,                -- SHA-256 (hex) of the GraphQL document's text
  personal_data    jsonb NOT NULL,               -- {"Type.field": ["record id", …]}
  admin_operations text[] NOT NULL,
  client_address   text,
  request_id       text,
  keyed            boolean NOT NULL,             -- hash is an HMAC with AUDIT_KEY (else plain SHA-256)
  prev_hash        text NOT NULL,
  hash             text NOT NULL
);
CREATE INDEX audit_log_consumer_idx ON audit_log (consumer, id);

-- The chain's last link, updated with each append: deleting the newest
-- entries leaves the head pointing past the end of the log.
CREATE TABLE audit_head (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_id   bigint NOT NULL,
  last_hash text NOT NULL
);
INSERT INTO audit_head (last_id, last_hash) VALUES (0, repeat('0', 64));

CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$;

-- An honest mistake (a stray UPDATE, a cleanup script) is refused; someone
-- who can disable triggers can still change rows, which the chain reveals.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_head_kept BEFORE INSERT OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
