import { badUserInput } from '../core/error-codes.ts';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import {
  countChildrenOfUnits,
  countDossiersOfUnits,
  countServingStaffOfUnits,
  countUnits,
  findAncestorsOfUnits,
  findDescendantsOfUnits,
  findUnitsByCodes,
  findUnitsByParentCodes,
  listUnits,
  STAFF_COUNT_CATEGORIES,
  type DescendantRow,
  type ReceivedRange,
  type UnitDossierCountRow,
  type UnitRow,
  type UnitStaffCountRow,
} from '../store/units.ts';
import { DOSSIER_COUNT_OUTCOMES } from '../store/dossiers.ts';
import {
  countAssignedStaffOfUnits,
  countChildrenOn,
  findChildrenOn,
  findParentsOn,
  type DatedChildRow,
} from '../store/unit-history.ts';
import { visibleUnit } from './history-access.ts';
import { requestLoader } from './request-loader.ts';
import { PSU_SECTORS, UNIT_KINDS, UNIT_LEVELS } from '../store/model.ts';
import { ANY_READ_SCOPE, unitRowScopes } from './authorization.ts';
import { builder } from './builder.ts';
import { describedValues } from './enum-values.ts';
import type { Context } from './context.ts';
import { checkPageSize, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE } from './pagination.ts';
import { indicatorArgs, indicatorsOfUnit, IndicatorValueRef } from './indicators/indicator-value.ts';
import { searchWords } from './search.ts';
import { LocalizedTextRef } from './localized-text.ts';
import { PeriodConventionEnum } from './indicators/enums.ts';
import { parsePeriod, type PeriodConvention } from '../indicators/period.ts';

export const UnitLevel = builder.enumType('UnitLevel', {
  description: 'Administrative level. DISTRICT exists only in periods before the 2025 reorganisation.',
  values: describedValues(UNIT_LEVELS, {
    PROVINCE: 'Province level (cấp tỉnh).',
    DISTRICT: 'District level (cấp huyện), until 2025-07-01.',
    COMMUNE: 'Commune level (cấp xã).',
  }),
});

export const UnitKind = builder.enumType('UnitKind', {
  description:
    "PEOPLES_COMMITTEE: a level's People's Committee (UBND); AGENCY: a specialised agency or office (CQCM); PUBLIC_SERVICE_UNIT: a public service unit (ĐVSNCL).",
  values: describedValues(UNIT_KINDS, {
    PEOPLES_COMMITTEE: "A level's People's Committee (UBND).",
    AGENCY: 'A specialised agency or office (cơ quan chuyên môn, CQCM).',
    PUBLIC_SERVICE_UNIT: 'A public service unit (đơn vị sự nghiệp công lập, ĐVSNCL).',
  }),
});

export const PsuSector = builder.enumType('PsuSector', {
  description:
    'Sector of a public service unit (lĩnh vực): EDUCATION (giáo dục), HEALTH (y tế), CULTURE (văn hóa), SCIENCE (khoa học), LABOUR (lao động), ECONOMY (kinh tế), OTHER (khác).',
  values: describedValues(PSU_SECTORS, {
    EDUCATION: 'Education and training (giáo dục).',
    HEALTH: 'Health (y tế).',
    CULTURE: 'Culture, sport and information (văn hoá).',
    SCIENCE: 'Science and technology (khoa học).',
    LABOUR: 'Labour and social affairs (lao động).',
    ECONOMY: 'Economic and other public services (kinh tế).',
    OTHER: 'Other (khác).',
  }),
});

export const UnitNode = builder.loadableNode('Unit', {
  description:
    'An agency or unit of the province, as the cadre database records it, with its validity dates. Any read scope sees a unit’s own fields (every row is labelled by its unit); the fields that list or count what lies beneath it need `read:aggregates`. A consumer bound to a unit subtree sees the units of that subtree only: any other looked up is null, as an unknown one would be.',
  // Checked when a unit is returned, however it was reached (node(id), a row's unit, the tree).
  runScopesOnType: true,
  authScopes: unitRowScopes('Unit', ANY_READ_SCOPE, (unit: UnitRow) => unit.code),
  id: { resolve: (unit) => unit.code },
  load: (codes: string[], ctx: Context) => findUnitsByCodes(ctx.db, codes),
  sort: (unit) => unit.code,
  fields: (t) => ({
    code: t.exposeString('code', { description: 'National electronic identifier (mã định danh điện tử).' }),
    budgetCode: t.exposeString('budgetCode', {
      nullable: true,
      description: 'Budget-relation code (mã quan hệ ngân sách), the key the budget system uses.',
    }),
    name: t.exposeString('name', { description: 'Name with diacritics, as the cadre database writes it (NFC).' }),
    label: t.field({
      type: LocalizedTextRef,
      description:
        'Its name in Vietnamese and English; the cadre database records no English name, so `en` is the Vietnamese name.',
      resolve: (unit) => ({ vi: unit.name, en: unit.name }),
    }),
    shortName: t.string({
      description:
        'Its name without the administrative prefix, for tables and charts: "Yên Thế" for "UBND huyện Yên Thế" or "Xã Yên Thế", "Tư pháp" for "Sở Tư pháp"; the name itself when it has no such prefix ("Trường THPT Ngô Sĩ Liên").',
      resolve: (unit) => shortUnitName(unit.name),
    }),
    level: t.expose('level', { type: UnitLevel, description: 'Administrative level (cấp).' }),
    kind: t.expose('kind', { type: UnitKind, description: 'Kind of unit (loại đơn vị).' }),
    sector: t.expose('sector', { type: PsuSector, nullable: true, description: 'Public service units only.' }),
    headcountQuota: t.exposeInt('headcountQuota', { nullable: true, description: 'Headcount quota (biên chế).' }),
    validFrom: t.expose('validFrom', {
      type: 'Date',
      nullable: true,
      description: 'The day the unit was established (hiệu lực từ); null when unknown.',
    }),
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
    description:
      'The unit directly above this one; null for the province, and for the root of the subtree a consumer bound to one may see (the tree ends there for it, without an error). With `on`, the unit above it on that day, by its version then: null when the unit did not exist that day, or when that parent lies outside the subtree of a consumer bound to one.',
    args: {
      on: t.arg({
        type: 'Date',
        description: 'The day; without it, the latest parent the cadre database gives (as before).',
      }),
    },
    resolve: async (unit, args, ctx) => {
      if (unit.code === ctx.units.root) return null;
      // Returning the code lets the Unit loader batch every parent of a page into one query.
      if (args.on == null) return unit.parentCode;
      const day = args.on;
      const parent = await requestLoader(ctx, `Unit.parent ${day}`, (codes) => findParentsOn(ctx.db, codes, day)).load(
        unit.code,
      );
      return visibleUnit(ctx, parent);
    },
  }),
  children: t.loadableGroup({
    type: UnitNode,
    authScopes: { 'read:aggregates': true },
    description:
      'Direct subordinate units, ordered by code. Without validOn, the units whose latest parent is this one, dissolved ones too; with validOn, the tree as it stood that day: the units whose version in force that day had this one as parent (a school passed from a district to a commune on 2025-07-01 is the district’s child on 2025-06-30 and the commune’s on 2025-07-01).',
    args: {
      validOn: t.arg({ type: 'Date', description: 'The day whose tree to read (by the units’ versions then).' }),
    },
    // Batched per field path, so every unit of a page shares one query with the same validOn.
    byPath: true,
    load: (codes: string[], ctx: Context, args) =>
      args.validOn == null
        ? findUnitsByParentCodes(ctx.db, codes, null)
        : findChildrenOn(ctx.db, codes, args.validOn, ctx.units.root),
    // A dated child is grouped under the parent it had that day, not its latest one.
    group: (child) => (child as Partial<DatedChildRow>).heldBy ?? (child as UnitRow).parentCode!,
    resolve: (unit) => unit.code,
  }),
}));

export const UnitStaffCount = builder.objectRef<UnitStaffCountRow>('UnitStaffCount').implement({
  description:
    "How many serving staff (đang công tác) of one category a unit employs itself, its subordinate units' staff not included.",
  fields: (t) => ({
    category: t.exposeString('category', {
      deprecationReason: 'Use staffCategory (the same value, as a StaffCategory).',
      description: `The staff category, one of ${STAFF_COUNT_CATEGORIES.join(', ')}: CADRE is an elected or appointed cadre (cán bộ), CIVIL_SERVANT a civil servant (công chức), PUBLIC_EMPLOYEE a public employee of a public service unit (viên chức), CONTRACT_WORKER a worker under a labour contract (hợp đồng lao động).`,
    }),
    count: t.exposeInt('count', { description: 'Serving staff of the category; zero is listed too.' }),
  }),
});

export const UnitDossierCount = builder.objectRef<UnitDossierCountRow>('UnitDossierCount').implement({
  description: 'How many dossiers (hồ sơ) a unit received that stand at one outcome.',
  fields: (t) => ({
    outcome: t.exposeString('outcome', {
      deprecationReason: 'Use dossierOutcome (the same value, as a DossierOutcome).',
      description: `The outcome, one of ${DOSSIER_COUNT_OUTCOMES.join(', ')}. Resolved dossiers, comparing the Vietnam day of finishing with that of the due date (ngày hẹn trả): EARLY (trước hạn), ON_TIME (đúng hạn, on the due day), LATE (quá hạn); RESOLVED_WITHOUT_DUE_DATE when there was no due date. WITHDRAWN_OR_REFUSED: withdrawn by the applicant or refused (rút hồ sơ, từ chối), which leaves the open count without being resolved; STOPPED: processing stopped (dừng xử lý), which leaves it too. Still being processed (đang giải quyết): OPEN, or OPEN_OVERDUE when its due date has passed at the time of the request.`,
    }),
    count: t.exposeInt('count', { description: 'Dossiers at this outcome; zero is listed too.' }),
  }),
});

const UnitSubtreeFilter = builder.inputType('UnitSubtreeFilter', {
  description: 'Which units of a subtree to list.',
  fields: (t) => ({
    kind: t.field({ type: UnitKind, description: 'Only units of this kind.' }),
    level: t.field({ type: UnitLevel, description: 'Only units of this level.' }),
    validOn: t.field({
      type: 'Date',
      description: 'Only units that existed on this day (the units between them and the root need not have).',
    }),
  }),
});

/**
 * A unit's name without its administrative prefix: the People's Committee
 * (UBND, Ủy ban nhân dân), then the kind of place (tỉnh, thành phố, huyện,
 * quận, thị xã, xã, phường, thị trấn), or a department's "Sở". The cadre
 * database records no short name of its own, so it is derived here.
 */
const ADMINISTRATIVE_PREFIX =
  /^(?:(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+)?(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|sở)\s+/iu;
export function shortUnitName(name: string): string {
  const short = name.replace(ADMINISTRATIVE_PREFIX, '').trim();
  return short === '' ? name : short;
}

/** The days of reception counted: the period's under its convention, else the pair given (either end open). */
function receivedRange(args: {
  period?: string | null;
  convention?: PeriodConvention | null;
  receivedFrom?: string | null;
  receivedTo?: string | null;
}): ReceivedRange {
  if (args.period != null) {
    const { first, last } = parsePeriod(args.period, args.convention ?? 'CALENDAR').range;
    return { from: first, to: last };
  }
  return { from: args.receivedFrom ?? null, to: args.receivedTo ?? null };
}

/**
 * The ancestors (nearest first) a consumer bound to the subtree of `root`
 * may see: those up to the root, which is where the tree ends for it (like
 * Unit.parent). Every ancestor for a consumer that sees the whole province.
 */
export function ancestorsWithin(ancestors: UnitRow[], unitCode: string, root: string | null): UnitRow[] {
  if (root === null) return ancestors;
  if (unitCode === root) return [];
  const at = ancestors.findIndex((ancestor) => ancestor.code === root);
  return at < 0 ? [] : ancestors.slice(0, at + 1);
}

// The tree beyond direct edges, and the counts dashboards show beside a unit: each read for a
// whole page of units in one statement (a loader keyed by unit code, per field path when it has arguments).
builder.objectFields(UnitNode, (t) => ({
  ancestors: t.loadableList({
    type: UnitNode,
    description:
      'Every unit above this one, from its parent up to the root (the province), nearest first; empty for the root. For a consumer bound to a unit subtree, only those up to the root of its subtree (empty for that root itself), without an error.',
    load: async (codes: string[], ctx: Context) =>
      (await findAncestorsOfUnits(ctx.db, codes)).map((ancestors, i) =>
        ancestorsWithin(ancestors, codes[i]!, ctx.units.root),
      ),
    resolve: (unit) => unit.code,
  }),
  descendants: t.loadableGroup({
    type: UnitNode,
    authScopes: { 'read:aggregates': true },
    description:
      'The whole subtree below this unit (children, their children and so on), ordered by code; dissolved units too unless filter.validOn is given.',
    args: { filter: t.arg({ type: UnitSubtreeFilter, description: 'Which units of the subtree to list.' }) },
    byPath: true,
    load: (codes: string[], ctx: Context, args) => findDescendantsOfUnits(ctx.db, codes, args.filter ?? {}),
    group: (unit) => (unit as DescendantRow).root,
    resolve: (unit) => unit.code,
  }),
  childCount: t.loadable({
    type: 'Int',
    authScopes: { 'read:aggregates': true },
    description:
      'How many direct subordinate units it has, counted as `children` lists them: dissolved ones too unless validOn is given, and with validOn the tree as it stood that day.',
    args: {
      validOn: t.arg({ type: 'Date', description: 'The day whose tree to count (by the units’ versions then).' }),
    },
    byPath: true,
    load: (codes: string[], ctx: Context, args) =>
      args.validOn == null
        ? countChildrenOfUnits(ctx.db, codes, null)
        : countChildrenOn(ctx.db, codes, args.validOn, ctx.units.root),
    resolve: (unit) => unit.code,
  }),
  staffCounts: t.loadableList({
    type: UnitStaffCount,
    authScopes: { 'read:aggregates': true },
    description:
      'Staff of the unit itself by category (subordinate units not included), every category listed in a fixed order: without `on`, those serving today (the staff records’ status); with `on`, those whose assignment in the unit was in force that day (quá trình công tác).',
    args: {
      on: t.arg({
        type: 'Date',
        description: 'The day, counted from the staff assignments; today’s status without it.',
      }),
    },
    byPath: true,
    load: (codes: string[], ctx: Context, args) =>
      args.on == null ? countServingStaffOfUnits(ctx.db, codes) : countAssignedStaffOfUnits(ctx.db, codes, args.on),
    resolve: (unit) => unit.code,
  }),
  dossierCounts: t.loadableList({
    type: UnitDossierCount,
    authScopes: { 'read:aggregates': true },
    description:
      'Dossiers the unit received, by outcome, every outcome listed in a fixed order. The range is of Vietnam days, both ends included, given as a period or as a pair of days (not both: BAD_USER_INPUT); without either, every dossier.',
    args: {
      period: t.arg.string({
        description:
          'The period of reception: a year (2024), a half (2024-H1), a quarter (2024-Q2) or a month (2024-06), its days by the convention.',
      }),
      convention: t.arg({
        type: PeriodConventionEnum,
        defaultValue: 'CALENDAR',
        description: 'How the period maps to days (as for indicators); unused without a period.',
      }),
      receivedFrom: t.arg({ type: 'Date', description: 'First day of reception counted.' }),
      receivedTo: t.arg({ type: 'Date', description: 'Last day of reception counted.' }),
    },
    byPath: true,
    load: (codes: string[], ctx: Context, args) => countDossiersOfUnits(ctx.db, codes, receivedRange(args)),
    resolve: (unit, args) => {
      if (args.period != null && (args.receivedFrom != null || args.receivedTo != null)) {
        throw badUserInput('period', 'Give either "period" or "receivedFrom"/"receivedTo", not both');
      }
      receivedRange(args); // a malformed period is refused here, before anything is read
      if (args.receivedFrom && args.receivedTo && args.receivedTo < args.receivedFrom) {
        throw badUserInput(
          'receivedTo',
          `"receivedTo" (${args.receivedTo}) is before "receivedFrom" (${args.receivedFrom})`,
        );
      }
      return unit.code;
    },
  }),
}));

const UnitFilter = builder.inputType('UnitFilter', {
  description: 'Which units to list; every condition given must hold.',
  fields: (t) => ({
    level: t.field({ type: UnitLevel, description: 'Only units of this level.' }),
    kind: t.field({ type: UnitKind, description: 'Only units of this kind.' }),
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
    authScopes: { 'read:aggregates': true },
    description:
      'A unit by its code, dissolved ones included; null when no unit has that code, or when it is outside the subtree of a consumer bound to one.',
    args: { code: t.arg.string({ required: true, description: 'National electronic identifier.' }) },
    resolve: async (_root, args, ctx) =>
      ctx.units.visible(UnitNode.name, await UnitNode.getDataloader(ctx).load(args.code)),
  }),
  units: t.connection(
    {
      type: UnitNode,
      authScopes: { 'read:aggregates': true },
      description: `Units ordered by code, ${DEFAULT_PAGE_SIZE} a page unless asked (at most ${MAX_PAGE_SIZE}); for a consumer bound to a unit subtree, the units of that subtree only (a filter.parentCode no unit has, or outside that subtree, is BAD_USER_INPUT, the same error for both).`,
      args: { filter: t.arg({ type: UnitFilter, description: 'Which units to list.' }) },
      resolve: async (_root, args, ctx) => {
        checkPageSize(args);
        searchWords(args.filter?.search);
        if (args.filter?.parentCode != null) await ctx.units.check(args.filter.parentCode, 'filter.parentCode');
        // Narrowed in the store, so that pages and totalCount count the consumer's units only.
        const filter = { ...args.filter, within: ctx.units.root };
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

builder.objectFields(UnitNode, (t) => ({
  indicators: t.field({
    type: [IndicatorValueRef],
    authScopes: { 'read:aggregates': true },
    description:
      'Indicators of this unit and its whole subtree over a period, on the tree of the period (AS_WAS) or restated on hierarchyDate’s (AS_IS); a page of units is evaluated in one statement per figure group.',
    args: indicatorArgs,
    resolve: (unit, args, ctx) => indicatorsOfUnit(ctx, unit, args),
  }),
}));
