/**
 * The audit log: one entry per request that read personal data or ran an
 * admin operation, in a hash chain (entryHash), so an edited row no longer
 * matches its hash and a removed row breaks the link of the next one (or, for
 * the newest, disagrees with audit_head). With AUDIT_KEY the hash is an HMAC:
 * someone with SQL access but without the key can change rows but cannot
 * compute the hashes that would hide it, in the spirit of X-Road's signed
 * message log. Plain SHA-256 without a key catches accidents and careless
 * edits, not someone who recomputes the chain. Neither catches the newest
 * entries cut off with a matching rewrite of audit_head; that needs the head's
 * hash kept elsewhere too (the verifier prints it).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Viewer } from './access.ts';
import type { Db, Queryable } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryInput {
  at: Date;
  consumer: string;
  consumerId: string | null;
  credential: Viewer['credential'];
  operationName: string | null;
  /** SHA-256 (hex) of the GraphQL document's text. */
  documentHash: string;
  /** "Type.field" → the ids of the records whose value was returned. */
  personalData: Record<string, string[]>;
  adminOperations: string[];
  clientAddress: string | null;
  requestId: string | null;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  keyed: boolean;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** hash = H(prev_hash ‖ canonical JSON of the entry with its id), H = HMAC-SHA-256 with the key, else SHA-256. */
export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string }, key: string | undefined): string {
  const { prevHash, keyed, hash: _stored, ...content } = entry;
  if (keyed && !key) throw new Error(`audit entry ${entry.id} is keyed: AUDIT_KEY is needed to check it`);
  const hasher = keyed ? createHmac('sha256', key!) : createHash('sha256');
  return hasher.update(prevHash).update(canonicalJson(content)).digest('hex');
}

// ORDER BY must name audit_log.id: a bare "id" would sort by this text alias (1, 10, 2 …).
const ENTRY_COLUMNS = `id::text AS id, at, consumer, consumer_id::text AS "consumerId", credential,
  operation_name AS "operationName", document_hash AS "documentHash", personal_data AS "personalData",
  admin_operations AS "adminOperations", client_address AS "clientAddress", request_id AS "requestId",
  keyed, prev_hash AS "prevHash", hash`;

/**
 * Appends an entry. The head row is locked for the transaction, so appenders
 * of every hub instance take turns: each reads the hash the previous one
 * wrote, and ids follow each other without gaps.
 */
export function appendAuditEntry(db: Db, input: AuditEntryInput, key: string | undefined): Promise<AuditEntry> {
  return db.transaction((tx) => appendAuditEntryIn(tx, input, key));
}

/**
 * Appends an entry in the caller's transaction `tx`, so that it commits with the change it records, or neither
 * does (an admin mutation's writes). The head stays locked until that transaction ends.
 */
export async function appendAuditEntryIn(
  tx: Queryable,
  input: AuditEntryInput,
  key: string | undefined,
): Promise<AuditEntry> {
  const [head] = await tx.query<{ lastId: string; lastHash: string }>(
    'SELECT last_id::text AS "lastId", last_hash AS "lastHash" FROM audit_head FOR UPDATE',
  );
  if (!head) throw new Error('audit_head is missing: the audit log cannot be appended to');
  const unhashed = {
    ...input,
    id: String(BigInt(head.lastId) + 1n),
    keyed: Boolean(key),
    prevHash: head.lastHash,
  };
  const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed, key) };
  await tx.query(
    `INSERT INTO audit_log (id, at, consumer, consumer_id, credential, operation_name, document_hash, personal_data,
       admin_operations, client_address, request_id, keyed, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      entry.id,
      entry.at,
      entry.consumer,
      entry.consumerId,
      entry.credential,
      entry.operationName,
      entry.documentHash,
      JSON.stringify(entry.personalData),
      entry.adminOperations,
      entry.clientAddress,
      entry.requestId,
      entry.keyed,
      entry.prevHash,
      entry.hash,
    ],
  );
  await tx.query('UPDATE audit_head SET last_id = $1, last_hash = $2', [entry.id, entry.hash]);
  return entry;
}

/** Entries newest first, `limit` from before `beforeId`, of one consumer when given. */
export function listAuditEntries(
  db: Queryable,
  { consumer, beforeId, limit }: { consumer?: string | null; beforeId?: string | null; limit: number },
): Promise<AuditEntry[]> {
  return db.query<AuditEntry>(
    `SELECT ${ENTRY_COLUMNS} FROM audit_log
      WHERE ($1::text IS NULL OR consumer = $1) AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY audit_log.id DESC LIMIT $3`,
    [consumer ?? null, beforeId ?? null, limit],
  );
}

export interface AuditChainStatus {
  ok: boolean;
  /** Entries checked (up to the first broken one). */
  checked: number;
  /** The last entry of an intact chain, as audit_head records it: keep it elsewhere to detect a cut tail. */
  headId: string;
  headHash: string;
  /** The first entry that fails, and why; null when the chain is intact. */
  brokenAt: string | null;
  problem: string | null;
  /** Entries hashed without AUDIT_KEY (before one was configured): protected against accidents only. */
  unkeyed: number;
}

/**
 * Walks the chain in id order, a page at a time, and stops at the first
 * entry that does not follow: a missing id (deleted), a prev_hash that is not
 * the previous hash (deleted or rewritten), a hash that does not match the
 * content (edited), an unkeyed entry after a keyed one (downgraded). Last,
 * the head must name the last entry (the newest ones deleted).
 *
 * The walk ends at the head read first: an entry and the head that names it
 * are committed together, so every entry up to that head is visible to the
 * pages read after it, and entries appended meanwhile (a live hub) are left
 * for the next verification instead of running past the head.
 */
export async function verifyAuditChain(
  db: Queryable,
  key: string | undefined,
  { pageSize = 1000 }: { pageSize?: number } = {},
): Promise<AuditChainStatus> {
  const [head] = await db.query<{ lastId: string; lastHash: string }>(
    'SELECT last_id::text AS "lastId", last_hash AS "lastHash" FROM audit_head',
  );
  const status: AuditChainStatus = {
    ok: true,
    checked: 0,
    headId: head?.lastId ?? '0',
    headHash: head?.lastHash ?? GENESIS_HASH,
    brokenAt: null,
    problem: null,
    unkeyed: 0,
  };
  const broken = (at: string, problem: string) => ({ ...status, ok: false, brokenAt: at, problem });
  if (!head) return broken('0', 'audit_head is missing');

  let previous = { id: 0n, hash: GENESIS_HASH, keyed: false };
  for (;;) {
    const page = await db.query<AuditEntry>(
      `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE id > $1::bigint AND id <= $2::bigint ORDER BY audit_log.id LIMIT $3`,
      [String(previous.id), head.lastId, pageSize],
    );
    for (const entry of page) {
      const id = BigInt(entry.id);
      if (id !== previous.id + 1n) {
        return broken(String(previous.id + 1n), `entry ${previous.id + 1n} is missing (the next is ${entry.id})`);
      }
      if (entry.prevHash !== previous.hash) {
        return broken(entry.id, `entry ${entry.id} does not link to entry ${previous.id}: a row was replaced`);
      }
      if (previous.keyed && !entry.keyed) {
        return broken(entry.id, `entry ${entry.id} is not keyed but entry ${previous.id} is: the chain was rewritten`);
      }
      if (entry.keyed && !key) {
        return broken(entry.id, `entry ${entry.id} is keyed with AUDIT_KEY: set it to verify the chain`);
      }
      if (entryHash(entry, key) !== entry.hash) {
        return broken(entry.id, `entry ${entry.id} does not match its hash: it was edited`);
      }
      if (!entry.keyed) status.unkeyed += 1;
      status.checked += 1;
      previous = { id, hash: entry.hash, keyed: entry.keyed };
    }
    if (page.length < pageSize) break;
  }
  if (BigInt(head.lastId) !== previous.id) {
    return broken(
      String(previous.id + 1n),
      `entries ${previous.id + 1n} to ${head.lastId} are missing (the log ends at ${previous.id})`,
    );
  }
  if (head.lastHash !== previous.hash) {
    return broken(head.lastId, `audit_head does not match entry ${head.lastId}: the head or the entry was replaced`);
  }
  // A head moved back (entries after it kept) would hide them from the bounded walk. The newest entry is read
  // before the head: an honest head, which only moves forward, names it or a later one.
  const [newest] = await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM audit_log');
  const [now] = await db.query<{ lastId: string }>('SELECT last_id::text AS "lastId" FROM audit_head');
  if (newest?.id != null && (!now || BigInt(newest.id) > BigInt(now.lastId))) {
    return broken(
      String(BigInt(head.lastId) + 1n),
      `audit_head (entry ${now?.lastId ?? 'none'}) is behind the log, which goes on to entry ${newest.id}`,
    );
  }
  return status;
}
