/**
 * The trusted documents: the GraphQL documents registered to run on a
 * production hub (store/migrations/0015_trusted_documents.sql). The id of a
 * document is the SHA-256 (hex) of its exact text, as the audit log's
 * document_hash. Removing one marks it removed and keeps the row, so the
 * audit log's hashes keep leading to the texts that ran.
 */
import { sha256Hex } from './consumers.ts';
import type { Db, Queryable } from './db.ts';

/** A refused registry operation: unknown or ambiguous id, bad client name. The message says which. */
export class TrustedDocumentError extends Error {
  override name = 'TrustedDocumentError';
}

export interface TrustedDocument {
  id: string;
  document: string;
  operationNames: string[];
  clientName: string | null;
  createdAt: Date;
  removedAt: Date | null;
}

export interface NewTrustedDocument {
  document: string;
  operationNames: readonly string[];
}

/**
 * What registering did to each document: added, already there, brought back after a removal, or (when restoring
 * was not asked for) left removed.
 */
export type Registration = {
  id: string;
  operationNames: string[];
  outcome: 'added' | 'unchanged' | 'restored' | 'left-removed';
};

/** A document id: SHA-256 of the text, lower-case hex. */
export const documentIdOf = (text: string): string => sha256Hex(text);

export const DOCUMENT_ID = /^[0-9a-f]{64}$/;
export const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

const COLUMNS = `id, document, operation_names AS "operationNames", client_name AS "clientName",
  created_at AS "createdAt", removed_at AS "removedAt"`;

/** Refuses a client name that is not 1–128 letters, digits or . _ : @ - (TrustedDocumentError). */
export function checkClientName(clientName: string | null): void {
  if (clientName !== null && !CLIENT_NAME.test(clientName)) {
    throw new TrustedDocumentError(
      `client name ${JSON.stringify(clientName)} must be 1–128 letters, digits or . _ : @ - (starting with a letter or digit)`,
    );
  }
}

/**
 * Registers the documents for `clientName`, in one transaction: a new one is
 * added, a removed one restored (its client and time of registration kept;
 * unless `restoreRemoved` is false: then it stays removed), one already
 * registered left as it is. Idempotent.
 */
export function registerTrustedDocuments(
  db: Db,
  documents: readonly NewTrustedDocument[],
  clientName: string | null = null,
  options: { restoreRemoved?: boolean } = {},
): Promise<Registration[]> {
  checkClientName(clientName);
  return db.transaction((tx) => registerTrustedDocumentsIn(tx, documents, clientName, options));
}

/** registerTrustedDocuments in a transaction of the caller's (an admin mutation's, with its audit entry). */
export async function registerTrustedDocumentsIn(
  tx: Queryable,
  documents: readonly NewTrustedDocument[],
  clientName: string | null,
  { restoreRemoved = true }: { restoreRemoved?: boolean } = {},
): Promise<Registration[]> {
  checkClientName(clientName);
  const registrations: Registration[] = [];
  for (const { document, operationNames } of documents) {
    const id = documentIdOf(document);
    const [existing] = await tx.query<{ removedAt: Date | null }>(
      'SELECT removed_at AS "removedAt" FROM trusted_documents WHERE id = $1 FOR UPDATE',
      [id],
    );
    let outcome: Registration['outcome'] = 'unchanged';
    if (!existing) {
      await tx.query(
        `INSERT INTO trusted_documents (id, document, operation_names, client_name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [id, document, [...operationNames], clientName],
      );
      outcome = 'added';
    } else if (existing.removedAt && !restoreRemoved) {
      outcome = 'left-removed';
    } else if (existing.removedAt) {
      await tx.query('UPDATE trusted_documents SET removed_at = NULL WHERE id = $1', [id]);
      outcome = 'restored';
    }
    registrations.push({ id, operationNames: [...operationNames], outcome });
  }
  return registrations;
}

/** The text of the registered (not removed) document with this id; null for any other id. */
export async function findTrustedDocument(db: Queryable, id: string): Promise<string | null> {
  if (!DOCUMENT_ID.test(id)) return null;
  const [row] = await db.query<{ document: string }>(
    'SELECT document FROM trusted_documents WHERE id = $1 AND removed_at IS NULL',
    [id],
  );
  return row?.document ?? null;
}

/** Every document, registered first, removed ones too (with removedAt), oldest first. */
export function listTrustedDocuments(db: Queryable): Promise<TrustedDocument[]> {
  return db.query<TrustedDocument>(
    `SELECT ${COLUMNS} FROM trusted_documents ORDER BY removed_at IS NOT NULL, created_at, id`,
  );
}

/**
 * Removes the registered document whose id is `id` or starts with it (at
 * least 8 hex digits, naming one document). Hubs stop running it once their
 * cached copy expires (TRUSTED_DOCUMENTS_CACHE_SECONDS).
 */
export async function removeTrustedDocument(db: Queryable, id: string): Promise<TrustedDocument> {
  const prefix = id.toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(prefix)) {
    throw new TrustedDocumentError(`${JSON.stringify(id)} is not a document id (8 to 64 hex digits of its SHA-256)`);
  }
  const rows = await db.query<TrustedDocument>(
    `SELECT ${COLUMNS} FROM trusted_documents WHERE id LIKE $1 || '%' ORDER BY id LIMIT 2`,
    [prefix],
  );
  if (rows.length === 0) throw new TrustedDocumentError(`no trusted document with id ${prefix}`);
  if (rows.length > 1) throw new TrustedDocumentError(`${prefix} names more than one document: give more of its id`);
  const document = rows[0]!;
  if (document.removedAt) {
    throw new TrustedDocumentError(
      `document ${document.id} was removed already, on ${document.removedAt.toISOString()}`,
    );
  }
  const [removed] = await db.query<TrustedDocument>(
    `UPDATE trusted_documents SET removed_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [document.id],
  );
  return removed!;
}
