/**
 * Who may see what: the scopes a consumer can hold, and the unit-subtree
 * check every unit-scoped read goes through. The consumers, their
 * credentials and the audit log live in store/consumers.ts and
 * store/audit.ts; this file is what the schema needs of them.
 */
import type { Queryable } from './db.ts';

/** The scopes a consumer can be granted (Decree 13/2023 personal data needs `read:pii`). */
export const SCOPES = [
  'read:aggregates',
  'read:dossiers',
  'read:staff',
  'read:finance',
  'read:pii',
  'subscribe',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** The scopes an anonymous request gets in development mode: every read scope but personal data and admin. */
export const DEVELOPMENT_ANONYMOUS_SCOPES: readonly Scope[] = [
  'read:aggregates',
  'read:dossiers',
  'read:staff',
  'read:finance',
  'subscribe',
];

/** The consumer a request acts as, once its credential has been checked. */
export interface Viewer {
  /** The registered consumer's name; "anonymous" for a development request without credentials. */
  consumer: string;
  /** consumers.id; null for the anonymous development consumer. */
  consumerId: string | null;
  credential: 'API_KEY' | 'JWT' | 'ANONYMOUS';
  scopes: ReadonlySet<Scope>;
  /** The root of the unit subtree the consumer may see; null: the whole province. */
  unitCode: string | null;
  /**
   * Which credential: the API key's id, or a digest of the JWT. Two requests
   * of one consumer with different keys differ here (a shared SSE stream is
   * shared per credential, so revoking one key ends only its streams).
   */
  credentialId?: string;
  /** When the credential stops being valid (a JWT's exp); a long-lived subscription ends then. */
  expiresAt?: Date;
}

/** A development request without credentials: every read scope but personal data and admin. */
export const ANONYMOUS_DEVELOPER: Viewer = {
  consumer: 'anonymous',
  consumerId: null,
  credential: 'ANONYMOUS',
  scopes: new Set(DEVELOPMENT_ANONYMOUS_SCOPES),
  unitCode: null,
};

/**
 * Turns a request's credential into the consumer it acts as (the hub's is
 * gateway/policy/auth/authenticate.ts's); throws a GraphQLError
 * (UNAUTHENTICATED, HTTP 401) for a bad or, in production, a missing one.
 */
export type Authenticate = (request: Request) => Promise<Viewer>;

/** Of the codes, those of units the store holds. */
export async function unitsKnown(db: Queryable, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1::text[])', [codes]);
  return new Set(rows.map((row) => row.code));
}

/** Of the codes, those inside the subtree rooted at `root` (the root included), by the unit_tree closure. */
export async function unitsWithin(db: Queryable, root: string, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.query<{ code: string }>(
    'SELECT unit_code AS code FROM unit_tree WHERE ancestor_code = $1 AND unit_code = ANY($2::text[])',
    [root, codes],
  );
  return new Set(rows.map((row) => row.code));
}
