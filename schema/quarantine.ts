import { badUserInput } from '../core/error-codes.ts';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { FEEDS_OF_SOURCE } from '../connectors/sync/feeds.ts';
import {
  discardQuarantined,
  listOpenQuarantine,
  readQuarantined,
  requeueQuarantined,
  type QuarantinedRecordRow,
} from '../store/sync.ts';
import type { Context } from './context.ts';
import { AGGREGATE_TYPE, personalData } from './authorization.ts';
import { builder } from './builder.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { SourceNameEnum } from './source.ts';

const QuarantinedRecord = builder.objectRef<QuarantinedRecordRow>('QuarantinedRecord').implement({
  ...AGGREGATE_TYPE,
  description:
    'An upstream record the hub could not accept, held until a valid version or its missing reference arrives. Needs the `read:aggregates` scope (its raw payload: `admin` and `read:pii`).',
  fields: (t) => ({
    id: t.exposeID('id', {
      description: 'The entry’s id: what retryQuarantined, discardQuarantined and `npm run quarantine` take.',
    }),
    feed: t.exposeString('feed', { description: 'e.g. one-stop-shop/dossiers' }),
    key: t.exposeString('key', {
      description: "The record's key in its upstream (or a hash of an unreadable payload).",
    }),
    reason: t.exposeString('reason', {
      description:
        'Why the hub could not accept it, naming the field: "missing field X" (absent: often renamed, see SourceFeed.lastPass.unknownFields) or "bad value: X = <value>, expected …" (personal values masked).',
    }),
    retryable: t.exposeBoolean('retryable', {
      description:
        'It refers to something the hub does not know yet and is retried on every sync pass, up to a limit of attempts (then false, the reason saying so: retry or discard it).',
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

const ID_PATTERN = /^\d{1,18}$/;

/** Quarantine is province-wide: an administrator bound to a unit subtree cannot act on it. */
function checkProvinceWide(ctx: Context, field: string) {
  if (ctx.units.root !== null) {
    throw new GraphQLError(
      `${field}: quarantined records cannot be placed in a unit, so they are for administrators of the whole province (this one sees the subtree of ${ctx.units.root})`,
      { extensions: { code: 'FORBIDDEN' } },
    );
  }
}

/** The ids as given, checked: digits only, at most 1000, at least one. */
function checkIds(ids: readonly (string | number)[]): string[] {
  const texts = [...new Set(ids.map(String))];
  const bad = texts.filter((id) => !ID_PATTERN.test(id));
  if (bad.length) throw badUserInput('ids', `not quarantine ids: ${bad.map((id) => JSON.stringify(id)).join(', ')}`);
  if (texts.length === 0) throw badUserInput('ids', 'no ids given');
  if (texts.length > 1000) throw badUserInput('ids', `at most 1000 ids at a time, not ${texts.length}`);
  return texts;
}

/** The ids that name no entry, or one that is closed (resolved, or discarded when `closedOk` is false). */
async function checkKnown(ctx: Context, ids: readonly string[], open: (row: QuarantinedRecordRow) => boolean) {
  const rows = await readQuarantined(ctx.db, ids);
  const unknown = ids.filter((id) => !rows.some((row) => row.id === id));
  if (unknown.length) throw badUserInput('ids', `no quarantine entry with id ${unknown.join(', ')}`);
  const closed = rows.filter((row) => !open(row));
  if (closed.length) {
    throw badUserInput(
      'ids',
      `not open: ${closed.map((row) => `${row.id} (${row.discardedAt ? 'discarded' : 'resolved'})`).join(', ')}`,
    );
  }
}

builder.mutationFields((t) => ({
  retryQuarantined: t.field({
    type: ['ID'],
    authScopes: { admin: true },
    description:
      'Queues quarantined records for the next sync pass, which reads each again as a fresh copy would be read: it resolves, is stored with its flaws, or is quarantined again with the reason of now. Give the entries (`ids`: open ones, or discarded ones to open again) or a `source` (all its open entries); not both. Their attempts count afresh. Needs the `admin` scope of an administrator of the whole province; written to the audit log in the same transaction (AUDIT_UNAVAILABLE: nothing queued). Returns the ids queued.',
    args: {
      ids: t.arg({ type: ['ID'], required: false, description: 'The entries (QuarantinedRecord.id).' }),
      source: t.arg({ type: SourceNameEnum, required: false, description: 'Every open entry of this source.' }),
    },
    resolve: async (_root, args, ctx) => {
      ctx.audit.usedAdmin('retryQuarantined');
      checkProvinceWide(ctx, 'retryQuarantined');
      if ((args.ids == null) === (args.source == null)) {
        throw badUserInput('ids', 'give either ids or source');
      }
      if (args.ids != null) {
        const ids = checkIds(args.ids);
        await checkKnown(ctx, ids, (row) => row.resolvedAt === null || row.discardedAt !== null);
        return ctx.audit.commitAdmin('retryQuarantined', (tx) => requeueQuarantined(tx, { ids }));
      }
      const feeds = FEEDS_OF_SOURCE[args.source!];
      return ctx.audit.commitAdmin('retryQuarantined', (tx) => requeueQuarantined(tx, { feeds }));
    },
  }),
  discardQuarantined: t.field({
    type: ['ID'],
    authScopes: { admin: true },
    description:
      'Closes open quarantine entries for good: they are not retried, not counted, and keep who discarded them, when and why. The same record received again unchanged stays discarded; a changed version of it (a different payload under the same key) opens the entry again. Needs the `admin` scope of an administrator of the whole province; written to the audit log in the same transaction (AUDIT_UNAVAILABLE: nothing discarded). An id that names no open entry is BAD_USER_INPUT, nothing discarded. Returns the ids discarded.',
    args: {
      ids: t.arg({ type: ['ID'], required: true, description: 'The entries (QuarantinedRecord.id).' }),
      reason: t.arg.string({ required: true, description: 'Why (kept with each entry): 1 to 500 characters.' }),
    },
    resolve: async (_root, args, ctx) => {
      ctx.audit.usedAdmin('discardQuarantined');
      checkProvinceWide(ctx, 'discardQuarantined');
      const reason = args.reason.normalize('NFC').trim();
      if (reason.length === 0 || reason.length > 500)
        throw badUserInput('reason', 'reason must be 1 to 500 characters');
      const ids = checkIds(args.ids);
      await checkKnown(ctx, ids, (row) => row.resolvedAt === null);
      return ctx.audit.commitAdmin('discardQuarantined', (tx) =>
        discardQuarantined(tx, ids, ctx.viewer.consumer, reason),
      );
    },
  }),
}));
