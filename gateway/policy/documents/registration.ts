/**
 * Registering trusted documents through a running hub: the registrar behind the registerTrustedDocuments mutation
 * (schema/trusted-documents.ts), and the mutation's own document, which `npm run documents -- register --hub` sends.
 * Both paths, the command writing the store and the mutation, check a document with the same code
 * (prepareDocument, against the schema and the hub's limits). A hub that runs trusted documents only runs the
 * mutation's document because the hub registers it at every start, as the dashboard's (gateway/main.ts).
 */
import type { DocumentToRegister, TrustedDocumentRegistrar } from '../../../schema/context.ts';
import { hubSchema } from '../../../schema/index.ts';
import type { Db } from '../../../store/db.ts';
import { registerTrustedDocuments, type Registration } from '../../../store/trusted-documents.ts';
import { createDocumentCheck, type DocumentCheck } from '../limits/document-check.ts';
import type { LimitSettings } from '../limits/settings.ts';
import { identifiedDocument, prepareDocument } from './documents-files.ts';
import type { DocumentRegistry } from './registry.ts';

/** The client the mutation's document is registered under. */
export const DOCUMENTS_CLI_CLIENT = 'documents-cli';

/** What `npm run documents -- register --hub` sends. */
export const REGISTER_DOCUMENTS = `mutation RegisterTrustedDocuments($documents: [TrustedDocumentInput!]!, $client: String) {
  registerTrustedDocuments(documents: $documents, client: $client) { id operationNames outcome }
}`;

/** The registrar of a hub: checks with the hub's limits, and tells the hub's registry what it registered. */
export function createDocumentRegistrar(
  registry: DocumentRegistry,
  limits: Partial<LimitSettings>,
): TrustedDocumentRegistrar {
  let check: DocumentCheck | undefined; // built at the first registration: it is a Yoga of its own
  return {
    prepare(documents: readonly DocumentToRegister[]) {
      check ??= createDocumentCheck(hubSchema(), limits);
      return documents.map(({ id, text }, index) => {
        const source = `documents[${index}]`;
        return prepareDocument(id ? identifiedDocument(id, text, source) : { text, source }, check!);
      });
    },
    registered: (ids) => registry.registered(ids),
  };
}

/**
 * Registers the mutation's document when missing (at a hub's start); one an operator removed stays removed, as the
 * dashboard's do.
 */
export function registerDocumentsCliDocument(db: Db, limits: Partial<LimitSettings>): Promise<Registration[]> {
  const document = prepareDocument(
    { text: REGISTER_DOCUMENTS, source: 'the registration document' },
    createDocumentCheck(hubSchema(), limits),
  );
  return registerTrustedDocuments(db, [document], DOCUMENTS_CLI_CLIENT, { restoreRemoved: false });
}
