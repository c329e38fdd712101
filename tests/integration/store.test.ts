import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../store/open-db.ts';
import { loadMigrations, migrate, pendingMigrations } from '../../store/migrate.ts';
import { listUnits, upsertUnits } from '../../store/units.ts';
import type { Unit } from '../../store/model.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

/** Every table of the store: the canonical ones, the sync's bookkeeping and the derived ones (unit_tree, rollups). */
const CANONICAL_TABLES = [
  'api_keys',
  'audit_head',
  'audit_log',
  'budget_execution_lines',
  'consumers',
  'dossier_day_counts',
  'dossier_figure_rollups',
  'dossier_month_counts',
  'dossiers',
  'indicator_targets',
  'investment_disbursements',
  'investment_projects',
  'live_events',
  'live_state',
  'live_watches',
  'procedures',
  'psu_finance',
  'quarantine',
  'record_flaws',
  'schema_migrations',
  'staff',
  'staff_assignments',
  'sync_runs',
  'sync_state',
  'trusted_documents',
  'unit_ancestry',
  'unit_event_units',
  'unit_events',
  'unit_lineage',
  'unit_tree',
  'unit_versions',
  'units',
];

const unit = (code: string, name: string, extra: Partial<Unit> = {}): Unit => ({
  code,
  budgetCode: null,
  name,
  parentCode: null,
  level: 'COMMUNE',
  kind: 'PEOPLES_COMMITTEE',
  sector: null,
  headcountQuota: null,
  validFrom: '2019-01-01',
  validTo: null,
  sourceUpdatedAt: new Date('2024-06-01T01:00:00Z'),
  ...extra,
});

describe.each(testBackends)('store on %s', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(backend, { migrated: false });
  });
  afterAll(() => store.dispose());

  it('applies every migration once, in order, and re-running is a no-op', async () => {
    const all = loadMigrations();
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    expect(await pendingMigrations(store.db)).toEqual(all.map((m) => m.version));

    const first = await migrate(store.db);
    expect(first.map((m) => m.version)).toEqual(all.map((m) => m.version));
    expect(await migrate(store.db)).toEqual([]);
    expect(await pendingMigrations(store.db)).toEqual([]);

    const ledger = await store.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(ledger.map((row) => row.version)).toEqual(all.map((m) => m.version));
    const tables = await store.db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
    );
    expect(tables.map((t) => t.name)).toEqual(CANONICAL_TABLES);
  });

  it('compares every code byte by byte, whatever the locale (stable keyset order on any server)', async () => {
    const rows = await store.db.query<{ table: string; column: string; collation: string | null }>(
      `SELECT table_name AS table, column_name AS column, collation_name AS collation
         FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'text' AND (column_name ~ '(^|_)code$' OR column_name IN ('id', 'source', 'record_key'))
          AND table_name <> 'schema_migrations'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.filter((row) => row.collation !== 'C')).toEqual([]);
  });

  it('applies each migration once when runs start together on an empty store (the advisory lock serialises them)', async () => {
    const fresh = await openTestStore(backend, { migrated: false });
    try {
      const runs = await Promise.all([migrate(fresh.db), migrate(fresh.db), migrate(fresh.db)]);
      const applied = runs.flat().map((m) => m.version);
      expect(applied.sort((a, b) => a - b)).toEqual(loadMigrations().map((m) => m.version));
      expect(await pendingMigrations(fresh.db)).toEqual([]);
    } finally {
      await fresh.dispose();
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const [first, ...rest] = loadMigrations();
    const edited = { ...first!, sql: `${first!.sql}\n-- edited`, checksum: 'different' };
    await expect(migrate(store.db, [edited, ...rest])).rejects.toThrow(/was changed after it was applied/);
  });

  it('applies a new migration file after the recorded ones, and rolls back a failing one whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-migrations-'));
    writeFileSync(join(dir, '9001_extra.sql'), 'CREATE TABLE extra_one (id int); CREATE TABLE extra_two (id int);');
    writeFileSync(join(dir, '9002_broken.sql'), 'CREATE TABLE extra_three (id int); SELECT no_such_function();');
    const migrations = [...loadMigrations(), ...loadMigrations(dir)];
    await expect(migrate(store.db, migrations)).rejects.toThrow(/no_such_function/);
    expect(await pendingMigrations(store.db, migrations)).toEqual([9002]);
    const [three] = await store.db.query<{ exists: boolean }>(
      `SELECT to_regclass('extra_three') IS NOT NULL AS exists`,
    );
    expect(three?.exists).toBe(false);
    await store.db.exec(
      'DROP TABLE extra_one; DROP TABLE extra_two; DELETE FROM schema_migrations WHERE version = 9001',
    );
  });

  it('returns the same value shapes on both backends: exact int8 and numeric, calendar dates, UTC instants', async () => {
    const [row] = await store.db.query<Record<string, unknown>>(
      `SELECT 12345678901234567::bigint AS big, 10000000000000.5::numeric AS amount,
              DATE '2025-07-01' AS day, TIMESTAMPTZ '2024-06-14 09:05:12+07' AS instant, 3::int AS small`,
    );
    expect(row).toEqual({
      big: '12345678901234567',
      amount: '10000000000000.5',
      day: '2025-07-01',
      instant: new Date('2024-06-14T02:05:12Z'),
      small: 3,
    });
  });

  it('folds Vietnamese for search, precomposed or decomposed, any case', async () => {
    const samples = ['Yên Thế', 'YÊN THẾ', 'Yên Thế'.normalize('NFD'), 'Xã Đồng Hưu', 'Phường Ngọc Thụy'];
    const folded = await Promise.all(
      samples.map(async (text) => (await store.db.query<{ f: string }>('SELECT fold_vi($1) AS f', [text]))[0]!.f),
    );
    expect(folded).toEqual(['yen the', 'yen the', 'yen the', 'xa dong huu', 'phuong ngoc thuy']);
  });

  it('upserts units idempotently and never lets an older version overwrite a newer one', async () => {
    const older = unit('T.001', 'Xã Tân Sỏi', { sourceUpdatedAt: new Date('2024-01-01T00:00:00Z') });
    const newer = unit('T.001', 'Xã Tân Sỏi mới', { sourceUpdatedAt: new Date('2024-02-01T00:00:00Z') });
    expect(await upsertUnits(store.db, [newer])).toBe(1);
    expect(await upsertUnits(store.db, [newer])).toBe(0); // the same version again: nothing to write
    expect(await upsertUnits(store.db, [older])).toBe(0);
    const [stored] = await store.db.query<{ name: string; n: string }>(
      `SELECT name, count(*) OVER () AS n FROM units WHERE code = 'T.001'`,
    );
    expect(stored).toEqual({ name: 'Xã Tân Sỏi mới', n: '1' });
  });

  it('stores names NFC-normalised, so decomposed input matches precomposed search', async () => {
    await upsertUnits(store.db, [unit('T.002', 'Xã Đồng Kỳ'.normalize('NFD'))]);
    const [stored] = await store.db.query<{ name: string }>(`SELECT name FROM units WHERE code = 'T.002'`);
    expect(stored?.name).toBe('Xã Đồng Kỳ'.normalize('NFC'));
    const found = await listUnits(store.db, { search: 'dong ky' }, { limit: 10, inverted: false });
    expect(found.map((u) => u.code)).toEqual(['T.002']);
  });

  it('enforces the model: a dossier needs a known unit and procedure', async () => {
    await expect(
      store.db.query(
        `INSERT INTO dossiers (code, procedure_code, unit_code, channel, status, received_at, full_process_online,
                               has_fee, digitised, electronic_result, source_updated_at)
         VALUES ('HS-1', 'no.such', 'no.such', 'ONLINE', 'RECEIVED', now(), true, false, true, false, now())`,
      ),
    ).rejects.toThrow(/foreign key/);
  });
});

describe('PGlite on disk (the default of npm start)', () => {
  it('keeps data and the migration ledger across restarts', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lgsp-pglite-')), 'data');
    const first = await openDb({ pgliteDir: dir });
    try {
      expect((await migrate(first)).length).toBe(loadMigrations().length);
      await upsertUnits(first, [unit('P.001', 'Phường Trần Phú')]);
    } finally {
      await first.close();
    }
    const reopened = await openDb({ pgliteDir: dir });
    try {
      expect(await migrate(reopened)).toEqual([]);
      expect(await reopened.query(`SELECT name FROM units`)).toEqual([{ name: 'Phường Trần Phú' }]);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a second opener of the same directory until the first closes it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lgsp-pglite-')), 'data');
    const owner = await openDb({ pgliteDir: dir });
    try {
      await expect(openDb({ pgliteDir: dir })).rejects.toThrow(`${dir} is in use by another process`);
    } finally {
      await owner.close();
    }
    const next = await openDb({ pgliteDir: dir });
    expect(await next.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await next.close();
  });
});
