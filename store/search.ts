/** A search term as the name filters match it: NFC words, each a LIKE pattern that must begin a word of the name. */
export function searchPatterns(search: string | null | undefined): string[] {
  return (search ?? '')
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `% ${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
