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
import { parse } from 'graphql';
import { DASHBOARD_DOCUMENTS } from '../../dashboard/documents.js';
import type { Db } from '../../../store/db.ts';
import {
  registerTrustedDocuments,
  type NewTrustedDocument,
  type Registration,
} from '../../../store/trusted-documents.ts';
import { operationNamesOf } from './documents-files.ts';

/** The client name the dashboard's documents are registered under. */
export const DASHBOARD_CLIENT = 'dashboard';

/** The dashboard's documents, ready to register. */
export const dashboardDocuments = (): NewTrustedDocument[] =>
  DASHBOARD_DOCUMENTS.map((text) => ({ document: text, operationNames: operationNamesOf(parse(text)) }));

/**
 * Registers the dashboard's documents that are missing: at start-up, `restoreRemoved` false (the default) leaves
 * a removed one removed; the CLI's `register --dashboard` passes true.
 */
export function registerDashboardDocuments(
  db: Db,
  { restoreRemoved = false }: { restoreRemoved?: boolean } = {},
): Promise<Registration[]> {
  return registerTrustedDocuments(db, dashboardDocuments(), DASHBOARD_CLIENT, { restoreRemoved });
}
