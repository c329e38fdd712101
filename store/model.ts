/**
 * The canonical model: what every upstream record becomes once a connector has
 * validated and mapped it. Field names are the hub's, in English; values that
 * are data (names, labels) keep their Vietnamese, NFC-normalised.
 *
 * Instants are `Date` (UTC); calendar days are `'YYYY-MM-DD'` strings (a day
 * in Vietnam time, never shifted by a time zone); amounts in đồng are strings
 * of digits (bigint in the store), so they stay exact past 2^53.
 *
 * A field that may be null here only because its upstream value can be
 * invalid (a flag out of range, a malformed amount) is null exactly when the
 * record carries the flaw `invalid-value` on it (connectors/common/flaws.ts).
 */

export type IsoDate = string;
/** Whole Vietnamese đồng, as a string of digits (optionally signed). */
export type Vnd = string;

export const UNIT_LEVELS = ['PROVINCE', 'DISTRICT', 'COMMUNE'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const UNIT_KINDS = ['PEOPLES_COMMITTEE', 'AGENCY', 'PUBLIC_SERVICE_UNIT'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const PSU_SECTORS = ['EDUCATION', 'HEALTH', 'CULTURE', 'SCIENCE', 'LABOUR', 'ECONOMY', 'OTHER'] as const;
export type PsuSector = (typeof PSU_SECTORS)[number];

export interface Unit {
  /** National electronic identifier (mã định danh điện tử), e.g. `000.00.12.H06`. */
  code: string;
  /** Budget-relation code (mã QHNS, 7 digits): the budget system's key for the unit. */
  budgetCode: string | null;
  name: string;
  parentCode: string | null;
  level: UnitLevel;
  kind: UnitKind;
  /** Public service units only. */
  sector: PsuSector | null;
  headcountQuota: number | null;
  validFrom: IsoDate | null;
  /** The day the unit was dissolved or merged away: it is valid up to the day before. */
  validTo: IsoDate | null;
  sourceUpdatedAt: Date;
}

export const ONLINE_SERVICE_LEVELS = ['FULL_PROCESS', 'PARTIAL', 'NONE'] as const;
export type OnlineServiceLevel = (typeof ONLINE_SERVICE_LEVELS)[number];

export interface Procedure {
  code: string;
  name: string;
  fieldCode: string | null;
  fieldName: string | null;
  levels: UnitLevel[] | null;
  onlineService: OnlineServiceLevel | null;
  hasFee: boolean | null;
}

export const DOSSIER_CHANNELS = ['IN_PERSON', 'ONLINE', 'POSTAL'] as const;
export type DossierChannel = (typeof DOSSIER_CHANNELS)[number];

/** TrangThaiHoSo 1 … 10, in the upstream's order. */
export const DOSSIER_STATUSES = [
  'REGISTERED',
  'RECEIVED',
  'REFUSED',
  'PROCESSING',
  'SUPPLEMENT_REQUESTED',
  'AWAITING_PAYMENT',
  'WITHDRAWN',
  'STOPPED',
  'PROCESSED',
  'RETURNED',
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

export const ONLINE_PAYMENT_CHANNELS = ['NATIONAL_PORTAL', 'PROVINCE_GATEWAY'] as const;
export type OnlinePaymentChannel = (typeof ONLINE_PAYMENT_CHANNELS)[number];

export interface Dossier {
  code: string;
  procedureCode: string;
  unitCode: string;
  channel: DossierChannel | null;
  status: DossierStatus | null;
  applicantName: string | null;
  applicantPhone: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  fullProcessOnline: boolean | null;
  hasFee: boolean | null;
  /** Where the fee was paid online; null when it was not. */
  onlinePayment: OnlinePaymentChannel | null;
  digitised: boolean | null;
  electronicResult: boolean | null;
  sourceUpdatedAt: Date;
}

export const STAFF_CATEGORIES = ['CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER'] as const;
export type StaffCategory = (typeof STAFF_CATEGORIES)[number];

export const QUALIFICATIONS = [
  'DOCTORATE',
  'MASTER',
  'BACHELOR',
  'COLLEGE',
  'INTERMEDIATE',
  'ELEMENTARY',
  'UNTRAINED',
] as const;
export type Qualification = (typeof QUALIFICATIONS)[number];

export const STAFF_STATUSES = ['SERVING', 'RETIRED', 'LEFT', 'TRANSFERRED_OUT'] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

export interface Staff {
  id: string;
  fullName: string;
  birthDate: IsoDate | null;
  gender: 'MALE' | 'FEMALE' | null;
  unitCode: string;
  category: StaffCategory | null;
  rankCode: string | null;
  position: string | null;
  qualification: Qualification | null;
  meetsStandard: boolean | null;
  status: StaffStatus | null;
  sourceUpdatedAt: Date;
}

/** 1 covers recurrent and investment spending, 2 recurrent spending, 3 part of it, 4 state-funded. */
export type AutonomyGroup = 1 | 2 | 3 | 4;

export interface PsuFinance {
  unitCode: string;
  year: number;
  autonomyGroup: AutonomyGroup | null;
  decisionNo: string | null;
  ownRevenue: Vnd | null;
  recurrentExpenditure: Vnd | null;
}

export type BudgetDirection = 'REVENUE' | 'SPENDING';

export interface BudgetExecutionLine {
  unitCode: string;
  year: number;
  /** Cumulative to the end of this month. */
  month: number;
  direction: BudgetDirection;
  chapterCode: string;
  categoryCode: string;
  itemCode: string;
  subItemCode: string;
  estimate: Vnd | null;
  executed: Vnd | null;
}

export interface InvestmentProject {
  code: string;
  name: string;
  unitCode: string;
}

export interface InvestmentDisbursement {
  projectCode: string;
  year: number;
  month: number;
  capitalPlan: Vnd | null;
  disbursedToDate: Vnd | null;
}

/** A unit as it stood from `validFrom` (included) to `validTo` (excluded; null: still in force). */
export interface UnitVersion {
  code: string;
  /** phienBan: 1, 2, … */
  version: number;
  validFrom: IsoDate;
  validTo: IsoDate | null;
  name: string;
  parentCode: string | null;
  level: UnitLevel;
  kind: UnitKind;
  sector: PsuSector | null;
  budgetCode: string | null;
  headcountQuota: number | null;
  sourceUpdatedAt: Date;
}

export const UNIT_EVENT_TYPES = ['MERGER', 'SPLIT', 'DISSOLUTION', 'CREATION', 'RENAME'] as const;
export type UnitEventType = (typeof UNIT_EVENT_TYPES)[number];

/** A merger, split, dissolution, creation or rename, with the units before and after it. */
export interface UnitEvent {
  id: string;
  type: UnitEventType;
  effectiveOn: IsoDate;
  legalBasis: string | null;
  unitsBefore: string[];
  unitsAfter: string[];
  sourceUpdatedAt: Date;
}

/** A period of a person's working history: where they served from `startsOn` to `endsOn` (excluded; null: open). */
export interface StaffAssignment {
  staffId: string;
  startsOn: IsoDate;
  endsOn: IsoDate | null;
  unitCode: string;
  category: StaffCategory | null;
  position: string | null;
  meetsStandard: boolean | null;
  sourceUpdatedAt: Date;
}
