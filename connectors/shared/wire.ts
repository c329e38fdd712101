/**
 * Pieces of the upstream wire formats that more than one contract uses:
 * Vietnam local times written without a zone, calendar days, and amounts.
 * Vietnam time is UTC+7 all year (no daylight saving), so converting is plain
 * arithmetic; no time-zone database is involved.
 */
import { z } from 'zod';

export const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** True when y-m-d h:mi:s names a real moment (no 31 April, no hour 24). */
function isRealDateTime(y: number, m: number, d: number, h = 0, mi = 0, s = 0): boolean {
  const t = new Date(Date.UTC(y, m - 1, d, h, mi, s));
  return (
    y >= 1900 &&
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === m - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

const parts = (match: RegExpMatchArray | null) => match?.slice(1).map(Number) as number[] | undefined;

/** The one-stop-shop's `yyyyMMddHHmmss` in Vietnam time, as a UTC instant; null when not a real moment. */
export function parseCompactLocal(text: string): Date | null {
  const p = parts(text.match(COMPACT));
  if (!p || !isRealDateTime(p[0]!, p[1]!, p[2]!, p[3], p[4], p[5])) return null;
  return new Date(Date.UTC(p[0]!, p[1]! - 1, p[2]!, p[3], p[4], p[5]) - VIETNAM_OFFSET_MS);
}

/** A UTC instant written as the one-stop-shop's `yyyyMMddHHmmss` in Vietnam time. */
export function formatCompactLocal(instant: Date | number): string {
  const t = new Date(+instant + VIETNAM_OFFSET_MS);
  return (
    `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`
  );
}

/** ISO `YYYY-MM-DDTHH:mm:ss` in Vietnam time, as a UTC instant; null when not a real moment. */
export function parseIsoLocal(text: string): Date | null {
  const p = parts(text.match(ISO_LOCAL));
  if (!p || !isRealDateTime(p[0]!, p[1]!, p[2]!, p[3], p[4], p[5])) return null;
  return new Date(Date.UTC(p[0]!, p[1]! - 1, p[2]!, p[3], p[4], p[5]) - VIETNAM_OFFSET_MS);
}

/** A UTC instant written as ISO `YYYY-MM-DDTHH:mm:ss` in Vietnam time. */
export function formatIsoLocal(instant: Date | number): string {
  const t = new Date(+instant + VIETNAM_OFFSET_MS);
  return t.toISOString().slice(0, 19);
}

/** The Vietnam calendar day of an instant, `YYYY-MM-DD`. */
export function vietnamDay(instant: Date | number): string {
  return new Date(+instant + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

export function isRealDay(text: string): boolean {
  const p = parts(text.match(ISO_DAY));
  return p !== undefined && isRealDateTime(p[0]!, p[1]!, p[2]!);
}

/** `yyyyMMddHHmmss`, Vietnam time. */
export const compactLocalTime = z
  .string()
  .refine((text) => parseCompactLocal(text) !== null, 'expected a real local time yyyyMMddHHmmss');

/** `yyyyMMddHHmmss`, or empty / absent / null until the event happens. */
export const optionalCompactLocalTime = z
  .union([compactLocalTime, z.literal(''), z.null()])
  .optional()
  .transform((value) => (value ? value : null));

/** ISO `YYYY-MM-DDTHH:mm:ss`, Vietnam time. */
export const isoLocalTime = z
  .string()
  .refine((text) => parseIsoLocal(text) !== null, 'expected a real local time YYYY-MM-DDTHH:mm:ss');

/** ISO `YYYY-MM-DD`, a calendar day. */
export const isoDay = z.string().refine(isRealDay, 'expected a real day YYYY-MM-DD');

/**
 * Whole đồng. JSON numbers are exact up to 2^53 (about 9 × 10^15, far above
 * any single record's amount); a string of digits is accepted too, for
 * systems that send amounts as text. Either way the output is a string.
 */
export const amount = z
  .union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,18}$/)])
  .transform((value) => String(value));

/** A budget-relation code (mã quan hệ ngân sách): 7 digits. */
export const budgetRelationCode = z.string().regex(/^\d{7}$/, 'expected a 7-digit budget-relation code');

/** A non-empty identifier without surrounding spaces. */
export const code = z.string().regex(/^\S(.*\S)?$/, 'expected a non-empty code');

/** The error body some upstreams send with HTTP 200 instead of data. */
export const upstreamErrorBody = z.object({ status: z.literal('error'), message: z.string().optional() });

/** Zod issues as one line a person can read: `path: message; path: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
