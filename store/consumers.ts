/**
 * The registered consumers of the hub and their API keys. A key is
 * `lgsp_<keyId>_<secret>`: the key id (16 hex digits) is public and finds the
 * row; the secret (32 random bytes, base64url) is shown once when issued and
 * only its SHA-256 is stored.
 *
 * Why SHA-256 and not a slow password hash (bcrypt, scrypt, argon2): a slow
 * hash protects low-entropy secrets that people choose from being guessed
 * from a stolen hash. These secrets are 256 random bits: no amount of
 * guessing finds one, slow hash or not, and a fast hash keeps checking a key
 * on every request at microseconds.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isScope, SCOPES, type Scope } from './access.ts';
import type { Queryable } from './db.ts';

/** A refused consumer operation: unknown name, name taken, bad scope. The message says which. */
export class ConsumerError extends Error {
  override name = 'ConsumerError';
}

export interface Consumer {
  id: string;
  name: string;
  description: string | null;
  scopes: Scope[];
  unitCode: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const CONSUMER_COLUMNS = `c.id::text AS id, c.name, c.description, c.scopes, c.unit_code AS "unitCode",
  c.created_at AS "createdAt", c.revoked_at AS "revokedAt"`;

export const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export function checkScopes(scopes: readonly string[]): Scope[] {
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new ConsumerError(`unknown scope ${unknown.join(', ')}: the scopes are ${SCOPES.join(', ')}`);
  }
  if (scopes.length === 0) throw new ConsumerError(`a consumer needs at least one scope of ${SCOPES.join(', ')}`);
  return [...new Set(scopes as Scope[])];
}

export async function createConsumer(
  db: Queryable,
  input: { name: string; scopes: readonly string[]; unitCode?: string | null; description?: string | null },
): Promise<Consumer> {
  if (!CONSUMER_NAME.test(input.name)) {
    throw new ConsumerError(
      `consumer name ${JSON.stringify(input.name)} must be 1–128 letters, digits or . _ : @ - (starting with a letter or digit)`,
    );
  }
  const scopes = checkScopes(input.scopes);
  const [existing] = await db.query('SELECT 1 FROM consumers WHERE name = $1', [input.name]);
  if (existing) throw new ConsumerError(`a consumer named ${input.name} exists already (names are never reused)`);
  const [row] = await db.query<Consumer>(
    `INSERT INTO consumers AS c (name, scopes, unit_code, description) VALUES ($1, $2, $3, $4)
     RETURNING ${CONSUMER_COLUMNS}`,
    [input.name, scopes, input.unitCode ?? null, input.description ?? null],
  );
  return row!;
}

export async function findConsumer(db: Queryable, name: string): Promise<Consumer | null> {
  const [row] = await db.query<Consumer>(`SELECT ${CONSUMER_COLUMNS} FROM consumers c WHERE c.name = $1`, [name]);
  return row ?? null;
}

async function requireConsumer(db: Queryable, name: string): Promise<Consumer> {
  const consumer = await findConsumer(db, name);
  if (!consumer) throw new ConsumerError(`no consumer named ${JSON.stringify(name)}`);
  return consumer;
}

export interface ConsumerListing extends Consumer {
  /** Keys not revoked. */
  activeKeys: number;
}

export function listConsumers(db: Queryable): Promise<ConsumerListing[]> {
  return db.query<ConsumerListing>(
    `SELECT ${CONSUMER_COLUMNS},
            (SELECT count(*)::int FROM api_keys k WHERE k.consumer_id = c.id AND k.revoked_at IS NULL) AS "activeKeys"
       FROM consumers c ORDER BY c.name`,
  );
}

/** Replaces the consumer's scopes: its keys and JWTs carry the new ones from their next request. */
export async function setConsumerScopes(
  db: Queryable,
  name: string,
  scopes: readonly string[],
): Promise<{ before: Scope[]; after: Consumer }> {
  const checked = checkScopes(scopes);
  const consumer = await requireConsumer(db, name);
  if (consumer.revokedAt) throw new ConsumerError(`consumer ${name} is revoked: its scopes no longer matter`);
  const [row] = await db.query<Consumer>(
    `UPDATE consumers c SET scopes = $2 WHERE c.id = $1 RETURNING ${CONSUMER_COLUMNS}`,
    [consumer.id, checked],
  );
  return { before: consumer.scopes, after: row! };
}

/** Revokes the consumer: every credential of it stops working at the next request. */
export async function revokeConsumer(db: Queryable, name: string): Promise<Consumer> {
  const consumer = await requireConsumer(db, name);
  if (consumer.revokedAt)
    throw new ConsumerError(`consumer ${name} was revoked already, on ${consumer.revokedAt.toISOString()}`);
  const [row] = await db.query<Consumer>(
    `UPDATE consumers c SET revoked_at = now() WHERE c.id = $1 RETURNING ${CONSUMER_COLUMNS}`,
    [consumer.id],
  );
  return row!;
}

const API_KEY = /^lgsp_([0-9a-f]{16})_([A-Za-z0-9_-]{43,128})$/;

/** SHA-256 of a text, in hex: API key secrets here; also migration checksums and GraphQL document hashes. */
export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Issues a new API key for the consumer; the returned key is the only copy of its secret. */
export async function issueApiKey(db: Queryable, consumerName: string): Promise<{ keyId: string; apiKey: string }> {
  const consumer = await requireConsumer(db, consumerName);
  if (consumer.revokedAt) throw new ConsumerError(`consumer ${consumerName} is revoked: it gets no new keys`);
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO api_keys (key_id, consumer_id, secret_sha256) VALUES ($1, $2, $3)', [
    keyId,
    consumer.id,
    sha256Hex(secret),
  ]);
  return { keyId, apiKey: `lgsp_${keyId}_${secret}` };
}

export async function revokeApiKey(db: Queryable, keyId: string): Promise<{ keyId: string; consumer: string }> {
  const [row] = await db.query<{ consumer: string; revokedAt: Date | null }>(
    `SELECT c.name AS consumer, k.revoked_at AS "revokedAt" FROM api_keys k JOIN consumers c ON c.id = k.consumer_id
      WHERE k.key_id = $1`,
    [keyId],
  );
  if (!row) throw new ConsumerError(`no API key with id ${JSON.stringify(keyId)}`);
  if (row.revokedAt) throw new ConsumerError(`API key ${keyId} was revoked already, on ${row.revokedAt.toISOString()}`);
  await db.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);
  return { keyId, consumer: row.consumer };
}

/** The key id and secret of a well-formed API key; null for anything else. */
export function parseApiKey(text: string): { keyId: string; secret: string } | null {
  const match = API_KEY.exec(text);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

export type ApiKeyCheck =
  | { ok: true; consumer: Consumer; keyId: string }
  | { ok: false; reason: 'UNKNOWN_KEY' | 'WRONG_SECRET' | 'KEY_REVOKED' | 'CONSUMER_REVOKED'; consumer?: Consumer };

/**
 * Checks an API key against the store, every time (no cache: a revocation
 * holds from the next request on). The secret's hash is compared in
 * constant time.
 */
export async function checkApiKey(db: Queryable, keyId: string, secret: string): Promise<ApiKeyCheck> {
  const [row] = await db.query<Consumer & { secretSha256: string; keyRevokedAt: Date | null; lastUsedAt: Date | null }>(
    `SELECT ${CONSUMER_COLUMNS}, k.secret_sha256 AS "secretSha256", k.revoked_at AS "keyRevokedAt",
            k.last_used_at AS "lastUsedAt"
       FROM api_keys k JOIN consumers c ON c.id = k.consumer_id WHERE k.key_id = $1`,
    [keyId],
  );
  if (!row) return { ok: false, reason: 'UNKNOWN_KEY' };
  const { secretSha256, keyRevokedAt, lastUsedAt, ...consumer } = row;
  if (!timingSafeEqual(Buffer.from(sha256Hex(secret), 'hex'), Buffer.from(secretSha256, 'hex'))) {
    return { ok: false, reason: 'WRONG_SECRET' };
  }
  if (keyRevokedAt) return { ok: false, reason: 'KEY_REVOKED', consumer };
  if (consumer.revokedAt) return { ok: false, reason: 'CONSUMER_REVOKED', consumer };
  // Last use to the minute: a write per key a minute at most, not one per request.
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > 60_000) {
    await db.query('UPDATE api_keys SET last_used_at = now() WHERE key_id = $1', [keyId]);
  }
  return { ok: true, consumer, keyId };
}

/** Revokes every key of the consumer that is not revoked yet; returns how many. */
export async function revokeKeysOf(db: Queryable, consumerName: string): Promise<number> {
  const rows = await db.query(
    `UPDATE api_keys k SET revoked_at = now() FROM consumers c
      WHERE c.id = k.consumer_id AND c.name = $1 AND k.revoked_at IS NULL RETURNING k.key_id`,
    [consumerName],
  );
  return rows.length;
}
