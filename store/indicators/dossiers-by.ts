/**
 * The one-stop-shop's figures of each root, split by the dossier's channel or
 * by its procedure's field (lĩnh vực), in one statement: the same definitions
 * as dossiers.ts, whose figure conditions and dossier rows are reused as they
 * are, only grouped by one more key. Every dossier has exactly one channel
 * and one procedure (so one field), so for every figure the parts add up to
 * the root's total, carried-over and pending dossiers included (each split by
 * its own channel or field).
 */
import type { Queryable } from '../db.ts';
import { DOSSIER_CHANNELS } from '../model.ts';
import { DISTINCT_PIECES, DOSSIER_FIGURE_COUNTS, DOSSIER_FIGURE_NAMES, dossierRowsOf } from './dossiers.ts';
import type { DossierFigures } from './figures.ts';
import { exactFigures } from './numbers.ts';
import { datedScopeItems, figureParams, figureSql, type DayRange, type FigureOptions } from './scope.ts';

export const DOSSIER_SPLITS = ['CHANNEL', 'PROCEDURE_FIELD'] as const;
/** What the dossier figures are split by: the dossier's channel, or its procedure's field. */
export type DossierSplit = (typeof DOSSIER_SPLITS)[number];

export interface DossierFiguresPart {
  /** The channel (IN_PERSON, ONLINE, POSTAL) or the field's code (MaLinhVuc). */
  key: string;
  /** The field's name as the one-stop-shop writes it; for a channel, its key. */
  label: string;
  figures: DossierFigures;
}

/** The key and its label over the rows of dossierRowsOf, and the procedure columns they need. */
const SPLIT: Readonly<Record<DossierSplit, { key: string; label: string; columns: string[] }>> = {
  CHANNEL: { key: 'channel', label: 'channel', columns: [] },
  // A field's name is the procedures', which might spell it differently: the least one is taken, always the same.
  PROCEDURE_FIELD: { key: 'field_code', label: 'min(field_name)', columns: ['p.field_code', 'p.field_name'] },
};

/**
 * As dossiers.ts: each piece of the dated scope counted first (walked one at
 * a time through its unit's indexes), here per key, then summed per root and key.
 */
const sqlOf = (split: DossierSplit) =>
  figureSql(
    (variant) => `WITH RECURSIVE ${datedScopeItems(variant)},
  by_piece AS (
    SELECT c.code, c.lo, c.hi, c.carry, c.pend, f.*
      FROM (${DISTINCT_PIECES}) AS c
      CROSS JOIN LATERAL (
        SELECT ${SPLIT[split].key} AS key, ${SPLIT[split].label} AS label,
               ${DOSSIER_FIGURE_COUNTS}
          FROM (${dossierRowsOf(SPLIT[split].columns)}) AS d
         GROUP BY ${SPLIT[split].key}
      ) AS f
  )
SELECT s.root, b.key, min(b.label) AS label,
       ${DOSSIER_FIGURE_NAMES.map((name) => `sum(b."${name}")::bigint AS "${name}"`).join(',\n       ')}
  FROM pieces s JOIN by_piece b USING (code, lo, hi, carry, pend)
 GROUP BY s.root, b.key
 ORDER BY s.root, b.key`,
  );
const SQL: Readonly<Record<DossierSplit, (options?: FigureOptions) => string>> = {
  CHANNEL: sqlOf('CHANNEL'),
  PROCEDURE_FIELD: sqlOf('PROCEDURE_FIELD'),
};

const isZero = (figures: DossierFigures) => DOSSIER_FIGURE_NAMES.every((name) => figures[name] === 0);

/**
 * The dossier figures of each root's subtree (with `own`, of the root alone)
 * over the period, split by `split`, aligned with `roots`. By channel: the
 * three channels in their order, zeros included. By field: the fields with
 * some non-zero figure, ordered by code. An unknown root gets the three
 * channels at zero, or no field.
 */
export async function dossierFiguresBy(
  db: Queryable,
  roots: readonly string[],
  range: DayRange,
  split: DossierSplit,
  options?: FigureOptions,
): Promise<DossierFiguresPart[][]> {
  if (roots.length === 0) return [];
  const rows = await db.query<Record<string, unknown> & { root: string; key: string; label: string }>(
    SQL[split](options),
    figureParams(roots, range, options),
  );
  const byRoot = new Map<string, DossierFiguresPart[]>();
  for (const row of rows) {
    const parts = byRoot.get(row.root) ?? [];
    parts.push({ key: row.key, label: row.label, figures: exactFigures(row, DOSSIER_FIGURE_NAMES) });
    byRoot.set(row.root, parts);
  }
  return roots.map((root) => {
    const parts = byRoot.get(root) ?? [];
    if (split === 'PROCEDURE_FIELD') return parts.filter((part) => !isZero(part.figures));
    return DOSSIER_CHANNELS.map(
      (channel) =>
        parts.find((part) => part.key === channel) ?? {
          key: channel,
          label: channel,
          figures: exactFigures(undefined, DOSSIER_FIGURE_NAMES),
        },
    );
  });
}
