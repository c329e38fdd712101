/** Applies pending migrations to the configured store (DATABASE_URL, or PGlite in PGLITE_DIR) and exits. */
import { openDb } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';

try {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR, poolMax: 1 });
  try {
    const applied = await migrate(db);
    process.stdout.write(
      applied.length
        ? `applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')} (${db.backend})\n`
        : `nothing to apply (${db.backend})\n`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  process.stderr.write(
    `lgsp-hub migrate: ${error instanceof ConfigError ? '' : 'failed: '}${(error as Error).message}\n`,
  );
  process.exit(1);
}
