/** Applies pending migrations to the configured store (DATABASE_URL and DATABASE_SCHEMA, or PGlite in PGLITE_DIR) and exits. */
import { migrate } from '../store/migrate.ts';
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { openConfiguredStore } from './store.ts';

function exit(message: string): never {
  process.stderr.write(`lgsp-hub migrate: ${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) exit(error.message);
  throw error;
}
const db = await openConfiguredStore(config, 1, exit);
try {
  const applied = await migrate(db);
  process.stdout.write(
    applied.length
      ? `applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')} (${db.backend})\n`
      : `nothing to apply (${db.backend})\n`,
  );
} catch (error) {
  await db.close().catch(() => {});
  exit(`failed: ${(error as Error).message}`);
}
await db.close();
