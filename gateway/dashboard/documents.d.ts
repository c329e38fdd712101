/**
 * Types of the dashboard's GraphQL documents (documents.js), which the
 * browser loads as is; the hub imports them to register them as trusted.
 */

export const KEY_INDICATORS: string[];
export const UNITS: string;
export const UNIT: string;
export const INDICATORS: string;
export const TRENDS: string;
export const SOURCES: string;
export const INDICATOR_CHANGED: string;
export const ALERTS: string;
export const DOSSIER_EVENTS: string;
export const SOURCE_STATUS: string;
/** Every document the page sends, queries and subscriptions. */
export const DASHBOARD_DOCUMENTS: string[];
