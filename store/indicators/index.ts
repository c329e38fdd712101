/**
 * The figure groups by name: the one function that computes each group for a
 * batch of roots over a period (one statement per call), and the upstream
 * systems whose records it counts. The evaluator asks each group it needs
 * once per batch of roots and period.
 */
import type { Queryable } from '../db.ts';
import { crossFigures } from './cross.ts';
import { dossierFiguresFromRollups } from './dossier-rollups.ts';
import type { FigureGroup, FigureGroups } from './figures.ts';
import { budgetFigures, psuFigures } from './finance.ts';
import type { DayRange, FigureOptions } from './scope.ts';
import { staffFigures } from './staff.ts';

export type { DayRange, FigureOptions } from './scope.ts';
export type { FigureGroup, FigureGroups, FigureRef } from './figures.ts';

/**
 * A group's figures for each root of a batch, aligned with `roots` (an unknown
 * root gets zeros); with `own`, each root's own records only (scope.ts).
 */
export type FigureFunction<G extends FigureGroup> = (
  db: Queryable,
  roots: readonly string[],
  range: DayRange,
  options?: FigureOptions,
) => Promise<FigureGroups[G][]>;

export const FIGURE_GROUPS: { readonly [G in FigureGroup]: FigureFunction<G> } = {
  // From the rollups of migration 0011; dossiers.ts's dossierFigures stays the reference they are tested against.
  DOSSIERS: dossierFiguresFromRollups,
  STAFF: staffFigures,
  PSU: psuFigures,
  BUDGET: budgetFigures,
  CROSS: crossFigures,
};

/** The upstream systems, as sync_runs.source names them (migration 0006). */
export type Upstream = 'ONE_STOP_SHOP' | 'CADRE_DB' | 'BUDGET';

/**
 * The upstream systems whose records each group counts. The unit tree (from
 * the cadre database) scopes every group and is listed only where its units
 * are themselves counted (public service units).
 */
export const FIGURE_GROUP_SOURCES: { readonly [G in FigureGroup]: readonly Upstream[] } = {
  DOSSIERS: ['ONE_STOP_SHOP'],
  STAFF: ['CADRE_DB'],
  PSU: ['CADRE_DB', 'BUDGET'],
  BUDGET: ['BUDGET'],
  CROSS: ['ONE_STOP_SHOP', 'CADRE_DB', 'BUDGET'],
};

export interface LastSuccessfulSync {
  source: Upstream;
  /** When the source's last successful sync pass ended; null when none has. */
  at: Date | null;
}

/**
 * When each source's last successful sync pass ended, in one statement: the
 * same reading as the `sources` field of the graph (sync_runs), so an
 * indicator's freshness and the source's own report agree.
 */
export async function lastSuccessfulSyncs(db: Queryable, sources: readonly Upstream[]): Promise<LastSuccessfulSync[]> {
  const rows = await db.query<{ source: Upstream; at: Date | null }>(
    `SELECT s.source, (SELECT max(finished_at) FROM sync_runs r WHERE r.source = s.source AND r.status = 'SUCCEEDED') AS at
       FROM unnest($1::text[]) AS s(source)`,
    [sources],
  );
  const bySource = new Map(rows.map((row) => [row.source, row.at]));
  return sources.map((source) => ({ source, at: bySource.get(source) ?? null }));
}
