/**
 * Writes the audit log: once a request has executed, if its resolvers read
 * personal data or ran an admin operation (context.audit, see
 * schema/audit-trail.ts), one entry with who, what and from where. A
 * subscription writes one entry per event that read personal data.
 *
 * Fail closed: when the entry cannot be written, the response loses its data
 * and carries an error instead, so no personal data leaves without a trace.
 * An admin mutation's change is written with its entry, in one transaction
 * (AuditTrail.commitAdmin): when the entry cannot be written, nothing is
 * changed and the answer says so.
 */
import type { IncomingMessage } from 'node:http';
import { getOperationAST, print, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { appendAuditEntry, appendAuditEntryIn, type AuditEntryInput } from '../../../store/audit.ts';
import { sha256Hex } from '../../../store/consumers.ts';
import type { Db } from '../../../store/db.ts';
import { createAuditTrail, type AuditCommit, type AuditContents } from '../../../schema/audit-trail.ts';
import type { Context } from '../../../schema/index.ts';
import type { Config } from '../../config.ts';
import { requestScope } from '../../../core/logger.ts';
import { hubError } from '../../../core/error-codes.ts';

export type AuditConfig = Pick<Config, 'AUDIT_KEY' | 'TRUST_PROXY'>;

/** What Yoga's context holds besides ours: the GraphQL parameters and, over node:http, the request. */
type ServedContext = Context & { params?: { query?: string }; req?: IncomingMessage };

const auditUnavailable = () =>
  hubError('AUDIT_UNAVAILABLE', 'the audit log cannot record this request, so its data is withheld; try again later');
const changeNotMade = () =>
  hubError('AUDIT_UNAVAILABLE', 'the audit log cannot record this change, so nothing was changed; try again later');

export function clientAddress(req: IncomingMessage | undefined, trustProxy: boolean): string | null {
  if (!req) return null;
  const forwarded = req.headers['x-forwarded-for'];
  // Behind a trusted proxy the first address of X-Forwarded-For is the client; otherwise anyone could write it.
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0]!.trim();
  return req.socket?.remoteAddress ?? null;
}

export function useAuditLog({ db, logger, config }: { db: Db; logger: Logger; config: AuditConfig }): Plugin<Context> {
  function entryOf(context: ServedContext, trail: AuditContents, operationName: string | null, documentHash: string) {
    const personalData: Record<string, string[]> = {};
    for (const { field, recordId } of trail.personalData) (personalData[field] ??= []).push(recordId);
    return {
      at: new Date(),
      consumer: context.viewer.consumer,
      consumerId: context.viewer.consumerId,
      credential: context.viewer.credential,
      operationName,
      documentHash,
      personalData,
      adminOperations: [...trail.adminOperations],
      clientAddress: clientAddress(context.req, config.TRUST_PROXY),
      requestId: requestScope.getStore()?.requestId ?? null,
    } satisfies AuditEntryInput;
  }

  /** Records the request's audit trail if it must be; on failure replaces the result with an error. */
  async function record(
    context: ServedContext,
    operationName: string | null,
    documentHash: string,
    setResult: (result: ExecutionResult) => void,
  ) {
    if (!context.audit.mustRecord) return;
    const entry = entryOf(context, context.audit, operationName, documentHash);
    try {
      await appendAuditEntry(db, entry, config.AUDIT_KEY);
    } catch (error) {
      logger.error(
        { err: error, consumer: entry.consumer, operationName, personalDataFields: Object.keys(entry.personalData) },
        'audit log write failed: response withheld',
      );
      setResult({ errors: [auditUnavailable()] });
    }
  }

  /** An admin change and its entry in one transaction: the change first, so the head stays locked the least. */
  const commitFor =
    (context: ServedContext, operationName: string | null, documentHash: string): AuditCommit =>
    (trail, change) =>
      db.transaction(async (tx) => {
        const result = await change(tx);
        const entry = entryOf(context, trail, operationName, documentHash);
        try {
          await appendAuditEntryIn(tx, entry, config.AUDIT_KEY);
        } catch (error) {
          logger.error(
            { err: error, consumer: entry.consumer, operationName, adminOperations: entry.adminOperations },
            'audit log write failed: admin change not made',
          );
          throw changeNotMade();
        }
        return result;
      });

  /** The operation's name as written in the document (clients seldom send operationName for a single operation). */
  const operationNameOf = (document: DocumentNode, operationName: string | null | undefined) =>
    getOperationAST(document, operationName)?.name?.value ?? null;

  const documentHashOf = (context: ServedContext, document: DocumentNode) =>
    // The text as sent when there is one (HTTP); the printed document otherwise (e.g. a persisted one).
    sha256Hex(typeof context.params?.query === 'string' ? context.params.query : print(document));

  return {
    onContextBuilding({ extendContext }) {
      extendContext({ auditKey: config.AUDIT_KEY });
    },
    onExecute({ args }) {
      const context = args.contextValue as ServedContext;
      const hash = documentHashOf(context, args.document);
      const operationName = operationNameOf(args.document, args.operationName);
      const commit = commitFor(context, operationName, hash);
      // Not a new trail: other plugins' onExecute may have written to the context's already.
      context.audit.connect(commit);
      return {
        async onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) return record(context, operationName, hash, setResult);
          // Incremental delivery (@defer/@stream): whatever was read by the time each part is ready.
          return {
            onNext: async (part) => {
              await record(context, operationName, hash, part.setResult);
              context.audit = createAuditTrail();
              context.audit.connect(commit);
            },
          };
        },
      };
    },
    onSubscribe({ args }) {
      return {
        onSubscribeResult() {
          const context = args.contextValue as ServedContext;
          const hash = documentHashOf(context, args.document);
          const operationName = operationNameOf(args.document, args.operationName);
          return {
            // Events are executed one after the other: what the trail holds now is this event's reads.
            onNext: async ({ setResult }) => {
              await record(context, operationName, hash, setResult);
              context.audit = createAuditTrail();
            },
          };
        },
      };
    },
  };
}
