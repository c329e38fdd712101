/**
 * The simulated province as a whole: its units and procedure catalogue, and
 * which procedures each one-stop desk draws its dossiers from. Built once
 * per (scale, seed); everything else (dossiers, staff, finance) is derived
 * from it day by day or unit by unit.
 */
import { dayNumber } from './calendar.ts';
import { buildProcedures, type GenProcedure } from './procedures.ts';
import { cumulative } from './random.ts';
import type { Scale } from './scales.ts';
import { buildUnits, type GenUnit } from './units.ts';

/** Procedures of one level and kind, with Zipf weights: a few carry most dossiers. */
export interface ProcedureChoice {
  procedures: GenProcedure[];
  weights: number[];
}

export interface Province {
  scale: Scale;
  seed: number;
  units: GenUnit[];
  unitByCode: Map<string, GenUnit>;
  unitByBudgetCode: Map<string, GenUnit>;
  procedures: GenProcedure[];
  /** Desk units, in unit order. */
  desks: GenUnit[];
  /** By level letter, then offline (no online service) or online-capable. */
  choices: Record<'TINH' | 'HUYEN' | 'XA', { offline: ProcedureChoice; online: ProcedureChoice }>;
  dossiersFrom: number;
  /** The simulated clock at start, seconds. */
  start: number;
}

function choice(procedures: GenProcedure[]): ProcedureChoice {
  return { procedures, weights: cumulative(procedures.map((_, rank) => 1 / (rank + 1))) };
}

export function buildProvince(scale: Scale, seed: number): Province {
  const units = buildUnits(scale, seed);
  const procedures = buildProcedures(seed, scale.name === 'tiny' ? 200 : 1_800);
  const of = (level: 'TINH' | 'HUYEN' | 'XA') => {
    const at = procedures.filter((p) => p.CapThucHien.includes(level));
    return {
      offline: choice(at.filter((p) => p.MucDoDVC === 'KHONG')),
      online: choice(at.filter((p) => p.MucDoDVC !== 'KHONG')),
    };
  };
  return {
    scale,
    seed,
    units,
    unitByCode: new Map(units.map((u) => [u.code, u])),
    unitByBudgetCode: new Map(units.map((u) => [u.budgetCode, u])),
    procedures,
    desks: units.filter((u) => u.desk !== null),
    choices: { TINH: of('TINH'), HUYEN: of('HUYEN'), XA: of('XA') },
    dossiersFrom: dayNumber(scale.dossiersFrom),
    start: Math.floor(Date.parse(scale.now) / 1000),
  };
}
