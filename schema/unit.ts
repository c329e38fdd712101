import { resolveCursorConnection } from '@pothos/plugin-relay';
import { countUnits, findUnitsByCodes, findUnitsByParentCodes, listUnits, type UnitRow } from '../store/units.ts';
import { PSU_SECTORS, UNIT_KINDS, UNIT_LEVELS } from '../store/model.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';

export const UnitLevel = builder.enumType('UnitLevel', {
  description: 'Administrative level. DISTRICT exists only in periods before the 2025 reorganisation.',
  values: UNIT_LEVELS,
});

export const UnitKind = builder.enumType('UnitKind', {
  description:
    "PEOPLES_COMMITTEE: a level's People's Committee (UBND); AGENCY: a specialised agency or office (CQCM); PUBLIC_SERVICE_UNIT: a public service unit (ĐVSNCL).",
  values: UNIT_KINDS,
});

export const PsuSector = builder.enumType('PsuSector', { values: PSU_SECTORS });

export const UnitNode = builder.loadableNode('Unit', {
  description: 'An agency or unit of the province, as the cadre database records it, with its validity dates.',
  id: { resolve: (unit) => unit.code },
  load: (codes: string[], ctx: Context) => findUnitsByCodes(ctx.db, codes),
  sort: (unit) => unit.code,
  fields: (t) => ({
    code: t.exposeString('code', { description: 'National electronic identifier (mã định danh điện tử).' }),
    budgetCode: t.exposeString('budgetCode', {
      nullable: true,
      description: 'Budget-relation code (mã quan hệ ngân sách), the key the budget system uses.',
    }),
    name: t.exposeString('name'),
    level: t.expose('level', { type: UnitLevel }),
    kind: t.expose('kind', { type: UnitKind }),
    sector: t.expose('sector', { type: PsuSector, nullable: true, description: 'Public service units only.' }),
    headcountQuota: t.exposeInt('headcountQuota', { nullable: true, description: 'Headcount quota (biên chế).' }),
    validFrom: t.expose('validFrom', { type: 'Date', nullable: true }),
    validTo: t.expose('validTo', {
      type: 'Date',
      nullable: true,
      description: 'The day the unit was dissolved or merged away; it is valid up to the day before.',
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the hub last stored this unit.' }),
  }),
});

// The tree's edges refer back to Unit, so they are added once the type exists.
builder.objectFields(UnitNode, (t) => ({
  parent: t.field({
    type: UnitNode,
    nullable: true,
    // Returning the code lets the Unit loader batch every parent of a page into one query.
    resolve: (unit) => unit.parentCode,
  }),
  children: t.loadableGroup({
    type: UnitNode,
    description: 'Direct subordinate units, ordered by code; dissolved ones too unless validOn is given.',
    args: { validOn: t.arg({ type: 'Date', description: 'Only children that existed on this day.' }) },
    // Batched per field path, so every unit of a page shares one query with the same validOn.
    byPath: true,
    load: (codes: string[], ctx: Context, args) => findUnitsByParentCodes(ctx.db, codes, args.validOn ?? null),
    group: (child) => (child as UnitRow).parentCode!,
    resolve: (unit) => unit.code,
  }),
}));

const UnitFilter = builder.inputType('UnitFilter', {
  fields: (t) => ({
    level: t.field({ type: UnitLevel }),
    kind: t.field({ type: UnitKind }),
    parentCode: t.string({ description: 'Direct children of this unit.' }),
    search: t.string({
      description:
        'Words that must each begin a word of the name, in any order, ignoring case and diacritics ("yen the" finds "Yên Thế").',
    }),
    validOn: t.field({ type: 'Date', description: 'Only units that existed on this day.' }),
  }),
});

builder.queryFields((t) => ({
  unit: t.field({
    type: UnitNode,
    nullable: true,
    args: { code: t.arg.string({ required: true, description: 'National electronic identifier.' }) },
    resolve: (_root, args) => args.code,
  }),
  units: t.connection(
    {
      type: UnitNode,
      description: `Units ordered by code, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}).`,
      args: { filter: t.arg({ type: UnitFilter }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        const filter = args.filter ?? {};
        const connection = await resolveCursorConnection<Promise<UnitRow[]>>(
          {
            args,
            toCursor: (unit: UnitRow) => encodeCursor(unit.code),
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
          },
          ({ after, before, limit, inverted }) =>
            listUnits(ctx.db, filter, { after: decodeCursor(after), before: decodeCursor(before), limit, inverted }),
        );
        // Counted only when a client selects totalCount.
        return { ...connection, totalCount: () => countUnits(ctx.db, filter) };
      },
    },
    {
      name: 'UnitConnection',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many units match the filter, on every page.',
          resolve: (connection) => connection.totalCount(),
        }),
      }),
    },
    { name: 'UnitEdge' },
  ),
}));
