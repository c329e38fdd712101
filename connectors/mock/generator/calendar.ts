/**
 * Time in the generator: instants are whole seconds since the Unix epoch
 * (UTC), days are day numbers in Vietnam time (UTC+7, no daylight saving),
 * so "the 14th, local" never depends on the machine's time zone.
 */
const DAY = 86_400;
const OFFSET = 7 * 3600;

/** The Vietnam-time day number of an instant (seconds). */
export const dayOf = (seconds: number) => Math.floor((seconds + OFFSET) / DAY);
/** The instant (seconds) of local midnight starting a day. */
export const startOfDay = (day: number) => day * DAY - OFFSET;
/** The instant of a local time of day on a day. */
export const at = (day: number, hour: number, minute = 0, second = 0) =>
  startOfDay(day) + hour * 3600 + minute * 60 + second;

/** Day number of an ISO day `YYYY-MM-DD`. */
export const dayNumber = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 1000 / DAY);
/** ISO day of a day number. */
export const isoDay = (day: number) => new Date(day * DAY * 1000).toISOString().slice(0, 10);
/** 0 Sunday … 6 Saturday. */
export const weekday = (day: number) => (day + 4) % 7;
export const isWorkingDay = (day: number) => weekday(day) !== 0 && weekday(day) !== 6;

/** The working day `n` working days after `day` (n = 0: the day itself, or the next working day). */
export function addWorkingDays(day: number, n: number): number {
  let d = day;
  while (!isWorkingDay(d)) d++;
  for (let left = n; left > 0;) {
    d++;
    if (isWorkingDay(d)) left--;
  }
  return d;
}

export const yearOf = (day: number) => new Date(day * DAY * 1000).getUTCFullYear();
export const monthOf = (day: number) => new Date(day * DAY * 1000).getUTCMonth() + 1;
/** The first day of a month. */
export const monthStart = (year: number, month: number) => Math.floor(Date.UTC(year, month - 1, 1) / 1000 / DAY);
/** The day after the last day of a month. */
export const monthEnd = (year: number, month: number) => monthStart(year, month + 1);

/** Seconds since the epoch of a `Date`. */
export const secondsOf = (date: Date) => Math.floor(date.getTime() / 1000);
