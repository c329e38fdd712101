/**
 * Opens the store: PostgreSQL when a URL is given, embedded PGlite otherwise.
 * Its own file so that the drivers, which share store/db.ts's helpers, are
 * loaded only when chosen and import nothing that imports them.
 */
import type { Db, DbOptions } from './db.ts';

export async function openDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(options.databaseUrl, options);
  }
  const { openPglite } = await import('./pglite.ts');
  return openPglite(options.pgliteDir ?? './.data/pglite', options);
}
