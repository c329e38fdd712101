/**
 * How the command-line scripts open the store the hub is configured for
 * (DATABASE_URL and DATABASE_SCHEMA, or PGlite in PGLITE_DIR), with one
 * message per failure, naming the store without its password.
 */
import { describeStore, type Config } from '../gateway/config.ts';
import { openDb } from '../store/open-db.ts';
import { type Db } from '../store/db.ts';

/** Opens the store or calls `fail` with why it could not: a locked PGlite directory says what to do instead. */
export async function openConfiguredStore(
  config: Config,
  poolMax: number,
  fail: (message: string) => never,
): Promise<Db> {
  const store = describeStore(config);
  return openDb({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.PGLITE_DIR,
    poolMax,
    schema: config.DATABASE_SCHEMA,
  }).catch((error: Error) =>
    fail(
      /in use by another process/.test(error.message)
        ? `the store (${store}) is in use by another process, probably a running hub: embedded PGlite serves one ` +
            'process at a time. Stop the hub and run this again, or run the hub on PostgreSQL (DATABASE_URL) to ' +
            'work on the store while it runs.'
        : `cannot open the store (${store}): ${error.message}`,
    ),
  );
}
