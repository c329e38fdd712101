/**
 * How big a province to simulate. Every scale has the same structure (a
 * province, its agencies, districts until the 2025 reorganisation, communes,
 * public service units); the first district is always Yên Thế, the district
 * of seed 001, whose figures the rates are calibrated on (see calibration.ts).
 */
export const SCALE_NAMES = ['tiny', 'demo', 'bench'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface Scale {
  name: ScaleName;
  /** Districts before 1 July 2025. */
  districts: number;
  /** Communes per district (Yên Thế keeps its real 19 whenever this is 19 or more). */
  communesPerDistrict: number;
  /** First day (Vietnam time) with dossiers. */
  dossiersFrom: string;
  /** Dossier volume against the calibrated rates (1 = seed 001's district). */
  volume: number;
  /** The simulated clock at start, an ISO instant. */
  now: string;
}

/** The clock every scale starts at: a Friday afternoon, late in 2026. */
const NOW = '2026-11-20T10:00:00Z';

export const SCALES: Record<ScaleName, Scale> = {
  /** A few hundred dossiers over three months: for tests that load a store. */
  tiny: { name: 'tiny', districts: 1, communesPerDistrict: 4, dossiersFrom: '2026-08-15', volume: 0.25, now: NOW },
  /**
   * Yên Thế and the province's agencies since late 2022: its first half of
   * 2023 reproduces seed 001's figures. About 160,000 dossiers.
   */
  demo: { name: 'demo', districts: 1, communesPerDistrict: 19, dossiersFrom: '2022-10-01', volume: 1, now: NOW },
  /**
   * A merged province of 30 former districts (about 3,100 units, 65,000 staff)
   * with dossiers since 2025: about 2.2 million.
   */
  bench: { name: 'bench', districts: 30, communesPerDistrict: 20, dossiersFrom: '2025-01-01', volume: 1, now: NOW },
};

export function scaleNamed(name: string): Scale {
  const scale = SCALES[name as ScaleName];
  if (!scale) throw new Error(`unknown scale "${name}": expected one of ${SCALE_NAMES.join(', ')}`);
  return scale;
}
