/**
 * Verifies the audit log's hash chain (store/audit.ts) and prints the result:
 *
 *   npm run audit:verify
 *
 * The store and key are the hub's (DATABASE_URL or PGLITE_DIR, AUDIT_KEY).
 * Exit 0 when the chain is intact, 1 when it is broken (the first broken
 * entry and why on stderr) or cannot be read, 2 on a configuration error.
 * The store is only read.
 */
import { ConfigError, describeStore, loadConfig } from '../gateway/config.ts';
import { openConfiguredStore } from './store.ts';
import { verifyAuditChain } from '../store/audit.ts';
import { pendingMigrations } from '../store/migrate.ts';

function exit(code: number, message?: string): never {
  if (message) process.stderr.write(`lgsp-hub audit:verify: ${message}\n`);
  process.exit(code);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) exit(2, error.message);
  throw error;
}

const store = describeStore(config);
const db = await openConfiguredStore(config, 1, (message) => exit(1, message));

try {
  if ((await pendingMigrations(db)).includes(13)) {
    await db.close();
    exit(1, `the store (${store}) has no audit log yet: run npm run migrate (or start the hub) first`);
  }
  const status = await verifyAuditChain(db, config.AUDIT_KEY);
  await db.close();
  if (!status.ok) {
    process.stdout.write(`audit log BROKEN after ${status.checked} intact entries\n`);
    exit(1, `entry ${status.brokenAt}: ${status.problem}`);
  }
  process.stdout.write(
    `audit log intact: ${status.checked} entries, head ${status.headId} ${status.headHash}\n` +
      (status.unkeyed > 0
        ? `note: ${status.unkeyed} entries are hashed without AUDIT_KEY: they reveal accidental edits, not deliberate rewrites\n`
        : ''),
  );
} catch (error) {
  await db.close().catch(() => {});
  exit(1, `cannot verify the audit log (${store}): ${(error as Error).message}`);
}
