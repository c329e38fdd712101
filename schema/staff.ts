import { resolveCursorConnection } from '@pothos/plugin-relay';
import { QUALIFICATIONS, STAFF_CATEGORIES, STAFF_STATUSES } from '../store/model.ts';
import { countStaff, findStaffByIds, listStaff, type StaffFilter, type StaffRow } from '../store/staff.ts';
import { forbiddenArgument, PERSONAL_DATA, personalData, unitRowScopes } from './authorization.ts';
import { builder } from './builder.ts';
import { flawsOf, INVALID_NULL, RecordFlawRef } from './record-flaw.ts';
import { STAFF_FEED } from '../connectors/cadre-db/connector.ts';
import { describedValues } from './enum-values.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { UnitNode, UnitStaffCount } from './unit.ts';
import { maskBirthDate, maskName } from './masks.ts';
import { searchWords } from './search.ts';
import type { KeysetPage } from '../store/keyset.ts';
import { countStaffServingOn, listStaffServingOn } from '../store/unit-history.ts';

export const StaffCategory = builder.enumType('StaffCategory', {
  description: 'Which body of public personnel law a person is employed under.',
  values: describedValues(STAFF_CATEGORIES, {
    CADRE: 'Cadre (cán bộ): elected or appointed to a term of office.',
    CIVIL_SERVANT: 'Civil servant (công chức): recruited to a rank in an agency.',
    PUBLIC_EMPLOYEE: 'Public employee (viên chức): works in a public service unit under a working contract.',
    CONTRACT_WORKER: 'Contract worker (hợp đồng lao động): support or service work under a labour contract.',
  }),
});

builder.objectFields(UnitStaffCount, (t) => ({
  staffCategory: t.expose('category', { type: StaffCategory, description: 'The staff category.' }),
}));

export const Qualification = builder.enumType('Qualification', {
  description: 'Highest professional qualification (trình độ chuyên môn).',
  values: describedValues(QUALIFICATIONS, {
    DOCTORATE: 'Doctorate (tiến sĩ).',
    MASTER: "Master's degree (thạc sĩ).",
    BACHELOR: "Bachelor's degree, university (đại học).",
    COLLEGE: 'College (cao đẳng).',
    INTERMEDIATE: 'Intermediate vocational (trung cấp).',
    ELEMENTARY: 'Elementary vocational (sơ cấp).',
    UNTRAINED: 'No professional training (chưa qua đào tạo).',
  }),
});

export const StaffStatus = builder.enumType('StaffStatus', {
  description: 'Whether the person still works in the unit (trạng thái công tác).',
  values: describedValues(STAFF_STATUSES, {
    SERVING: 'Serving (đang công tác).',
    RETIRED: 'Retired (nghỉ hưu).',
    LEFT: 'Left public service (thôi việc).',
    TRANSFERRED_OUT: 'Transferred to a unit outside the province (chuyển công tác).',
  }),
});

export const Gender = builder.enumType('Gender', {
  description: 'Gender as the cadre database records it (giới tính).',
  values: { MALE: { description: 'Male (nam).' }, FEMALE: { description: 'Female (nữ).' } },
});

const PII_NOTE =
  'Personal data (Decree 13/2023/NĐ-CP): needs the `read:pii` scope, and each value returned is written to the audit log; without the scope it is null with a FORBIDDEN error.';

export const StaffNode = builder.loadableNode('Staff', {
  description:
    'A cadre, civil servant, public employee or contract worker (cán bộ, công chức, viên chức, người lao động), as the cadre database records them. Needs the `read:staff` scope, and for a consumer bound to a unit subtree a person working in it: any other looked up is null, as an unknown one would be. Their name, birth date and gender also need `read:pii`.',
  // Checked when a person is returned, however they were reached (node(id), nodes, staffMember(id), a connection).
  runScopesOnType: true,
  authScopes: unitRowScopes('Staff', 'read:staff', (staff: StaffRow) => staff.unitCode),
  id: { resolve: (staff) => staff.id },
  load: (ids: string[], ctx: Context) => findStaffByIds(ctx.db, ids),
  sort: (staff) => staff.id,
  fields: (t) => ({
    staffId: t.exposeString('id', {
      description: 'Personnel number in the cadre database (số hiệu cán bộ, công chức, viên chức).',
    }),
    unit: t.field({
      type: UnitNode,
      description: 'The unit the person works in.',
      // The code lets the Unit loader fetch every unit of a page in one query.
      resolve: (staff) => staff.unitCode,
    }),
    category: t.expose('category', {
      type: StaffCategory,
      nullable: true,
      description: `Staff category (phân loại).${INVALID_NULL}`,
    }),
    rankCode: t.exposeString('rankCode', {
      nullable: true,
      description: 'Civil service or professional rank code (mã ngạch), e.g. "01.003" or "V.07.04.32".',
    }),
    position: t.exposeString('position', { nullable: true, description: 'Position held (chức vụ).' }),
    qualification: t.expose('qualification', {
      type: Qualification,
      nullable: true,
      description: 'Highest professional qualification (trình độ chuyên môn); null when not recorded.',
    }),
    meetsStandard: t.exposeBoolean('meetsStandard', {
      nullable: true,
      description: `Meets the qualification standard of the post (đạt chuẩn); PAR INDEX 5.6 counts it for communes.${INVALID_NULL}`,
    }),
    status: t.expose('status', {
      type: StaffStatus,
      nullable: true,
      description: `Employment status (trạng thái).${INVALID_NULL}`,
    }),
    // Gender is basic personal data under Decree 13/2023/NĐ-CP art. 2(3), like the name and the birth date.
    gender: t.field({
      type: Gender,
      ...PERSONAL_DATA,
      description: `Gender (giới tính); null when not recorded. ${PII_NOTE}`,
      resolve: (staff, _args, ctx) => personalData(ctx, 'Staff.gender', staff.id, staff.gender),
    }),
    fullName: t.string({
      ...PERSONAL_DATA,
      description: `Full name (họ và tên), with diacritics. ${PII_NOTE}`,
      resolve: (staff, _args, ctx) => personalData(ctx, 'Staff.fullName', staff.id, staff.fullName),
    }),
    fullNameMasked: t.string({
      description:
        'The given name\'s initial only, behind a fixed prefix ("Nguyễn Văn An" → "*** A."): no other initial, no word count or length. Needs no `read:pii`: a label for lists that does not give the name away.',
      resolve: (staff) => maskName(staff.fullName),
    }),
    birthDate: t.field({
      type: 'Date',
      ...PERSONAL_DATA,
      description: `Date of birth (ngày sinh); null when unknown. ${PII_NOTE}`,
      resolve: (staff, _args, ctx) => personalData(ctx, 'Staff.birthDate', staff.id, staff.birthDate),
    }),
    birthDateMasked: t.string({
      nullable: true,
      description:
        'Whether the date of birth is recorded: "****-**-**" when it is (no year, month or day), null when unknown. Needs no `read:pii`.',
      resolve: (staff) => maskBirthDate(staff.birthDate),
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the hub last stored this record.' }),
    flaws: t.field({
      type: [RecordFlawRef],
      description: `The rules of its upstream contract this record breaks without losing its place in the counts (connectors/README.md), by field; empty for a sound record.`,
      resolve: (s, _args, ctx) => flawsOf(ctx, STAFF_FEED, s.id),
    }),
  }),
});

const StaffFilterInput = builder.inputType('StaffFilter', {
  description: 'Conditions that all must hold.',
  fields: (t) => ({
    unitCode: t.string({
      description:
        'Staff of this unit and of every unit below it in the tree (e.g. a district and its communes). It must be a known unit and, for a consumer bound to a unit subtree, lie in it (BAD_USER_INPUT otherwise, the same error for both); it defaults to the root of that subtree.',
    }),
    category: t.field({ type: StaffCategory, description: 'Only this category.' }),
    qualification: t.field({ type: Qualification, description: 'Only this qualification.' }),
    status: t.field({ type: StaffStatus, description: 'Only this status.' }),
    meetsStandard: t.boolean({ description: 'Only those who meet (true) or do not meet (false) the standard.' }),
    search: t.string({
      description:
        'Words that must each begin a word of the full name, in any order, ignoring case and diacritics ("nguyen van" finds "Nguyễn Văn An"). A search of personal data: it needs the `read:pii` scope (FORBIDDEN otherwise), and each person found is written to the audit log.',
    }),
    servingOn: t.field({
      type: 'Date',
      description:
        'Only people with an assignment in force on this day (quá trình công tác), whatever their status today. `unitCode` then reads the tree as it stood that day (the unit and those below it then), and `category` and `meetsStandard` the assignment of that day; the other conditions read the person’s record as it is. A consumer bound to a unit subtree sees those who work in it today.',
    }),
  }),
});

builder.queryFields((t) => ({
  staffMember: t.field({
    type: StaffNode,
    nullable: true,
    authScopes: { 'read:staff': true },
    description:
      'One person by personnel number; null when unknown, or when they work outside the subtree of a consumer bound to one.',
    args: { id: t.arg.string({ required: true, description: 'Personnel number (số hiệu).' }) },
    resolve: async (_root, args, ctx) =>
      ctx.units.visible(StaffNode.name, await StaffNode.getDataloader(ctx).load(args.id)),
  }),
  staff: t.connection(
    {
      type: StaffNode,
      authScopes: { 'read:staff': true },
      description: `Staff ordered by personnel number, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}); for a consumer bound to a unit subtree, the staff of that subtree only.`,
      args: { filter: t.arg({ type: StaffFilterInput }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        searchWords(args.filter?.search);
        const searching = args.filter?.search != null && args.filter.search.trim() !== '';
        /*
         * Searching by name reads personal data even though no name is
         * returned: whether a name matches is itself an answer, and a consumer
         * without read:pii could recover any name letter by letter ("ng",
         * "ngu", …) within a unit, or confirm whether a given person works
         * there. So the search needs read:pii, and the people it finds are
         * audited like names returned.
         */
        if (searching && !ctx.viewer.scopes.has('read:pii')) {
          throw forbiddenArgument(
            'filter.search',
            'filter.search matches staff by full name, which is personal data: it needs the read:pii scope',
          );
        }
        // Narrowed in the store, so that pages and totalCount count the consumer's staff only.
        const filter: StaffFilter = {
          ...args.filter,
          unitCode: await ctx.units.listRoot(args.filter?.unitCode, 'filter.unitCode'),
        };
        // On a day: the assignments then, under the tree as it stood (a bound consumer's people are today's).
        const servingOn = args.filter?.servingOn;
        const serving = servingOn == null ? null : { ...filter, servingOn, within: ctx.units.root };
        const list = (page: KeysetPage) =>
          serving ? listStaffServingOn(ctx.db, serving, page) : listStaff(ctx.db, filter, page);
        const connection = await resolveCursorConnection<Promise<StaffRow[]>>(
          {
            args,
            toCursor: (staff: StaffRow) => encodeCursor(staff.id),
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
          },
          ({ after, before, limit, inverted }) =>
            list({ after: decodeCursor(after), before: decodeCursor(before), limit, inverted }),
        );
        // The people the page returns (the extra row read to tell hasNextPage is not returned).
        if (searching)
          for (const edge of connection.edges) ctx.audit.readPersonalData('StaffFilter.search', edge.node.id);
        // Counted only when a client selects totalCount.
        return {
          ...connection,
          totalCount: () => (serving ? countStaffServingOn(ctx.db, serving) : countStaff(ctx.db, filter)),
        };
      },
    },
    {
      name: 'StaffConnection',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many staff match the filter, on every page.',
          resolve: (connection) => connection.totalCount(),
        }),
      }),
    },
    { name: 'StaffEdge' },
  ),
}));
