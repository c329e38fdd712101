/**
 * What a connector gives the sync engine. A connector reads one upstream's
 * paging style, validates every record with the upstream's contract and maps
 * it to the canonical model; it knows nothing of SQL or GraphQL. What it needs
 * to know about the hub's own data (which units and procedures exist, the
 * budget-code crosswalk) it asks through `Lookups`, which the engine fills
 * from the store.
 *
 * An upstream serves several feeds (the one-stop-shop: procedures and
 * dossiers). Each feed has its own cursor in sync_state and its own records
 * in quarantine, under the feed's name.
 */
import type { RecordFlaw } from './common/flaws.ts';
import type { Mapped } from './common/mapped.ts';

/** The upstream systems, as the graph names them. */
export const SOURCE_NAMES = ['ONE_STOP_SHOP', 'CADRE_DB', 'BUDGET'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** The source a command line names (ONE_STOP_SHOP, one-stop-shop and one_stop_shop are the same one); null for none. */
export function sourceNamed(text: string): SourceName | null {
  const name = text.toUpperCase().replaceAll('-', '_');
  return (SOURCE_NAMES as readonly string[]).includes(name) ? (name as SourceName) : null;
}

/** What the hub already holds that records refer to; a snapshot taken by the engine before each feed runs. */
export interface Lookups {
  hasUnit(code: string): boolean;
  hasProcedure(code: string): boolean;
  /** The unit code of a budget-relation code (mã QHNS), through the cadre database's crosswalk. */
  unitOfBudgetCode(budgetCode: string): string | undefined;
}

/** A record the connector could not accept, kept in quarantine with its reason and the payload as received. */
export interface Reject {
  /** The record's key when it can be read; otherwise a key made from the payload (stable for the same payload). */
  key: string;
  reason: string;
  /** Exactly as received: the record's JSON text, or the CSV row. */
  raw: string;
  /**
   * True when the record passes its contract's placing fields but refers to
   * something the hub does not know yet (a unit, a procedure): it is retried
   * on later runs until it resolves. False for a record its contract cannot
   * place (common/flaws.ts): it stays in quarantine until the upstream sends
   * a placeable version of it.
   */
  retryable: boolean;
}

export interface Batch<T> {
  /** Canonical records, each at most once per batch. */
  records: T[];
  /**
   * The key of each record (keys[i] is records[i]'s), written as a Reject of
   * the same record would be keyed: accepting a record resolves its open
   * quarantine entry, if any.
   */
  keys: string[];
  /**
   * The payload of each record as received (raws[i] is records[i]'s), when
   * the feed gives it: what a writer that still refuses a record (a version
   * overlapping another, which only the store can tell) quarantines.
   */
  raws?: string[];
  /**
   * The flaws of the records (each naming its record's key): stored with the
   * records in the batch's transaction, and the flaws the records' earlier
   * versions had and these no longer have are cleared.
   */
  flaws: RecordFlaw[];
  rejects: Reject[];
  /**
   * The fields the batch's records carried that their contract does not know,
   * with how many records carried each: tolerated, but counted per feed (a
   * renamed field shows up as a missing one and an unknown one).
   */
  unknownFields?: Readonly<Record<string, number>>;
  /**
   * The cursor to store in the same transaction as this batch: pulling again
   * from it loses nothing and repeats nothing already committed. Null means
   * "from the beginning" (a feed re-read whole on every run).
   */
  cursor: string | null;
}

export interface Feed<T> {
  /** The sync_state and quarantine key, e.g. 'one-stop-shop/dossiers'. */
  readonly name: string;
  readonly source: SourceName;
  /**
   * Pulls everything after `cursor` (null: from the beginning), one batch per
   * upstream page or file. The last batch's cursor is where the next run starts.
   * An upstream failure that survives the HTTP layer's retries throws.
   */
  pull(cursor: string | null, lookups: Lookups, signal?: AbortSignal): AsyncIterable<Batch<T>>;
  /** Reads a quarantined record again (on a later run, once what it lacked may exist). */
  retry(reject: { key: string; raw: string }, lookups: Lookups): Mapped<T> | Reject;
}

/**
 * Thrown by a feed whose path the upstream does not have (HTTP 404): an
 * upstream older than the feed's contract (a cadre database before v2.1 has
 * no history paths). The engine skips the feed and marks it, without failing
 * the pass; the mark is cleared when the path answers again.
 */
export class PathMissingError extends Error {
  override readonly name = 'PathMissingError';
  constructor(
    readonly feed: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${feed}: the upstream does not serve ${path} (404)`, options);
  }
}

/** Every feed of one upstream, in the order they must run (what later feeds refer to comes first). */
export interface Connector {
  readonly source: SourceName;
  readonly feeds: readonly Feed<unknown>[];
  /**
   * The upstream's base URL, kept with each feed's saved position: a pass against another URL refuses the feed
   * until an operator resets or confirms it. Absent (tests' hand-made connectors): not checked.
   */
  readonly baseUrl?: string;
  /**
   * The feeds refer to none of each other's records (the budget system's): a
   * feed that fails does not stop the pass from reading the others (unless the
   * upstream is down as a whole: unreachable, timing out, 503, its breaker open).
   */
  readonly independentFeeds?: boolean;
}
