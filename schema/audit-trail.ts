/**
 * What one request read of personal data, gathered while it executes and
 * written to the audit log (store/audit.ts) once its response is ready.
 * Resolvers of personal-data fields call `readPersonalData` for each value
 * they return; admin mutations call `usedAdmin`.
 */
export interface PersonalDataRead {
  /** "Type.field", e.g. "Staff.fullName". */
  field: string;
  /** The record's own id (personnel number, dossier code). */
  recordId: string;
}

export interface AuditTrail {
  readPersonalData(field: string, recordId: string): void;
  usedAdmin(operation: string): void;
  /** Distinct reads, in first-seen order. */
  readonly personalData: readonly PersonalDataRead[];
  readonly adminOperations: readonly string[];
  /** Whether the request must be written to the audit log. */
  readonly mustRecord: boolean;
}

export function createAuditTrail(): AuditTrail {
  const seen = new Map<string, PersonalDataRead>();
  const admin = new Set<string>();
  return {
    readPersonalData(field, recordId) {
      seen.set(`${field}\u0000${recordId}`, { field, recordId });
    },
    usedAdmin(operation) {
      admin.add(operation);
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
}
