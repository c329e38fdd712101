-- Cadres, civil servants, public employees and contract workers, from the cadre database.
CREATE TABLE staff (
  id                identifier PRIMARY KEY,      -- soHieu
  full_name         text NOT NULL,               -- personal data
  birth_date        date,                        -- personal data
  gender            text CHECK (gender IN ('MALE', 'FEMALE')),
  unit_code         identifier NOT NULL REFERENCES units (code),
  category          text NOT NULL CHECK (category IN ('CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER')),
  rank_code         identifier,                  -- maNgach
  position          text,
  qualification     text CHECK (qualification IN (
                      'DOCTORATE', 'MASTER', 'BACHELOR', 'COLLEGE', 'INTERMEDIATE', 'ELEMENTARY', 'UNTRAINED')),
  meets_standard    boolean NOT NULL,
  status            text NOT NULL CHECK (status IN ('SERVING', 'RETIRED', 'LEFT', 'TRANSFERRED_OUT')),
  source_updated_at timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_unit_category_idx ON staff (unit_code, category);
