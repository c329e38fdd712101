/**
 * Figures come back from SQL as int8 or numeric text (store/db.ts keeps both
 * exact) and become JS numbers here, exactly or not at all. A number is safe
 * for every figure the indicators use: counts are far below 2^53, and so are
 * amounts in đồng summed over a whole province (a provincial budget is about
 * 10^13 VND, 2^53 is about 9 × 10^15). A value past that means the data or the
 * query is wrong, so it throws rather than round silently.
 */

/** An integer figure as an exact number; throws when it is not an integer or not safe (|n| > 2^53 − 1). */
export function exactInteger(value: unknown, name = 'figure'): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && /^-?\d+(\.0*)?$/.test(value.trim()))
    n = Number(value.trim().replace(/\.0*$/, ''));
  else throw new Error(`${name}: expected an integer, got ${JSON.stringify(String(value))}`);
  // Number() of a string or bigint past 2^53 rounds: isSafeInteger rejects the rounded value too.
  if (!Number.isSafeInteger(n) || (typeof value === 'bigint' && BigInt(n) !== value)) {
    throw new Error(`${name}: ${String(value)} is not a safe integer`);
  }
  return n === 0 ? 0 : n; // no -0
}

/**
 * The named columns of a row (the figure queries alias each column as its
 * figure's name) as exact numbers; a missing row (a root without any unit or
 * data) gives zeros.
 */
export function exactFigures<Name extends string>(
  row: Readonly<Record<string, unknown>> | undefined,
  names: readonly Name[],
): Record<Name, number> {
  const figures = {} as Record<Name, number>;
  for (const name of names) figures[name] = row === undefined ? 0 : exactInteger(row[name], name);
  return figures;
}
