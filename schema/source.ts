import { countFlawedRecordsByFeed } from '../store/flaws.ts';
import { GraphQLError } from 'graphql';
import { SOURCE_NAMES, type SourceName } from '../connectors/feed.ts';
import { SyncBusyError } from '../connectors/sync/engine.ts';
import { FEEDS_OF_SOURCE } from '../connectors/sync/feeds.ts';
import { contractVersionOf } from '../connectors/contract-versions.ts';
import { describePosition, resetPosition, sourceOfFeed } from '../connectors/sync/positions.ts';
import type { Queryable } from '../store/db.ts';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { countOpenQuarantine, listSyncRuns, readFeedStates, type FeedState, type SyncRunRow } from '../store/sync.ts';
import { historyCoverage } from '../store/history.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { SourceHistory } from './source-history.ts';
import { SyncRun } from './sync-run.ts';
import { DEFAULT_DEGRADED_ABOVE_PERCENT, feedDataHealth, statusOf } from '../live/sources.ts';
import { builder } from './builder.ts';
import { FeedPass } from './feed-pass.ts';
import { SourceStatusEnum } from './live/enums.ts';
import { describedValues } from './enum-values.ts';
import type { Context } from './context.ts';

export const SourceNameEnum = builder.enumType('SourceName', {
  description: 'The upstream systems the hub pulls from.',
  values: describedValues(SOURCE_NAMES, {
    ONE_STOP_SHOP:
      'The one-stop-shop system (hệ thống thông tin giải quyết thủ tục hành chính): procedures and dossiers.',
    CADRE_DB: 'The cadre database (cơ sở dữ liệu cán bộ, công chức, viên chức): the unit tree and staff.',
    BUDGET: 'The budget system (hệ thống quản lý ngân sách): PSU finance, budget execution, public investment.',
  }),
});

const CircuitStateEnum = builder.enumType('CircuitState', {
  description:
    "The upstream's circuit breaker on this hub instance: OPEN after repeated failures (calls fail fast), HALF_OPEN while one probe is let through.",
  values: describedValues(['CLOSED', 'OPEN', 'HALF_OPEN'] as const, {
    CLOSED: 'Requests go through.',
    OPEN: 'Recent requests failed repeatedly: calls fail at once without reaching the upstream.',
    HALF_OPEN: 'One probe request is let through; its success closes the circuit.',
  }),
});

const FeedStatusEnum = builder.enumType('FeedStatus', {
  description: "Where a feed's sync stands.",
  values: describedValues(['IDLE', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const, {
    IDLE: 'Never synced yet, or skipped by the last pass because the upstream does not serve its path (see pathMissingSince).',
    RUNNING: 'A pass is reading it now (or one was cut off and will resume from its cursor).',
    SUCCEEDED: 'The last pass read it to the end.',
    FAILED: 'The last pass failed on it: see lastError.',
  }),
});

interface SourceRow {
  name: SourceName;
  feeds: FeedState[];
  lastRun: { status: string; finishedAt: Date | null; error: string | null } | null;
  lastSuccessAt: Date | null;
}

/** Each source's feeds and passes, in one read per source list. */
async function loadSources(db: Queryable, names: readonly SourceName[]): Promise<SourceRow[]> {
  const states = await readFeedStates(
    db,
    names.flatMap((name) => FEEDS_OF_SOURCE[name]),
  );
  const runs = await db.query<{
    source: SourceName;
    status: string;
    finishedAt: Date | null;
    error: string | null;
    lastSuccessAt: Date | null;
  }>(
    `SELECT s.source, r.status, r.finished_at AS "finishedAt", r.error,
            (SELECT max(finished_at) FROM sync_runs WHERE source = s.source AND status = 'SUCCEEDED') AS "lastSuccessAt"
       FROM unnest($1::text[]) AS s(source)
       LEFT JOIN LATERAL (SELECT * FROM sync_runs WHERE source = s.source ORDER BY id DESC LIMIT 1) r ON true`,
    [names],
  );
  return names.map((name) => {
    const run = runs.find((r) => r.source === name);
    return {
      name,
      feeds: FEEDS_OF_SOURCE[name].flatMap((feed) => states.find((s) => s.feed === feed) ?? []),
      lastRun: run?.status ? { status: run.status, finishedAt: run.finishedAt, error: run.error } : null,
      lastSuccessAt: run?.lastSuccessAt ?? null,
    };
  });
}

const Feed = builder.objectRef<FeedState>('SourceFeed').implement({
  description: "One of a source's feeds (the one-stop-shop has procedures and dossiers) and where its sync stands.",
  fields: (t) => ({
    name: t.exposeString('feed', { description: 'e.g. one-stop-shop/dossiers' }),
    status: t.expose('status', { type: FeedStatusEnum, description: "Where the feed's sync stands." }),
    lastStartedAt: t.expose('lastStartedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a pass last started reading it.',
    }),
    lastSuccessAt: t.expose('lastSucceededAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a pass last read it to the end.',
    }),
    recordsSynced: t.string({
      description: 'Rows written since the first sync (a count that can pass 2^31, so a string of digits).',
      resolve: (feed) => feed.recordsSynced,
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last pass failed on it; null after a success.',
    }),
    position: t.string({
      description:
        "Where the next pass starts reading, in words: the feed's saved cursor (e.g. `updatedFrom 2026-10-01T08:00:00 (after …)`, `offset 1500 of modifiedSince …`, `period 2026-10 …`), or `from the beginning`. resetFeed starts it again.",
      resolve: (feed) => describePosition(feed.cursor),
    }),
    cursor: t.exposeString('cursor', {
      nullable: true,
      description: "The saved cursor as stored (the connector's own JSON); null: from the beginning.",
    }),
    upstreamUrl: t.exposeString('upstreamUrl', {
      nullable: true,
      description:
        "The upstream's base URL (password redacted) the position was read against: a pass against another URL refuses the feed until it is reset or confirmed. Null before the first pass and after a reset.",
    }),
    lastPass: t.field({
      type: FeedPass,
      nullable: true,
      description:
        'What its last pass that read records (a pass that read none leaves it) read, quarantined and stored with flaws, and the unknown fields it met; null before any.',
      resolve: (feed, _args, ctx) => feedDataHealth(feed, thresholdOf(ctx)),
    }),
    pathMissingSince: t.expose('pathMissingSince', {
      type: 'DateTime',
      nullable: true,
      description:
        "Since when the upstream answers this feed's path with 404 (an upstream older than the feed, such as a cadre database before v2.1 for the history feeds): the feed is skipped, not failed. Null while the path answers.",
    }),
  }),
});

const thresholdOf = (ctx: Context) => ctx.degradedAbovePercent ?? DEFAULT_DEGRADED_ABOVE_PERCENT;

const Source = builder.objectRef<SourceRow>('Source').implement({
  // Sync status is an aggregate; syncNow returns it to administrators too.
  runScopesOnType: true,
  authScopes: { 'read:aggregates': true, admin: true },
  description:
    'An upstream system and how fresh its copy in the hub is. Needs the `read:aggregates` scope (or `admin`, to whom syncNow returns it).',
  fields: (t) => ({
    name: t.expose('name', { type: SourceNameEnum, description: 'Which upstream system.' }),
    status: t.field({
      type: SourceStatusEnum,
      description:
        "How its copy stands, as the live SOURCE_STATUS events tell it: CIRCUIT_OPEN (this instance's breaker), STALE (no successful pass within the limit, or none yet), FAILING, DEGRADED (a feed's last pass above the threshold of rejected or flawed records), FRESH.",
      resolve: (source, _args, ctx) => {
        const degraded = source.feeds.some((feed) => feedDataHealth(feed, thresholdOf(ctx))?.degraded);
        const run = {
          source: source.name,
          lastSuccessAt: source.lastSuccessAt,
          lastFailed: source.lastRun?.status === 'FAILED',
          lastError: source.lastRun?.error ?? null,
          everFinished: source.lastRun !== null,
        };
        const staleAfterMs = (ctx.staleAfterMinutes ?? 60) * 60_000;
        return statusOf(run, ctx.sync?.circuit(source.name) ?? null, new Date(), staleAfterMs, degraded);
      },
    }),
    lastSuccessAt: t.expose('lastSuccessAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last successful sync pass ended; null if none has.',
    }),
    lagSeconds: t.int({
      nullable: true,
      description: 'Seconds since lastSuccessAt: how stale the copy may be.',
      resolve: (source) =>
        source.lastSuccessAt ? Math.max(0, Math.round((Date.now() - source.lastSuccessAt.getTime()) / 1000)) : null,
    }),
    recordsSynced: t.string({
      description: 'Rows written from this source since the first sync, all feeds (a string of digits).',
      resolve: (source) => source.feeds.reduce((sum, feed) => sum + BigInt(feed.recordsSynced), 0n).toString(),
    }),
    quarantined: t.int({
      description: 'Records of this source held in quarantine now (see the quarantine field).',
      resolve: (source, _args, ctx) => countOpenQuarantine(ctx.db, FEEDS_OF_SOURCE[source.name]),
    }),
    flawed: t.int({
      description:
        'Records of this source stored with open flaws now: rules of its contract they break without losing their place in the counts (dataQuality lists them by rule, unit and period).',
      resolve: async (source, _args, ctx) =>
        (await countFlawedRecordsByFeed(ctx.db, FEEDS_OF_SOURCE[source.name])).reduce(
          (sum, row) => sum + row.records,
          0,
        ),
    }),
    contractVersion: t.string({
      nullable: true,
      description:
        'The version of its contract the upstream speaks (docs/upstreams.md), from what it answered: the cadre database speaks 2.1 when its history paths answer, 2.0 when they answer 404 (null until they have been asked).',
      resolve: (source, _args, ctx) => contractVersionOf(ctx.db, source.name),
    }),
    circuit: t.field({
      type: CircuitStateEnum,
      nullable: true,
      description:
        "The circuit breaker on this instance; null when this instance does not sync the source (a gateway-only hub: the breaker lives in the sync process, whose /ready and lgsp_upstream_circuit_state show it; lastError and the feeds' status are what that process wrote to the store).",
      resolve: (source, _args, ctx) => ctx.sync?.circuit(source.name) ?? null,
    }),
    running: t.boolean({
      description: 'A pass is running on this instance now.',
      resolve: (source, _args, ctx) => ctx.sync?.engine.isRunning(source.name) ?? false,
    }),
    lastError: t.string({
      nullable: true,
      description: 'Why the last pass failed; null when it succeeded.',
      resolve: (source) => (source.lastRun?.status === 'FAILED' ? source.lastRun.error : null),
    }),
    feeds: t.field({
      type: [Feed],
      description: "The source's feeds in sync order, each with its own cursor and status.",
      resolve: (source) => source.feeds,
    }),
    runs: t.connection(
      {
        type: SyncRun,
        description: `The source's sync passes, newest first, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}): each pass's start, end, status, records and error. Pages forward only (first, after).`,
        resolve: async (source, args, ctx) => {
          checkPageSize(args);
          if (args.last != null || args.before != null) {
            throw new GraphQLError('runs pages forward only: use first and after', {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          }
          const after = decodeCursor(args.after);
          if (after !== undefined && !/^\d{1,18}$/.test(after)) {
            throw new GraphQLError(`Invalid cursor: ${JSON.stringify(args.after)}`, {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          }
          return resolveCursorConnection<Promise<SyncRunRow[]>>(
            {
              args,
              toCursor: (row: SyncRunRow) => encodeCursor(row.id),
              defaultSize: DEFAULT_PAGE_SIZE,
              maxSize: MAX_PAGE_SIZE,
            },
            ({ limit }) => listSyncRuns(ctx.db, source.name, after ?? null, limit),
          );
        },
      },
      { name: 'SyncRunConnection' },
      { name: 'SyncRunEdge' },
    ),
    history: t.field({
      type: SourceHistory,
      nullable: true,
      description:
        'CADRE_DB only (null for the others): whether the hub holds the whole history of units and staff assignments, or counts past periods partly on what it observed itself, and why.',
      resolve: (source, _args, ctx) => (source.name === 'CADRE_DB' ? historyCoverage(ctx.db) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  sources: t.field({
    type: [Source],
    authScopes: { 'read:aggregates': true },
    description: 'Every upstream system, with its freshness, quarantine and circuit breaker.',
    resolve: (_root, _args, ctx) => loadSources(ctx.db, SOURCE_NAMES),
  }),
}));

builder.mutationType({ description: 'Operations that change what the hub does.' });

builder.mutationFields((t) => ({
  syncNow: t.field({
    type: Source,
    authScopes: { admin: true },
    description:
      'Runs a sync pass of the source now and returns it once the pass has ended (needs the `admin` scope; written to the audit log before the pass starts: if the entry cannot be written, no pass starts and the error, AUDIT_UNAVAILABLE, says so). A pass already running on this instance is joined, not repeated.',
    args: { source: t.arg({ type: SourceNameEnum, required: true, description: 'The source to sync.' }) },
    resolve: async (_root, { source }, ctx: Context) => {
      ctx.audit.usedAdmin('syncNow');
      if (!ctx.sync?.engine.connector(source)) {
        throw new GraphQLError(`${source} is not configured on this hub instance (no upstream URL)`, {
          extensions: { code: 'BAD_USER_INPUT', argument: 'source' },
        });
      }
      // A pass cannot share a transaction with its audit entry: the entry is written first, and without it no pass.
      await ctx.audit.commitAdmin('syncNow');
      try {
        await ctx.sync.engine.run(source, { trigger: 'MUTATION' });
      } catch (error) {
        if (error instanceof SyncBusyError) throw new GraphQLError(error.message, { extensions: { code: 'CONFLICT' } });
        throw error;
      }
      const [row] = await loadSources(ctx.db, [source]);
      return row!;
    },
  }),
  resetFeed: t.field({
    type: Feed,
    authScopes: { admin: true },
    description:
      "Starts a feed again from the beginning: its saved position and the upstream URL it was read against are cleared, and its next pass reads everything again, upserting by key (nothing is duplicated). The way out when the upstream changed or the position is wrong. Needs the `admin` scope; audited with the change. CONFLICT while a pass of the feed's source runs on any instance.",
    args: {
      feed: t.arg.string({
        required: true,
        description: 'The feed, as SourceFeed.name names it (e.g. one-stop-shop/dossiers).',
      }),
    },
    resolve: async (_root, { feed }, ctx: Context) => {
      ctx.audit.usedAdmin('resetFeed');
      const source = sourceOfFeed(feed);
      if (!source) {
        throw new GraphQLError(`no feed is named ${JSON.stringify(feed)}`, {
          extensions: { code: 'BAD_USER_INPUT', argument: 'feed' },
        });
      }
      try {
        if (!ctx.sync)
          throw new GraphQLError('this hub instance has no sync engine', { extensions: { code: 'CONFLICT' } });
        await ctx.sync.engine.withLock(source, () =>
          ctx.audit.commitAdmin('resetFeed', (tx) => resetPosition(tx, feed)),
        );
      } catch (error) {
        if (error instanceof SyncBusyError) throw new GraphQLError(error.message, { extensions: { code: 'CONFLICT' } });
        throw error;
      }
      const [state] = await readFeedStates(ctx.db, [feed]);
      // A feed never synced has no row: it starts from the beginning anyway.
      return (
        state ?? {
          feed,
          cursor: null,
          status: 'IDLE' as const,
          lastStartedAt: null,
          lastSucceededAt: null,
          lastError: null,
          recordsSynced: '0',
          upstreamUrl: null,
          lastPass: null,
          pathMissingSince: null,
        }
      );
    },
  }),
}));
