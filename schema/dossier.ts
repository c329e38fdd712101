import { resolveCursorConnection, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import { requestLoader } from './request-loader.ts';
import { GraphQLError } from 'graphql';
import {
  countDossiers,
  countDossiersOfProcedures,
  dossierOutcome,
  findDossiersByCodes,
  listDossiers,
  listDossiersOfProcedures,
  DEFAULT_DOSSIER_ORDER,
  DOSSIER_ORDER_FIELDS,
  type DossierFilter as StoreDossierFilter,
  type DossierKey,
  type DossierCountOutcome,
  type DossierOrder as Order,
  type DossierPage,
  type DossierRow,
} from '../store/dossiers.ts';
import type {
  DossierChannel as Channel,
  DossierStatus as Status,
  OnlinePaymentChannel as Payment,
} from '../store/model.ts';
import { parsePeriod, type PeriodConvention } from '../indicators/period.ts';
import { PERSONAL_DATA, personalData, unitRowScopes } from './authorization.ts';
import { builder } from './builder.ts';
import { flawsOf, INVALID_NULL, RecordFlawRef } from './record-flaw.ts';
import { DOSSIERS_FEED } from '../connectors/one-stop-shop/connector.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { maskName, maskPhone } from './masks.ts';
import { ProcedureNode } from './procedure.ts';
import { UnitDossierCount, UnitNode } from './unit.ts';
import { PeriodConventionEnum } from './indicators/enums.ts';

// ---------------------------------------------------------------------------
// Per-request helpers.

const requestTimes = new WeakMap<object, Date>();

/**
 * The instant a request is answered "as of": read once per request, so every
 * open dossier's outcome and every outcome filter of one response agree.
 */
export function requestNow(ctx: Context): Date {
  let now = requestTimes.get(ctx);
  if (!now) requestTimes.set(ctx, (now = new Date()));
  return now;
}

// ---------------------------------------------------------------------------
// Enums.

export const DossierChannel = builder.enumType('DossierChannel', {
  description: 'How a dossier was filed (kênh thực hiện).',
  values: {
    IN_PERSON: { description: 'In person at the one-stop desk (trực tiếp).' },
    ONLINE: { description: 'Online (trực tuyến), through the national or provincial public-service portal.' },
    POSTAL: { description: 'By public postal service (bưu chính công ích, BCCI).' },
  } satisfies Record<Channel, unknown>,
});

export const DossierStatus = builder.enumType('DossierStatus', {
  description: "The upstream's status (TrangThaiHoSo 1 … 10), in its order.",
  values: {
    REGISTERED: { description: '1: newly registered (mới đăng ký), not yet received.' },
    RECEIVED: { description: '2: received (đã tiếp nhận).' },
    REFUSED: { description: '3: refused (từ chối tiếp nhận / không giải quyết); closed without being resolved.' },
    PROCESSING: { description: '4: being processed (đang xử lý).' },
    SUPPLEMENT_REQUESTED: { description: '5: the applicant was asked to supplement it (yêu cầu bổ sung).' },
    AWAITING_PAYMENT: { description: '6: awaiting the financial obligation (chờ thực hiện nghĩa vụ tài chính).' },
    WITHDRAWN: { description: '7: withdrawn by the applicant (công dân rút hồ sơ); closed without being resolved.' },
    STOPPED: { description: '8: processing stopped (dừng xử lý); closed without being resolved.' },
    PROCESSED: { description: '9: processed (đã xử lý xong), the result not yet handed over.' },
    RETURNED: { description: '10: result returned to the applicant (đã trả kết quả).' },
  } satisfies Record<Status, unknown>,
});

export const DossierOutcome = builder.enumType('DossierOutcome', {
  description:
    'How a dossier stands against its due date (ngày hẹn trả). Finished dossiers compare the Vietnam day of finishing with the day due; open ones are judged as of the moment the query is answered, so the same dossier can be OPEN today and OPEN_OVERDUE tomorrow. RESOLVED_WITHOUT_DUE_DATE, WITHDRAWN_OR_REFUSED and STOPPED are the counts’ (Unit.dossierCounts) and the filters’: Dossier.outcome is null for such a dossier.',
  values: {
    EARLY: { description: 'Finished before the due day (trước hạn).' },
    ON_TIME: { description: 'Finished on the due day (đúng hạn).' },
    LATE: { description: 'Finished after the due day (quá hạn).' },
    OPEN: { description: 'Still being processed, within its deadline (đang giải quyết, trong hạn), as of now.' },
    OPEN_OVERDUE: {
      description: 'Still being processed, its due time passed (đang giải quyết, quá hạn), as of now.',
    },
    RESOLVED_WITHOUT_DUE_DATE: { description: 'Finished, but it had no due date to compare with.' },
    WITHDRAWN_OR_REFUSED: {
      description:
        'Withdrawn by the applicant or refused (rút hồ sơ, từ chối): it left the open count without being resolved.',
    },
    STOPPED: {
      description: 'Processing stopped (dừng xử lý): it left the open count without being resolved.',
    },
  } satisfies Record<DossierCountOutcome, unknown>,
});

builder.objectFields(UnitDossierCount, (t) => ({
  dossierOutcome: t.expose('outcome', {
    type: DossierOutcome,
    description:
      'The outcome: resolved EARLY, ON_TIME or LATE (by the Vietnam day of finishing against the due day) or RESOLVED_WITHOUT_DUE_DATE; WITHDRAWN_OR_REFUSED; STOPPED; still OPEN, or OPEN_OVERDUE when its due date has passed at the time of the request.',
  }),
}));

export const OnlinePaymentChannel = builder.enumType('OnlinePaymentChannel', {
  description: 'Where a fee was paid online (thanh toán trực tuyến).',
  values: {
    NATIONAL_PORTAL: { description: 'Through the national public-service portal (Cổng Dịch vụ công quốc gia).' },
    PROVINCE_GATEWAY: { description: "Through the province's own payment gateway." },
  } satisfies Record<Payment, unknown>,
});

// ---------------------------------------------------------------------------
// The node.

const PII_NOTE =
  'Personal data (Decree 13/2023/NĐ-CP): needs the `read:pii` scope, and each value returned is written to the audit log; without the scope it is null with a FORBIDDEN error.';
const MASKED_NOTE = 'Needs no `read:pii`: a label for lists that does not give the personal data away.';

export const DossierNode = builder.loadableNode('Dossier', {
  description:
    'A dossier (hồ sơ) filed under a procedure and received by a unit, from the one-stop-shop. Needs the `read:dossiers` scope, and for a consumer bound to a unit subtree a dossier received in it: any other looked up is null, as an unknown one would be.',
  // Checked when a dossier is returned, however it was reached (node(id), nodes, dossier(code), a connection).
  runScopesOnType: true,
  authScopes: unitRowScopes('Dossier', 'read:dossiers', (dossier: DossierRow) => dossier.unitCode),
  id: { resolve: (dossier) => dossier.code },
  load: (codes: string[], ctx: Context) => findDossiersByCodes(ctx.db, codes),
  sort: (dossier) => dossier.code,
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Dossier code (mã hồ sơ).' }),
    procedure: t.field({
      type: ProcedureNode,
      description: 'The procedure it was filed under.',
      // The code lets the Procedure loader batch every procedure of a page into one query.
      resolve: (dossier) => dossier.procedureCode,
    }),
    unit: t.field({
      type: UnitNode,
      description: 'The unit that received it (đơn vị tiếp nhận).',
      resolve: (dossier) => dossier.unitCode,
    }),
    channel: t.expose('channel', {
      type: DossierChannel,
      nullable: true,
      description: `How it was filed (kênh thực hiện).${INVALID_NULL}`,
    }),
    status: t.expose('status', {
      type: DossierStatus,
      nullable: true,
      description: `Where it stands (trạng thái hồ sơ).${INVALID_NULL}`,
    }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'Received (ngày tiếp nhận).' }),
    dueAt: t.expose('dueAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Due for its result (ngày hẹn trả).',
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Processing finished (ngày kết thúc xử lý); null until then.',
    }),
    returnedAt: t.expose('returnedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Result handed to the applicant (ngày trả kết quả); null until then.',
    }),
    outcome: t.field({
      type: DossierOutcome,
      nullable: true,
      description:
        'Early, on time or late once finished; open or open-overdue while open, as of the time the query is answered. Null for a dossier closed without being resolved (refused, withdrawn, stopped) or finished without a due date.',
      resolve: (dossier, _args, ctx) => dossierOutcome(dossier, requestNow(ctx)),
    }),
    fullProcessOnline: t.exposeBoolean('fullProcessOnline', {
      nullable: true,
      description: `Filed through a full-process online service (dịch vụ công trực tuyến toàn trình).${INVALID_NULL}`,
    }),
    hasFee: t.exposeBoolean('hasFee', {
      nullable: true,
      description: `Carries a fee or charge (phí, lệ phí).${INVALID_NULL}`,
    }),
    paidOnline: t.boolean({
      description: 'Its fee was paid online (thanh toán trực tuyến).',
      resolve: (dossier) => dossier.onlinePayment !== null,
    }),
    onlinePaymentChannel: t.expose('onlinePayment', {
      type: OnlinePaymentChannel,
      nullable: true,
      description: 'Where its fee was paid online; null when it was not.',
    }),
    digitised: t.exposeBoolean('digitised', {
      nullable: true,
      description: `Its components were digitised (hồ sơ có thành phần số hóa).${INVALID_NULL}`,
    }),
    electronicResult: t.exposeBoolean('electronicResult', {
      nullable: true,
      description: `Its result was issued electronically (kết quả điện tử).${INVALID_NULL}`,
    }),
    applicantName: t.string({
      ...PERSONAL_DATA,
      description: `The applicant (chủ hồ sơ), as filed; null when not recorded. ${PII_NOTE}`,
      resolve: (dossier, _args, ctx) => personalData(ctx, 'Dossier.applicantName', dossier.code, dossier.applicantName),
    }),
    applicantNameMasked: t.string({
      nullable: true,
      description: `The applicant's given name's initial only, behind a fixed prefix ("Nguyễn Văn An" → "*** A."); null when not recorded. ${MASKED_NOTE}`,
      resolve: (dossier) => maskName(dossier.applicantName),
    }),
    applicantPhone: t.string({
      ...PERSONAL_DATA,
      description: `The applicant's phone number, as filed; null when not recorded. ${PII_NOTE}`,
      resolve: (dossier, _args, ctx) =>
        personalData(ctx, 'Dossier.applicantPhone', dossier.code, dossier.applicantPhone),
    }),
    applicantPhoneMasked: t.string({
      nullable: true,
      description: `The applicant's phone as its last three digits behind seven stars, whatever its length ("0912345678" → "*******678"; fewer than 7 digits: "**********"); null when not recorded. ${MASKED_NOTE}`,
      resolve: (dossier) => maskPhone(dossier.applicantPhone),
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the hub last stored this dossier.' }),
    flaws: t.field({
      type: [RecordFlawRef],
      description: `The rules of its upstream contract this dossier breaks without losing its place in the counts (connectors/README.md), by field; empty for a sound dossier.`,
      resolve: (d, _args, ctx) => flawsOf(ctx, DOSSIERS_FEED, d.code),
    }),
  }),
});

// ---------------------------------------------------------------------------
// Filters, cursors and the connection type.

interface FilterInput {
  unitCode?: string | null;
  unitCodes?: string[] | null;
  procedureCode?: string | null;
  channel?: Channel | null;
  channels?: Channel[] | null;
  status?: Status | null;
  statuses?: Status[] | null;
  outcome?: DossierCountOutcome | null;
  period?: string | null;
  convention?: PeriodConvention | null;
  receivedFrom?: string | null;
  receivedTo?: string | null;
  finishedFrom?: string | null;
  finishedTo?: string | null;
}

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

const UNIT_NOTE =
  'Each must be a known unit and, for a consumer bound to a unit subtree, lie in it (BAD_USER_INPUT otherwise, the same error for both); without units, the root of that subtree.';

/** The fields DossierFilter and ProcedureDossierFilter share. */
const filterFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  unitCodes: t.stringList({
    description: `Only dossiers received by any of these units or a unit below one in the tree (their whole subtrees). ${UNIT_NOTE}`,
  }),
  unitCode: t.string({
    deprecationReason: 'Use unitCodes (giving both is BAD_USER_INPUT).',
    description: `Only dossiers received by this unit or any unit below it in the tree (its whole subtree). ${UNIT_NOTE}`,
  }),
  channels: t.field({ type: [DossierChannel], description: 'Only dossiers filed through any of these channels.' }),
  channel: t.field({
    type: DossierChannel,
    deprecationReason: 'Use channels (giving both is BAD_USER_INPUT).',
    description: 'Only dossiers filed through this channel.',
  }),
  statuses: t.field({ type: [DossierStatus], description: 'Only dossiers in any of these statuses.' }),
  status: t.field({
    type: DossierStatus,
    deprecationReason: 'Use statuses (giving both is BAD_USER_INPUT).',
    description: 'Only dossiers in this status.',
  }),
  outcome: t.field({ type: DossierOutcome, description: 'Open outcomes are judged as of the time of the query.' }),
  period: t.string({
    description:
      'Only dossiers received in this period (2024, 2024-H1, 2024-Q2, 2024-06), as indicators(period:) reads it under `convention`: the same as receivedFrom and receivedTo set to its first and last Vietnam day, which it cannot be given with.',
  }),
  convention: t.field({
    type: PeriodConventionEnum,
    description: 'How `period` maps to days (default CALENDAR); only with a period.',
  }),
  receivedFrom: t.field({ type: 'Date', description: 'Received on or after this Vietnam day.' }),
  receivedTo: t.field({ type: 'Date', description: 'Received on or before this Vietnam day.' }),
  finishedFrom: t.field({ type: 'Date', description: 'Finished on or after this Vietnam day.' }),
  finishedTo: t.field({ type: 'Date', description: 'Finished on or before this Vietnam day.' }),
});

const DossierFilter = builder.inputType('DossierFilter', {
  description: 'Conditions a dossier must all meet.',
  fields: (t) => ({
    ...filterFields(t),
    procedureCode: t.string({ description: 'Only dossiers filed under this procedure.' }),
  }),
});

const ProcedureDossierFilter = builder.inputType('ProcedureDossierFilter', {
  description: "Conditions on a procedure's dossiers: those of DossierFilter but the procedure.",
  fields: (t) => filterFields(t),
});

const badFilter = (argument: string, message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument: `filter.${argument}` } });

/** A list filter from its field or its deprecated single-value alias, refusing both. */
function oneOf<T>(filter: FilterInput, list: keyof FilterInput, single: keyof FilterInput): T[] | null {
  const [many, one] = [filter[list] as T[] | null | undefined, filter[single] as T | null | undefined];
  if (many != null && one != null) throw badFilter(single, `give "${list}" or "${single}" (deprecated), not both`);
  return many ?? (one != null ? [one] : null);
}

/**
 * The store's filter: list fields from their deprecated aliases, the period as its days of receipt, and a day range
 * whose start is after its end refused (days written YYYY-MM-DD compare as text).
 */
function checkFilter(filter: FilterInput): StoreDossierFilter {
  const { unitCode: _u, channel: _c, status: _s, period, convention, ...rest } = filter;
  const checked: StoreDossierFilter = {
    ...rest,
    unitCodes: oneOf<string>(filter, 'unitCodes', 'unitCode'),
    channels: oneOf<Channel>(filter, 'channels', 'channel'),
    statuses: oneOf<Status>(filter, 'statuses', 'status'),
  };
  if (period != null) {
    if (filter.receivedFrom != null || filter.receivedTo != null)
      throw badFilter('period', 'give "period" or "receivedFrom"/"receivedTo", not both');
    const { first, last } = parsePeriod(period, convention ?? 'CALENDAR', 'filter.period').range;
    Object.assign(checked, { receivedFrom: first, receivedTo: last });
  } else if (convention != null) throw badFilter('convention', '"convention" applies to a "period" only');
  for (const name of ['received', 'finished'] as const) {
    const [from, to] = [checked[`${name}From`], checked[`${name}To`]];
    if (from != null && to != null && from > to)
      throw badFilter(`${name}From`, `"${name}From" (${from}) is after "${name}To" (${to})`);
  }
  return checked;
}

/**
 * The filter narrowed to the consumer's subtree: its units checked, or the
 * root of the subtree when none is given. Narrowed in the store, so that
 * pages and totalCount count the consumer's dossiers only.
 */
async function narrowFilter(ctx: Context, input: FilterInput): Promise<StoreDossierFilter> {
  const filter = checkFilter(input);
  if (filter.unitCodes == null) return { ...filter, unitCodes: ctx.units.root === null ? null : [ctx.units.root] };
  const argument = input.unitCode != null ? 'filter.unitCode' : 'filter.unitCodes';
  await Promise.all(filter.unitCodes.map((code) => ctx.units.check(code, argument)));
  return filter;
}

const DossierOrderField = builder.enumType('DossierOrderField', {
  description: 'A date dossiers can be listed by.',
  values: {
    RECEIVED: { description: 'Received (ngày tiếp nhận).' },
    DUE: { description: 'Due (ngày hẹn trả); a dossier without one counts as due later than any.' },
    FINISHED: { description: 'Finished (ngày kết thúc xử lý); one not finished counts as finishing later than any.' },
  } satisfies Record<keyof typeof DOSSIER_ORDER_FIELDS, unknown>,
});

const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Ascending or descending.',
  values: { ASC: { description: 'Earliest first.' }, DESC: { description: 'Latest first.' } },
});

const DossierOrderInput = builder.inputType('DossierOrder', {
  description:
    'The order of a dossier list: by a date, then by dossier code in the same direction. A missing date (no due date, not finished yet) counts as later than any: such dossiers come last in ASC order, first in DESC.',
  fields: (t) => ({
    field: t.field({ type: DossierOrderField, required: true, description: 'The date.' }),
    direction: t.field({ type: OrderDirection, required: true, description: 'Ascending or descending.' }),
  }),
});

// A cursor is the position in its order: the order itself (a cursor is refused under another), the date ("none"
// without one) and the code.
const cursorOf = (order: Order) => (dossier: DossierRow) => {
  const at = dossier[DOSSIER_ORDER_FIELDS[order.field].row];
  return encodeCursor(`${order.field} ${order.direction} ${at ? at.toISOString() : 'none'} ${dossier.code}`);
};

function toKey(cursor: string | null | undefined, order: Order): DossierKey | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [field, direction, at, ...code] = key.split(' ');
  const instant = at === 'none' ? null : new Date(at ?? '');
  if (
    code.length === 0 ||
    !Object.hasOwn(DOSSIER_ORDER_FIELDS, field ?? '') ||
    (instant !== null && (Number.isNaN(instant.getTime()) || instant.toISOString() !== at))
  ) {
    throw new GraphQLError(`Invalid cursor: ${JSON.stringify(cursor)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (field !== order.field || direction !== order.direction) {
    throw new GraphQLError(
      `The cursor is from the order ${field} ${direction}, not ${order.field} ${order.direction}: page with the orderBy it was made under`,
      { extensions: { code: 'BAD_USER_INPUT', argument: 'orderBy' } },
    );
  }
  return { at: instant, code: code.join(' ') };
}

interface Counted {
  totalCount(): Promise<number>;
}

const DossierConnection = builder.connectionObject(
  {
    type: DossierNode,
    name: 'DossierConnection',
    description: 'A page of dossiers, in the order asked (newest received first unless asked).',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many dossiers match the filter, on every page.',
        resolve: (connection) => (connection as unknown as Counted).totalCount(),
      }),
    }),
  },
  { name: 'DossierEdge', description: 'A dossier in a page, with its cursor.' },
);

const connectionDescription = (what: string) =>
  `${what}, newest received first (by received time, then code) unless ordered otherwise, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}).`;

/** Pages through dossiers in `order` with `read`, checking the arguments first. */
async function dossierPage(
  args: DefaultConnectionArguments,
  order: Order,
  read: (page: DossierPage) => Promise<DossierRow[]>,
) {
  checkPageSize(args);
  return resolveCursorConnection<Promise<DossierRow[]>>(
    { args, toCursor: cursorOf(order), defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
    ({ after, before, limit, inverted }) =>
      read({ after: toKey(after, order), before: toKey(before, order), limit, inverted, order }),
  );
}

// ---------------------------------------------------------------------------
// Root fields.

builder.queryFields((t) => ({
  dossier: t.field({
    type: DossierNode,
    nullable: true,
    authScopes: { 'read:dossiers': true },
    description:
      'A dossier by its code; null when the hub does not know it, or when it was received outside the subtree of a consumer bound to one.',
    args: { code: t.arg.string({ required: true, description: 'Dossier code (mã hồ sơ).' }) },
    resolve: async (_root, args, ctx) =>
      ctx.units.visible(DossierNode.name, await DossierNode.getDataloader(ctx).load(args.code)),
  }),
  dossiers: t.connection(
    {
      type: DossierNode,
      authScopes: { 'read:dossiers': true },
      description: connectionDescription('Dossiers'),
      args: {
        filter: t.arg({ type: DossierFilter }),
        orderBy: t.arg({
          type: DossierOrderInput,
          description: 'Default: RECEIVED DESC. A cursor is valid under the order it was made under only.',
        }),
      },
      resolve: async (_root, args, ctx) => {
        const filter = await narrowFilter(ctx, args.filter ?? {});
        const now = requestNow(ctx);
        const order = args.orderBy ?? DEFAULT_DOSSIER_ORDER;
        const connection = await dossierPage(args, order, (page) => listDossiers(ctx.db, filter, page, now));
        // Counted only when a client selects totalCount.
        return { ...connection, totalCount: () => countDossiers(ctx.db, filter, now) };
      },
    },
    DossierConnection,
  ),
}));

// ---------------------------------------------------------------------------
// Procedure.dossiers: every procedure of a page shares one statement per set of arguments (request-loader.ts).

builder.objectFields(ProcedureNode, (t) => ({
  dossiers: t.connection(
    {
      type: DossierNode,
      authScopes: { 'read:dossiers': true },
      description: connectionDescription('Dossiers filed under this procedure'),
      args: { filter: t.arg({ type: ProcedureDossierFilter }) },
      resolve: async (procedure, args, ctx) => {
        const filter = await narrowFilter(ctx, args.filter ?? {});
        const now = requestNow(ctx);
        const connection = await dossierPage(args, DEFAULT_DOSSIER_ORDER, (page) =>
          requestLoader(ctx, `Procedure.dossiers ${JSON.stringify([filter, page])}`, async (codes) => {
            const byProcedure = new Map<string, DossierRow[]>(codes.map((code) => [code, []]));
            for (const row of await listDossiersOfProcedures(ctx.db, codes, filter, page, now)) {
              byProcedure.get(row.procedureCode)?.push(row);
            }
            return codes.map((code) => byProcedure.get(code)!);
          }).load(procedure.code),
        );
        const totalCount = () =>
          requestLoader(ctx, `Procedure.dossiers count ${JSON.stringify(filter)}`, async (codes) => {
            const counts = new Map(
              (await countDossiersOfProcedures(ctx.db, codes, filter, now)).map((r) => [r.procedureCode, r.count]),
            );
            return codes.map((code) => counts.get(code) ?? 0);
          }).load(procedure.code);
        return { ...connection, totalCount };
      },
    },
    DossierConnection,
  ),
}));
