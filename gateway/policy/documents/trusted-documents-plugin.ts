/**
 * Trusted documents' parameters on Yoga's HTTP path: `documentId` is let
 * through Yoga's parameter check, and read off the URL of a GET (Yoga's GET
 * parser keeps only GraphQL's four parameters). Admission's Yoga plugin
 * (gateway/policy/admission-http.ts) names a request's document with them.
 */
import { namedDocument, requestedDocumentId, type DocumentParams, type NamedDocument } from './policy.ts';

/** Request parameters beyond GraphQL's own four that Yoga must let through. */
export const DOCUMENT_PARAM_NAMES = ['documentId'];

/** The document a request over HTTP names (policy.ts namedDocument), its GET's documentId included. */
export function documentOfRequest(params: DocumentParams, request: Request): NamedDocument | null {
  let id = requestedDocumentId(params);
  if (params.documentId === undefined && request.method === 'GET') {
    const documentId = new URL(request.url).searchParams.get('documentId');
    if (documentId) id = requestedDocumentId({ ...params, documentId });
  }
  return namedDocument(params, id);
}
