import { resolveCursorConnection } from '@pothos/plugin-relay';
import { ONLINE_SERVICE_LEVELS } from '../store/model.ts';
import { countProcedures, findProceduresByCodes, listProcedures, type ProcedureRow } from '../store/procedures.ts';
import { builder } from './builder.ts';
import { flawsOf, INVALID_NULL, RecordFlawRef } from './record-flaw.ts';
import { PROCEDURES_FEED } from '../connectors/one-stop-shop/connector.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { UnitLevel } from './unit.ts';
import { searchWords } from './search.ts';

export const OnlineServiceLevel = builder.enumType('OnlineServiceLevel', {
  description: 'The online public service (dịch vụ công trực tuyến) a procedure is offered as.',
  values: {
    FULL_PROCESS: { description: 'Full-process online (toàn trình): filed, processed and returned online.' },
    PARTIAL: { description: 'Partly online (một phần): some steps need the applicant in person.' },
    NONE: { description: 'Not offered online (không).' },
  } satisfies Record<(typeof ONLINE_SERVICE_LEVELS)[number], unknown>,
});

export const ProcedureNode = builder.loadableNode('Procedure', {
  description:
    'An administrative procedure (thủ tục hành chính, TTHC) of the one-stop-shop catalogue: province-wide reference data, never narrowed to a unit subtree. Needs the `read:aggregates` or the `read:dossiers` scope (a dossier names its procedure).',
  // The public catalogue: the same for every consumer, whatever its units.
  runScopesOnType: true,
  authScopes: { 'read:aggregates': true, 'read:dossiers': true },
  id: { resolve: (procedure) => procedure.code },
  load: (codes: string[], ctx: Context) => findProceduresByCodes(ctx.db, codes),
  sort: (procedure) => procedure.code,
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Procedure code (mã TTHC) in the national database.' }),
    name: t.exposeString('name', { description: 'Name (tên thủ tục), with diacritics.' }),
    fieldCode: t.exposeString('fieldCode', {
      nullable: true,
      description: 'Code of its field (mã lĩnh vực); null when not given.',
    }),
    fieldName: t.exposeString('fieldName', {
      nullable: true,
      description: 'Name of its field (lĩnh vực), e.g. "Hộ tịch"; null when not given.',
    }),
    levels: t.expose('levels', {
      type: [UnitLevel],
      nullable: true,
      description: `The levels that carry it out (cấp thực hiện), in the order province, district, commune.${INVALID_NULL}`,
    }),
    onlineService: t.expose('onlineService', {
      type: OnlineServiceLevel,
      nullable: true,
      description: `The online service it is offered as (mức độ dịch vụ công trực tuyến).${INVALID_NULL}`,
    }),
    hasFee: t.exposeBoolean('hasFee', {
      nullable: true,
      description: `It carries a fee or charge (phí, lệ phí).${INVALID_NULL}`,
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the hub last stored this procedure.' }),
    flaws: t.field({
      type: [RecordFlawRef],
      description: `The rules of its upstream contract this procedure breaks without losing its place in the counts (connectors/README.md), by field; empty for a sound procedure.`,
      resolve: (p, _args, ctx) => flawsOf(ctx, PROCEDURES_FEED, p.code),
    }),
  }),
});

const ProcedureFilter = builder.inputType('ProcedureFilter', {
  description: 'Conditions a procedure must all meet.',
  fields: (t) => ({
    search: t.string({
      description:
        'Words that must each begin a word of the name, in any order, ignoring case and diacritics ("khai sinh" finds "Đăng ký khai sinh").',
    }),
    fieldCode: t.string({ description: 'Only procedures of this field (mã lĩnh vực).' }),
    level: t.field({ type: UnitLevel, description: 'Only procedures carried out at this level (among others).' }),
    onlineService: t.field({
      type: OnlineServiceLevel,
      description: 'Only procedures offered as this online service.',
    }),
  }),
});

builder.queryFields((t) => ({
  procedure: t.field({
    type: ProcedureNode,
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description: 'A procedure by its code; null when the hub does not know it.',
    args: { code: t.arg.string({ required: true, description: 'Procedure code (mã TTHC).' }) },
    resolve: (_root, args) => args.code,
  }),
  procedures: t.connection(
    {
      type: ProcedureNode,
      authScopes: { 'read:aggregates': true },
      description: `The procedure catalogue ordered by code, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}).`,
      args: { filter: t.arg({ type: ProcedureFilter }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        searchWords(args.filter?.search);
        const filter = args.filter ?? {};
        const connection = await resolveCursorConnection<Promise<ProcedureRow[]>>(
          {
            args,
            toCursor: (procedure: ProcedureRow) => encodeCursor(procedure.code),
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
          },
          ({ after, before, limit, inverted }) =>
            listProcedures(ctx.db, filter, {
              after: decodeCursor(after),
              before: decodeCursor(before),
              limit,
              inverted,
            }),
        );
        // Counted only when a client selects totalCount.
        return { ...connection, totalCount: () => countProcedures(ctx.db, filter) };
      },
    },
    {
      name: 'ProcedureConnection',
      description: 'A page of procedures.',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many procedures match the filter, on every page.',
          resolve: (connection) => connection.totalCount(),
        }),
      }),
    },
    { name: 'ProcedureEdge', description: 'A procedure in a page, with its cursor.' },
  ),
}));
