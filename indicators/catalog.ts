/**
 * The indicator catalog, as data: what each indicator is, which figures of
 * the store (store/indicators/figures.ts) make its numerator and denominator,
 * and what it feeds. The evaluator (evaluate.ts) reads nothing else: adding an
 * indicator over existing figures is adding an entry here. Every indicator is
 * numerator ÷ denominator × factor, each a sum of figures over the unit's
 * subtree as it stood in the period, divided last over the subtree's totals
 * (never an average of the children's rates). Dossier figures follow the
 * requested convention (calendar or reporting); staff, budget and public
 * service unit figures do not (STAFF_NOTE, PSU_NOTE, BUDGET_NOTE).
 */
import type { SourceName } from '../connectors/feed.ts';
import type { FigureGroup, FigureRef } from '../store/indicators/figures.ts';
import type { UnitLevel } from '../store/model.ts';

export const INDICATOR_UNITS = [
  'PERCENT',
  'DOSSIERS',
  'PEOPLE',
  'UNITS',
  'VND',
  'DOSSIERS_PER_PERSON',
  'VND_PER_DOSSIER',
] as const;
export type IndicatorUnit = (typeof INDICATOR_UNITS)[number];

export const INDICATOR_DIRECTIONS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER', 'NEUTRAL'] as const;
export type IndicatorDirection = (typeof INDICATOR_DIRECTIONS)[number];

/** A numerator or a denominator: the sum of some figures. */
export interface FigureSum {
  description: string;
  /** Summed; each figure at most once. */
  figures: readonly FigureRef[];
}

/** One part of a breakdown: the parts of an indicator partition its numerator (they add up to it). */
export interface IndicatorPartDefinition {
  code: string;
  nameVi: string;
  nameEn: string;
  figures: readonly FigureRef[];
}

/**
 * The national criterion an indicator feeds: a PAR INDEX criterion code
 * (Chỉ số cải cách hành chính, e.g. '3.4.2'), 'SERVICE_INDEX' for the national
 * service index (Bộ chỉ số phục vụ người dân, doanh nghiệp, Decision
 * 766/QĐ-TTg), or one of those per level of the unit evaluated.
 */
export type Criterion = string | { byLevel: Readonly<Record<UnitLevel, string | null>> };

export interface IndicatorDefinition {
  /** Stable: clients and stored targets refer to it. */
  code: string;
  nameVi: string;
  nameEn: string;
  /** English, with the Vietnamese term where it helps. */
  description: string;
  numerator: FigureSum;
  /** Null for counts: the value is the numerator. */
  denominator: FigureSum | null;
  /** 100 for percentages, 1 otherwise. */
  factor: 1 | 100;
  unit: IndicatorUnit;
  /** The upstream systems whose records are counted (the unit tree, from CADRE_DB, scopes every indicator). */
  sources: readonly SourceName[];
  criterion: Criterion | null;
  direction: IndicatorDirection;
  /** A breakdown of the numerator; the parts add up to it. */
  parts?: readonly IndicatorPartDefinition[];
  /**
   * The target when none is stored for the unit or an ancestor (in the
   * indicator's unit: 98.5 is 98.5 %); each one's source is given beside it.
   */
  defaultTarget?: number;
}

/**
 * Figures that are the sum of others, by the definitions of the store's
 * groups (store/indicators/*.ts). The catalog test uses them to prove that
 * breakdowns add up to their numerators; the graph test checks that the store
 * honours them.
 */
export const FIGURE_IDENTITIES: readonly { figure: FigureRef; sumOf: readonly FigureRef[] }[] = [
  {
    // Every dossier has exactly one of the three channels.
    figure: ['DOSSIERS', 'received'],
    sumOf: [
      ['DOSSIERS', 'receivedOnline'],
      ['DOSSIERS', 'receivedInPerson'],
      ['DOSSIERS', 'receivedPostal'],
    ],
  },
  {
    // A resolved dossier without a due date counts as on time.
    figure: ['DOSSIERS', 'resolved'],
    sumOf: [
      ['DOSSIERS', 'resolvedEarly'],
      ['DOSSIERS', 'resolvedOnTime'],
      ['DOSSIERS', 'resolvedLate'],
    ],
  },
  {
    figure: ['DOSSIERS', 'pending'],
    sumOf: [
      ['DOSSIERS', 'pendingWithinDeadline'],
      ['DOSSIERS', 'pendingOverdue'],
    ],
  },
  {
    figure: ['STAFF', 'serving'],
    sumOf: [
      ['STAFF', 'servingCadres'],
      ['STAFF', 'servingCivilServants'],
      ['STAFF', 'servingPublicEmployees'],
      ['STAFF', 'servingContractWorkers'],
    ],
  },
];

const ON_TIME_BY_LEVEL: Criterion = {
  // PAR INDEX 3.4.1 scores dossiers of the province's specialised agencies, 3.4.2 of the district
  // People's Committees, 3.4.3 of the commune People's Committees: the unit's level picks the criterion.
  byLevel: { PROVINCE: '3.4.1', DISTRICT: '3.4.2', COMMUNE: '3.4.3' },
};

const STAFF_NOTE =
  'The cadre database as it stands now, whatever the period: the hub keeps no staff history, so only the units (valid on the period’s last day) follow the period.';
const PSU_NOTE =
  'Public service units valid on the period’s last day; their autonomy records are those of the calendar year of that day (budget years are calendar years, whatever the convention).';
const BUDGET_NOTE =
  'Budget figures are calendar: each unit’s execution report of the latest month it has up to the calendar month of the period’s last day, in that calendar year (reports are cumulative from January), whatever the convention.';

export const INDICATOR_CATALOG: readonly IndicatorDefinition[] = [
  // ─── One-stop-shop (form 06/VPCP/KSTT) ────────────────────────────────────────────────────────────────────────
  {
    code: 'DOSSIER_RECEIVED',
    // The name says what it counts: carried-over dossiers too, not only those received in the period.
    nameVi: 'Hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang)',
    nameEn: 'Dossiers received (including carried over)',
    description:
      'Dossiers to handle in the period, as form 06 counts them (tổng số hồ sơ tiếp nhận): received in the period (by NgayTiepNhan, Vietnam day) plus carried over from earlier periods (received before and still open at the period’s first instant).',
    numerator: {
      description: 'Received in the period plus carried over into it.',
      figures: [
        ['DOSSIERS', 'received'],
        ['DOSSIERS', 'carriedOver'],
      ],
    },
    denominator: null,
    factor: 1,
    unit: 'DOSSIERS',
    sources: ['ONE_STOP_SHOP'],
    criterion: null,
    direction: 'NEUTRAL',
    parts: [
      { code: 'ONLINE', nameVi: 'Trực tuyến', nameEn: 'Online', figures: [['DOSSIERS', 'receivedOnline']] },
      { code: 'IN_PERSON', nameVi: 'Trực tiếp', nameEn: 'In person', figures: [['DOSSIERS', 'receivedInPerson']] },
      {
        code: 'POSTAL',
        nameVi: 'Qua dịch vụ bưu chính công ích',
        nameEn: 'By public postal service',
        figures: [['DOSSIERS', 'receivedPostal']],
      },
      {
        code: 'CARRIED_OVER',
        nameVi: 'Từ kỳ trước chuyển qua',
        nameEn: 'Carried over',
        figures: [['DOSSIERS', 'carriedOver']],
      },
    ],
  },
  {
    code: 'DOSSIER_RESOLVED',
    nameVi: 'Số hồ sơ đã giải quyết',
    nameEn: 'Dossiers resolved',
    description:
      'Dossiers resolved in the period (đã giải quyết): status 9 or 10 with NgayKetThucXuLy inside it; early, on time or late by the Vietnam day of finishing against that of the due date (ngày hẹn trả). A dossier without a due date counts as on time.',
    numerator: { description: 'Resolved in the period.', figures: [['DOSSIERS', 'resolved']] },
    denominator: null,
    factor: 1,
    unit: 'DOSSIERS',
    sources: ['ONE_STOP_SHOP'],
    criterion: null,
    direction: 'NEUTRAL',
    parts: [
      { code: 'EARLY', nameVi: 'Trước hạn', nameEn: 'Early', figures: [['DOSSIERS', 'resolvedEarly']] },
      { code: 'ON_TIME', nameVi: 'Đúng hạn', nameEn: 'On time', figures: [['DOSSIERS', 'resolvedOnTime']] },
      { code: 'LATE', nameVi: 'Quá hạn', nameEn: 'Late', figures: [['DOSSIERS', 'resolvedLate']] },
    ],
  },
  {
    code: 'DOSSIER_PENDING',
    nameVi: 'Số hồ sơ đang giải quyết',
    nameEn: 'Dossiers pending',
    description:
      'Dossiers still being processed at the period’s end (đang giải quyết): received by then and neither finished, withdrawn, refused nor stopped by then; overdue when the due date is before the period’s end.',
    numerator: { description: 'Pending at the period’s end.', figures: [['DOSSIERS', 'pending']] },
    denominator: null,
    factor: 1,
    unit: 'DOSSIERS',
    sources: ['ONE_STOP_SHOP'],
    criterion: null,
    direction: 'NEUTRAL',
    parts: [
      {
        code: 'WITHIN_DEADLINE',
        nameVi: 'Trong hạn',
        nameEn: 'Within deadline',
        figures: [['DOSSIERS', 'pendingWithinDeadline']],
      },
      { code: 'OVERDUE', nameVi: 'Quá hạn', nameEn: 'Overdue', figures: [['DOSSIERS', 'pendingOverdue']] },
    ],
  },
  {
    code: 'ON_TIME_RATE',
    nameVi: 'Tỷ lệ hồ sơ giải quyết đúng hạn',
    nameEn: 'On-time rate',
    description:
      'Share of the dossiers resolved in the period that were resolved early or on time (trước hạn và đúng hạn). PAR INDEX 3.4.1 for province agencies, 3.4.2 for districts, 3.4.3 for communes (the criterion follows the level of the unit evaluated); the national service index scores progress on it too.',
    numerator: {
      description: 'Resolved in the period early or on time.',
      figures: [
        ['DOSSIERS', 'resolvedEarly'],
        ['DOSSIERS', 'resolvedOnTime'],
      ],
    },
    denominator: { description: 'Resolved in the period.', figures: [['DOSSIERS', 'resolved']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: ON_TIME_BY_LEVEL,
    direction: 'HIGHER_IS_BETTER',
    // Seed 004 (Hà Tĩnh's 2021 plan), target 5: “Tối thiểu 98,5% hồ sơ TTHC được giải quyết trước và đúng hạn”.
    defaultTarget: 98.5,
  },
  {
    code: 'ONLINE_SUBMISSION_RATE',
    nameVi: 'Tỷ lệ hồ sơ nộp trực tuyến',
    nameEn: 'Online submission rate',
    description:
      'Share of the dossiers received in the period that were submitted online (trực tuyến); dossiers carried over are not counted. National service index.',
    numerator: { description: 'Received online in the period.', figures: [['DOSSIERS', 'receivedOnline']] },
    denominator: {
      description: 'Received in the period (carried over excluded).',
      figures: [['DOSSIERS', 'received']],
    },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: 'SERVICE_INDEX',
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'FULL_PROCESS_ONLINE_RATE',
    nameVi: 'Tỷ lệ hồ sơ trực tuyến toàn trình',
    nameEn: 'Full-process online rate',
    description:
      'Share of the dossiers received in the period under procedures offered as full-process online services (dịch vụ công trực tuyến toàn trình) that were filed through that service (ToanTrinh). PAR INDEX 7.3.6.',
    numerator: {
      description: 'Received in the period through the full-process online service.',
      figures: [['DOSSIERS', 'receivedFullProcessOnline']],
    },
    denominator: {
      description: 'Received in the period under procedures offered as full-process online services.',
      figures: [['DOSSIERS', 'receivedFullProcessEligible']],
    },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: '7.3.6',
    direction: 'HIGHER_IS_BETTER',
    // Seed 002 (Hưng Yên's 2024 plan), criterion 7.3.6: “85% hồ sơ trực tuyến toàn trình được tiếp nhận, xử lý trên
    // tổng số hồ sơ phát sinh của các TTHC được cung cấp dịch vụ công trực tuyến toàn trình”.
    defaultTarget: 85,
  },
  {
    code: 'ONLINE_PAYMENT_RATE',
    nameVi: 'Tỷ lệ hồ sơ thanh toán trực tuyến',
    nameEn: 'Online payment rate',
    description:
      'Share of the dossiers received in the period with a fee (phí, lệ phí) whose fee was paid online (thanh toán trực tuyến), on the national portal or the province’s gateway. PAR INDEX 7.3.7.',
    numerator: {
      description: 'Received in the period with a fee paid online.',
      figures: [['DOSSIERS', 'receivedPaidOnline']],
    },
    denominator: { description: 'Received in the period with a fee.', figures: [['DOSSIERS', 'receivedWithFee']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: '7.3.7',
    direction: 'HIGHER_IS_BETTER',
    // Seed 002, criterion 7.3.7: “50% hồ sơ phát sinh có yêu cầu phí, lệ phí được thanh toán trực tuyến”.
    defaultTarget: 50,
  },
  {
    code: 'DIGITISATION_RATE',
    nameVi: 'Tỷ lệ số hóa hồ sơ',
    nameEn: 'Digitisation rate',
    description:
      'Share of the dossiers received in the period whose components were digitised (số hóa thành phần hồ sơ). National service index.',
    numerator: { description: 'Received in the period and digitised.', figures: [['DOSSIERS', 'receivedDigitised']] },
    denominator: { description: 'Received in the period.', figures: [['DOSSIERS', 'received']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: 'SERVICE_INDEX',
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'ELECTRONIC_RESULT_RATE',
    nameVi: 'Tỷ lệ cấp kết quả điện tử',
    nameEn: 'Electronic result rate',
    description:
      'Share of the dossiers resolved in the period whose result was issued electronically (kết quả điện tử). National service index.',
    numerator: {
      description: 'Resolved in the period with an electronic result.',
      figures: [['DOSSIERS', 'resolvedElectronicResult']],
    },
    denominator: { description: 'Resolved in the period.', figures: [['DOSSIERS', 'resolved']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['ONE_STOP_SHOP'],
    criterion: 'SERVICE_INDEX',
    direction: 'HIGHER_IS_BETTER',
  },

  // ─── Cadre database ───────────────────────────────────────────────────────────────────────────────────────────
  {
    code: 'STAFF_COUNT',
    nameVi: 'Số cán bộ, công chức, viên chức và người lao động',
    nameEn: 'Staff',
    description: `Serving staff (đang công tác) of every category. ${STAFF_NOTE}`,
    numerator: { description: 'Serving staff, every category.', figures: [['STAFF', 'serving']] },
    denominator: null,
    factor: 1,
    unit: 'PEOPLE',
    sources: ['CADRE_DB'],
    criterion: null,
    direction: 'NEUTRAL',
    parts: [
      { code: 'CADRE', nameVi: 'Cán bộ', nameEn: 'Cadres', figures: [['STAFF', 'servingCadres']] },
      {
        code: 'CIVIL_SERVANT',
        nameVi: 'Công chức',
        nameEn: 'Civil servants',
        figures: [['STAFF', 'servingCivilServants']],
      },
      {
        code: 'PUBLIC_EMPLOYEE',
        nameVi: 'Viên chức',
        nameEn: 'Public employees',
        figures: [['STAFF', 'servingPublicEmployees']],
      },
      {
        code: 'CONTRACT_WORKER',
        nameVi: 'Hợp đồng lao động',
        nameEn: 'Contract workers',
        figures: [['STAFF', 'servingContractWorkers']],
      },
    ],
  },
  {
    code: 'HEADCOUNT_FILL_RATE',
    nameVi: 'Tỷ lệ sử dụng biên chế',
    nameEn: 'Headcount fill rate',
    description: `Serving cadres, civil servants and public employees of the units that have a headcount quota (biên chế), over the sum of those quotas; above 100 % the quota is exceeded. ${STAFF_NOTE}`,
    numerator: {
      description: 'Serving cadres, civil servants and public employees of the units with a quota.',
      figures: [['STAFF', 'headcountFilled']],
    },
    denominator: { description: 'Sum of the units’ headcount quotas.', figures: [['STAFF', 'headcountQuota']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB'],
    criterion: null,
    direction: 'NEUTRAL',
  },
  {
    code: 'COMMUNE_CADRE_STANDARD_RATE',
    nameVi: 'Tỷ lệ đạt chuẩn của cán bộ, công chức cấp xã',
    nameEn: 'Commune cadre standard rate',
    description: `Share of the serving cadres and civil servants of commune-level units who meet the qualification standard (đạt chuẩn). PAR INDEX 5.6. ${STAFF_NOTE}`,
    numerator: {
      description: 'Serving commune cadres and civil servants who meet the standard.',
      figures: [['STAFF', 'communeCadresMeetingStandard']],
    },
    denominator: {
      description: 'Serving cadres and civil servants of commune-level units.',
      figures: [['STAFF', 'communeCadres']],
    },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB'],
    criterion: '5.6',
    direction: 'HIGHER_IS_BETTER',
  },

  // ─── Budget system (and the units the cadre database lists as public service units) ──────────────────────────
  {
    code: 'PSU_COUNT',
    nameVi: 'Số đơn vị sự nghiệp công lập',
    nameEn: 'Public service units',
    description: `Public service units (đơn vị sự nghiệp công lập, ĐVSNCL) valid on the period’s last day, from the cadre database’s unit tree.`,
    numerator: { description: 'Public service units valid on the period’s last day.', figures: [['PSU', 'psuCount']] },
    denominator: null,
    factor: 1,
    unit: 'UNITS',
    sources: ['CADRE_DB'],
    criterion: null,
    direction: 'NEUTRAL',
  },
  {
    code: 'PSU_SELF_FINANCING_SHARE',
    nameVi: 'Tỷ lệ đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên',
    nameEn: 'Self-financing public service units',
    description: `Share of the public service units assigned group 1 or 2 for the year (they cover their recurrent spending: tự bảo đảm chi thường xuyên, Decree 60/2021/NĐ-CP) among all public service units, with or without an autonomy record. PAR INDEX 6.3.1 scores their number. ${PSU_NOTE}`,
    numerator: { description: 'Units assigned group 1 or 2.', figures: [['PSU', 'psuSelfFinancing']] },
    denominator: { description: 'All public service units.', figures: [['PSU', 'psuCount']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB', 'BUDGET'],
    criterion: '6.3.1',
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'PSU_PARTIAL_SELF_FINANCING_SHARE',
    nameVi: 'Tỷ lệ đơn vị sự nghiệp công lập tự bảo đảm một phần chi thường xuyên',
    nameEn: 'Partly self-financing public service units',
    description: `Share of the public service units assigned group 3 for the year (they cover part of their recurrent spending) among all public service units. PAR INDEX 6.3.2 scores their number. ${PSU_NOTE}`,
    numerator: { description: 'Units assigned group 3.', figures: [['PSU', 'psuPartlySelfFinancing']] },
    denominator: { description: 'All public service units.', figures: [['PSU', 'psuCount']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB', 'BUDGET'],
    criterion: '6.3.2',
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'PSU_SELF_FINANCING_LEVEL',
    nameVi: 'Mức tự bảo đảm chi thường xuyên',
    nameEn: 'Self-financing level',
    description: `Own revenue (thu sự nghiệp) over recurrent expenditure (chi thường xuyên) of the year, each summed over the public service units with an autonomy record for it (Decree 60/2021/NĐ-CP art. 10): the level of the subtree taken whole, not an average of the units’ levels. ${PSU_NOTE}`,
    numerator: { description: 'Own revenue of the year (VND).', figures: [['PSU', 'psuOwnRevenue']] },
    denominator: {
      description: 'Recurrent expenditure of the year (VND).',
      figures: [['PSU', 'psuRecurrentExpenditure']],
    },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB', 'BUDGET'],
    criterion: null,
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'PSU_REDUCTION_SINCE_2021',
    nameVi: 'Tỷ lệ giảm số lượng đơn vị sự nghiệp công lập so với năm 2021',
    nameEn: 'Public service unit reduction since 2021',
    description:
      'Decrease in the number of public service units against 2021 (units valid on 2021-12-31 minus units valid on the period’s last day), over the 2021 number; negative when it grew. PAR INDEX 4.1.3 (target at least 10 %).',
    numerator: { description: 'Units on 2021-12-31 minus units now.', figures: [['PSU', 'psuReduction']] },
    denominator: { description: 'Units valid on 2021-12-31.', figures: [['PSU', 'psuCount2021']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['CADRE_DB'],
    criterion: '4.1.3',
    direction: 'HIGHER_IS_BETTER',
    // Seed 002, criterion 4.1.3: “bảo đảm đạt mục tiêu giảm tối thiểu bình quân toàn tỉnh 10% đơn vị sự nghiệp công
    // lập so với năm 2021”; docs/domain.md: “target at least 10 %”.
    defaultTarget: 10,
  },
  {
    code: 'BUDGET_REVENUE_EXECUTION_RATE',
    nameVi: 'Tỷ lệ thực hiện dự toán thu ngân sách',
    nameEn: 'Budget revenue execution rate',
    description: `Revenue executed since January (thực hiện) over the year’s revenue estimate (dự toán). ${BUDGET_NOTE}`,
    numerator: { description: 'Revenue executed, cumulative (VND).', figures: [['BUDGET', 'revenueExecuted']] },
    denominator: { description: 'Revenue estimate of the year (VND).', figures: [['BUDGET', 'revenueEstimate']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['BUDGET'],
    criterion: null,
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'BUDGET_SPENDING_EXECUTION_RATE',
    nameVi: 'Tỷ lệ thực hiện dự toán chi ngân sách',
    nameEn: 'Budget spending execution rate',
    description: `Spending executed since January over the year’s spending estimate. ${BUDGET_NOTE}`,
    numerator: { description: 'Spending executed, cumulative (VND).', figures: [['BUDGET', 'spendingExecuted']] },
    denominator: { description: 'Spending estimate of the year (VND).', figures: [['BUDGET', 'spendingEstimate']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['BUDGET'],
    criterion: null,
    direction: 'HIGHER_IS_BETTER',
  },
  {
    code: 'INVESTMENT_DISBURSEMENT_RATE',
    nameVi: 'Tỷ lệ giải ngân vốn đầu tư công',
    nameEn: 'Public investment disbursement rate',
    description: `Capital disbursed to date (giải ngân lũy kế) over the year’s capital plan (kế hoạch vốn), summed over the projects of the units, each project as of its latest month up to the calendar month of the period’s last day. PAR INDEX 6.1.1. Calendar, whatever the convention.`,
    numerator: { description: 'Disbursed to date (VND).', figures: [['BUDGET', 'investmentDisbursed']] },
    denominator: { description: 'Capital plan of the year (VND).', figures: [['BUDGET', 'investmentPlan']] },
    factor: 100,
    unit: 'PERCENT',
    sources: ['BUDGET'],
    criterion: '6.1.1',
    direction: 'HIGHER_IS_BETTER',
  },

  // ─── Across systems ───────────────────────────────────────────────────────────────────────────────────────────
  {
    code: 'DOSSIERS_PER_CIVIL_SERVANT',
    nameVi: 'Số hồ sơ giải quyết bình quân trên một cán bộ, công chức',
    nameEn: 'Dossiers resolved per civil servant',
    description: `Dossiers resolved in the period over the serving cadres and civil servants of the units that received at least one dossier in it (one-stop-shop × cadre database). A workload measure, neither good nor bad by itself. ${STAFF_NOTE}`,
    numerator: { description: 'Resolved in the period.', figures: [['DOSSIERS', 'resolved']] },
    denominator: {
      description: 'Serving cadres and civil servants of the units that received dossiers in the period.',
      figures: [['CROSS', 'civilServantsOfReceivingUnits']],
    },
    factor: 1,
    unit: 'DOSSIERS_PER_PERSON',
    sources: ['ONE_STOP_SHOP', 'CADRE_DB'],
    criterion: null,
    direction: 'NEUTRAL',
  },
  {
    code: 'RECURRENT_COST_PER_DOSSIER',
    nameVi: 'Chi thường xuyên bình quân trên một hồ sơ',
    nameEn: 'Recurrent cost per resolved dossier',
    description:
      'Spending executed within the period by the units that resolved dossiers in it and report spending for the year, over the dossiers those units resolved (budget × one-stop-shop). The spending is the difference of the cumulative reports at the period’s last calendar month and before its first (from January when the period starts in an earlier year). Spending covers far more than dossiers, so it is a comparison between units, not a cost price.',
    numerator: {
      description: 'Spending executed within the period by those units (VND).',
      figures: [['CROSS', 'spendingOfResolvingUnits']],
    },
    denominator: {
      description: 'Dossiers resolved in the period by those units.',
      figures: [['CROSS', 'resolvedByUnitsWithSpending']],
    },
    factor: 1,
    unit: 'VND_PER_DOSSIER',
    sources: ['ONE_STOP_SHOP', 'BUDGET'],
    criterion: null,
    direction: 'NEUTRAL',
  },
  {
    code: 'PSU_GROUP_MISMATCH',
    nameVi: 'Số đơn vị sự nghiệp công lập có mức tự bảo đảm không khớp nhóm được giao',
    nameEn: 'Public service units whose level contradicts their group',
    description: `Public service units with an autonomy record for the year whose self-financing level (own revenue ÷ recurrent expenditure, compared exactly) places them in another group than the one assigned (PsuAutonomy.contradictsAssignedGroup): worth checking with the budget office. ${PSU_NOTE}`,
    numerator: {
      description: 'Units whose computed group differs from the assigned one.',
      figures: [['PSU', 'psuGroupMismatch']],
    },
    denominator: null,
    factor: 1,
    unit: 'UNITS',
    sources: ['CADRE_DB', 'BUDGET'],
    criterion: null,
    direction: 'LOWER_IS_BETTER',
  },
];

export const INDICATORS_BY_CODE: ReadonlyMap<string, IndicatorDefinition> = new Map(
  INDICATOR_CATALOG.map((definition) => [definition.code, definition]),
);

/** Every figure an indicator reads: numerator, denominator and parts. */
export function figuresOf(definition: IndicatorDefinition): FigureRef[] {
  return [
    ...definition.numerator.figures,
    ...(definition.denominator?.figures ?? []),
    ...(definition.parts ?? []).flatMap((part) => part.figures),
  ];
}

/** The figure groups an indicator needs. */
export function groupsOf(definition: IndicatorDefinition): Set<FigureGroup> {
  return new Set(figuresOf(definition).map(([group]) => group));
}

/** The criterion an indicator feeds for a unit of a level; null when none. */
export function criterionAt(definition: IndicatorDefinition, level: UnitLevel): string | null {
  const { criterion } = definition;
  if (criterion === null || typeof criterion === 'string') return criterion;
  return criterion.byLevel[level];
}
