/**
 * The hub's own dashboard (gateway/dashboard) sends its documents as text;
 * a production hub runs them because they are registered, by the hub itself,
 * at every start (gateway/main.ts calls this after migrating). A start only
 * adds the ones missing: one an operator removed (`npm run documents --
 * remove`) stays removed, whatever restarts; `npm run documents -- register
 * --dashboard` brings the removed ones back.
 * A new hub version whose dashboard changed a document registers the new
 * text; the old one stays registered until removed (instances of the old
 * version may still serve it during a rolling update).
 */
import { DASHBOARD_DOCUMENTS } from '../../dashboard/documents.js';
import type { Db } from '../../../store/db.ts';
import {
  registerTrustedDocuments,
  type NewTrustedDocument,
  type Registration,
} from '../../../store/trusted-documents.ts';
import { hubSchema } from '../../../schema/index.ts';
import { createDocumentCheck } from '../limits/document-check.ts';
import type { LimitSettings } from '../limits/settings.ts';
import { prepareDocument } from './documents-files.ts';

/** The client name the dashboard's documents are registered under. */
export const DASHBOARD_CLIENT = 'dashboard';

/**
 * The dashboard's documents, ready to register: checked as any document registered is, against the limits the hub
 * runs with (a TrustedDocumentError names the document and the limit it breaks).
 */
export const dashboardDocuments = (limits?: Partial<LimitSettings>): NewTrustedDocument[] => {
  const check = createDocumentCheck(hubSchema(), limits);
  return DASHBOARD_DOCUMENTS.map((text, index) =>
    prepareDocument({ text, source: `the dashboard's document ${index + 1}` }, check),
  );
};

/**
 * Registers the dashboard's documents that are missing: at start-up, `restoreRemoved` false (the default) leaves
 * a removed one removed; the CLI's `register --dashboard` passes true. `limits`: the hub's (the defaults when not
 * given); a document they refuse is not registered, nor is any other (TrustedDocumentError).
 */
export function registerDashboardDocuments(
  db: Db,
  { restoreRemoved = false, limits }: { restoreRemoved?: boolean; limits?: Partial<LimitSettings> } = {},
): Promise<Registration[]> {
  return registerTrustedDocuments(db, dashboardDocuments(limits), DASHBOARD_CLIENT, { restoreRemoved });
}
