/**
 * The dashboard's GraphQL documents, in a module of their own because the hub
 * registers them as trusted documents at start-up (gateway/policy/documents/dashboard.ts):
 * a production hub runs only registered documents, and the page sends these
 * texts as they are, so each one's SHA-256 is its id. Changing a text here
 * changes its id; the next start of the hub registers the new one.
 */

/** The indicators an IOC watches, in display order (codes of indicators/catalog.ts). */
export const KEY_INDICATORS = [
  'ON_TIME_RATE',
  'FULL_PROCESS_ONLINE_RATE',
  'ONLINE_PAYMENT_RATE',
  'PSU_SELF_FINANCING_SHARE',
  'COMMUNE_CADRE_STANDARD_RATE',
  'BUDGET_SPENDING_EXECUTION_RATE',
  'INVESTMENT_DISBURSEMENT_RATE',
];

export const UNITS = `query DashboardUnits($search: String) {
  units(first: 12, filter: { search: $search }) { edges { node { code name level validTo } } }
}`;
export const UNIT = `query DashboardUnit($code: String!) { unit(code: $code) { code name level validTo } }`;
const INDICATOR_FIELDS = 'code name nameEn period value target meetsTarget gap unit computedAt';
export const INDICATORS = `query DashboardIndicators($unitCode: String!, $period: String!, $codes: [String!]!) {
  indicators(unitCode: $unitCode, period: $period, codes: $codes) { ${INDICATOR_FIELDS} }
}`;
/** One aliased `trend` per key indicator, in one request. */
export const TRENDS = `query DashboardTrends($unitCode: String!, $from: String!, $to: String!, ${KEY_INDICATORS.map(
  (_, i) => `$c${i}: String!`,
).join(', ')}) {
  ${KEY_INDICATORS.map(
    (_, i) =>
      `t${i}: trend(code: $c${i}, unitCode: $unitCode, from: $from, to: $to, step: MONTH) { period value target }`,
  ).join('\n  ')}
}`;
export const SOURCES = `query DashboardSources { sources { name lastSuccessAt lagSeconds circuit lastError } }`;

export const INDICATOR_CHANGED = `subscription DashboardIndicatorChanged(
  $unitCode: String!, $codes: [String!], $period: String, $lastEventId: ID
) {
  indicatorChanged(unitCode: $unitCode, codes: $codes, period: $period, lastEventId: $lastEventId) {
    eventId at previousValue value { ${INDICATOR_FIELDS} }
  }
}`;
export const ALERTS = `subscription DashboardAlerts($unitCode: String!, $lastEventId: ID) {
  alerts(unitCode: $unitCode, lastEventId: $lastEventId) {
    eventId at kind severity unitCode unit { name } subject messageVi messageEn values { name number text }
  }
}`;
export const DOSSIER_EVENTS = `subscription DashboardDossierEvents($unitCode: String!, $lastEventId: ID) {
  dossierEvents(unitCode: $unitCode, lastEventId: $lastEventId) {
    eventId at kind unitCode dossierCode dossier { procedure { name } unit { name } }
  }
}`;
export const SOURCE_STATUS = `subscription DashboardSourceStatus($lastEventId: ID) {
  sourceStatusChanged(lastEventId: $lastEventId) { eventId at source status previousStatus lastSuccessAt error }
}`;

/** Every document the page sends, queries and subscriptions. */
export const DASHBOARD_DOCUMENTS = [
  UNITS,
  UNIT,
  INDICATORS,
  TRENDS,
  SOURCES,
  INDICATOR_CHANGED,
  ALERTS,
  DOSSIER_EVENTS,
  SOURCE_STATUS,
];
