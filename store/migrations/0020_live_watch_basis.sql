-- live_watches gain the hierarchy basis (issue 20): an indicatorChanged
-- subscription on the restated tree (hierarchy: AS_IS) watches its pair on
-- the tree of one date, and the producer evaluates it on that basis, beside
-- (not instead of) the same pair as it was. hierarchy_date is that date; null
-- is AS_WAS, every watch registered before this migration. Null is one basis,
-- not an unknown, so the key treats nulls as equal (NULLS NOT DISTINCT).
ALTER TABLE live_watches ADD COLUMN hierarchy_date date;
ALTER TABLE live_watches DROP CONSTRAINT live_watches_pkey;
ALTER TABLE live_watches
  ADD CONSTRAINT live_watches_key UNIQUE NULLS NOT DISTINCT (unit_code, period, hierarchy_date, instance);
