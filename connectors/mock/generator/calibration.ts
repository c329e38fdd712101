/**
 * The figures the demo scale is calibrated on: seed 001, the half-year report
 * (first half of 2023) of Yên Thế district, Bắc Giang, as summarised in
 * docs/domain.md. Dossier rates, channel shares and outcome
 * shares below are derived from them, so that the generated Yên Thế of the
 * demo scale reproduces the report within a few percent.
 */

/** The reporting period (Decree 09/2019/NĐ-CP): 15 December 2022 to 14 June 2023, inclusive. */
export const SEED_001_PERIOD = { from: '2022-12-15', to: '2023-06-14' } as const;

export const SEED_001 = {
  district: {
    received: 2429,
    online: 1297,
    inPersonOrPostal: 1089,
    carriedOver: 45,
    resolved: 2395,
    early: 2283,
    onTime: 101,
    late: 11,
    pending: 34,
  },
  commune: {
    received: 12219,
    online: 11861,
    inPersonOrPostal: 306,
    carriedOver: 52,
    resolved: 12153,
    early: 11670,
    onTime: 378,
    late: 105,
    pending: 65,
  },
  communes: 19,
  /** Online submissions among dossiers of procedures offered online (the national service index), %. */
  onlineRate: 98.06,
  /** Dossiers whose components were digitised, among dossiers received, %. */
  digitisationRate: 98.31,
  /** Results issued electronically, among dossiers resolved, %. */
  electronicResultRate: 75.25,
  /** Fees paid online, among dossiers with a fee, %. */
  onlinePaymentRate: 58.81,
  publicServiceUnits: 61,
  /** Assigned autonomy groups 1–2 (cover their recurrent spending). */
  selfFinancing: 1,
  /** Assigned group 3, in the 10–<30 % band. */
  partlySelfFinancing: 2,
} as const;

const PERIOD_DAYS = 182;

export interface LevelRates {
  /** Dossiers a desk receives per calendar day, on average. */
  perDay: number;
  /** Share of dossiers filed under procedures with no online service. */
  offlineProcedureShare: number;
  /** Among resolved dossiers: early, on time, late. */
  outcomes: [early: number, onTime: number, late: number];
  /** Mean days from reception to an early finish; sets how many stay open at a period's end. */
  earlyMeanDays: number;
}

const online = SEED_001.onlineRate / 100;
const newlyReceived = (f: { received: number; carriedOver: number }) => f.received - f.carriedOver;
/** The offline-procedure share that makes `onlineCount` of `total` online when online-capable ones are 98.06 % online. */
const offlineShare = (onlineCount: number, total: number) => 1 - onlineCount / (total * online);
const outcomeShares = (f: { early: number; onTime: number; late: number; resolved: number }) =>
  [f.early / f.resolved, f.onTime / f.resolved, f.late / f.resolved] as [number, number, number];

export const RATES = {
  DISTRICT: {
    perDay: newlyReceived(SEED_001.district) / PERIOD_DAYS,
    offlineProcedureShare: offlineShare(SEED_001.district.online, newlyReceived(SEED_001.district)),
    outcomes: outcomeShares(SEED_001.district),
    earlyMeanDays: 2.8,
  },
  COMMUNE: {
    perDay: newlyReceived(SEED_001.commune) / SEED_001.communes / PERIOD_DAYS,
    offlineProcedureShare: offlineShare(SEED_001.commune.online, newlyReceived(SEED_001.commune)),
    outcomes: outcomeShares(SEED_001.commune),
    earlyMeanDays: 2.9,
  },
  /**
   * Province agencies, per former district: a province of ten districts
   * reported 90,010 province-level dossiers in a year (docs/domain.md).
   */
  PROVINCE: {
    perDay: 9_000 / 365,
    offlineProcedureShare: 0.3,
    outcomes: [0.94, 0.05, 0.01],
    earlyMeanDays: 3,
  },
} satisfies Record<string, LevelRates>;

/** After the 2025 reorganisation: the district desk's dossiers go to the new communes and the province. */
export const DISTRICT_SHARE_TO_COMMUNES = 0.6;

/** Channels, flags and closures, shared by every level. */
export const SHARES = {
  onlineAmongOnlineCapable: online,
  /** Of dossiers not filed online, those sent by public postal service. */
  postalAmongOffline: 0.06,
  digitised: SEED_001.digitisationRate / 100,
  electronicResult: SEED_001.electronicResultRate / 100,
  paidOnlineAmongFees: SEED_001.onlinePaymentRate / 100,
  /** Of fees paid online, those paid through the national portal (the rest: the province's gateway). */
  nationalPortalAmongPaid: 0.85,
  /** A few dossiers under fee-bearing procedures are exempt. */
  feeExempt: 0.08,
  withdrawn: 0.0003,
  refused: 0.0002,
};

/** Mon–Fri busy, weekends quiet (online only, mostly); the mean over a week is 1. */
export const WEEKDAY_WEIGHT = [0.5, 1.2, 1.2, 1.2, 1.2, 1.2, 0.5];
