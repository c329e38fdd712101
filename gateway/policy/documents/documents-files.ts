/**
 * The documents to register (`npm run documents`), from files as clients' build tools write them: a `*.graphql` /
 * `*.gql` file is one document, the whole file as it is; a `*.json` file is a manifest of persisted documents. An id is
 * always the SHA-256 of the exact text, since the hub looks documents up by that hash: a client that sends the text
 * must send exactly the file's. Every document is parsed, validated against the hub's schema and checked against the
 * limits requests meet before anything is registered: one that cannot run is refused with its file and the reason
 * (a limit's code and message among them), and nothing is registered.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Kind, type DocumentNode, type GraphQLError } from 'graphql';
import type { DocumentCheck } from '../limits/document-check.ts';
import { documentIdOf, TrustedDocumentError, type NewTrustedDocument } from '../../../store/trusted-documents.ts';
import { withoutSha256Prefix } from './policy.ts';

export interface DocumentText {
  text: string;
  /** Where it came from, for messages: a file, or a file and a manifest key. */
  source: string;
}

/** The names of a document's operations, in order (anonymous ones left out). */
export function operationNamesOf(document: DocumentNode): string[] {
  return document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );
}

/** Yoga's codes for any syntax or schema error: the message says it all. */
const GENERIC_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/** An error's message, after its code when the code says more (a limit's: QUERY_TOO_DEEP …). */
function described(error: GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' && !GENERIC_CODES.has(code) ? `${code}: ${error.message}` : error.message;
}

/**
 * A document ready to register: it parses, has an operation, validates against the schema and meets the limits
 * every request meets (gateway/policy/limits/document-check.ts), so that no request of it is sure to be refused.
 */
export function prepareDocument({ text, source }: DocumentText, check: DocumentCheck): NewTrustedDocument {
  let document: DocumentNode;
  try {
    document = check.parse(text);
  } catch (error) {
    throw new TrustedDocumentError(`${source}: ${described(error as GraphQLError)}`);
  }
  if (!document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) {
    throw new TrustedDocumentError(`${source}: the document has no operation (fragments alone cannot run)`);
  }
  const errors = check.validate(document);
  if (errors.length > 0) {
    throw new TrustedDocumentError(`${source}: does not validate: ${errors.map(described).join('; ')}`);
  }
  const refusal = check.refusal(document);
  if (refusal) throw new TrustedDocumentError(`${source}: every request of it would be refused: ${described(refusal)}`);
  return { document: text, operationNames: operationNamesOf(document) };
}

/**
 * A manifest's documents: graphql-codegen's client preset (`{ "sha256:<hex>": "<document>", … }` with hashAlgorithm
 * 'sha256', or bare hex keys)
 * or Apollo's (`{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "body", … }] }`).
 */
function manifestEntries(manifest: unknown, file: string): DocumentText[] {
  const fail = (why: string): never => {
    throw new TrustedDocumentError(`${file}: ${why}`);
  };
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return fail('a manifest is a JSON object');
  }
  const entries: [string, unknown][] =
    (manifest as { format?: unknown }).format === 'apollo-persisted-query-manifest'
      ? (((manifest as { operations?: unknown }).operations as { id?: unknown; body?: unknown }[] | undefined)?.map(
          (operation) => [String(operation?.id), operation?.body],
        ) ?? fail('an Apollo manifest needs an "operations" list'))
      : Object.entries(manifest);
  return entries.map(([id, text]) => {
    if (typeof text !== 'string') return fail(`the document of ${JSON.stringify(id)} is not a string`);
    return identifiedDocument(id, text, `${file} ${JSON.stringify(id)}`);
  });
}

/**
 * A document given with its id (a manifest's key, an entry of the registerTrustedDocuments mutation): the id,
 * "sha256:<hex>" as graphql-codegen's client preset writes it or the bare hex, must be the SHA-256 of the exact text.
 */
export function identifiedDocument(id: string, text: string, source: string): DocumentText {
  const hash = documentIdOf(text);
  if (withoutSha256Prefix(id) !== hash) {
    throw new TrustedDocumentError(
      `${source}: ${JSON.stringify(id)} is not the SHA-256 of its document (it is ${hash}): generate the ` +
        "manifest with SHA-256 ids (graphql-codegen: persistedDocuments: { hashAlgorithm: 'sha256' })",
    );
  }
  return { text, source };
}

/** The documents of the given files (see above); throws TrustedDocumentError naming the file. */
export function readDocumentFiles(paths: readonly string[]): DocumentText[] {
  return paths.flatMap((file) => {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new TrustedDocumentError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const extension = extname(file).toLowerCase();
    if (extension === '.graphql' || extension === '.gql') return [{ text: content, source: file }];
    if (extension === '.json') {
      let manifest: unknown;
      try {
        manifest = JSON.parse(content);
      } catch (error) {
        throw new TrustedDocumentError(`${file}: not JSON: ${(error as Error).message}`);
      }
      return manifestEntries(manifest, file);
    }
    throw new TrustedDocumentError(`${file}: expected a .graphql or .gql document, or a .json manifest`);
  });
}
