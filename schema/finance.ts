import { GraphQLError } from 'graphql';
import {
  findExecutionLines,
  findExecutionTotals,
  findFinanceSummaries,
  findInvestmentFigures,
  findInvestmentTotals,
  findPsuAutonomy,
  type ExecutionLineRow,
  type FinanceSummaryRow,
  type InvestmentFigureRow,
  type PsuAutonomyRow,
  type UnitMonth,
  type UnitYear,
} from '../store/finance.ts';
import type { AutonomyGroup, Vnd } from '../store/model.ts';
import { unitRowScopes } from './authorization.ts';
import { builder } from './builder.ts';
import { flawsOf, INVALID_NULL, RecordFlawRef } from './record-flaw.ts';
import { PSU_FINANCE_FEED, PUBLIC_INVESTMENT_FEED } from '../connectors/budget/connector.ts';
import type { Context } from './context.ts';
import { UnitNode } from './unit.ts';

/*
 * Every type here is a finance row and needs the `read:finance` scope; the
 * two reached by id (PsuAutonomy, Finance) also need, for a consumer bound to
 * a unit subtree, their unit in it. The scopes run when the object is
 * returned (runScopesOnType): a refused row is null with one FORBIDDEN error.
 */
const FINANCE_ROW = { runScopesOnType: true, authScopes: { 'read:finance': true } } as const;
const FINANCE_NOTE = 'Needs the `read:finance` scope.';

/*
 * Amounts are exact (VND strings, summed in SQL over bigint); rates and
 * percentages are Floats for display, computed from the exact amounts.
 */

/** part ÷ whole × 100, from exact amounts (10 decimals kept before the one conversion to a float); null when whole is 0. */
export function percent(part: Vnd | null, whole: Vnd | null): number | null {
  if (part === null || whole === null) return null;
  const divisor = BigInt(whole);
  if (divisor === 0n) return null;
  return Number((BigInt(part) * 10n ** 12n) / divisor) / 1e10;
}

const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new GraphQLError(`"year" must be a year from ${FIRST_YEAR} to ${LAST_YEAR}, got ${year}`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'year' },
    });
  }
}

// Keys of per-year figures: "<unit code>/<year>" (unit codes never hold a slash), and "/<month>" for a month.
const unitYearKey = (k: UnitYear) => `${k.unitCode}/${k.year}`;
const unitMonthKey = (k: UnitMonth) => `${k.unitCode}/${k.year}/${k.month}`;

function parseUnitYear(key: string): UnitYear | GraphQLError {
  const match = /^([^/]+)\/(\d{4})$/.exec(key);
  if (!match) {
    return new GraphQLError(`Invalid key ${JSON.stringify(key)}: expected "<unit code>/<year>"`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return { unitCode: match[1]!, year: Number(match[2]) };
}

function parseUnitMonth(key: string): UnitMonth {
  const [unitCode = '', year = '', month = ''] = key.split('/');
  return { unitCode, year: Number(year), month: Number(month) };
}

/**
 * Loads rows for "<unit>/<year>" keys in one batch: each key gets its row, null
 * when there is none, or an error when the key is malformed (a crafted node ID).
 */
async function loadByUnitYear<T extends UnitYear>(
  keys: readonly string[],
  fetch: (parsed: UnitYear[]) => Promise<T[]>,
): Promise<(T | Error)[]> {
  const parsed = keys.map(parseUnitYear);
  const valid = parsed.filter((k): k is UnitYear => !(k instanceof Error));
  const rows = valid.length > 0 ? await fetch(valid) : [];
  const byKey = new Map(rows.map((row) => [unitYearKey(row), row]));
  // A key with no row resolves to null, as the loaders of sort-mapped nodes do.
  return parsed.map((k) => (k instanceof Error ? k : (byKey.get(unitYearKey(k)) ?? (null as unknown as T))));
}

// ─── Financial autonomy of public service units (Decree 60/2021/NĐ-CP) ───────────────────────────────────────────

export const SelfFinancingBand = builder.enumType('SelfFinancingBand', {
  description:
    'The band of a self-financing level (mức tự bảo đảm chi thường xuyên), Decree 60/2021/NĐ-CP art. 9: the bands of group 3 are the three middle ones.',
  values: {
    FULL: { description: 'At least 100 %: covers all of its recurrent spending (groups 1 and 2).' },
    FROM_70_UNDER_100: { description: '70 % to under 100 % (group 3).' },
    FROM_30_UNDER_70: { description: '30 % to under 70 % (group 3).' },
    FROM_10_UNDER_30: { description: '10 % to under 30 % (group 3).' },
    UNDER_10: { description: 'Under 10 %, or no revenue of its own: funded by the state (group 4).' },
  } as const,
});
type Band = 'FULL' | 'FROM_70_UNDER_100' | 'FROM_30_UNDER_70' | 'FROM_10_UNDER_30' | 'UNDER_10';

/**
 * The band of own revenue ÷ recurrent spending, compared exactly on the amounts.
 * Its SQL twin (with computedGroup) is COMPUTED_GROUP in store/indicators/finance.ts: change both together.
 */
export function selfFinancingBand(ownRevenue: Vnd, recurrentExpenditure: Vnd): Band {
  const revenue = BigInt(ownRevenue);
  const spending = BigInt(recurrentExpenditure);
  if (revenue <= 0n) return 'UNDER_10'; // no revenue of its own
  if (revenue >= spending) return 'FULL'; // also when it has no recurrent spending at all
  if (revenue * 10n >= spending * 7n) return 'FROM_70_UNDER_100';
  if (revenue * 10n >= spending * 3n) return 'FROM_30_UNDER_70';
  if (revenue * 10n >= spending) return 'FROM_10_UNDER_30';
  return 'UNDER_10';
}

/**
 * The group a level places a unit in. Groups 1 and 2 share the band ≥ 100 %;
 * group 1 also needs the unit to cover its investment spending, which the
 * budget system does not report, so a unit assigned group 1 at ≥ 100 % keeps 1
 * and any other unit at ≥ 100 % computes as 2.
 */
export function computedGroup(band: Band, assigned: AutonomyGroup): AutonomyGroup {
  if (band === 'FULL') return assigned === 1 ? 1 : 2;
  return band === 'UNDER_10' ? 4 : 3;
}

const bandOf = (row: PsuAutonomyRow): Band | null =>
  row.ownRevenue === null || row.recurrentExpenditure === null
    ? null
    : selfFinancingBand(row.ownRevenue, row.recurrentExpenditure);

function computedGroupOf(row: PsuAutonomyRow): AutonomyGroup | null {
  const band = bandOf(row);
  return band === null || row.autonomyGroup === null ? null : computedGroup(band, row.autonomyGroup);
}

const GROUP_MEANINGS =
  '1: covers its recurrent and investment spending; 2: covers its recurrent spending; 3: covers part of its recurrent spending (10 % to under 100 %); 4: funded by the state (under 10 %)';

export const PsuAutonomyNode = builder.loadableNode('PsuAutonomy', {
  description:
    "A public service unit's financial autonomy for a year (tự chủ tài chính, Decree 60/2021/NĐ-CP): the group assigned by decision beside the level its own figures show. PAR INDEX 6.3.1 and 6.3.2 count the units that cover their recurrent spending. Needs the `read:finance` scope and, for a consumer bound to a unit subtree, a unit in it (null otherwise).",
  runScopesOnType: true,
  authScopes: unitRowScopes('PsuAutonomy', 'read:finance', (row: { unitCode: string }) => row.unitCode),
  id: { resolve: (row) => unitYearKey(row) },
  load: (keys: string[], ctx: Context) => loadByUnitYear(keys, (parsed) => findPsuAutonomy(ctx.db, parsed)),
  fields: (t) => ({
    unit: t.field({ type: UnitNode, description: 'The public service unit.', resolve: (row) => row.unitCode }),
    year: t.exposeInt('year', { description: 'Budget year (calendar year).' }),
    assignedGroup: t.exposeInt('autonomyGroup', {
      nullable: true,
      description: `The autonomy group assigned by decision (nhóm tự chủ), 1 to 4. ${GROUP_MEANINGS}.${INVALID_NULL}`,
    }),
    decisionNo: t.exposeString('decisionNo', {
      nullable: true,
      description: 'Number of the decision that assigned the group (số quyết định), e.g. "50/QĐ-UBND".',
    }),
    ownRevenue: t.expose('ownRevenue', {
      type: 'VND',
      nullable: true,
      description: `Own revenue from its services (thu sự nghiệp) for the year, exact.${INVALID_NULL}`,
    }),
    recurrentExpenditure: t.expose('recurrentExpenditure', {
      type: 'VND',
      nullable: true,
      description: `Recurrent expenditure (chi thường xuyên) for the year, exact.${INVALID_NULL}`,
    }),
    selfFinancingPercent: t.float({
      nullable: true,
      description:
        'Self-financing level (mức tự bảo đảm chi thường xuyên): ownRevenue ÷ recurrentExpenditure × 100, a display value (the band and groups are decided on the exact amounts). Null when there is no recurrent expenditure.',
      resolve: (row) => percent(row.ownRevenue, row.recurrentExpenditure),
    }),
    selfFinancingBand: t.field({
      type: SelfFinancingBand,
      nullable: true,
      description: 'The band of the self-financing level, decided on the exact amounts; null when an amount is.',
      resolve: (row) => bandOf(row),
    }),
    computedGroup: t.int({
      nullable: true,
      description: `The group the self-financing level places the unit in (${GROUP_MEANINGS}). The budget system does not report investment spending, so ≥ 100 % computes as 2 unless group 1 was assigned. Null when an amount or the assigned group is.`,
      resolve: (row) => computedGroupOf(row),
    }),
    contradictsAssignedGroup: t.boolean({
      nullable: true,
      description:
        'The level falls outside the band of the assigned group (computedGroup ≠ assignedGroup): a mismatch worth flagging. Null when computedGroup is.',
      resolve: (row) => {
        const group = computedGroupOf(row);
        return group === null ? null : group !== row.autonomyGroup;
      },
    }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When the hub last stored these figures.' }),
    flaws: t.field({
      type: [RecordFlawRef],
      description:
        'The rules of the budget system’s contract this row breaks without losing its place in the counts (connectors/README.md); empty for a sound row.',
      resolve: (row, _args, ctx) =>
        row.budgetCode === null ? [] : flawsOf(ctx, PSU_FINANCE_FEED, `${row.year}/${row.budgetCode}`),
    }),
  }),
});

builder.objectFields(UnitNode, (t) => ({
  autonomy: t.field({
    type: PsuAutonomyNode,
    nullable: true,
    authScopes: { 'read:finance': true },
    description:
      'Financial autonomy in a year, for a public service unit; null when the budget system has no figures for the unit that year.',
    args: { year: t.arg.int({ required: true, description: 'Budget year (calendar year).' }) },
    // The key lets the PsuAutonomy loader fetch every unit of a page in one query.
    resolve: (unit, args) => {
      checkYear(args.year);
      return unitYearKey({ unitCode: unit.code, year: args.year });
    },
  }),
}));

// ─── Budget execution and public investment ─────────────────────────────────────────────────────────────────────

export const BudgetDirection = builder.enumType('BudgetDirection', {
  description: 'Which side of the budget a line is on (thu / chi).',
  values: {
    REVENUE: { description: 'Revenue (thu ngân sách).' },
    SPENDING: { description: 'Spending (chi ngân sách).' },
  } as const,
});

interface Amounts {
  estimate: Vnd;
  executed: Vnd;
}

const BudgetTotal = builder.objectRef<Amounts>('BudgetTotal').implement({
  ...FINANCE_ROW,
  description: `Estimate and execution of one direction, summed exactly over its lines. ${FINANCE_NOTE}`,
  fields: (t) => ({
    estimate: t.expose('estimate', { type: 'VND', description: 'Estimate for the year (dự toán).' }),
    executed: t.expose('executed', { type: 'VND', description: 'Executed since January (thực hiện lũy kế).' }),
    rate: t.float({
      nullable: true,
      description: 'executed ÷ estimate × 100, a display value; null when the estimate is 0.',
      resolve: (a) => percent(a.executed, a.estimate),
    }),
  }),
});

const BudgetExecutionLineRef = builder.objectRef<ExecutionLineRow>('BudgetExecutionLine').implement({
  ...FINANCE_ROW,
  description: `One line of the execution report, by state budget classification (mục lục ngân sách nhà nước). ${FINANCE_NOTE}`,
  fields: (t) => ({
    direction: t.expose('direction', { type: BudgetDirection, description: 'Revenue or spending (thu_chi).' }),
    chapterCode: t.exposeString('chapterCode', { description: 'Chapter (chương), e.g. "422".' }),
    categoryCode: t.exposeString('categoryCode', { description: 'Category (loại-khoản), e.g. "072".' }),
    itemCode: t.exposeString('itemCode', { description: 'Item (mục), e.g. "6000".' }),
    subItemCode: t.exposeString('subItemCode', { description: 'Sub-item (tiểu mục), e.g. "6001".' }),
    estimate: t.expose('estimate', {
      type: 'VND',
      nullable: true,
      description: `Estimate for the year (dự toán).${INVALID_NULL}`,
    }),
    executed: t.expose('executed', {
      type: 'VND',
      nullable: true,
      description: `Executed since January (thực hiện lũy kế).${INVALID_NULL}`,
    }),
    rate: t.float({
      nullable: true,
      description: 'executed ÷ estimate × 100, a display value; null when the estimate is 0.',
      resolve: (line) => percent(line.executed, line.estimate),
    }),
  }),
});

interface ExecutionShape extends UnitMonth {
  revenue: Amounts;
  spending: Amounts;
}

const ZERO: Amounts = { estimate: '0', executed: '0' };

const BudgetExecutionRef = builder.loadableObject('BudgetExecution', {
  ...FINANCE_ROW,
  description: `A unit's budget execution (thực hiện dự toán) for a year, cumulative to the latest month the budget system has reported. ${FINANCE_NOTE}`,
  load: async (keys: string[], ctx: Context): Promise<ExecutionShape[]> => {
    const parsed = keys.map(parseUnitMonth);
    const totals = await findExecutionTotals(ctx.db, parsed);
    return parsed.map((k) => {
      const of = (direction: string) => {
        const row = totals.find((r) => unitMonthKey(r) === unitMonthKey(k) && r.direction === direction);
        return row ? { estimate: row.estimate, executed: row.executed } : ZERO;
      };
      return { ...k, revenue: of('REVENUE'), spending: of('SPENDING') };
    });
  },
  fields: (t) => ({
    asOfMonth: t.exposeInt('month', {
      description: 'The month (1–12) the figures are cumulative to: the latest the budget system has reported.',
    }),
    revenue: t.expose('revenue', { type: BudgetTotal, description: 'Revenue lines together (thu).' }),
    spending: t.expose('spending', { type: BudgetTotal, description: 'Spending lines together (chi).' }),
    lines: t.loadableGroup({
      type: BudgetExecutionLineRef,
      description: 'Every line, ordered by direction, chapter, category, item and sub-item.',
      load: (keys: string[], ctx: Context) => findExecutionLines(ctx.db, keys.map(parseUnitMonth)),
      group: (line) => unitMonthKey(line),
      resolve: (execution) => unitMonthKey(execution),
    }),
  }),
});

const InvestmentProjectProgress = builder.objectRef<InvestmentFigureRow>('InvestmentProjectProgress').implement({
  ...FINANCE_ROW,
  description: `A public investment project (dự án đầu tư công) of the unit with the year's plan and disbursement. ${FINANCE_NOTE}`,
  fields: (t) => ({
    projectCode: t.exposeString('projectCode', { description: 'Project code (mã dự án).' }),
    name: t.exposeString('name', { description: 'Project name (tên dự án).' }),
    capitalPlan: t.expose('capitalPlan', {
      type: 'VND',
      nullable: true,
      description: `The year's capital plan (kế hoạch vốn).${INVALID_NULL}`,
    }),
    disbursed: t.expose('disbursedToDate', {
      type: 'VND',
      nullable: true,
      description: `Disbursed since January, to the end of asOfMonth (giải ngân lũy kế).${INVALID_NULL}`,
    }),
    rate: t.float({
      nullable: true,
      description: 'disbursed ÷ capitalPlan × 100, a display value; null when the plan is 0.',
      resolve: (p) => percent(p.disbursedToDate, p.capitalPlan),
    }),
    flaws: t.field({
      type: [RecordFlawRef],
      description:
        'The rules of the budget system’s contract this project’s row for the month breaks without losing its place in the counts (connectors/README.md); empty for a sound row.',
      resolve: (p, _args, ctx) =>
        flawsOf(ctx, PUBLIC_INVESTMENT_FEED, `${p.year}-${String(p.month).padStart(2, '0')}/${p.projectCode}`),
    }),
  }),
});

interface InvestmentShape extends UnitMonth {
  projectCount: number;
  capitalPlan: Vnd;
  disbursed: Vnd;
}

const PublicInvestmentRef = builder.loadableObject('PublicInvestment', {
  ...FINANCE_ROW,
  description: `Public investment disbursement (giải ngân vốn đầu tư công) of the projects a unit owns, for a year, to the latest month reported. PAR INDEX 6.1.1 scores the rate. ${FINANCE_NOTE}`,
  load: async (keys: string[], ctx: Context): Promise<InvestmentShape[]> => {
    const parsed = keys.map(parseUnitMonth);
    const totals = await findInvestmentTotals(ctx.db, parsed);
    return parsed.map((k) => {
      const row = totals.find((r) => unitMonthKey(r) === unitMonthKey(k));
      return {
        ...k,
        projectCount: row?.projects ?? 0,
        capitalPlan: row?.capitalPlan ?? '0',
        disbursed: row?.disbursedToDate ?? '0',
      };
    });
  },
  fields: (t) => ({
    asOfMonth: t.exposeInt('month', { description: 'The month (1–12) disbursement is counted to.' }),
    projectCount: t.exposeInt('projectCount', { description: 'How many projects the unit owns this year.' }),
    capitalPlan: t.expose('capitalPlan', { type: 'VND', description: 'Capital plans of all projects together.' }),
    disbursed: t.expose('disbursed', { type: 'VND', description: 'Disbursement of all projects together.' }),
    rate: t.float({
      nullable: true,
      description: 'disbursed ÷ capitalPlan × 100, a display value; null when the plan is 0.',
      resolve: (i) => percent(i.disbursed, i.capitalPlan),
    }),
    projects: t.loadableGroup({
      type: InvestmentProjectProgress,
      description: 'The projects, ordered by code.',
      load: (keys: string[], ctx: Context) => findInvestmentFigures(ctx.db, keys.map(parseUnitMonth)),
      group: (project) => unitMonthKey(project),
      resolve: (investment) => unitMonthKey(investment),
    }),
  }),
});

export const FinanceNode = builder.loadableNode('Finance', {
  description:
    "A unit's finance for a year from the budget system: budget execution and public investment disbursement. Amounts are exact; rates are display values. Needs the `read:finance` scope and, for a consumer bound to a unit subtree, a unit in it (null otherwise).",
  runScopesOnType: true,
  authScopes: unitRowScopes('Finance', 'read:finance', (row: { unitCode: string }) => row.unitCode),
  id: { resolve: (row) => unitYearKey(row) },
  load: (keys: string[], ctx: Context) =>
    loadByUnitYear<FinanceSummaryRow>(keys, (parsed) => findFinanceSummaries(ctx.db, parsed)),
  fields: (t) => ({
    unitCode: t.exposeString('unitCode', { description: 'National electronic identifier of the unit.' }),
    year: t.exposeInt('year', { description: 'Budget year (calendar year).' }),
    unit: t.field({ type: UnitNode, description: 'The unit.', resolve: (row) => row.unitCode }),
    execution: t.field({
      type: BudgetExecutionRef,
      nullable: true,
      description: 'Budget execution to the latest month reported in the year; null when none is.',
      resolve: (row) => (row.executionMonth === null ? null : unitMonthKey({ ...row, month: row.executionMonth })),
    }),
    investment: t.field({
      type: PublicInvestmentRef,
      nullable: true,
      description:
        "The unit's public investment projects to the latest month reported in the year; null when it has none.",
      resolve: (row) => (row.investmentMonth === null ? null : unitMonthKey({ ...row, month: row.investmentMonth })),
    }),
    syncedAt: t.expose('syncedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the hub last stored any of these figures; null when the year has none.',
    }),
  }),
});

builder.queryFields((t) => ({
  finance: t.field({
    type: FinanceNode,
    nullable: true,
    authScopes: { 'read:finance': true },
    description:
      "A unit's finance for a year. A unit code no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both).",
    args: {
      unitCode: t.arg.string({ required: true, description: 'National electronic identifier of the unit.' }),
      year: t.arg.int({ required: true, description: 'Budget year (calendar year).' }),
    },
    resolve: async (_root, args, ctx) => {
      checkYear(args.year);
      await ctx.units.check(args.unitCode, 'unitCode');
      // No unit code holds a slash: such a code is unknown, not a malformed key.
      return args.unitCode.includes('/') ? null : unitYearKey({ unitCode: args.unitCode, year: args.year });
    },
  }),
}));
