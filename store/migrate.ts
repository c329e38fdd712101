import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from './consumers.ts';
import type { Db, Queryable } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// One lock for every instance that starts at the same moment: the first applies, the others wait and find nothing to do.
const MIGRATION_LOCK = 4_201_700_001;

/** The migration files, `NNNN_name.sql`, in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration file name must be NNNN_name.sql: ${file}`);
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return { version: Number(match[1]), name: match[2]!, sql, checksum: sha256Hex(sql) };
    })
    .sort((a, b) => a.version - b.version);
}

async function ensureLedger(tx: Queryable) {
  await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

/**
 * Applies the migrations not yet recorded, each in its own transaction with its
 * ledger row, so a failure leaves the store at the last whole migration.
 * Returns the ones it applied; re-running returns none.
 */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<Migration[]> {
  const applied: Migration[] = [];
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await ensureLedger(tx);
      const [recorded] = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      if (recorded) {
        if (recorded.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration ` +
              'instead (a development store in PGLITE_DIR can simply be deleted)',
          );
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (didApply) applied.push(migration);
  }
  return applied;
}

/** Versions of the known migrations that the store has not recorded (readiness). */
export async function pendingMigrations(db: Queryable, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  const [ledger] = await db.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  if (!ledger?.exists) return migrations.map((m) => m.version);
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const recorded = new Set(rows.map((row) => row.version));
  return migrations.filter((m) => !recorded.has(m.version)).map((m) => m.version);
}
