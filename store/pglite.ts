import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { asText, assertIdentifier, PG_TYPE, type Db, type DbOptions, type Queryable } from './db.ts';

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

export async function openPglite(dataDir: string, options: DbOptions): Promise<Db> {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { parsers });
  await pglite.exec(`SET TimeZone = 'UTC'`);
  if (options.schema) {
    const schema = assertIdentifier(options.schema);
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path = ${schema}`);
  }
  return {
    backend: 'pglite',
    ...queryable(pglite),
    // PGlite has one connection and serialises work on it: other queries wait for the transaction.
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}
