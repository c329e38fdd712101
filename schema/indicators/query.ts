/**
 * Indicators joined to units: the root `indicators` field, the value's Unit
 * and Unit.indicator. Unit.indicators lives beside the Unit type (schema/unit.ts).
 */
import { builder } from '../builder.ts';
import { UnitNode } from '../unit.ts';
import { indicatorByCode } from './breakdown.ts';
import { indicatorArgs, indicatorsOfUnit, IndicatorValueRef, checkIndicatorArgs } from './indicator-value.ts';

builder.objectFields(IndicatorValueRef, (t) => ({
  orgUnit: t.field({
    type: UnitNode,
    description: 'The unit whose subtree is counted (the organisation unit; `measureUnit` is what the value measures).',
    // The code lets the Unit loader fetch every unit of a response in one query.
    resolve: (v) => v.unitCode,
  }),
  foldedUnits: t.field({
    type: [UnitNode],
    description:
      'Units that no longer existed on the basis’s dates (ended by a merge or a rename) whose records were folded into this value through their successors, by code; empty when none (always for AS_WAS, which counts each record where it stood).',
    // Codes, like orgUnit: the Unit loader fetches every folded unit of a response in one query.
    resolve: (v) => [...v.foldedUnitCodes],
  }),
}));

builder.queryFields((t) => ({
  indicators: t.field({
    type: [IndicatorValueRef],
    nullable: true,
    authScopes: { 'read:aggregates': true },
    description:
      'Indicators of a unit and its whole subtree over a period, on the tree of the period (AS_WAS) or restated on hierarchyDate’s (AS_IS). A malformed period, an unknown indicator code or a hierarchyDate with AS_WAS is an error (BAD_USER_INPUT). A unit code no unit has, or one outside the subtree of a consumer bound to one, is BAD_USER_INPUT (the same error for both).',
    args: {
      unitCode: t.arg.string({ required: true, description: 'The unit’s national electronic identifier.' }),
      ...indicatorArgs,
    },
    resolve: async (_root, args, ctx) => {
      checkIndicatorArgs(args);
      await ctx.units.check(args.unitCode, 'unitCode');
      const unit = await UnitNode.getDataloader(ctx).load(args.unitCode);
      if (!unit) return null;
      return indicatorsOfUnit(ctx, unit, args);
    },
  }),
}));

builder.objectFields(UnitNode, (t) => ({
  indicator: t.field({
    type: IndicatorValueRef,
    authScopes: { 'read:aggregates': true },
    description:
      'One indicator of this unit and its whole subtree over a period: the element of `indicators` with that code. An unknown code is an error (BAD_USER_INPUT).',
    args: {
      code: t.arg.string({ required: true, description: 'The indicator’s code, e.g. ON_TIME_RATE.' }),
      period: indicatorArgs.period,
      convention: indicatorArgs.convention,
      hierarchy: indicatorArgs.hierarchy,
      hierarchyDate: indicatorArgs.hierarchyDate,
    },
    resolve: async (unit, args, ctx) => {
      const { code } = indicatorByCode(args.code);
      // Through the same batch as Unit.indicators, so a page of units is still one statement per figure group.
      const [value] = await indicatorsOfUnit(ctx, unit, { ...args, codes: [code] });
      return value!;
    },
  }),
}));
