/**
 * UnitEvent: a merger, split, dissolution, creation or rename of units, with
 * its legal basis (issue 20); Unit.events and the root unitEvents connection.
 */
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { isIsoDate } from './scalars.ts';
import {
  countUnitEvents,
  findEventsOfUnits,
  findUnitsOfEvents,
  listUnitEvents,
  UNIT_EVENT_TYPES,
  type UnitEventFilter,
  type UnitEventKey,
  type UnitEventOfUnitRow,
  type UnitEventRow,
} from '../store/unit-history.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { describedValues } from './enum-values.ts';
import { requestLoader } from './request-loader.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { UnitNode } from './unit.ts';

export const UnitEventTypeEnum = builder.enumType('UnitEventType', {
  description: 'What an administrative event did to the units it names (loại sự kiện).',
  values: describedValues(UNIT_EVENT_TYPES, {
    MERGER: 'Merger (sáp nhập, hợp nhất): the units before became the one unit after.',
    SPLIT: 'Split (chia, tách): the unit before became the units after.',
    DISSOLUTION: 'Dissolution (giải thể): the unit before ended; a unit after, if any, took over its work.',
    CREATION: 'Creation (thành lập): the unit after began.',
    RENAME: 'Rename (đổi tên): the same unit before and after, under a new name.',
  }),
});

/** The units of one side of an event the viewer may see, by code (one statement per side for a page of events). */
function unitsOfEvent(ctx: Context, event: UnitEventRow, side: 'BEFORE' | 'AFTER'): Promise<string[]> {
  return requestLoader(ctx, `UnitEvent.units ${side}`, (ids) =>
    findUnitsOfEvents(ctx.db, ids, side, ctx.units.root),
  ).load(event.id);
}

export const UnitEventRef = builder.objectRef<UnitEventRow>('UnitEvent').implement({
  description:
    'An administrative event that merged, split, dissolved, created or renamed units, on the day it took effect, as the cadre database records it (/v2/unit-events). For a consumer bound to a unit subtree, the units outside it are left out of its lists.',
  fields: (t) => ({
    eventId: t.exposeString('id', { description: 'The event’s identifier in the cadre database (mã sự kiện).' }),
    type: t.expose('type', { type: UnitEventTypeEnum, description: 'What the event did.' }),
    effectiveOn: t.expose('effectiveOn', {
      type: 'Date',
      description: 'The day it took effect (ngày hiệu lực): the units after exist from this day.',
    }),
    legalBasis: t.exposeString('legalBasis', {
      nullable: true,
      description: 'Its legal basis (căn cứ), e.g. the resolution that decided it; null when not recorded.',
    }),
    unitsBefore: t.field({
      type: [UnitNode],
      description: 'The units before the event (đơn vị trước), by code.',
      resolve: (event, _args, ctx) => unitsOfEvent(ctx, event, 'BEFORE'),
    }),
    unitsAfter: t.field({
      type: [UnitNode],
      description: 'The units after the event (đơn vị sau), by code.',
      resolve: (event, _args, ctx) => unitsOfEvent(ctx, event, 'AFTER'),
    }),
  }),
});

builder.objectFields(UnitNode, (t) => ({
  events: t.loadableGroup({
    type: UnitEventRef,
    description: 'The events the unit took part in, before or after, by effective date then id.',
    load: (codes: string[], ctx: Context) => findEventsOfUnits(ctx.db, codes),
    group: (event) => (event as UnitEventOfUnitRow).forUnit,
    resolve: (unit) => unit.code,
  }),
}));

const UnitEventFilterInput = builder.inputType('UnitEventFilter', {
  description: 'Which events to list; every condition given must hold.',
  fields: (t) => ({
    type: t.field({ type: UnitEventTypeEnum, description: 'Only events of this type.' }),
    from: t.field({ type: 'Date', description: 'Only events that took effect on or after this day.' }),
    to: t.field({ type: 'Date', description: 'Only events that took effect on or before this day.' }),
    unitCode: t.string({
      description:
        'Only events this unit took part in, before or after. It must be a known unit and, for a consumer bound to a unit subtree, lie in it (BAD_USER_INPUT otherwise, the same error for both).',
    }),
  }),
});

// A cursor is the position in the order: the effective day and the id.
const cursorOf = (event: UnitEventRow) => encodeCursor(`${event.effectiveOn} ${event.id}`);

function toKey(cursor: string | null | undefined): UnitEventKey | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [effectiveOn, ...id] = key.split(' ');
  if (!effectiveOn || !isIsoDate(effectiveOn) || id.length === 0) {
    throw new GraphQLError(`Invalid cursor: ${JSON.stringify(cursor)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return { effectiveOn, id: id.join(' ') };
}

builder.queryFields((t) => ({
  unitEvents: t.connection(
    {
      type: UnitEventRef,
      authScopes: { 'read:aggregates': true },
      description: `Administrative events (mergers, splits, dissolutions, creations, renames) ordered by effective day then id, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}). For a consumer bound to a unit subtree, only events with a unit of that subtree. \`from\` after \`to\` is BAD_USER_INPUT.`,
      args: { filter: t.arg({ type: UnitEventFilterInput, description: 'Which events to list.' }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        const given = args.filter ?? {};
        if (given.from != null && given.to != null && given.from > given.to) {
          throw new GraphQLError(`"filter.from" (${given.from}) is after "filter.to" (${given.to})`, {
            extensions: { code: 'BAD_USER_INPUT', argument: 'filter.from' },
          });
        }
        if (given.unitCode != null) await ctx.units.check(given.unitCode, 'filter.unitCode');
        // Narrowed in the store, so that pages and totalCount count the consumer's events only.
        const filter: UnitEventFilter = { ...given, within: ctx.units.root };
        const connection = await resolveCursorConnection<Promise<UnitEventRow[]>>(
          { args, toCursor: cursorOf, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
          ({ after, before, limit, inverted }) =>
            listUnitEvents(ctx.db, filter, { after: toKey(after), before: toKey(before), limit, inverted }),
        );
        // Counted only when a client selects totalCount.
        return { ...connection, totalCount: () => countUnitEvents(ctx.db, filter) };
      },
    },
    {
      name: 'UnitEventConnection',
      description: 'A page of administrative events, by effective day then id.',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many events match the filter, on every page.',
          resolve: (connection) => connection.totalCount(),
        }),
      }),
    },
    { name: 'UnitEventEdge', description: 'An administrative event in a page, with its cursor.' },
  ),
}));
