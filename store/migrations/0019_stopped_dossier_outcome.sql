-- A dossier whose processing was stopped (status STOPPED, dừng xử lý) left the
-- open count without being resolved, as the indicator figures already count it
-- (migration 0011: it closes at its last update). The counts of migration 0010
-- still listed it as OPEN while Dossier.outcome was null and neither outcome
-- filter found it: it now has an outcome of its own, STOPPED, in the counts
-- and the filters alike.
CREATE OR REPLACE FUNCTION dossier_count_outcome(status text, finished_at timestamptz, finish_outcome text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN status IN ('WITHDRAWN', 'REFUSED') THEN 'WITHDRAWN_OR_REFUSED'
  WHEN status = 'STOPPED' THEN 'STOPPED'
  WHEN finished_at IS NOT NULL THEN coalesce(finish_outcome, 'RESOLVED_WITHOUT_DUE_DATE')
  ELSE 'OPEN'
END;

-- The counts again, from the dossiers.
DELETE FROM dossier_day_counts;
DELETE FROM dossier_month_counts;
INSERT INTO dossier_day_counts (unit_code, day, outcome, count)
SELECT unit_code, vn_day(received_at), dossier_count_outcome(status, finished_at, finish_outcome), count(*)
  FROM dossiers GROUP BY 1, 2, 3;
INSERT INTO dossier_month_counts (unit_code, month, outcome, count)
SELECT unit_code, date_trunc('month', day)::date, outcome, sum(count)
  FROM dossier_day_counts GROUP BY 1, 2, 3;
