/**
 * Pieces of the upstream wire formats that more than one contract uses:
 * Vietnam local times written without a zone, calendar days, and amounts.
 * Vietnam time is UTC+7 all year (no daylight saving), so converting is plain
 * arithmetic; no time-zone database is involved.
 */
import { z } from 'zod';

export const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const daysInMonth = (y: number, m: number) =>
  m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : m === 4 || m === 6 || m === 9 || m === 11
      ? 30
      : 31;

/** True when y-m-d h:mi:s names a real moment (no 31 April, no hour 24). Plain arithmetic: it runs per record. */
function isRealDateTime(y: number, m: number, d: number, h = 0, mi = 0, s = 0): boolean {
  return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && h <= 23 && mi <= 59 && s <= 59;
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

/** The number written by `length` digits at `start`, or -1 when they are not all digits. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True when `text` is a real local time `yyyyMMddHHmmss`. Without a regex or allocation: it runs five times per dossier. */
export function isCompactLocal(text: string): boolean {
  if (text.length !== 14) return false;
  const [y, m, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => digitsAt(text, at, i === 0 ? 4 : 2)) as number[];
  return y! >= 0 && m! >= 0 && d! >= 0 && h! >= 0 && mi! >= 0 && s! >= 0 && isRealDateTime(y!, m!, d!, h!, mi!, s!);
}

/** `yyyyMMddHHmmss`, Vietnam time. */
export const compactLocalTime = z.string().refine(isCompactLocal, 'expected a real local time yyyyMMddHHmmss');

/**
 * `yyyyMMddHHmmss`, or empty / absent / null until the event happens (→ null).
 * One string schema with a refinement rather than a union: a union tries each
 * branch in turn, and this runs for three fields of every dossier.
 */
export const optionalCompactLocalTime = z
  .string()
  .nullish()
  .refine((text) => !text || isCompactLocal(text), 'expected a real local time yyyyMMddHHmmss, or empty')
  .transform((text) => (text ? text : null));

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

/** Optional free text: any string, empty, absent or null (blank becomes null in the mappers). */
export const optionalText = z
  .string()
  .nullish()
  .transform((text) => text ?? null);

/** An optional identifier: empty, absent or null (→ null), or a code. */
export const optionalCode = z
  .string()
  .nullish()
  .refine((text) => !text || /^\S(.*\S)?$/.test(text), 'expected a code without surrounding spaces, or empty')
  .transform((text) => (text ? text : null));

/** An optional calendar day: empty, absent or null (→ null), or a real day YYYY-MM-DD. */
export const optionalIsoDay = z
  .string()
  .nullish()
  .refine((text) => !text || isRealDay(text), 'expected a real day YYYY-MM-DD, or empty')
  .transform((text) => (text ? text : null));

/** A field the contract does not say is required: empty, absent or null (→ null), or a value of `schema`. */
export const orEmpty = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.literal(''), z.null(), z.undefined()])
    .transform((value) => (value === '' || value === undefined ? null : value));

/** The error body some upstreams send with HTTP 200 instead of data. */
export const upstreamErrorBody = z.object({ status: z.literal('error'), message: z.string().optional() });

/** Zod issues as one line a person can read: `path: message; path: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
