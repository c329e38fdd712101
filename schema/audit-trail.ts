/**
 * What one request read of personal data, gathered while it executes and
 * written to the audit log (store/audit.ts) once its response is ready.
 * Resolvers of personal-data fields call `readPersonalData` for each value
 * they return; admin operations call `usedAdmin` (the attempt, recorded once
 * the request has executed), and admin mutations make their change through
 * `commitAdmin`, which records it in the change's own transaction.
 */
import type { Queryable } from '../store/db.ts';

export interface PersonalDataRead {
  /** "Type.field", e.g. "Staff.fullName". */
  field: string;
  /** The record's own id (personnel number, dossier code). */
  recordId: string;
}

/** What an audit entry records of a request's trail. */
export interface AuditContents {
  readonly personalData: readonly PersonalDataRead[];
  readonly adminOperations: readonly string[];
}

/**
 * Runs `change` and appends the entry of `contents` in one transaction, so that both commit or neither does;
 * throws AUDIT_UNAVAILABLE, nothing changed, when the entry cannot be written. The gateway's audit log provides it
 * (gateway/policy/auth/audit-plugin.ts): it knows who asks, with which document, from where.
 */
export type AuditCommit = <T>(contents: AuditContents, change: (tx: Queryable) => Promise<T>) => Promise<T>;

export interface AuditTrail extends AuditContents {
  readPersonalData(field: string, recordId: string): void;
  usedAdmin(operation: string): void;
  /**
   * Makes an admin operation's change and writes its audit entry (what the trail holds, `operation` among it) in
   * one transaction: a change is never made unrecorded. Once committed, or refused because the entry cannot be
   * written, the trail starts afresh: the answer tells what happened, and nothing is recorded twice. An operation
   * whose work cannot share the transaction (syncNow's pass) calls it without a change and starts its work after:
   * recorded first, not started when the entry cannot be written.
   */
  commitAdmin<T = void>(operation: string, change?: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Sets the audit log that commitAdmin commits with: the gateway's, as the request's execution starts. */
  connect(commit: AuditCommit): void;
  /** Whether the request must be written to the audit log. */
  readonly mustRecord: boolean;
}

/** Unconnected (a trail outside a hub's execution), a trail lets no admin change be made. */
const noCommit: AuditCommit = () => Promise.reject(new Error('no audit log to record an admin change in'));

export function createAuditTrail(): AuditTrail {
  let commit = noCommit;
  const seen = new Map<string, PersonalDataRead>();
  const admin = new Set<string>();
  const forget = () => {
    seen.clear();
    admin.clear();
  };
  const trail: AuditTrail = {
    readPersonalData(field, recordId) {
      seen.set(`${field}\u0000${recordId}`, { field, recordId });
    },
    usedAdmin(operation) {
      admin.add(operation);
    },
    connect(auditLog) {
      commit = auditLog;
    },
    async commitAdmin<T>(operation: string, change?: (tx: Queryable) => Promise<T>): Promise<T> {
      admin.add(operation);
      try {
        const result = await commit(trail, change ?? (async () => undefined as T));
        forget();
        return result;
      } catch (error) {
        // When the change itself failed, the attempt stays, to be recorded after execution. When the entry could
        // not be written, the error says so: recording the same again after execution would fail as well.
        if ((error as { extensions?: { code?: unknown } }).extensions?.code === 'AUDIT_UNAVAILABLE') forget();
        throw error;
      }
    },
    get personalData() {
      return [...seen.values()];
    },
    get adminOperations() {
      return [...admin];
    },
    get mustRecord() {
      return seen.size > 0 || admin.size > 0;
    },
  };
  return trail;
}
