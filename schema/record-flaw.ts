/**
 * What the graph says of records' flaws (connectors/common/flaws.ts,
 * store/flaws.ts): each contract rule as a data-quality rule, whose
 * violations are the flawed records of a unit and period, and the flaws of a
 * record on its own node.
 */
import { contractRules } from '../connectors/common/flaws.ts';
import { FEED_CONTRACTS } from '../connectors/contracts.ts';
import { countFlawsOfSubtree, findFlawsOfRecords, type RecordFlawRow } from '../store/flaws.ts';
import { AS_WAS, type HierarchyBasis } from '../store/indicators/basis.ts';
import type { DayRange } from '../store/indicators/index.ts';
import type { QualityGroup, QualityRule, QualityViolation } from '../store/indicators/quality.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { requestLoader } from './request-loader.ts';
import { UnitNode } from './unit.ts';
import { UNITS_FEED } from '../connectors/cadre-db/connector.ts';

/** Ends the description of a field stored as null when the upstream's value was invalid. */
export const INVALID_NULL =
  ' Null when the upstream sent an invalid value (the record then lists the flaw in `flaws`).';

/** The data-quality group whose record scope a feed's records need. */
const GROUP_OF_FEED: Readonly<Record<string, QualityGroup>> = {
  'one-stop-shop/procedures': 'DOSSIERS',
  'one-stop-shop/dossiers': 'DOSSIERS',
  'cadre-db/units': 'STAFF',
  'cadre-db/staff': 'STAFF',
  'cadre-db/unit-versions': 'STAFF',
  'cadre-db/unit-events': 'STAFF',
  'cadre-db/staff-assignments': 'STAFF',
  'budget/psu-finance': 'PSU',
  'budget/execution': 'BUDGET',
  'budget/investment': 'BUDGET',
};

const codeOf = (records: string, field: string, rule: string) =>
  `FLAW_${records}_${field}_${rule}`.toUpperCase().replaceAll('-', '_');

interface FlawRule extends QualityRule {
  feed: string;
  field: string;
  rule: string;
}

/** One data-quality rule per rule of every contract that stores and flags a record (not the quarantining ones). */
export const FLAW_RULES: readonly FlawRule[] = FEED_CONTRACTS.flatMap(({ feed, records, contract }) =>
  contractRules(contract)
    .filter(({ quarantine }) => !quarantine)
    .map(({ field, rule }): FlawRule => ({
      code: codeOf(records, field, rule),
      feed,
      field,
      rule,
      group: GROUP_OF_FEED[feed]!,
      severity: 'WARNING',
      description: `Records of ${feed} stored with the flaw ${rule} on ${field} (connectors/README.md): counted by the rules their sound fields meet${rule === 'invalid-value' ? `, ${field} stored as null` : ''}.`,
      nameVi: `Bản ghi ${feed} có lỗi ${rule} ở trường ${field}`,
      leftSide: `Records of the unit with the flaw ${rule} on ${field} that count in the period`,
      operator: 'EQUAL_TO',
      rightSide: '0',
      sql: '',
      messageVi: (v) => `${v.left.toLocaleString('vi-VN')} bản ghi có lỗi ${rule} ở trường ${field} (${feed}).`,
      messageEn: (v) => `${v.left.toLocaleString('en-US')} records of ${feed} break ${rule} on ${field}.`,
    })),
);

const FLAW_RULE_BY_KEY = new Map(FLAW_RULES.map((rule) => [`${rule.feed} ${rule.field} ${rule.rule}`, rule]));
export const FLAW_RULES_BY_CODE: ReadonlyMap<string, QualityRule> = new Map(
  FLAW_RULES.map((rule) => [rule.code, rule]),
);

/** The flaw rules violated in a unit's subtree over a period, in FLAW_RULES order, then by unit. */
export async function flawViolations(
  ctx: Context,
  root: string,
  range: DayRange,
  basis: HierarchyBasis = AS_WAS,
): Promise<QualityViolation[]> {
  const order = new Map(FLAW_RULES.map((rule, i) => [rule.code, i]));
  return (await countFlawsOfSubtree(ctx.db, root, range, basis.hierarchy === 'AS_IS' ? basis.hierarchyDate : null))
    .flatMap((row) => {
      const rule = FLAW_RULE_BY_KEY.get(`${row.feed} ${row.field} ${row.rule}`);
      return rule
        ? [
            {
              ruleCode: rule.code,
              unitCode: row.unitCode,
              left: row.records,
              right: 0,
              record: null,
              records: row.keys,
            },
          ]
        : [];
    })
    .sort((a, b) => order.get(a.ruleCode)! - order.get(b.ruleCode)! || (a.unitCode < b.unitCode ? -1 : 1));
}

export const RecordFlawRef = builder.objectRef<RecordFlawRow>('RecordFlaw').implement({
  description:
    'A rule of its upstream contract a stored record breaks without losing its place in the counts (connectors/README.md). Cleared when a later version of the record no longer breaks it.',
  fields: (t) => ({
    rule: t.exposeString('rule', {
      description:
        'The rule: invalid-value (the field was stored as null) or a rule between fields, e.g. returned-without-return-time.',
    }),
    field: t.exposeString('field', {
      description: 'The upstream field it concerns, as the upstream names it, e.g. NgayTra.',
    }),
    value: t.exposeString('value', {
      nullable: true,
      description: 'The value the upstream sent there, as JSON text; null when the field was absent.',
    }),
    firstSeenAt: t.expose('firstSeenAt', {
      type: 'DateTime',
      description: 'When the hub first stored the record with it.',
    }),
    lastSeenAt: t.expose('lastSeenAt', {
      type: 'DateTime',
      description: 'When the hub last received the record with it.',
    }),
  }),
});

/** The flaws of one of a feed's records (a record without flaws gets an empty list), one statement per page. */
export function flawsOf(ctx: Context, feed: string, key: string): Promise<RecordFlawRow[]> {
  return requestLoader(ctx, `flaws ${feed}`, async (keys) => {
    const rows = await findFlawsOfRecords(ctx.db, feed, keys);
    return keys.map((k) => rows.filter((row) => row.key === k));
  }).load(key);
}

builder.objectFields(UnitNode, (t) => ({
  flaws: t.field({
    type: [RecordFlawRef],
    description:
      'The rules of the cadre database’s contract this unit’s record breaks without losing its place in the tree (connectors/README.md); empty for a sound record.',
    resolve: (unit, _args, ctx) => flawsOf(ctx, UNITS_FEED, unit.code),
  }),
}));
