-- Trusted documents (issue 10): the GraphQL documents a production hub runs.
-- A document's id is the SHA-256 (hex) of its exact text, the same hash the
-- audit log keeps in document_hash, so an audit entry leads to the text that
-- ran. A client sends the id (documentId, or APQ's
-- extensions.persistedQuery.sha256Hash) or the text itself; in production
-- mode any other text is refused (gateway/documents).
--
-- A document is removed by setting removed_at, never deleted: the audit log
-- keeps naming it by hash. Registering it again clears removed_at.
CREATE TABLE trusted_documents (
  id              text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  document        text NOT NULL,
  -- The names of the document's operations, in order (anonymous ones left out).
  operation_names text[] NOT NULL DEFAULT '{}',
  -- Who registered it: the client (frontend, integrator, "dashboard") it was registered for.
  client_name     text CHECK (client_name ~ '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  removed_at      timestamptz,
  -- The id is the text's hash: a row whose id names another text could make the hub run what nobody registered.
  CONSTRAINT trusted_documents_id_is_sha256 CHECK (id = encode(sha256(convert_to(document, 'UTF8')), 'hex'))
);
