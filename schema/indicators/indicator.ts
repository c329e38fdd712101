/**
 * The catalog in the graph: each indicator's definition (Indicator), so that
 * clients can show what a value means and where it comes from.
 */
import type { FigureRef } from '../../store/indicators/figures.ts';
import { UNIT_LEVELS, type UnitLevel } from '../../store/model.ts';
import { AGGREGATE_TYPE } from '../authorization.ts';
import { builder } from '../builder.ts';
import { SourceNameEnum } from '../source.ts';
import { LocalizedTextRef } from '../localized-text.ts';
import { UnitLevel as UnitLevelEnum } from '../unit.ts';
import {
  criterionAt,
  INDICATOR_CATALOG,
  type FigureSum,
  type IndicatorDefinition,
  type IndicatorPartDefinition,
} from '../../indicators/catalog.ts';
import { IndicatorCodeEnum, IndicatorDirectionEnum, IndicatorUnitEnum } from './enums.ts';
import { IndicatorValueRef } from './indicator-value.ts';

/** A figure as the graph names it: "<group>.<figure>", e.g. "DOSSIERS.resolvedEarly". */
const figureName = ([group, name]: FigureRef) => `${group}.${name}`;

const FIGURES_DESCRIPTION =
  'The store’s figures summed, as "<group>.<figure>" (e.g. "DOSSIERS.resolvedEarly"); groups: DOSSIERS (one-stop-shop, form 06), STAFF (cadre database), PSU (public service units and their autonomy), BUDGET (budget execution and public investment), CROSS (across systems).';

const IndicatorTermRef = builder.objectRef<FigureSum>('IndicatorTerm').implement({
  description: 'The numerator or the denominator of an indicator: a sum of figures over the unit’s subtree.',
  fields: (t) => ({
    description: t.exposeString('description', { description: 'What is counted or summed.' }),
    figures: t.stringList({ description: FIGURES_DESCRIPTION, resolve: (term) => term.figures.map(figureName) }),
  }),
});

const IndicatorPartDefinitionRef = builder.objectRef<IndicatorPartDefinition>('IndicatorPartDefinition').implement({
  description: 'One part of an indicator’s breakdown; the parts add up to the numerator.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The part’s code within the indicator, e.g. ONLINE.' }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'Its name in Vietnamese and English.',
      resolve: (d) => ({ vi: d.nameVi, en: d.nameEn }),
    }),
    name: t.exposeString('nameVi', { description: 'Vietnamese name.', deprecationReason: 'Use label.vi.' }),
    nameEn: t.exposeString('nameEn', { description: 'English name.', deprecationReason: 'Use label.en.' }),
    figures: t.stringList({ description: FIGURES_DESCRIPTION, resolve: (part) => part.figures.map(figureName) }),
  }),
});

interface LevelCriterion {
  level: UnitLevel;
  criterion: string;
}

const IndicatorLevelCriterionRef = builder.objectRef<LevelCriterion>('IndicatorLevelCriterion').implement({
  description: 'The national criterion an indicator feeds when evaluated for a unit of a level.',
  fields: (t) => ({
    level: t.expose('level', { type: UnitLevelEnum, description: 'The level of the unit evaluated.' }),
    criterion: t.exposeString('criterion', {
      description: 'A PAR INDEX criterion code (e.g. 3.4.2) or SERVICE_INDEX (the national service index).',
    }),
  }),
});

export const IndicatorRef = builder.objectRef<IndicatorDefinition>('Indicator').implement({
  ...AGGREGATE_TYPE,
  description:
    'An indicator of the catalog: what it measures, the figures of its numerator and denominator (value = numerator × factor ÷ denominator, summed over a unit’s subtree before dividing), and the national criterion it feeds.',
  fields: (t) => ({
    code: t.expose('code', { type: IndicatorCodeEnum, description: 'Stable code, e.g. ON_TIME_RATE.' }),
    label: t.field({
      type: LocalizedTextRef,
      description: 'Its name, e.g. { vi: "Tỷ lệ hồ sơ giải quyết đúng hạn", en: "On-time rate" }.',
      resolve: (d) => ({ vi: d.nameVi, en: d.nameEn }),
    }),
    name: t.exposeString('nameVi', {
      description: 'Vietnamese name, e.g. "Tỷ lệ hồ sơ giải quyết đúng hạn".',
      deprecationReason: 'Use label.vi.',
    }),
    nameEn: t.exposeString('nameEn', { description: 'English name.', deprecationReason: 'Use label.en.' }),
    description: t.exposeString('description', {
      description: 'What it measures and how, with the Vietnamese terms, and which period rules apply.',
    }),
    numerator: t.field({
      type: IndicatorTermRef,
      description: 'What the numerator sums.',
      resolve: (d) => d.numerator,
    }),
    denominator: t.field({
      type: IndicatorTermRef,
      nullable: true,
      description: 'What the denominator sums; null for a count (its value is the numerator).',
      resolve: (d) => d.denominator,
    }),
    factor: t.exposeInt('factor', { description: '100 for percentages, 1 otherwise.' }),
    measureUnit: t.field({
      type: IndicatorUnitEnum,
      description: 'The unit of measure of its values (a percentage, dossiers, đồng …).',
      resolve: (d) => d.unit,
    }),
    unit: t.field({
      type: IndicatorUnitEnum,
      deprecationReason: 'Use measureUnit (the same value): "unit" reads as the administrative unit.',
      description: 'What the value measures.',
      resolve: (d) => d.unit,
    }),
    sources: t.field({
      type: [SourceNameEnum],
      description:
        'The upstream systems whose records it counts (the unit tree, from the cadre database, scopes every indicator).',
      resolve: (d) => [...d.sources],
    }),
    criterion: t.string({
      nullable: true,
      description:
        'The national criterion it feeds when that is the same at every level: a PAR INDEX criterion code (e.g. 5.6) or SERVICE_INDEX. Null when it feeds none or when it depends on the level (see criterionByLevel).',
      resolve: (d) => (typeof d.criterion === 'string' ? d.criterion : null),
    }),
    criterionByLevel: t.field({
      type: [IndicatorLevelCriterionRef],
      description:
        'The criterion it feeds at each unit level (e.g. ON_TIME_RATE: 3.4.1 for province agencies, 3.4.2 for districts, 3.4.3 for communes); empty when it feeds none.',
      resolve: (d) =>
        UNIT_LEVELS.flatMap((level) => {
          const criterion = criterionAt(d, level);
          return criterion === null ? [] : [{ level, criterion }];
        }),
    }),
    direction: t.field({
      type: IndicatorDirectionEnum,
      description: 'Which way it improves.',
      resolve: (d) => d.direction,
    }),
    parts: t.field({
      type: [IndicatorPartDefinitionRef],
      description: 'Its breakdown, in order; empty when it has none.',
      resolve: (d) => [...(d.parts ?? [])],
    }),
  }),
});

builder.objectFields(IndicatorValueRef, (t) => ({
  indicator: t.field({
    type: IndicatorRef,
    description: 'The indicator’s definition.',
    resolve: (v) => v.definition,
  }),
}));

builder.queryFields((t) => ({
  indicatorCatalog: t.field({
    type: [IndicatorRef],
    authScopes: { 'read:aggregates': true },
    description:
      'Every indicator the hub computes, in the catalog’s order (one-stop-shop, staff, budget, across systems).',
    resolve: () => [...INDICATOR_CATALOG],
  }),
}));
