/**
 * Enum values with their meanings: the schema documents what each code means
 * (and its Vietnamese term), so a values list is written with a meaning each.
 */
export const describedValues = <const V extends readonly string[]>(values: V, meanings: Record<V[number], string>) =>
  Object.fromEntries(values.map((value: V[number]) => [value, { description: meanings[value] }])) as Record<
    V[number],
    { description: string }
  >;
