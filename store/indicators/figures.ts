/**
 * The figures the indicators are made of, in groups that share a source: each
 * group is one SQL statement over the units of a scope (scope.ts) and a period,
 * returning every figure of the group at once. An indicator (the catalog in
 * schema/indicators/) names the figures that make its numerator and its
 * denominator; the evaluator asks each group it needs once and divides last.
 *
 * Figures are exact integers (counts, or VND amounts that stay below 2^53 for
 * any province: a provincial budget is around 10^13 VND).
 */

/** The one-stop-shop's figures over a period, by the rules of form 06/VPCP/KSTT (docs/domain.md). */
export interface DossierFigures {
  /** Received in the period (by NgayTiepNhan, Vietnam day), carried over excluded. */
  received: number;
  receivedOnline: number;
  receivedInPerson: number;
  receivedPostal: number;
  /** Received before the period and still open at its first instant. */
  carriedOver: number;
  /** Received in the period under procedures offered as full-process online services. */
  receivedFullProcessEligible: number;
  /** Of those, filed through the full-process online service (ToanTrinh). */
  receivedFullProcessOnline: number;
  /** Received in the period with a fee. */
  receivedWithFee: number;
  /** Of those, paid online (national portal or the province's gateway). */
  receivedPaidOnline: number;
  /** Received in the period with their components digitised. */
  receivedDigitised: number;
  /** Resolved in the period: status 9 or 10 with NgayKetThucXuLy inside it. */
  resolved: number;
  resolvedEarly: number;
  resolvedOnTime: number;
  resolvedLate: number;
  /** Resolved in the period with an electronic result. */
  resolvedElectronicResult: number;
  /** Received by the period's end and neither finished nor withdrawn, refused or stopped by then. */
  pending: number;
  pendingWithinDeadline: number;
  pendingOverdue: number;
}

/** The cadre database's figures at the period's end (units valid on its last day). */
export interface StaffFigures {
  /** Serving staff (status SERVING), every category. */
  serving: number;
  servingCadres: number;
  servingCivilServants: number;
  servingPublicEmployees: number;
  servingContractWorkers: number;
  /** Sum of the headcount quotas (biên chế) of the units that have one. */
  headcountQuota: number;
  /** Serving cadres, civil servants and public employees of the units that have a quota (what fills it). */
  headcountFilled: number;
  /** Serving cadres and civil servants of commune-level units. */
  communeCadres: number;
  /** Of those, the ones who meet the qualification standard. */
  communeCadresMeetingStandard: number;
}

/** Public service units and their financial autonomy, in the budget year the period ends in. */
export interface PsuFigures {
  /** Public service units valid at the period's end. */
  psuCount: number;
  /** Public service units valid on 2021-12-31 (the baseline of PAR INDEX 4.1.3). */
  psuCount2021: number;
  /** psuCount2021 − psuCount (negative when the count grew). */
  psuReduction: number;
  /** Of psuCount, those assigned group 1 or 2 for the year (cover their recurrent spending). */
  psuSelfFinancing: number;
  /** Of psuCount, those assigned group 3 for the year. */
  psuPartlySelfFinancing: number;
  /** Of psuCount, those with an autonomy record for the year. */
  psuWithFinance: number;
  /** Own revenue and recurrent expenditure of the year, summed over those units (VND). */
  psuOwnRevenue: number;
  psuRecurrentExpenditure: number;
  /** Of psuWithFinance, those whose computed level falls outside their assigned group's band. */
  psuGroupMismatch: number;
}

/**
 * The budget system's figures in the calendar year the period ends in, as of
 * the month it ends in (each unit's latest reported month up to it): the
 * execution lines are cumulative from January.
 */
export interface BudgetFigures {
  revenueEstimate: number;
  revenueExecuted: number;
  spendingEstimate: number;
  spendingExecuted: number;
  /** Capital planned for the year and disbursed to date, over the projects of the units. */
  investmentPlan: number;
  investmentDisbursed: number;
}

/** Figures no single upstream holds, over the units that received dossiers in the period. */
export interface CrossFigures {
  /** Serving cadres and civil servants of the units that received at least one dossier in the period. */
  civilServantsOfReceivingUnits: number;
  /** Spending executed within the period (VND) by the units that resolved at least one dossier in it. */
  spendingOfResolvingUnits: number;
  /** Dossiers resolved in the period by those same units (the denominator beside the spending). */
  resolvedByUnitsWithSpending: number;
}

export interface FigureGroups {
  DOSSIERS: DossierFigures;
  STAFF: StaffFigures;
  PSU: PsuFigures;
  BUDGET: BudgetFigures;
  CROSS: CrossFigures;
}

export type FigureGroup = keyof FigureGroups;

/** A figure, named by its group and its name in that group, e.g. ['DOSSIERS', 'resolvedEarly']. */
export type FigureRef = { [G in FigureGroup]: readonly [G, keyof FigureGroups[G] & string] }[FigureGroup];
