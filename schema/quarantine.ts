import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { FEEDS_OF_SOURCE } from '../connectors/sync/feeds.ts';
import { listOpenQuarantine, type QuarantinedRecordRow } from '../store/sync.ts';
import { AGGREGATE_TYPE, personalData } from './authorization.ts';
import { builder } from './builder.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { SourceNameEnum } from './source.ts';

const QuarantinedRecord = builder.objectRef<QuarantinedRecordRow>('QuarantinedRecord').implement({
  ...AGGREGATE_TYPE,
  description:
    'An upstream record the hub could not accept, held until a valid version or its missing reference arrives. Needs the `read:aggregates` scope (its raw payload: `admin` and `read:pii`).',
  fields: (t) => ({
    feed: t.exposeString('feed', { description: 'e.g. one-stop-shop/dossiers' }),
    key: t.exposeString('key', {
      description: "The record's key in its upstream (or a hash of an unreadable payload).",
    }),
    reason: t.exposeString('reason', { description: 'Why the hub could not accept it.' }),
    retryable: t.exposeBoolean('retryable', {
      description: 'It refers to something the hub does not know yet and is retried on every sync pass.',
    }),
    attempts: t.exposeInt('attempts', { description: 'How many times it has been received or retried.' }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'When it was first quarantined.' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'When it was last received or retried.' }),
    rawPayload: t.string({
      nullable: true,
      // An upstream record as received holds its personal data unmasked (an applicant's name and phone, a birth date).
      authScopes: { $all: { admin: true, 'read:pii': true } },
      description:
        'The record exactly as received. It may hold personal data: it needs both the `admin` and the `read:pii` scope (null with a FORBIDDEN error otherwise), and each payload returned is written to the audit log.',
      resolve: (record, _args, ctx) =>
        personalData(ctx, 'QuarantinedRecord.rawPayload', `${record.feed}/${record.key}`, record.rawPayload),
    }),
  }),
});

builder.queryFields((t) => ({
  quarantine: t.connection(
    {
      type: QuarantinedRecord,
      authScopes: { 'read:aggregates': true },
      description: `Records of a source held in quarantine now, newest first, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}). For consumers that see the whole province only: a record the hub could not accept cannot be placed in a unit with any certainty, so a consumer bound to a unit subtree is refused (FORBIDDEN).`,
      args: { source: t.arg({ type: SourceNameEnum, required: true, description: 'Whose records.' }) },
      resolve: async (_root, args, ctx) => {
        if (ctx.units.root !== null) {
          throw new GraphQLError(
            `quarantine: quarantined records cannot be placed in a unit, so they are for consumers that see the whole province (this one sees the subtree of ${ctx.units.root})`,
            { extensions: { code: 'FORBIDDEN' } },
          );
        }
        checkPageSize(args);
        if (args.last != null || args.before != null) {
          throw new GraphQLError('quarantine pages forward only: use first and after', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const after = decodeCursor(args.after);
        if (after !== undefined && !/^\d{1,18}$/.test(after)) {
          throw new GraphQLError(`Invalid cursor: ${JSON.stringify(args.after)}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        return resolveCursorConnection<Promise<QuarantinedRecordRow[]>>(
          {
            args,
            toCursor: (row: QuarantinedRecordRow) => encodeCursor(row.id),
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
          },
          ({ limit }) => listOpenQuarantine(ctx.db, FEEDS_OF_SOURCE[args.source], after ?? null, limit),
        );
      },
    },
    { name: 'QuarantinedRecordConnection' },
    { name: 'QuarantinedRecordEdge' },
  ),
}));
