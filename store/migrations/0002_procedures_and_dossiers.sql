-- The procedure catalogue and every dossier, from the one-stop-shop.
CREATE TABLE procedures (
  code              identifier PRIMARY KEY,      -- MaTTHC
  name              text NOT NULL,
  name_folded       text GENERATED ALWAYS AS (fold_vi(name)) STORED,
  field_code        identifier NOT NULL,         -- MaLinhVuc
  field_name        text NOT NULL,
  levels            text[] NOT NULL CHECK (levels <@ ARRAY['PROVINCE', 'DISTRICT', 'COMMUNE']),
  online_service    text NOT NULL CHECK (online_service IN ('FULL_PROCESS', 'PARTIAL', 'NONE')),
  has_fee           boolean NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX procedures_field_code_idx ON procedures (field_code);

-- Instants are UTC; periods are counted in Vietnam time by the indicator SQL.
-- The upstream's unit and procedure must be known first: the sync quarantines
-- a dossier whose references do not resolve, so the foreign keys always hold.
CREATE TABLE dossiers (
  code                 identifier PRIMARY KEY,   -- MaHoSo
  procedure_code       identifier NOT NULL REFERENCES procedures (code),
  unit_code            identifier NOT NULL REFERENCES units (code),
  channel              text NOT NULL CHECK (channel IN ('IN_PERSON', 'ONLINE', 'POSTAL')),
  status               text NOT NULL CHECK (status IN (
                         'REGISTERED', 'RECEIVED', 'REFUSED', 'PROCESSING', 'SUPPLEMENT_REQUESTED',
                         'AWAITING_PAYMENT', 'WITHDRAWN', 'STOPPED', 'PROCESSED', 'RETURNED')),
  applicant_name       text,                     -- personal data
  applicant_phone      text,                     -- personal data
  received_at          timestamptz NOT NULL,
  due_at               timestamptz,
  finished_at          timestamptz,              -- NgayKetThucXuLy
  returned_at          timestamptz,              -- NgayTra
  full_process_online  boolean NOT NULL,
  has_fee              boolean NOT NULL,
  online_payment       text CHECK (online_payment IN ('NATIONAL_PORTAL', 'PROVINCE_GATEWAY')),
  paid_online          boolean GENERATED ALWAYS AS (online_payment IS NOT NULL) STORED,
  digitised            boolean NOT NULL,
  electronic_result    boolean NOT NULL,
  source_updated_at    timestamptz NOT NULL,     -- NgayCapNhat: an older version never overwrites a newer one
  synced_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossiers_unit_received_idx ON dossiers (unit_code, received_at);
CREATE INDEX dossiers_unit_finished_idx ON dossiers (unit_code, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX dossiers_unit_open_idx ON dossiers (unit_code, due_at) WHERE finished_at IS NULL;
CREATE INDEX dossiers_received_idx ON dossiers (received_at);
CREATE INDEX dossiers_finished_idx ON dossiers (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX dossiers_procedure_idx ON dossiers (procedure_code);
