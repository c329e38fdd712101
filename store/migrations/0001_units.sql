-- Codes and keys compare byte by byte, whatever the database's locale: sort
-- order (and so keyset pagination) is the same on every server and on PGlite,
-- and btree indexes serve prefix matches.
CREATE DOMAIN identifier AS text COLLATE "C";

-- Accent-insensitive search. fold_vi() lower-cases and strips Vietnamese
-- diacritics (precomposed letters and the combining marks of decomposed text)
-- with translate(), which is IMMUTABLE and needs no extension, so it can feed a
-- generated column on a real server and on PGlite alike. Folding upper-case by
-- translate() rather than lower() keeps it independent of the database locale.
CREATE FUNCTION fold_vi(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(
  $1,
  'àÀáÁạẠảẢãÃâÂầẦấẤậẬẩẨẫẪăĂằẰắẮặẶẳẲẵẴèÈéÉẹẸẻẺẽẼêÊềỀếẾệỆểỂễỄìÌíÍịỊỉỈĩĨòÒóÓọỌỏỎõÕôÔồỒốỐộỘổỔỗỖơƠờỜớỚợỢởỞỡỠùÙúÚụỤủỦũŨưƯừỪứỨựỰửỬữỮỳỲýÝỵỴỷỶỹỸđĐABCDEFGHIJKLMNOPQRSTUVWXYZ'
    -- combining marks of decomposed (NFD) text, deleted: they have no counterpart
    || U&'\0300\0301\0303\0309\0323\0302\0306\031B',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiioooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyddabcdefghijklmnopqrstuvwxyz'
);

-- The unit tree, from the cadre database. A unit is valid on day d (Vietnam
-- calendar) when valid_from <= d and (valid_to is null or d < valid_to):
-- valid_to is the day it was dissolved or merged away (hieuLucDen).
-- parent_code has no foreign key: a child may arrive in an earlier page than its parent.
CREATE TABLE units (
  code              identifier PRIMARY KEY,      -- national electronic identifier (mã định danh điện tử)
  budget_code       identifier UNIQUE,           -- budget-relation code (mã QHNS), the budget system's key
  name              text NOT NULL,
  name_folded       text GENERATED ALWAYS AS (fold_vi(name)) STORED,
  parent_code       identifier,
  level             text NOT NULL CHECK (level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')),
  kind              text NOT NULL CHECK (kind IN ('PEOPLES_COMMITTEE', 'AGENCY', 'PUBLIC_SERVICE_UNIT')),
  sector            text CHECK (sector IN ('EDUCATION', 'HEALTH', 'CULTURE', 'SCIENCE', 'LABOUR', 'ECONOMY', 'OTHER')),
  headcount_quota   integer CHECK (headcount_quota >= 0),
  valid_from        date,
  valid_to          date,
  source_updated_at timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from),
  CHECK ((kind = 'PUBLIC_SERVICE_UNIT') OR sector IS NULL)
);
CREATE INDEX units_parent_code_idx ON units (parent_code);
CREATE INDEX units_level_kind_idx ON units (level, kind);
