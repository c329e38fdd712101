/**
 * Deterministic randomness. Every entity draws from its own generator, seeded
 * by hashing (seed, stream, keys…), so a record does not depend on the order
 * in which others were generated: the generator can stream, skip ahead, or
 * extend its horizon and still give byte-identical output for the same seed.
 */

/** A 32-bit mix of integers (murmur3's finaliser over a running hash). */
export function mix(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = Math.imul(h ^ (value | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Values above 2^32 (day seconds, big indexes) contribute their high part too.
    if (value > 0xffffffff || value < -0x80000000) h = mix(h, Math.floor(value / 0x100000000));
  }
  return h >>> 0;
}

/** sfc32: small, fast, and good enough for synthetic data (not for secrets). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...keys: number[]) {
    const seed = mix(...keys);
    this.a = seed;
    this.b = mix(seed, 1);
    this.c = mix(seed, 2);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An index drawn with the given cumulative weights (ascending, last = total). */
  weighted(cumulative: readonly number[]): number {
    const x = this.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Exponentially distributed, with this mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}

/** Cumulative sums, for Random.weighted. */
export function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((w) => (total += w));
}

/** Streams: one number per kind of entity, so that two kinds never share draws. */
export const STREAM = {
  units: 1,
  procedures: 2,
  dossierDay: 3,
  dossier: 4,
  applicant: 5,
  staff: 6,
  finance: 7,
  budget: 8,
  investment: 9,
} as const;
