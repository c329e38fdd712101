/**
 * registerTrustedDocuments: registering trusted documents on a running hub (`npm run documents -- register --hub`),
 * so a new document needs no restart and no access to the store. The documents are checked as the command checks
 * them when it writes the store itself (the hub's registrar, gateway/policy/documents/registration.ts), and written
 * with the audit entry in one transaction.
 */
import { GraphQLError } from 'graphql';
import {
  checkClientName,
  registerTrustedDocumentsIn,
  TrustedDocumentError,
  type Registration,
} from '../store/trusted-documents.ts';
import { requireWholeProvince } from './authorization.ts';
import { builder } from './builder.ts';
import { describedValues } from './enum-values.ts';

const TrustedDocumentInput = builder.inputType('TrustedDocumentInput', {
  description: 'A GraphQL document to register, as a client sends it.',
  fields: (t) => ({
    id: t.string({
      description:
        'The id the client knows it by: "sha256:<hex>" (graphql-codegen’s client preset) or the hex alone; when given, it must be the SHA-256 of `text`.',
    }),
    text: t.string({ required: true, description: 'The exact text the client sends, or whose id it sends.' }),
  }),
});

const OUTCOMES = ['ADDED', 'UNCHANGED', 'RESTORED'] as const;
const TrustedDocumentOutcome = builder.enumType('TrustedDocumentOutcome', {
  description: 'What registering did to a document.',
  values: describedValues(OUTCOMES, {
    ADDED: 'It was not registered: it is now.',
    UNCHANGED: 'It was registered already.',
    RESTORED: 'It had been removed: it is registered again.',
  }),
});

const TrustedDocumentRegistration = builder.objectRef<Registration>('TrustedDocumentRegistration').implement({
  description: 'A document registered as trusted: it runs on hubs that run trusted documents only.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The SHA-256 of its text (hex), as requests name it (documentId).' }),
    operationNames: t.exposeStringList('operationNames', { description: 'Its named operations, in order.' }),
    outcome: t.field({
      type: TrustedDocumentOutcome,
      description: 'What registering did.',
      // The mutation restores removed documents: 'left-removed' never comes back from it.
      resolve: ({ outcome }) => (outcome === 'restored' ? 'RESTORED' : outcome === 'added' ? 'ADDED' : 'UNCHANGED'),
    }),
  }),
});

/** `work`, its TrustedDocumentError a BAD_USER_INPUT of `argument`: the message names the document and the reason. */
function checked<T>(argument: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof TrustedDocumentError)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argument } });
  }
}

builder.mutationFields((t) => ({
  registerTrustedDocuments: t.field({
    type: [TrustedDocumentRegistration],
    authScopes: { admin: true },
    description:
      'Registers GraphQL documents as trusted, as `npm run documents -- register` does (needs the `admin` scope and a consumer that sees the whole province, FORBIDDEN otherwise; written to the audit log in the same transaction): each is checked against the schema and the limits every request meets, and none is registered when one fails (BAD_USER_INPUT naming it and why). Idempotent; a removed document is restored. A document registered runs at once on this instance, within 5 s on other instances.',
    args: {
      documents: t.arg({ type: [TrustedDocumentInput], required: true, description: 'The documents.' }),
      client: t.arg.string({ description: 'The client they belong to (for `npm run documents -- list`).' }),
    },
    resolve: async (_root, { documents, client = null }, ctx) => {
      ctx.audit.usedAdmin('registerTrustedDocuments');
      requireWholeProvince(ctx, 'registerTrustedDocuments', 'any consumer may run a trusted document');
      const registrar = ctx.documents;
      if (!registrar) throw new GraphQLError('This hub cannot register trusted documents.');
      checked('client', () => checkClientName(client ?? null));
      const prepared = checked('documents', () => registrar.prepare(documents));
      const registrations = await ctx.audit.commitAdmin('registerTrustedDocuments', (tx) =>
        registerTrustedDocumentsIn(tx, prepared, client ?? null),
      );
      registrar.registered(registrations.map((r) => r.id));
      return registrations;
    },
  }),
}));
