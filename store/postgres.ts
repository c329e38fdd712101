import pg from 'pg';
import { asText, assertIdentifier, PG_TYPE, type Db, type DbOptions, type Queryable } from './db.ts';

// Per-pool type parsers, so the process-wide defaults of `pg` stay untouched.
const typeParsers: Record<number, (value: string) => unknown> = {
  [PG_TYPE.INT8]: asText,
  [PG_TYPE.DATE]: asText,
  [PG_TYPE.NUMERIC]: asText,
};
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    typeParsers[oid] ?? pg.types.getTypeParser(oid, format ?? 'text'),
};

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query({ text: sql, values: params as unknown[], types });
      return result.rows as Row[];
    },
    async exec(sql: string) {
      await client.query({ text: sql, types });
    },
  };
}

/**
 * A named lock's advisory key. Advisory locks are per database: the schema is
 * part of the key, so two hubs in different schemas of one server (two
 * deployments, or parallel test suites) do not hold each other's locks.
 */
const LOCK_KEY = `hashtextextended('lgsp-hub:' || current_schema() || ':' || $1, 0)`;

export async function openPostgres(databaseUrl: string, options: DbOptions): Promise<Db> {
  const statementTimeoutMs = Math.max(0, Math.floor(options.statementTimeoutMs ?? 0));
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolMax ?? 10,
    // A server that does not answer fails the request instead of holding it forever.
    connectionTimeoutMillis: 10_000,
    // Every connection works in UTC and, for tests, in its own schema. JIT off: the hub's statements
    // are short index reads, and a poor row estimate (a recursive walk) pushed some over the JIT
    // threshold, where compiling cost 15–20 ms to save nothing.
    options: [
      '-c TimeZone=UTC',
      '-c jit=off',
      options.schema ? `-c search_path=${assertIdentifier(options.schema)}` : '',
      // No statement of the graph may hold a connection for longer, in a transaction or not (the audit log's
      // insert too); background work lifts it (withoutStatementTimeout, below).
      statementTimeoutMs > 0 ? `-c statement_timeout=${statementTimeoutMs}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    application_name: 'lgsp-hub',
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  /** Runs `work` in one transaction opened by `begin` (BEGIN, and what the transaction sets for itself). */
  async function transaction<T>(begin: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A connection whose rollback failed is in an unknown state: it is destroyed, not pooled again.
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }
  const db: Db = {
    backend: 'postgres',
    ...queryable(pool),
    transaction: (work) => transaction('BEGIN', work),
    async tryLock(name) {
      const client = await pool.connect();
      try {
        const [row] = (
          await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [name])
        ).rows;
        if (!row?.locked) {
          client.release();
          return null;
        }
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      return async () => {
        // A connection that cannot unlock is destroyed: closing it frees the lock.
        const failed = await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [name]).then(
          () => undefined,
          (error: Error) => error,
        );
        client.release(failed);
      };
    },
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
  if (statementTimeoutMs > 0) {
    // Background work on the same pool (the sync, the live producer, migrations): cut halfway, a batch would be
    // retried whole and cut again. Its transactions lift the timeout (SET LOCAL ends with them; one round trip with
    // the BEGIN), and each statement outside a transaction runs in one of its own (committed as it would be on its
    // own; two more round trips, which background work's few such statements can afford and the graph's reads
    // need not).
    const liftedTransaction = <T>(work: (tx: Queryable) => Promise<T>) =>
      transaction('BEGIN; SET LOCAL statement_timeout = 0', work);
    const timeoutFreeDb: Db = {
      ...db,
      query: (sql, params) => liftedTransaction((tx) => tx.query(sql, params)),
      exec: (sql) => liftedTransaction((tx) => tx.exec(sql)),
      transaction: liftedTransaction,
      withoutStatementTimeout: () => timeoutFreeDb,
    };
    db.withoutStatementTimeout = () => timeoutFreeDb;
  }
  // Fail at start-up, not on the first request.
  if (options.schema) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${assertIdentifier(options.schema)}`);
  else await db.query('SELECT 1');
  return db;
}
