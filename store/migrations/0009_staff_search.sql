-- Staff lists: accent-insensitive search on the full name ("nguyen van" finds
-- "Nguyễn Văn An"), folded like units.name_folded, and indexes for the filters.
-- Searching matches words anywhere in the name ('% word%'), which a btree
-- cannot serve; the folded column saves folding every name on every query.
ALTER TABLE staff ADD COLUMN full_name_folded text GENERATED ALWAYS AS (fold_vi(full_name)) STORED;

-- staff_unit_category_idx (unit_code, category) serves a unit subtree with or
-- without a category; these serve the counts and filters by status.
CREATE INDEX staff_unit_status_category_idx ON staff (unit_code, status, category);
CREATE INDEX staff_status_id_idx ON staff (status, id);
