import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import lockfile from 'proper-lockfile';
import { asText, assertIdentifier, PG_TYPE, type Db, type DbOptions, type Queryable } from './db.ts';

/** The extensions the migrations create (btree_gist: migration 0018's exclusion constraints). */
export const PGLITE_EXTENSIONS = { btree_gist };

const parsers = { [PG_TYPE.INT8]: asText, [PG_TYPE.DATE]: asText, [PG_TYPE.NUMERIC]: asText };

function queryable(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, params as unknown[], { parsers });
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * Two processes on one PGlite directory would each keep their own copy of the
 * database and overwrite each other's files, so a directory is locked while open
 * (a lock that its owner keeps fresh, so a crashed owner's lock goes stale).
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, { stale: 15_000, update: 5_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new Error(
      `${dataDir} is in use by another process: embedded PGlite serves one process; use DATABASE_URL to share a store`,
    );
  }
}

/**
 * `options.statementTimeoutMs` is not applied: PGlite accepts statement_timeout but never cancels (PostgreSQL's
 * timeouts need timer signals, which PGlite's single-threaded WebAssembly build does not have).
 */
export async function openPglite(dataDir: string, options: DbOptions): Promise<Db> {
  const unlock = dataDir.includes('://') ? async () => {} : await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    const loadDataDir = options.pgliteLoadDataDir;
    pglite = await PGlite.create(dataDir, {
      parsers,
      extensions: PGLITE_EXTENSIONS,
      ...(loadDataDir ? { loadDataDir } : {}),
    });
  } catch (error) {
    await unlock();
    throw error;
  }
  await pglite.exec(`SET TimeZone = 'UTC'`);
  if (options.schema) {
    const schema = assertIdentifier(options.schema);
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path = ${schema}`);
  }
  return pgliteDb(pglite, unlock);
}

/** An open PGlite as the store's Db; closing it closes the PGlite, then runs `release` (the directory's lock). */
export function pgliteDb(pglite: PGlite, release: () => Promise<void> = async () => {}): Db {
  return {
    backend: 'pglite',
    ...queryable(pglite),
    // PGlite has one connection and serialises work on it: other queries wait for the transaction.
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    // The data directory is locked to this process (above): nobody else can hold a lock.
    tryLock: async () => async () => {},
    close: async () => {
      if (pglite.closed) return;
      await pglite.close();
      await release();
    },
  };
}
