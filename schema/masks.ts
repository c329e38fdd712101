/**
 * The masked forms of personal data that the graph gives without `read:pii`: labels a list can show. Each keeps
 * one small fact and nothing of the value's shape (no word count, no lengths), since with a unit and a position
 * even initials and lengths identify a person (the chair of a commune). docs/security.md says what each keeps.
 */

const graphemes = new Intl.Segmenter('vi', { granularity: 'grapheme' });

/**
 * A name keeps its given name's initial only, behind a fixed prefix: "Nguyễn Văn An" → "*** A.". Vietnamese names
 * put the given name last. The initial is the whole first letter with its marks ("Đỗ Thị Ánh" → "*** Á."), whatever
 * the normalisation it arrived in. A name with no word is "***".
 */
export function maskName(name: string): string;
export function maskName(name: string | null): string | null;
export function maskName(name: string | null): string | null {
  if (name === null) return null;
  const given = name.normalize('NFC').trim().split(/\s+/).at(-1) ?? '';
  const initial = graphemes.segment(given)[Symbol.iterator]().next().value?.segment;
  return initial ? `*** ${initial}.` : '***';
}

/** A birth date keeps only that it is recorded: "****-**-**" (no year, no day); null when unknown. */
export const maskBirthDate = (day: string | null): string | null => (day === null ? null : '****-**-**');

const PHONE_PREFIX = '*'.repeat(7);
/** Fewer digits than this and the last three would be most of the number (a service number, or bad data). */
const PHONE_MIN_DIGITS = 7;

/**
 * A phone number keeps its last three digits behind seven stars, whatever its length or format:
 * "0912345678" and "+84 912 345 678" → "*******678"; one with fewer than 7 digits is "**********".
 */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  const digits = phone.replace(/\D/g, '');
  return PHONE_PREFIX + (digits.length < PHONE_MIN_DIGITS ? '***' : digits.slice(-3));
}
