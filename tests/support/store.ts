/**
 * The store backends every integration suite runs on: embedded PGlite always,
 * and the PostgreSQL at TEST_DATABASE_URL when it is set. On PostgreSQL each
 * store is a fresh schema, dropped afterwards; on PGlite each is a database of
 * its own, in memory.
 *
 * A PGlite store starts from a data directory made once (global-setup.ts; kept
 * in node_modules/.cache while PGlite and the migrations stay the same), as
 * initialised and migrated: a new PGlite otherwise runs initdb, some four
 * seconds of CPU, and then the migrations, for every store of every suite.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openDb } from '../../store/open-db.ts';
import { type Backend, type Db } from '../../store/db.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { PGLITE_EXTENSIONS, pgliteDb } from '../../store/pglite.ts';

export interface TestStore {
  db: Db;
  /** Closes the store and, on PostgreSQL, drops the suite's schema. */
  dispose(): Promise<void>;
}

export const testBackends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** Tarballs of PGlite data directories (dumpDataDir): a cluster just initialised, and one migrated in PGLITE_SCHEMA. */
export interface PgliteTemplates {
  fresh: string;
  migrated: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplates: PgliteTemplates;
  }
}

/** The schema of every PGlite store: each is a database of its own, so one name serves them all. */
const PGLITE_SCHEMA = 'test_pglite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the templates are made of: a change to any of it makes new ones. */
function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version);
  for (const m of loadMigrations()) hash.update(`\0${m.version}\0${m.name}\0${m.checksum}`);
  for (const file of ['store/migrate.ts', 'tests/support/store.ts']) {
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function dump(pglite: PGlite, file: string): Promise<void> {
  const tarball = await pglite.dumpDataDir('none');
  // Written aside and renamed: another run making the same templates never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, new Uint8Array(await tarball.arrayBuffer()));
  renameSync(partial, file);
}

/**
 * Makes the PGlite templates (global-setup.ts), or finds them made by an earlier run for the same PGlite and
 * migrations. Other templates untouched for a day are removed (not sooner: a run started before a migration was
 * added may still be reading its own).
 */
export async function pgliteTemplates(
  cacheDir = join(ROOT, 'node_modules/.cache/lgsp-hub-tests'),
): Promise<PgliteTemplates> {
  const dir = join(cacheDir, `pglite-${templateKey()}`);
  const templates = { fresh: join(dir, 'fresh.tar'), migrated: join(dir, 'migrated.tar') };
  if (existsSync(templates.fresh) && existsSync(templates.migrated)) {
    utimesSync(dir, new Date(), new Date()); // in use: kept (below)
    return templates;
  }
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(cacheDir)) {
    const other = join(cacheDir, name);
    if (name.startsWith('pglite-') && other !== dir && Date.now() - statSync(other).mtimeMs > 86_400_000) {
      rmSync(other, { recursive: true, force: true });
    }
  }
  const pglite = await PGlite.create('memory://', { extensions: PGLITE_EXTENSIONS });
  try {
    await dump(pglite, templates.fresh);
    await pglite.exec(`SET TimeZone = 'UTC'; CREATE SCHEMA ${PGLITE_SCHEMA}; SET search_path = ${PGLITE_SCHEMA}`);
    await migrate(pgliteDb(pglite));
    await dump(pglite, templates.migrated);
  } finally {
    await pglite.close();
  }
  return templates;
}

/** Each template read once per worker, then shared by the stores it opens (a Blob is never written to). */
const loaded = new Map<string, Blob>();
function template(which: keyof PgliteTemplates): Blob | undefined {
  // Absent when run without global-setup.ts (another config): then each store is made from scratch.
  const file = inject('pgliteTemplates')?.[which];
  if (!file) return undefined;
  let blob = loaded.get(file);
  if (!blob) loaded.set(file, (blob = new Blob([readFileSync(file)])));
  return blob;
}

export async function openTestStore(backend: Backend, { migrated = true } = {}): Promise<TestStore> {
  if (backend === 'pglite') {
    const start = template(migrated ? 'migrated' : 'fresh');
    const db = await openDb({ pgliteDir: 'memory://', pgliteLoadDataDir: start, schema: PGLITE_SCHEMA });
    if (migrated && !start) await migrate(db);
    return { db, dispose: () => db.close().catch(() => {}) };
  }
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const db = await openDb({ databaseUrl, schema, poolMax: 4 });
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
