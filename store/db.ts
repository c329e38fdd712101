/**
 * The one small interface the rest of the hub uses to reach PostgreSQL.
 * Two implementations: a `pg.Pool` for a real server (DATABASE_URL set) and
 * embedded PGlite (a bare machine). Both return rows of the same shapes:
 * int8 and numeric as strings (exact), date as 'YYYY-MM-DD', timestamptz as Date.
 */
export interface Queryable {
  /** One statement with positional parameters ($1, $2 …); returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type Backend = 'postgres' | 'pglite';

export interface Db extends Queryable {
  readonly backend: Backend;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Takes the named lock for this process unless another holder has it (then
   * resolves to null); resolves to its release. On PostgreSQL it is a session
   * advisory lock on a connection held until release, so every hub instance
   * working in the same schema sees it, and a holder that dies frees it with its
   * connection. Embedded PGlite serves one process, so there it always succeeds.
   */
  tryLock(name: string): Promise<(() => Promise<void>) | null>;
  /** Closes the pool or the embedded database; closing again does nothing. */
  close(): Promise<void>;
  /**
   * The same store for background work (the sync engine, the live producer, migrations): its statements are never
   * cut by the statement timeout (DbOptions.statementTimeoutMs), in a transaction or not. Absent where there is no
   * timeout to lift (PGlite, wrappers): there the Db itself serves; `withoutStatementTimeout(db)` picks.
   */
  withoutStatementTimeout?(): Db;
}

/** The Db for background work, whose statements the statement timeout never cuts (Db.withoutStatementTimeout). */
export const withoutStatementTimeout = (db: Db): Db => db.withoutStatementTimeout?.() ?? db;

export interface DbOptions {
  /** postgres://… — when absent, embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps them in memory. */
  pgliteDir?: string;
  /**
   * PGlite only: a data directory to start from (a tarball from PGlite's `dumpDataDir`) instead of initialising
   * an empty cluster, which costs seconds of CPU. The tests open every in-memory store from one made at the start
   * of the run (tests/support/store.ts).
   */
  pgliteLoadDataDir?: Blob | undefined;
  /** Schema to work in (tests run each suite in a fresh one); default: the server's search_path. */
  schema?: string | undefined;
  /** Connections in the pool (postgres only). */
  poolMax?: number;
  /**
   * STATEMENT_TIMEOUT_MS: PostgreSQL cancels a statement that runs longer (error 57014), in a transaction or not:
   * every statement a GraphQL request starts, the audit log's insert included. Not cut: every statement of
   * `withoutStatementTimeout()`, the Db the sync engine, the live producer and migrations get (in their
   * transactions and outside them, e.g. the producer's prune). 0 or absent: no timeout. PGlite does not enforce it
   * (no timer signals in WebAssembly).
   */
  statementTimeoutMs?: number | undefined;
}

// PostgreSQL type OIDs whose text form we keep instead of the drivers' defaults.
export const PG_TYPE = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;

/** Keeps the text form of a value: exact amounts, and calendar dates without a time zone shift. */
export const asText = (value: string): string => value;

/** A schema name is spliced into SQL, so only plain identifiers are accepted. */
export function assertIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
