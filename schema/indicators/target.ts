/**
 * Targets: the admin-only mutations that keep them (setIndicatorTarget,
 * removeIndicatorTarget), the IndicatorTarget they return, and what an
 * IndicatorValue says about its target (target, targetSource, meetsTarget,
 * gap, score). meetsTarget and the exact comparison live in
 * indicators/target.ts. Targets are read through a per-request DataLoader, so
 * a page of values costs one statement.
 */
import { badUserInput } from '../../core/error-codes.ts';
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import {
  deleteTargets,
  readEffectiveTargets,
  upsertTargets,
  type EffectiveStoredTarget,
  type StoredTarget,
  type TargetKey,
} from '../../store/indicators/targets.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { describedValues } from '../enum-values.ts';
import { INDICATORS_BY_CODE, type IndicatorDefinition } from '../../indicators/catalog.ts';
import type { IndicatorEvaluation } from '../../indicators/evaluate.ts';
import { IndicatorCodeEnum } from './enums.ts';
import { IndicatorValueRef } from './indicator-value.ts';
import { FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR } from '../../indicators/period.ts';
import { IndicatorScoreRef } from './score.ts';
import { scoreOf } from '../../indicators/score.ts';
import { meetsTarget, TARGET_SOURCES, type EffectiveTarget } from '../../indicators/target.ts';

const TargetSourceEnum = builder.enumType('TargetSource', {
  description: 'Where a value’s target comes from.',
  values: describedValues(TARGET_SOURCES, {
    STORED_FOR_UNIT: 'Set for the unit itself and the year (setIndicatorTarget).',
    STORED_FOR_ANCESTOR: 'Set for the nearest unit above it that has one for the year (the unit has none of its own).',
    DEFAULT:
      'Nothing stored for the unit or any unit above it: the catalog’s default, from the seeds (e.g. 98.5 % on time).',
  }),
});

// ─── Reading ─────────────────────────────────────────────────────────────────────────────────────────────────────

const keyString = (key: TargetKey) => `${key.indicatorCode} ${key.unitCode} ${key.year}`;

const targetLoader = createContextCache(
  (ctx: Context) =>
    new DataLoader<TargetKey, EffectiveStoredTarget | null, string>((keys) => readEffectiveTargets(ctx.db, keys), {
      cacheKeyFn: keyString,
    }),
);

/** The year a value's target is set for: the period's own year (a REPORTING year ends in it too). */
const yearOf = (v: IndicatorEvaluation) => Number(v.period.label.slice(0, 4));

/**
 * The value's effective target, for its indicator, its unit and the year of its period: the target stored for the
 * unit, else the one stored for its nearest ancestor (store/indicators/targets.ts), else the catalog's default
 * (indicators/catalog.ts `defaultTarget`); null when there is none. Cached per request and value.
 */
const effectiveTargets = createContextCache(() => new WeakMap<IndicatorEvaluation, Promise<EffectiveTarget | null>>());

export function effectiveTarget(ctx: Context, v: IndicatorEvaluation): Promise<EffectiveTarget | null> {
  const cache = effectiveTargets(ctx);
  let found = cache.get(v);
  if (!found) {
    found = targetLoader(ctx)
      .load({ indicatorCode: v.definition.code, unitCode: v.unitCode, year: yearOf(v) })
      .then((stored) => {
        if (stored) {
          return {
            target: stored.target,
            source: stored.depth === 0 ? 'STORED_FOR_UNIT' : 'STORED_FOR_ANCESTOR',
            unitCode: stored.unitCode,
          };
        }
        const fallback = v.definition.defaultTarget;
        return fallback === undefined ? null : { target: String(fallback), source: 'DEFAULT', unitCode: null };
      });
    cache.set(v, found);
  }
  return found;
}

builder.objectFields(IndicatorValueRef, (t) => ({
  target: t.float({
    nullable: true,
    description:
      'The target for this unit and the period’s year, in the value’s unit (98.5 means 98.5 % for a percentage): the one set for the unit, else for its nearest ancestor, else the catalog’s default; null when there is none.',
    resolve: async (v, _args, ctx) => {
      const found = await effectiveTarget(ctx, v);
      return found === null ? null : Number(found.target);
    },
  }),
  targetSource: t.field({
    type: TargetSourceEnum,
    nullable: true,
    description: 'Where the target comes from; null when there is no target.',
    resolve: async (v, _args, ctx) => (await effectiveTarget(ctx, v))?.source ?? null,
  }),
  meetsTarget: t.boolean({
    nullable: true,
    description:
      'Whether the value meets the target in the indicator’s direction: at or above it when higher is better, at or below it when lower is better (a value exactly at its target meets it; compared exactly, not in floating point). Null when there is no target, no value (denominator 0) or the indicator is NEUTRAL.',
    resolve: async (v, _args, ctx) => meetsTarget(v, (await effectiveTarget(ctx, v))?.target ?? null),
  }),
  gap: t.float({
    nullable: true,
    description:
      'value − target, signed, in the value’s unit (for a percentage, in percentage points): negative below the target. Null when either is null.',
    resolve: async (v, _args, ctx) => {
      const found = await effectiveTarget(ctx, v);
      return found === null || v.value === null ? null : v.value - Number(found.target);
    },
  }),
  score: t.field({
    type: IndicatorScoreRef,
    nullable: true,
    description:
      'The points the value earns on the PAR INDEX criterion it feeds at this unit’s level, where the seeds document the scoring (3.4.1–3.4.3, 4.1.3, 7.3.6); null otherwise, or without a value.',
    resolve: (v) => scoreOf(v),
  }),
}));

// ─── Writing ─────────────────────────────────────────────────────────────────────────────────────────────────────

const IndicatorTargetRef = builder.objectRef<StoredTarget>('IndicatorTarget').implement({
  description: 'A target stored for an indicator, a unit (and the units below it without their own) and a year.',
  fields: (t) => ({
    code: t.expose('indicatorCode', {
      type: IndicatorCodeEnum,
      description: 'The indicator’s code, e.g. ON_TIME_RATE.',
    }),
    unitCode: t.exposeString('unitCode', { description: 'The unit it is set for.' }),
    year: t.exposeInt('year', { description: 'The calendar year of the periods it applies to.' }),
    target: t.float({
      description: 'The target, in the indicator’s unit (98.5 means 98.5 % for a percentage).',
      resolve: (row) => Number(row.target),
    }),
    setBy: t.exposeString('setBy', {
      description:
        'Who set it: the name of the consumer whose credential the mutation came with (targets set before consumers existed say ADMIN_TOKEN).',
    }),
    setAt: t.expose('setAt', { type: 'DateTime', description: 'When it was last set.' }),
  }),
});

/** The indicator a target may be set for: known, and not NEUTRAL (a target must be a side to meet). */
function targetableDefinition(code: string): IndicatorDefinition {
  const definition = INDICATORS_BY_CODE.get(code);
  if (!definition)
    throw badUserInput('code', `Unknown indicator code: ${code} (the codes are listed by indicatorCatalog)`);
  if (definition.direction === 'NEUTRAL') {
    throw badUserInput(
      'code',
      `${code} is NEUTRAL (neither a higher nor a lower value is better), so a target could be neither met nor missed`,
    );
  }
  return definition;
}

function checkYear(year: number) {
  if (!Number.isInteger(year) || year < FIRST_PERIOD_YEAR || year > LAST_PERIOD_YEAR) {
    throw badUserInput('year', `year must be from ${FIRST_PERIOD_YEAR} to ${LAST_PERIOD_YEAR}, got ${year}`);
  }
}

function checkTarget(definition: IndicatorDefinition, target: number) {
  if (!Number.isFinite(target)) throw badUserInput('target', 'target must be a finite number');
  if (definition.unit === 'PERCENT' && (target < 0 || target > 100)) {
    throw badUserInput('target', `${definition.code} is a percentage: its target must be from 0 to 100, got ${target}`);
  }
  if (target < 0) throw badUserInput('target', `${definition.code} counts ${definition.unit}: its target must be ≥ 0`);
}

const targetArgs = builder.args((t) => ({
  code: t.string({ required: true, description: 'The indicator’s code, e.g. ON_TIME_RATE.' }),
  unitCode: t.string({
    required: true,
    description: 'The unit’s code; the target also applies to the units below it that have none of their own.',
  }),
  year: t.int({
    required: true,
    description: `The calendar year of the periods it applies to (${FIRST_PERIOD_YEAR}–${LAST_PERIOD_YEAR}).`,
  }),
}));

builder.mutationFields((t) => ({
  setIndicatorTarget: t.field({
    type: IndicatorTargetRef,
    authScopes: { admin: true },
    description:
      'Sets (or replaces) the target of an indicator for a unit and a year (needs the `admin` scope, and for an administrator bound to a unit subtree a unit in it; written to the audit log in the same transaction: if the entry cannot be written, nothing is set and the error, AUDIT_UNAVAILABLE, says so). Percentages take 0–100, other indicators a value ≥ 0; NEUTRAL indicators take none. An unknown code or unit, or a value out of range, is BAD_USER_INPUT.',
    args: {
      ...targetArgs,
      target: t.arg.float({ required: true, description: 'The target, in the indicator’s unit (98.5 for 98.5 %).' }),
    },
    resolve: async (_root, args, ctx) => {
      ctx.audit.usedAdmin('setIndicatorTarget');
      const definition = targetableDefinition(args.code);
      checkYear(args.year);
      checkTarget(definition, args.target);
      await ctx.units.check(args.unitCode, 'unitCode');
      const [row] = await ctx.audit.commitAdmin('setIndicatorTarget', (tx) =>
        upsertTargets(
          tx,
          [{ indicatorCode: args.code, unitCode: args.unitCode, year: args.year, target: args.target }],
          ctx.viewer.consumer,
        ),
      );
      return row!;
    },
  }),
  removeIndicatorTarget: t.field({
    type: IndicatorTargetRef,
    nullable: true,
    authScopes: { admin: true },
    description:
      'Removes the target stored for an indicator, a unit and a year (needs the `admin` scope, and for an administrator bound to a unit subtree a unit in it; written to the audit log in the same transaction, as for setIndicatorTarget), and returns it; null when none was stored. The unit then takes its nearest ancestor’s target, or the default.',
    args: targetArgs,
    resolve: async (_root, args, ctx) => {
      ctx.audit.usedAdmin('removeIndicatorTarget');
      if (!INDICATORS_BY_CODE.has(args.code)) {
        throw badUserInput('code', `Unknown indicator code: ${args.code} (the codes are listed by indicatorCatalog)`);
      }
      checkYear(args.year);
      await ctx.units.check(args.unitCode, 'unitCode');
      const [removed] = await ctx.audit.commitAdmin('removeIndicatorTarget', (tx) =>
        deleteTargets(tx, [{ indicatorCode: args.code, unitCode: args.unitCode, year: args.year }]),
      );
      return removed ?? null;
    },
  }),
}));
