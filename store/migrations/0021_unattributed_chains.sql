-- The records of a unit whose chain of heirs ends in a unit that itself ends
-- with no single heir (merged into B, and B later split or dissolved without
-- successor) are unattributed from the end of that last heir, at the province
-- that held *that heir* on its last day. 0018 looked for the province that
-- held the first unit on the heir's last day, when the first unit had long
-- ended: no row matched, and those records were counted nowhere from then on
-- (found by tests/integration/indicator-history.property.test.ts).
CREATE OR REPLACE FUNCTION rebuild_unit_ancestry() RETURNS void
LANGUAGE sql AS $$
  DELETE FROM unit_ancestry;
  INSERT INTO unit_ancestry (ancestor_code, unit_code, depth, valid_during, link)
  WITH RECURSIVE up (unit_code, ancestor_code, depth, during) AS (
    SELECT code, code, 0, valid_during FROM unit_versions
    UNION ALL
    -- The ancestor's parent on the days its version and the parent's version share.
    SELECT up.unit_code, v.parent_code, up.depth + 1, up.during * v.valid_during * p.valid_during
      FROM up
      JOIN unit_versions v ON v.code = up.ancestor_code AND v.valid_during && up.during
      JOIN unit_versions p ON p.code = v.parent_code AND p.valid_during && (up.during * v.valid_during)
     WHERE up.depth < 32
  ),
  tree AS (
    -- Adjacent ranges of the same pair and depth become one row.
    SELECT ancestor_code, unit_code, depth, unnest(range_agg(during)) AS during
      FROM up WHERE NOT isempty(during) GROUP BY 1, 2, 3
  ),
  -- Where each unit ends (the end of its last version), if it does.
  ends AS (
    SELECT code, max(valid_to) AS ended_on FROM unit_versions GROUP BY code
    HAVING bool_and(valid_to IS NOT NULL)
  ),
  -- The single heir of an ended unit (one successor by lineage), from the event's date.
  heir AS (
    SELECT l.predecessor_code AS code, min(l.successor_code) AS heir_code, min(l.effective_on) AS from_day
      FROM unit_lineage l JOIN ends e ON e.code = l.predecessor_code
     WHERE l.type IN ('MERGER', 'DISSOLUTION')
     GROUP BY l.predecessor_code HAVING count(DISTINCT l.successor_code) = 1
  ),
  -- Every heir along the chain, each from the day it took over.
  heirs (code, heir_code, from_day, steps) AS (
    SELECT code, heir_code, from_day, 1 FROM heir
    UNION ALL
    SELECT hs.code, h.heir_code, greatest(hs.from_day, h.from_day), hs.steps + 1
      FROM heirs hs JOIN heir h ON h.code = hs.heir_code
     WHERE hs.steps < 32
  ),
  successor AS (
    SELECT t.ancestor_code, hs.code AS unit_code, t.depth, t.during * daterange(hs.from_day, NULL) AS during
      FROM heirs hs JOIN tree t ON t.unit_code = hs.heir_code
     WHERE t.during && daterange(hs.from_day, NULL)
  ),
  -- Ended units with no single heir, and the end of a chain of heirs that ends so.
  -- `last_code` is the unit whose last day places the records: the unit itself, or the end of its chain.
  orphan AS (
    SELECT e.code, e.ended_on, e.code AS last_code FROM ends e WHERE e.code NOT IN (SELECT code FROM heir)
    UNION
    SELECT hs.code, e.ended_on, hs.heir_code
      FROM heirs hs JOIN ends e ON e.code = hs.heir_code
     WHERE hs.heir_code NOT IN (SELECT code FROM heir)
  ),
  unattributed AS (
    SELECT t.ancestor_code, o.code AS unit_code, 0 AS depth, daterange(o.ended_on, NULL) AS during
      FROM orphan o
      JOIN tree t ON t.unit_code = o.last_code AND t.during @> (o.ended_on - 1)
      JOIN unit_versions a ON a.code = t.ancestor_code AND a.valid_during @> (o.ended_on - 1)
     WHERE a.level = 'PROVINCE' AND a.parent_code IS NULL
  )
  SELECT ancestor_code, unit_code, depth, during, 'TREE' FROM tree
  UNION ALL
  SELECT ancestor_code, unit_code, depth, unnest(range_agg(during)), 'SUCCESSOR'
    FROM successor WHERE NOT isempty(during) GROUP BY 1, 2, 3
  UNION ALL
  SELECT ancestor_code, unit_code, depth, during, 'UNATTRIBUTED' FROM unattributed;
$$;

SELECT rebuild_unit_ancestry();
