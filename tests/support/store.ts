/**
 * The store backends every integration suite runs on: embedded PGlite always,
 * and the PostgreSQL at TEST_DATABASE_URL when it is set, each suite in a
 * fresh schema that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb } from '../../store/open-db.ts';
import { type Backend, type Db } from '../../store/db.ts';
import { migrate } from '../../store/migrate.ts';

export interface TestStore {
  db: Db;
  /** Closes the store and, on PostgreSQL, drops the suite's schema. */
  dispose(): Promise<void>;
}

export const testBackends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export async function openTestStore(backend: Backend, { migrated = true } = {}): Promise<TestStore> {
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = backend === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;
  const db = await openDb({ databaseUrl, pgliteDir: 'memory://', schema, poolMax: 4 });
  if (migrated) await migrate(db);
  return {
    db,
    async dispose() {
      await db.close().catch(() => {});
      if (databaseUrl) await dropSchemas(databaseUrl, (name) => name === schema);
    },
  };
}

/** Drops the test schemas (test_<pid>_<hex>) that `which` picks, on one connection of its own. */
export async function dropSchemas(databaseUrl: string, which: (name: string) => boolean): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^test_[0-9]+_[0-9a-f]{8}$'`,
    );
    for (const { name } of rows.filter((row) => which(row.name))) {
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/** A Db whose every statement is counted, to prove that loaders batch (no N+1). */
export function countingDb(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    db: {
      ...db,
      backend: db.backend,
      query: (sql, params) => {
        statements.push(sql);
        return db.query(sql, params);
      },
      exec: db.exec,
      transaction: db.transaction,
      tryLock: db.tryLock,
      close: db.close,
    },
  };
}
