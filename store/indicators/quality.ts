/**
 * Data-quality rules in the style of DHIS2 validation rules: each rule is data
 * (a code, a severity, what it checks, its left and right sides) plus one SQL
 * check over a unit's subtree and a period that returns a row per violation.
 * The rules of a group share the group's scan and run as one statement (one
 * round trip per group), their checks joined by UNION ALL. A rule flags only
 * records that cannot all be true, never two correct records that merely
 * disagree (see QUALITY_RULES for one left out on that ground).
 */
import { UNRESOLVED_CLOSED_STATUSES } from '../dossiers.ts';
import type { Queryable } from '../db.ts';
import { exactInteger } from './numbers.ts';
import { BUDGET_MONTH, BUDGET_YEAR, COMPUTED_GROUP } from './finance.ts';
import { AS_WAS, HIERARCHIES, type Hierarchy, type HierarchyBasis } from './basis.ts';
import { scopeItems, vnDayEnd, vnDayStart, type DayRange } from './scope.ts';

export const QUALITY_SEVERITIES = ['ERROR', 'WARNING'] as const;
export type QualitySeverity = (typeof QUALITY_SEVERITIES)[number];

export const QUALITY_GROUPS = ['DOSSIERS', 'PSU', 'STAFF', 'BUDGET'] as const;
export type QualityGroup = (typeof QUALITY_GROUPS)[number];

/** How the two sides must compare for the rule to hold. */
export type QualityOperator = 'EQUAL_TO' | 'LESS_THAN_OR_EQUAL_TO';

/** The records a per-unit violation lists at most. */
export const RECORD_SAMPLE = 20;

/** A violation as the store finds it; the messages are the rule's, from these values. */
export interface QualityViolation {
  ruleCode: string;
  unitCode: string;
  /** The two sides that disagree, exact (counts, groups, amounts in đồng). */
  left: number;
  right: number;
  /** The record concerned, for rules checked per record (a budget line); null otherwise. */
  record: string | null;
  /** Some of the records that break the rule, for rules counted per unit (at most RECORD_SAMPLE). */
  records: string[];
}

export interface QualityRule {
  code: string;
  group: QualityGroup;
  severity: QualitySeverity;
  /** English: what the rule checks and why a violation means the store holds contradictory records. */
  description: string;
  nameVi: string;
  leftSide: string;
  operator: QualityOperator;
  rightSide: string;
  /**
   * One SELECT over the group's common items (see GROUP_ITEMS) returning
   * unit_code, left_value, right_value, record, records: one row per violation.
   */
  sql: string;
  messageVi(v: QualityViolation): string;
  messageEn(v: QualityViolation): string;
}

// Parameters of every statement: $1 the root's code (text[] of one), $2 and $3 the period's first and last Vietnam days
// (the convention already applied). Budget and public service unit checks read the calendar year (and month) of the
// last day, like their figures (finance.ts).
const S = vnDayStart('$2');
const E = vnDayEnd('$3');
const LEFT = `(${UNRESOLVED_CLOSED_STATUSES.map((status) => `'${status}'`).join(', ')})`;
const sample = (expr: string, filter: string) =>
  `(array_agg(${expr} ORDER BY ${expr}) FILTER (WHERE ${filter}))[1:${RECORD_SAMPLE}]`;
const nf = (n: number) => n.toLocaleString('en-US');
const nfVi = (n: number) => n.toLocaleString('vi-VN');

/**
 * The items each group's rules read, after the scope (scope.ts). DOSSIERS:
 * `flagged`, the dossiers of the units valid in the period (as the figures
 * count them) that can take part in the period, with the flags of
 * dossiers.ts: received, carried over, resolved, pending, and left during the
 * period (withdrawn, refused or stopped, at their last update, inside it),
 * plus the records touching the period by their finish.
 */
const GROUP_ITEMS: Record<QualityGroup, string> = {
  DOSSIERS: `flagged AS (
    SELECT d.code, d.unit_code, d.received_at, d.finished_at, d.due_at,
           d.received_at >= ${S} AND d.received_at < ${E} AS received,
           d.received_at >= ${S} AND d.received_at < ${E} AND d.channel = 'ONLINE' AS received_online,
           d.received_at >= ${S} AND d.received_at < ${E} AND d.channel = 'IN_PERSON' AS received_in_person,
           d.received_at >= ${S} AND d.received_at < ${E} AND d.channel = 'POSTAL' AS received_postal,
           d.received_at < ${S} AND (d.finished_at IS NULL OR d.finished_at >= ${S})
             AND NOT (d.status IN ${LEFT} AND d.source_updated_at < ${S}) AS carried_over,
           d.status IN ('PROCESSED', 'RETURNED') AND d.finished_at >= ${S} AND d.finished_at < ${E} AS resolved,
           d.received_at < ${E} AND (d.finished_at IS NULL OR d.finished_at >= ${E})
             AND NOT (d.status IN ${LEFT} AND d.source_updated_at < ${E}) AS pending,
           d.status IN ${LEFT} AND d.source_updated_at >= ${S} AND d.source_updated_at < ${E} AS left_in_period,
           -- closed (finished, or left at its last update) before it was received
           (d.finished_at < d.received_at OR (d.status IN ${LEFT} AND d.source_updated_at < d.received_at))
             AND ((d.received_at >= ${S} AND d.received_at < ${E})
                  OR (d.finished_at >= ${S} AND d.finished_at < ${E})) AS closed_before_received,
           d.due_at < d.received_at AND d.received_at >= ${S} AND d.received_at < ${E} AS due_before_received
      FROM dossiers d
     WHERE d.unit_code IN (SELECT code FROM scope WHERE in_period)
       AND ((d.received_at < ${E} AND (d.received_at >= ${S} OR d.finished_at IS NULL OR d.finished_at >= ${S}
                                      OR (d.status IN ${LEFT} AND d.source_updated_at >= ${S})))
            OR (d.finished_at >= ${S} AND d.finished_at < ${E}))
  ),
  received_by_day AS (
    SELECT c.unit_code, sum(c.count)::bigint AS received
      FROM dossier_day_counts c
     WHERE c.unit_code IN (SELECT code FROM scope WHERE in_period) AND c.day BETWEEN $2::date AND $3::date
     GROUP BY c.unit_code
  )`,
  PSU: `psu AS (
    SELECT DISTINCT s.code AS unit_code, f.autonomy_group, f.own_revenue, f.recurrent_expenditure,
           ${COMPUTED_GROUP} AS computed_group
      FROM scope s
      JOIN psu_finance f ON f.unit_code = s.code AND f.year = ${BUDGET_YEAR}
     WHERE s.kind = 'PUBLIC_SERVICE_UNIT' AND s.at_end
  )`,
  STAFF: `dissolved AS (
    SELECT DISTINCT u.code AS unit_code
      FROM scope s JOIN units u ON u.code = s.code
     WHERE u.valid_to IS NOT NULL AND u.valid_to <= $3::date
  )`,
  BUDGET: `spending AS (
    SELECT l.unit_code, l.year, l.month, l.chapter_code, l.category_code, l.item_code, l.sub_item_code, l.executed,
           lag(l.month) OVER line AS previous_month,
           lag(l.executed) OVER line AS previous_executed
      FROM budget_execution_lines l
     WHERE l.unit_code IN (SELECT DISTINCT code FROM scope WHERE in_period)
       AND l.direction = 'SPENDING' AND l.year = ${BUDGET_YEAR} AND l.month <= ${BUDGET_MONTH}
    WINDOW line AS (PARTITION BY l.unit_code, l.chapter_code, l.category_code, l.item_code, l.sub_item_code
                    ORDER BY l.month)
  )`,
};

// Left out on purpose: budget executed above its estimate is NOT a violation. The estimate (dự toán) is the one
// assigned at the start of the year; revenue above it (vượt thu) is the usual outcome and is reported as an
// achievement, and spending above it follows from supplementary estimates (dự toán bổ sung) and funds carried over
// from the previous year (chuyển nguồn), which the budget system's execution lines do not restate. A cumulative
// spending amount that falls from one month to the next, though, cannot be right (SPENDING_EXECUTION_DECREASE).
export const QUALITY_RULES: readonly QualityRule[] = [
  {
    code: 'DOSSIER_BALANCE',
    group: 'DOSSIERS',
    severity: 'ERROR',
    nameVi: 'Cân đối hồ sơ: kỳ trước chuyển qua + tiếp nhận mới = đã giải quyết + đang giải quyết + rút, từ chối, dừng',
    description:
      'For each unit of the subtree valid in the period, counted from its dossiers (the withdrawn, refused and stopped ones included): carried over + received in the period = resolved in the period + pending at its end + left (withdrawn, refused or stopped) during it. Consistent records always balance, whatever their statuses, so a break means the store holds contradictory records: closed before received, a finish date on a dossier that is neither resolved nor left, a withdrawn dossier with an earlier finish date.',
    leftSide: 'Carried over + received in the period',
    operator: 'EQUAL_TO',
    rightSide: 'Resolved + pending at the end + left during the period',
    sql: `SELECT unit_code,
                 count(*) FILTER (WHERE carried_over) + count(*) FILTER (WHERE received) AS left_value,
                 count(*) FILTER (WHERE resolved) + count(*) FILTER (WHERE pending)
                   + count(*) FILTER (WHERE left_in_period) AS right_value,
                 NULL::text AS record, NULL::text[] AS records
            FROM flagged
           GROUP BY unit_code
          HAVING count(*) FILTER (WHERE carried_over) + count(*) FILTER (WHERE received)
                 <> count(*) FILTER (WHERE resolved) + count(*) FILTER (WHERE pending)
                    + count(*) FILTER (WHERE left_in_period)`,
    messageVi: (v) =>
      `Hồ sơ không cân đối: kỳ trước chuyển qua và tiếp nhận mới ${nfVi(v.left)}, nhưng đã giải quyết, đang giải quyết và rút, từ chối, dừng ${nfVi(v.right)}.`,
    messageEn: (v) =>
      `Dossiers do not balance: ${nf(v.left)} carried over and received, but ${nf(v.right)} resolved, pending and left.`,
  },
  {
    code: 'DOSSIER_CLOSED_BEFORE_RECEIVED',
    group: 'DOSSIERS',
    severity: 'ERROR',
    nameVi: 'Hồ sơ kết thúc trước ngày tiếp nhận',
    description:
      'Dossiers received or finished in the period whose finish (NgayKetThucXuLy), or for a withdrawn, refused or stopped one its last update, comes before its reception (NgayTiepNhan). Counted per unit; the records list some of them.',
    leftSide: 'Dossiers closed before they were received',
    operator: 'EQUAL_TO',
    rightSide: '0',
    sql: `SELECT unit_code, count(*) FILTER (WHERE closed_before_received) AS left_value, 0 AS right_value,
                 NULL::text AS record, ${sample('code', 'closed_before_received')} AS records
            FROM flagged
           GROUP BY unit_code
          HAVING count(*) FILTER (WHERE closed_before_received) > 0`,
    messageVi: (v) => `${nfVi(v.left)} hồ sơ có ngày kết thúc xử lý trước ngày tiếp nhận.`,
    messageEn: (v) => `${nf(v.left)} dossier(s) finished before they were received.`,
  },
  {
    code: 'DOSSIER_DUE_BEFORE_RECEIVED',
    group: 'DOSSIERS',
    severity: 'ERROR',
    nameVi: 'Hồ sơ có ngày hẹn trả trước ngày tiếp nhận',
    description:
      'Dossiers received in the period whose due date (NgayHenTra) comes before their reception: they would be late before they arrived. Counted per unit; the records list some of them.',
    leftSide: 'Dossiers due before they were received',
    operator: 'EQUAL_TO',
    rightSide: '0',
    sql: `SELECT unit_code, count(*) FILTER (WHERE due_before_received) AS left_value, 0 AS right_value,
                 NULL::text AS record, ${sample('code', 'due_before_received')} AS records
            FROM flagged
           GROUP BY unit_code
          HAVING count(*) FILTER (WHERE due_before_received) > 0`,
    messageVi: (v) => `${nfVi(v.left)} hồ sơ có ngày hẹn trả trước ngày tiếp nhận.`,
    messageEn: (v) => `${nf(v.left)} dossier(s) due before they were received.`,
  },
  {
    code: 'RECEIVED_BY_CHANNEL',
    group: 'DOSSIERS',
    severity: 'ERROR',
    nameVi: 'Tiếp nhận mới = trực tuyến + trực tiếp + bưu chính công ích',
    description:
      'For each unit valid in the period: the dossiers received in the period as the count rollup (dossier_day_counts, which Unit.dossierCounts serves) holds them = those received online + in person + by post, counted from the dossiers themselves. Every dossier has exactly one channel (a constraint of the store), so the two sides can only differ when the rollup no longer matches the records it summarises.',
    leftSide: 'Received in the period (count rollup)',
    operator: 'EQUAL_TO',
    rightSide: 'Received online + in person + by post (dossiers)',
    sql: `SELECT coalesce(r.unit_code, f.unit_code) AS unit_code,
                 coalesce(r.received, 0) AS left_value, coalesce(f.by_channel, 0) AS right_value,
                 NULL::text AS record, NULL::text[] AS records
            FROM received_by_day r
            FULL JOIN (SELECT unit_code,
                              count(*) FILTER (WHERE received_online) + count(*) FILTER (WHERE received_in_person)
                                + count(*) FILTER (WHERE received_postal) AS by_channel
                         FROM flagged GROUP BY unit_code) f ON f.unit_code = r.unit_code
           WHERE coalesce(r.received, 0) <> coalesce(f.by_channel, 0)`,
    messageVi: (v) =>
      `Số hồ sơ tiếp nhận mới (${nfVi(v.left)}) khác tổng trực tuyến, trực tiếp và bưu chính công ích (${nfVi(v.right)}).`,
    messageEn: (v) => `Dossiers received (${nf(v.left)}) differ from online + in person + by post (${nf(v.right)}).`,
  },
  {
    code: 'PSU_GROUP_MISMATCH',
    group: 'PSU',
    severity: 'WARNING',
    nameVi: 'Đơn vị sự nghiệp công lập có mức tự bảo đảm chi thường xuyên không khớp nhóm được giao',
    description:
      'Each public service unit valid at the period’s end with an autonomy record for the calendar year of its last day whose self-financing level (own revenue ÷ recurrent expenditure, compared exactly) places it in another group than the one assigned (Decree 60/2021/NĐ-CP art. 9–10; the same rule as PsuAutonomy.contradictsAssignedGroup and the PSU_GROUP_MISMATCH indicator). Left: the assigned group; right: the group its figures give.',
    leftSide: 'Assigned autonomy group',
    operator: 'EQUAL_TO',
    rightSide: 'Group computed from own revenue and recurrent expenditure',
    sql: `SELECT unit_code, autonomy_group AS left_value, computed_group AS right_value,
                 NULL::text AS record, NULL::text[] AS records
            FROM psu
           WHERE computed_group <> autonomy_group`,
    messageVi: (v) =>
      `Đơn vị được giao nhóm ${v.left} nhưng mức tự bảo đảm chi thường xuyên tính từ số liệu thuộc nhóm ${v.right}.`,
    messageEn: (v) => `Assigned autonomy group ${v.left}, but its self-financing level places it in group ${v.right}.`,
  },
  {
    code: 'STAFF_IN_DISSOLVED_UNIT',
    group: 'STAFF',
    severity: 'WARNING',
    nameVi: 'Cán bộ, công chức, viên chức đang công tác tại đơn vị đã giải thể',
    description:
      'Units of the subtree dissolved or merged away before the period’s end (valid_to on or before its last day) that still have serving staff in the cadre database: the staff should have been moved or their status closed. Counted per unit; the records list some of the staff ids.',
    leftSide: 'Serving staff of a unit dissolved before the period’s end',
    operator: 'EQUAL_TO',
    rightSide: '0',
    sql: `SELECT st.unit_code, count(*) AS left_value, 0 AS right_value, NULL::text AS record,
                 ${sample('st.id::text', 'true')} AS records
            FROM dissolved d JOIN staff st ON st.unit_code = d.unit_code AND st.status = 'SERVING'
           GROUP BY st.unit_code`,
    messageVi: (v) => `${nfVi(v.left)} người đang công tác tại đơn vị đã giải thể, sáp nhập trước cuối kỳ.`,
    messageEn: (v) => `${nf(v.left)} serving staff in a unit dissolved or merged away before the period’s end.`,
  },
  {
    code: 'SPENDING_EXECUTION_DECREASE',
    group: 'BUDGET',
    severity: 'WARNING',
    nameVi: 'Số thực hiện chi lũy kế giảm so với tháng trước',
    description:
      'Spending execution lines of the calendar year of the period’s last day, up to its month, whose cumulative executed amount (thực hiện, cumulative from January) is lower than on the same line (chapter, category, item, sub-item) in the unit’s previous reported month: a cumulative figure cannot fall. One violation per line and month; left: the previous month’s amount, right: this month’s (đồng). Revenue is not checked: refunds (hoàn trả các khoản thu) do lower cumulative revenue.',
    leftSide: 'Cumulative spending executed, previous reported month',
    operator: 'LESS_THAN_OR_EQUAL_TO',
    rightSide: 'Cumulative spending executed, this month',
    sql: `SELECT unit_code, previous_executed AS left_value, executed AS right_value,
                 concat_ws('/', year, lpad(previous_month::text, 2, '0') || '→' || lpad(month::text, 2, '0'),
                           chapter_code, category_code, item_code, sub_item_code) AS record,
                 NULL::text[] AS records
            FROM spending
           WHERE executed < previous_executed`,
    messageVi: (v) =>
      `Số chi thực hiện lũy kế giảm từ ${nfVi(v.left)} xuống ${nfVi(v.right)} đồng (${v.record}: năm/tháng/chương/loại-khoản/mục/tiểu mục).`,
    messageEn: (v) =>
      `Cumulative spending executed fell from ${nf(v.left)} to ${nf(v.right)} VND (${v.record}: year/months/chapter/category/item/sub-item).`,
  },
];

export const QUALITY_RULES_BY_CODE: ReadonlyMap<string, QualityRule> = new Map(QUALITY_RULES.map((r) => [r.code, r]));

interface ViolationRow {
  rule: string;
  unit_code: string;
  left_value: string | number;
  right_value: string | number;
  record: string | null;
  records: string[] | null;
}

/** The statement of a group: its scope and items once, then each rule's check, tagged with its code. */
export function groupStatement(group: QualityGroup, hierarchy?: Hierarchy): string {
  const rules = QUALITY_RULES.filter((rule) => rule.group === group);
  const heldOn = hierarchy === undefined ? undefined : hierarchy === 'AS_IS' ? '$4' : 'PERIOD';
  return `WITH RECURSIVE ${scopeItems('$1', { first: '$2', last: '$3' }, { heldOn })},
  ${GROUP_ITEMS[group]}
  ${rules.map((rule) => `SELECT '${rule.code}'::text AS rule, c.* FROM (${rule.sql}) AS c`).join('\nUNION ALL\n')}`;
}

/** Each group's statement on each basis: its units are those the root held in the tree as it was, or on a date. */
const STATEMENTS = new Map(
  QUALITY_GROUPS.flatMap((group) =>
    HIERARCHIES.map((hierarchy) => [`${group} ${hierarchy}`, groupStatement(group, hierarchy)] as const),
  ),
);

/**
 * The violations of every rule over a unit's subtree and a period, by rule (in
 * QUALITY_RULES order), then unit code, then record: one statement per group,
 * the groups in parallel.
 */
export async function qualityViolations(
  db: Queryable,
  root: string,
  range: DayRange,
  basis: HierarchyBasis = AS_WAS,
): Promise<QualityViolation[]> {
  const params = [[root], range.first, range.last, ...(basis.hierarchy === 'AS_IS' ? [basis.hierarchyDate] : [])];
  const results = await Promise.all(
    QUALITY_GROUPS.map((group) => db.query<ViolationRow>(STATEMENTS.get(`${group} ${basis.hierarchy}`)!, params)),
  );
  const order = new Map(QUALITY_RULES.map((rule, i) => [rule.code, i]));
  return results
    .flat()
    .map((row) => ({
      ruleCode: row.rule,
      unitCode: row.unit_code,
      left: exactInteger(row.left_value, `${row.rule} left`),
      right: exactInteger(row.right_value, `${row.rule} right`),
      record: row.record,
      records: row.records ?? [],
    }))
    .sort(
      (a, b) =>
        order.get(a.ruleCode)! - order.get(b.ruleCode)! ||
        (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0) ||
        (a.record ?? '').localeCompare(b.record ?? ''),
    );
}
