-- Indexes for the dossier list's other orders (issue 24: dossiers(orderBy: DUE | FINISHED)). Their sort key is the
-- date with a missing one counted as later than any (store/dossiers.ts, sortKey), then the code: without an index on
-- that expression a province-wide page sorts every dossier (300,000 synthetic dossiers: a parallel sequential scan,
-- about 100 ms a page). A unit's list reads the unit's dossiers through its own index and sorts those only.
CREATE INDEX dossiers_due_order_idx ON dossiers ((coalesce(due_at, 'infinity'::timestamptz)), code);
CREATE INDEX dossiers_finished_order_idx ON dossiers ((coalesce(finished_at, 'infinity'::timestamptz)), code);
