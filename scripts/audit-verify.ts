/**
 * `npm run audit:verify`: verifies the audit log's hash chain
 * (store/audit.ts) with the hub's store and AUDIT_KEY, only reading. Exit 0
 * when the chain is intact, 1 when it is broken (the first broken entry and
 * why on stderr) or cannot be read, 2 on a configuration error. An intact
 * chain with unkeyed entries while AUDIT_KEY is set still exits 0, with a
 * WARNING on stderr naming how many and which: the chain cannot tell entries
 * written before the key from a rewrite by someone without it.
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
  process.stdout.write(`audit log intact: ${status.checked} entries, head ${status.headId} ${status.headHash}\n`);
  // An unkeyed entry may not follow a keyed one, so the unkeyed entries are the first ones, 1 to `unkeyed`.
  if (status.unkeyed > 0 && config.AUDIT_KEY) {
    // Someone with write access to the database but not the key can rewrite keyed entries as unkeyed ones and
    // recompute every hash: the chain still verifies, so only this count shows it.
    process.stderr.write(
      `lgsp-hub audit:verify: WARNING: ${status.unkeyed} of ${status.checked} entries (ids 1 to ${status.unkeyed}) are ` +
        `hashed without AUDIT_KEY although it is set. Entries written before AUDIT_KEY was configured are expected ` +
        `here; any more than those means the log was rewritten by someone without the key. Compare with the head ` +
        `kept outside the hub.\n`,
    );
  } else if (status.unkeyed > 0) {
    process.stderr.write(
      `lgsp-hub audit:verify: note: AUDIT_KEY is not set: the ${status.unkeyed} entries are plain SHA-256, which ` +
        `reveals accidental edits but not someone who rewrites the log and recomputes its hashes\n`,
    );
  }
} catch (error) {
  await db.close().catch(() => {});
  exit(1, `cannot verify the audit log (${store}): ${(error as Error).message}`);
}
