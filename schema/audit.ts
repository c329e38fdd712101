import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { listAuditEntries, verifyAuditChain, type AuditChainStatus, type AuditEntry } from '../store/audit.ts';
import { requireWholeProvince } from './authorization.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';

interface PersonalDataAccess {
  field: string;
  recordIds: string[];
}

const PersonalDataAccessRef = builder.objectRef<PersonalDataAccess>('PersonalDataAccess').implement({
  description: 'One personal-data field a request returned, and whose.',
  fields: (t) => ({
    field: t.exposeString('field', { description: '"Type.field", e.g. "Staff.fullName".' }),
    recordIds: t.exposeStringList('recordIds', {
      description: "The records' own ids (personnel number, dossier code) whose value was returned.",
    }),
  }),
});

const CredentialEnum = builder.enumType('Credential', {
  description: 'How a consumer proved who it is.',
  values: {
    API_KEY: { description: 'A hub API key.' },
    JWT: { description: 'A JWT from the configured issuer.' },
    ANONYMOUS: { description: 'None: the anonymous developer of development mode.' },
  } as const,
});

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description:
    'A request that read personal data or ran an admin operation. Entries are hash-chained: see auditChainStatus.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Position in the log: 1, 2, 3 … without gaps.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the request was answered.' }),
    consumer: t.exposeString('consumer', { description: "The consumer's name (anonymous in development mode)." }),
    consumerId: t.exposeString('consumerId', { nullable: true, description: "The consumer's id; null for anonymous." }),
    credential: t.expose('credential', { type: CredentialEnum, description: 'How the consumer authenticated.' }),
    operationName: t.exposeString('operationName', { nullable: true, description: 'As sent; null when unnamed.' }),
    documentHash: t.exposeString('documentHash', { description: "SHA-256 (hex) of the request's GraphQL document." }),
    personalData: t.field({
      type: [PersonalDataAccessRef],
      description: 'The personal-data fields returned and the records they belong to.',
      resolve: (entry) => Object.entries(entry.personalData).map(([field, recordIds]) => ({ field, recordIds })),
    }),
    adminOperations: t.exposeStringList('adminOperations', { description: 'Admin operations the request ran.' }),
    clientAddress: t.exposeString('clientAddress', { nullable: true, description: "The client's IP address." }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The x-request-id of the request.' }),
    keyed: t.exposeBoolean('keyed', {
      description: "The hash is an HMAC with the hub's AUDIT_KEY (else plain SHA-256).",
    }),
    prevHash: t.exposeString('prevHash', { description: "The previous entry's hash (64 zeros for the first)." }),
    hash: t.exposeString('hash', { description: 'Hash of prevHash and this entry.' }),
  }),
});

const AuditChainStatusRef = builder.objectRef<AuditChainStatus>('AuditChainStatus').implement({
  description: 'Whether the audit log is intact: every entry in order, linked to the previous one and unchanged.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'The chain verifies from the first entry to audit_head.' }),
    checked: t.exposeInt('checked', { description: 'Entries checked (up to the first broken one).' }),
    headId: t.exposeString('headId', { description: 'The last entry, as the head records it.' }),
    headHash: t.exposeString('headHash', {
      description: "The last entry's hash: kept outside the hub, it also reveals a cut-off tail.",
    }),
    brokenAt: t.exposeString('brokenAt', { nullable: true, description: 'The first entry that fails; null if none.' }),
    problem: t.exposeString('problem', { nullable: true, description: 'What is wrong there.' }),
    unkeyed: t.exposeInt('unkeyed', {
      description: 'Entries hashed without AUDIT_KEY, which someone with database access could rewrite unnoticed.',
    }),
  }),
});

/** The log names every consumer's reads across the province: a district must not learn another's, even with `admin`. */
const AUDIT_LOG = "the audit log names every consumer's reads";

builder.queryFields((t) => ({
  auditLog: t.connection(
    {
      type: AuditEntryRef,
      authScopes: { admin: true },
      description: `The audit log, newest first, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}). Needs the \`admin\` scope and a consumer that sees the whole province (one bound to a unit subtree is refused: FORBIDDEN); reading it is itself recorded.`,
      args: { consumer: t.arg.string({ required: false, description: "Only this consumer's entries." }) },
      resolve: async (_root, args, ctx) => {
        requireWholeProvince(ctx, 'auditLog', AUDIT_LOG);
        checkPageSize(args);
        if (args.last != null || args.before != null) {
          throw new GraphQLError('auditLog pages forward only: use first and after', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const after = decodeCursor(args.after);
        if (after !== undefined && !/^\d{1,18}$/.test(after)) {
          throw new GraphQLError(`Invalid cursor: ${JSON.stringify(args.after)}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        // Who looked at the log (and so at whose records were read) is recorded too.
        ctx.audit.usedAdmin('auditLog');
        return resolveCursorConnection<Promise<AuditEntry[]>>(
          {
            args,
            toCursor: (entry: AuditEntry) => encodeCursor(entry.id),
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
          },
          ({ limit }) => listAuditEntries(ctx.db, { consumer: args.consumer, beforeId: after ?? null, limit }),
        );
      },
    },
    { name: 'AuditEntryConnection' },
    { name: 'AuditEntryEdge' },
  ),
  auditChainStatus: t.field({
    type: AuditChainStatusRef,
    authScopes: { admin: true },
    description:
      "Verifies the audit log's hash chain now (as `npm run audit:verify` does). Needs the `admin` scope and a consumer that sees the whole province (FORBIDDEN otherwise); asking is itself recorded.",
    resolve: (_root, _args, ctx) => {
      requireWholeProvince(ctx, 'auditChainStatus', AUDIT_LOG);
      ctx.audit.usedAdmin('auditChainStatus');
      return verifyAuditChain(ctx.db, ctx.auditKey);
    },
  }),
}));
