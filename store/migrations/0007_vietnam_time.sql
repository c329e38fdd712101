-- Periods are counted in Vietnam time (UTC+7, no daylight saving). A fixed
-- offset, not a zone name: it needs no time zone database (PGlite has none
-- to rely on) and keeps these functions IMMUTABLE, so they can feed indexes
-- and generated columns.

-- The Vietnam calendar day of an instant.
CREATE FUNCTION vn_day(timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ($1 AT TIME ZONE INTERVAL '+07:00')::date;

-- The administrative-reform reporting month (Decree 09/2019/NĐ-CP) an instant
-- falls in, as the first day of that month: the month named M runs from the
-- 15th of M-1 to the 14th of M, so from the 15th a day belongs to the next month.
CREATE FUNCTION reporting_month(timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (date_trunc('month', vn_day($1)) + CASE WHEN extract(day FROM vn_day($1)) >= 15
                                                THEN INTERVAL '1 month' ELSE INTERVAL '0' END)::date;

-- How a finished dossier ended against its due date, compared by Vietnam day:
-- finished at 23:59 on the due day is on time. Null while it is open (whether
-- an open dossier is overdue depends on when one asks) or when it has no due date.
ALTER TABLE dossiers ADD COLUMN finish_outcome text GENERATED ALWAYS AS (
  CASE
    WHEN finished_at IS NULL OR due_at IS NULL THEN NULL
    WHEN vn_day(finished_at) < vn_day(due_at) THEN 'EARLY'
    WHEN vn_day(finished_at) = vn_day(due_at) THEN 'ON_TIME'
    ELSE 'LATE'
  END
) STORED;
