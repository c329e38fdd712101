/** The enums of the indicator types, each value with its meaning. */
import { builder } from '../builder.ts';
import { describedValues } from '../enum-values.ts';
import { INDICATOR_CATALOG, INDICATOR_DIRECTIONS, INDICATOR_UNITS } from '../../indicators/catalog.ts';
import { PERIOD_CONVENTIONS } from '../../indicators/period.ts';
import { HIERARCHIES } from '../../store/indicators/basis.ts';

export const PeriodConventionEnum = builder.enumType('PeriodConvention', {
  description: 'How a period such as 2024-Q2 maps to days.',
  values: describedValues(PERIOD_CONVENTIONS, {
    CALENDAR:
      'Calendar months, quarters, halves and years (the national service index and the budget use these): 2024-06 is 1 to 30 June.',
    REPORTING:
      'The reporting periods of Decree 09/2019/NĐ-CP used by administrative-reform statistics (kỳ báo cáo): a month runs from the 15th of the month before to the 14th (2024-06 is 15 May to 14 June); a quarter from the 15th of the month before its first month to the 14th of its last; H1 from 15 December of the previous year to 14 June; H2 from 15 June to 14 December; the year from 15 December of the previous year to 14 December.',
  }),
});

export const IndicatorUnitEnum = builder.enumType('IndicatorUnit', {
  description: 'What an indicator’s value measures.',
  values: describedValues(INDICATOR_UNITS, {
    PERCENT: 'A percentage (factor 100): 98.5 means 98.5 %.',
    DOSSIERS: 'A number of dossiers (hồ sơ).',
    PEOPLE: 'A number of people.',
    UNITS: 'A number of units (đơn vị).',
    VND: 'An amount of Vietnamese đồng.',
    DOSSIERS_PER_PERSON: 'Dossiers per person.',
    VND_PER_DOSSIER: 'Vietnamese đồng per dossier.',
  }),
});

export const IndicatorDirectionEnum = builder.enumType('IndicatorDirection', {
  description: 'Which way an indicator improves.',
  values: describedValues(INDICATOR_DIRECTIONS, {
    HIGHER_IS_BETTER: 'A higher value is better (e.g. the on-time rate).',
    LOWER_IS_BETTER: 'A lower value is better (e.g. public service units whose level contradicts their group).',
    NEUTRAL: 'Neither: a volume or a workload to read in context (e.g. dossiers received).',
  }),
});

/**
 * The indicator codes, generated from the catalog: a typo in a client is then a
 * compile error (codegen) or a coercion error, and a new catalog entry is a new value.
 */
export const IndicatorCodeEnum = builder.enumType('IndicatorCode', {
  description: 'An indicator of the catalog (indicatorCatalog), by its stable code.',
  values: Object.fromEntries(
    INDICATOR_CATALOG.map((definition) => [
      definition.code,
      { description: `${definition.nameEn} (${definition.nameVi}).` },
    ]),
  ),
});

export const HierarchyEnum = builder.enumType('Hierarchy', {
  description:
    'The tree of units an indicator is counted on (issue 20): the tree of each period’s own time, or the tree of one date restated over every period.',
  values: describedValues(HIERARCHIES, {
    AS_WAS:
      'As it was (the default): each record counts toward the units that were its unit’s ancestors on the record’s own date (a reception on its reception day, a resolution on its finishing day, a dossier still pending on the period’s last day); stocks (staff serving, units in existence, public service unit groups) on the tree and the assignments of the period’s last day. What was reported at the time.',
    AS_IS:
      'As it is on `hierarchyDate` (today in Vietnam by default): every record counts toward the ancestors its unit has on that date; a unit that had ended by then counts through its successor (a merge: the one successor), and one split or dissolved without a successor is counted nowhere below the province (unattributedRecords). The restated series, comparable across the 2025 reorganisation: a merged commune’s past figures are its predecessors’ numerators and denominators summed, then divided.',
  }),
});
