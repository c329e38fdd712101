/**
 * Data quality in the style of DHIS2 validation rules: the rules
 * (DataQualityRule, from store/indicators/quality.ts, where each is data plus
 * one SQL check) and their violations over a unit's subtree and a period
 * (DataQualityViolation), through `dataQualityRules` and `dataQuality`.
 */
import {
  QUALITY_GROUPS,
  QUALITY_RULES,
  QUALITY_RULES_BY_CODE,
  QUALITY_SEVERITIES,
  qualityViolations,
  type QualityRule,
  type QualityViolation,
} from '../../store/indicators/quality.ts';
import type { Scope } from '../../store/access.ts';
import { AGGREGATE_TYPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import { describedValues } from '../enum-values.ts';
import { LocalizedTextRef } from '../localized-text.ts';
import { UnitNode } from '../unit.ts';
import { PeriodConventionEnum } from './enums.ts';
import { FLAW_RULES, FLAW_RULES_BY_CODE, flawViolations } from '../record-flaw.ts';
import { parsePeriod } from '../../indicators/period.ts';
import { hierarchyArgs, hierarchyBasisOf } from './hierarchy.ts';

const DataQualitySeverityEnum = builder.enumType('DataQualitySeverity', {
  description: 'How serious a data-quality violation is.',
  values: describedValues(QUALITY_SEVERITIES, {
    ERROR: 'The records cannot all be true: the figures computed from them are wrong until the source is fixed.',
    WARNING: 'The records contradict each other or another system and are worth checking with the source’s owner.',
  }),
});

const DataQualityGroupEnum = builder.enumType('DataQualityRuleGroup', {
  description: 'The records a rule reads; the rules of a group are checked in one statement.',
  values: describedValues(QUALITY_GROUPS, {
    DOSSIERS: 'Dossiers of the one-stop-shop (and the count rollup kept from them).',
    PSU: 'Public service units and their financial autonomy (cadre database × budget system).',
    STAFF: 'Staff of the cadre database and the units they serve in.',
    BUDGET: 'Budget execution lines of the budget system.',
  }),
});

const DataQualityOperatorEnum = builder.enumType('DataQualityOperator', {
  description: 'How a rule’s left side must compare to its right side for the rule to hold.',
  values: describedValues(['EQUAL_TO', 'LESS_THAN_OR_EQUAL_TO'] as const, {
    EQUAL_TO: 'Left = right.',
    LESS_THAN_OR_EQUAL_TO: 'Left ≤ right.',
  }),
});

/**
 * The scope that reads the records a rule's group checks. A violation is an
 * aggregate, but the codes of the records behind it (dossier codes,
 * personnel numbers, budget lines) are row-level data and need the scope of
 * those rows.
 */
const RECORD_SCOPES: Readonly<Record<QualityRule['group'], Scope>> = {
  DOSSIERS: 'read:dossiers',
  STAFF: 'read:staff',
  PSU: 'read:finance',
  BUDGET: 'read:finance',
};

/** A rule by code: one of the store's checks, or a contract's rule whose flaws the sync keeps (schema/record-flaw.ts). */
const ruleOf = (code: string): QualityRule => (QUALITY_RULES_BY_CODE.get(code) ?? FLAW_RULES_BY_CODE.get(code))!;

const recordScopes = (v: QualityViolation) => ({ [RECORD_SCOPES[ruleOf(v.ruleCode).group]]: true });

const DataQualityRuleRef = builder.objectRef<QualityRule>('DataQualityRule').implement({
  ...AGGREGATE_TYPE,
  description:
    'A data-quality rule (in the style of a DHIS2 validation rule): a left side, an operator and a right side, checked for each unit (or record) of a subtree over a period.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. DOSSIER_BALANCE.' }),
    name: t.exposeString('nameVi', { description: 'Vietnamese name.' }),
    description: t.exposeString('description', {
      description: 'What it checks and why a violation means contradictory records (English).',
    }),
    severity: t.expose('severity', { type: DataQualitySeverityEnum, description: 'How serious a violation is.' }),
    group: t.expose('group', { type: DataQualityGroupEnum, description: 'The records it reads.' }),
    leftSide: t.exposeString('leftSide', { description: 'What the left value is.' }),
    operator: t.expose('operator', {
      type: DataQualityOperatorEnum,
      description: 'How left must compare to right for the rule to hold.',
    }),
    rightSide: t.exposeString('rightSide', { description: 'What the right value is.' }),
  }),
});

const DataQualityViolationRef = builder.objectRef<QualityViolation>('DataQualityViolation').implement({
  ...AGGREGATE_TYPE,
  description: 'A rule that does not hold for a unit (or one of its records) over the period.',
  fields: (t) => ({
    rule: t.field({
      type: DataQualityRuleRef,
      description: 'The rule broken.',
      resolve: (v) => ruleOf(v.ruleCode),
    }),
    ruleCode: t.exposeString('ruleCode', { description: 'The rule’s code, e.g. DOSSIER_BALANCE.' }),
    severity: t.field({
      type: DataQualitySeverityEnum,
      description: 'The rule’s severity.',
      resolve: (v) => ruleOf(v.ruleCode).severity,
    }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'What is wrong with the figures, in Vietnamese and English.',
      resolve: (v) => {
        const rule = ruleOf(v.ruleCode);
        return { vi: rule.messageVi(v), en: rule.messageEn(v) };
      },
    }),
    message: t.string({
      description: 'What is wrong, in Vietnamese, with the figures.',
      deprecationReason: 'Use label.vi.',
      resolve: (v) => ruleOf(v.ruleCode).messageVi(v),
    }),
    messageEn: t.string({
      description: 'What is wrong, in English, with the figures.',
      deprecationReason: 'Use label.en.',
      resolve: (v) => ruleOf(v.ruleCode).messageEn(v),
    }),
    unitCode: t.exposeString('unitCode', { description: 'The unit whose records break the rule.' }),
    unit: t.field({
      type: UnitNode,
      description: 'The unit whose records break the rule.',
      resolve: (v) => v.unitCode,
    }),
    left: t.exposeFloat('left', {
      description: 'The left side’s value (see rule.leftSide): a whole number (a count, a group or đồng).',
    }),
    right: t.exposeFloat('right', {
      description: 'The right side’s value (see rule.rightSide), which the left should equal (or not exceed).',
    }),
    record: t.exposeString('record', {
      nullable: true,
      authScopes: recordScopes,
      description:
        'The record concerned, for rules checked per record (a budget line: year/months/chapter/category/item/sub-item); null otherwise. Row-level data: it needs the scope of the rule’s records (DOSSIERS: `read:dossiers`, STAFF: `read:staff`, PSU and BUDGET: `read:finance`), and is null with a FORBIDDEN error without it.',
    }),
    records: t.exposeStringList('records', {
      nullable: true,
      authScopes: recordScopes,
      description:
        'For rules counted per unit over records (dossiers, staff): the codes of up to 20 of the records that break it, in code order; empty otherwise. Row-level data: it needs the scope of the rule’s records (DOSSIERS: `read:dossiers`, STAFF: `read:staff`, PSU and BUDGET: `read:finance`), and is null with a FORBIDDEN error without it.',
    }),
  }),
});

builder.queryFields((t) => ({
  dataQualityRules: t.field({
    type: [DataQualityRuleRef],
    authScopes: { 'read:aggregates': true },
    description:
      'Every data-quality rule the hub checks (dataQuality), in the order it lists violations: the checks between records, then one rule per rule of the upstream contracts that a stored record can break (codes FLAW_…, connectors/README.md).',
    resolve: () => [...QUALITY_RULES, ...FLAW_RULES],
  }),
  dataQuality: t.field({
    type: [DataQualityViolationRef],
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description:
      'The data-quality violations over a unit’s subtree and a period, by rule, then unit, then record; empty when every rule holds. A malformed period is BAD_USER_INPUT. A unit code no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both).',
    args: {
      unitCode: t.arg.string({ required: true, description: 'The unit whose subtree is checked.' }),
      period: t.arg.string({
        required: true,
        description: 'The period: a year (2024), a half (2024-H1), a quarter (2024-Q2) or a month (2024-06).',
      }),
      convention: t.arg({
        type: PeriodConventionEnum,
        defaultValue: 'CALENDAR',
        description:
          'How the period maps to days; dossier rules follow it, budget and public service unit rules read the calendar year (and month) of its last day.',
      }),
      ...hierarchyArgs,
    },
    resolve: async (_root, args, ctx) => {
      const period = parsePeriod(args.period, args.convention ?? 'CALENDAR');
      // The rules check the records of the units whose records the unit counts on the basis (in the period as it
      // was, or on hierarchyDate): a dissolved district's 2023 checks cover the communes and schools it then had.
      const basis = hierarchyBasisOf(args);
      await ctx.units.check(args.unitCode, 'unitCode');
      const unit = await UnitNode.getDataloader(ctx).load(args.unitCode);
      if (!unit) return null;
      const [checks, flaws] = await Promise.all([
        qualityViolations(ctx.db, unit.code, period.range, basis),
        flawViolations(ctx, unit.code, period.range, basis),
      ]);
      return [...checks, ...flaws];
    },
  }),
}));
