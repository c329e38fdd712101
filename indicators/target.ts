/**
 * Targets as the domain sees them: where a value's target comes from, and
 * whether a value meets it. meetsTarget compares exactly: the value is
 * numerator × factor ÷ denominator and the target a decimal, so the
 * comparison is made on integers (numerator × factor × 10^k against the
 * target's digits × denominator) and a value exactly at its target meets it,
 * whatever the double rounding of either.
 */
import type { IndicatorEvaluation } from './evaluate.ts';

export const TARGET_SOURCES = ['STORED_FOR_UNIT', 'STORED_FOR_ANCESTOR', 'DEFAULT'] as const;
export type TargetSource = (typeof TARGET_SOURCES)[number];

export interface EffectiveTarget {
  /** The target as a decimal string, exact. */
  target: string;
  source: TargetSource;
  /** The unit the stored target was set for; null for a default. */
  unitCode: string | null;
}

/** A decimal string ('98.5', '-3', '1e-7') as digits × 10^-scale, exactly. */
function decimalParts(decimal: string): { digits: bigint; scale: number } {
  const match = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = BigInt(`${sign}${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/**
 * The sign of value − target, exactly: value = numerator × factor ÷ denominator
 * (denominator > 0, or null for a count), target = digits ÷ 10^scale.
 */
export function compareToTarget(
  numerator: number,
  denominator: number | null,
  factor: number,
  target: string,
): -1 | 0 | 1 {
  const { digits, scale } = decimalParts(target);
  const left = BigInt(numerator) * BigInt(factor) * 10n ** BigInt(scale);
  const right = digits * BigInt(denominator ?? 1);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether the value meets the target in the indicator's direction (at equality it does); null when undecidable. */
export function meetsTarget(v: IndicatorEvaluation, target: string | null): boolean | null {
  if (v.value === null || target === null) return null;
  const sign = compareToTarget(v.numerator, v.denominator, v.definition.factor, target);
  switch (v.definition.direction) {
    case 'HIGHER_IS_BETTER':
      return sign >= 0;
    case 'LOWER_IS_BETTER':
      return sign <= 0;
    default:
      return null;
  }
}
