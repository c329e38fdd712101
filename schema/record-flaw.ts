/** What the graph says of a record's flaws (connectors/common/flaws.ts, store/flaws.ts). */

/** Ends the description of a field stored as null when the upstream's value was invalid. */
export const INVALID_NULL =
  ' Null when the upstream sent an invalid value (the record then lists the flaw in `flaws`).';
