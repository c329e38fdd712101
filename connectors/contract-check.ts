/**
 * The contract check (`npm run contract:check`): reads a few pages of every
 * feed of one upstream through the connector itself (its paging, envelope
 * checks and record contracts: nothing here repeats a rule) and tells, per
 * feed, how many records pass, how many would be stored with flaws, how many
 * would be quarantined and why, and which fields the contract does not know.
 * Nothing is written: references to units and procedures are taken as known
 * (the store is not read), so a record is judged on its own contract only.
 */
import type { Connector, Lookups, SourceName } from './feed.ts';
import { FEED_CONTRACTS } from './contracts.ts';
import type { Exchange } from './http/client.ts';

export interface FeedCheck {
  feed: string;
  pages: number;
  /** Records the hub would store as they are. */
  passed: number;
  /** Records it would store with flaws, by rule and field. */
  flawed: number;
  flaws: Record<string, number>;
  /** Records it would quarantine, by reason (the first few reasons in full). */
  quarantined: number;
  reasons: Record<string, number>;
  /** Fields of the records the contract does not declare, with how many records carried each. */
  unknownFields: Record<string, number>;
  /** The feed could not be read: a path answering an unexpected shape, or an upstream failure. */
  error: string | null;
}

/** References are not checked: the check reads no store. A budget code stands for its unit. */
const TRUSTING_LOOKUPS: Lookups = {
  hasUnit: () => true,
  hasProcedure: () => true,
  unitOfBudgetCode: (code) => code,
};

/** The records of a JSON page: the arrays of objects in its envelope (or the page itself when it is an array). */
function recordsOf(body: unknown): Record<string, unknown>[] {
  const lists = Array.isArray(body)
    ? [body]
    : typeof body === 'object' && body !== null
      ? Object.values(body).filter(Array.isArray)
      : [];
  return lists.flat().filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
}

/** The field names a page's records carry: JSON objects' keys, or a CSV's header. */
function fieldsOfPage(body: Uint8Array): string[][] {
  const text = new TextDecoder().decode(body).replace(/^\uFEFF/, '');
  try {
    return recordsOf(JSON.parse(text)).map((record) => Object.keys(record));
  } catch {
    const header = text.split(/\r?\n/, 1)[0] ?? '';
    return header ? [header.split(',').map((name) => name.trim())] : [];
  }
}

/** An exchange wrapper that hands every successful body to `seen` (to count the fields the records carry). */
export function observingExchange(seen: (body: Uint8Array) => void): (network: Exchange) => Exchange {
  return (network) => async (url, accept, signal) => {
    const answer = await network(url, accept, signal);
    if (answer.statusCode >= 200 && answer.statusCode < 300) seen(answer.body);
    return answer;
  };
}

/**
 * Checks up to `pages` pages of each feed of the connector. `onBody` must be fed every body the connector's client
 * reads (observingExchange), so that unknown fields are counted per feed.
 */
export async function checkContract(
  connector: Connector,
  pages: number,
  bodies: { drain(): Uint8Array[] },
): Promise<FeedCheck[]> {
  const checks: FeedCheck[] = [];
  for (const feed of connector.feeds) {
    const check: FeedCheck = {
      feed: feed.name,
      pages: 0,
      passed: 0,
      flawed: 0,
      flaws: {},
      quarantined: 0,
      reasons: {},
      unknownFields: {},
      error: null,
    };
    const known = new Set(Object.keys(FEED_CONTRACTS.find((c) => c.feed === feed.name)?.contract.fields ?? {}));
    bodies.drain();
    try {
      for await (const batch of feed.pull(null, TRUSTING_LOOKUPS)) {
        check.pages++;
        const flawedKeys = new Set(batch.flaws.map((flaw) => flaw.key));
        check.flawed += flawedKeys.size;
        check.passed += batch.records.length - flawedKeys.size;
        for (const flaw of batch.flaws) {
          const name = `${flaw.field}: ${flaw.rule}`;
          check.flaws[name] = (check.flaws[name] ?? 0) + 1;
        }
        check.quarantined += batch.rejects.length;
        for (const reject of batch.rejects) check.reasons[reject.reason] = (check.reasons[reject.reason] ?? 0) + 1;
        if (check.pages >= pages) break;
      }
    } catch (error) {
      check.error = (error as Error).message;
    }
    for (const body of bodies.drain()) {
      for (const fields of fieldsOfPage(body)) {
        for (const field of fields) {
          if (!known.has(field)) check.unknownFields[field] = (check.unknownFields[field] ?? 0) + 1;
        }
      }
    }
    checks.push(check);
  }
  return checks;
}

/** Whether the upstream fails the check: a record it would quarantine, or a feed it could not read. */
export const checkFailed = (checks: readonly FeedCheck[]) =>
  checks.some((check) => check.error !== null || check.quarantined > 0);

/** The report, as lines a person reads. */
export function formatContractCheck(source: SourceName, url: string, checks: readonly FeedCheck[]): string {
  const lines = [`contract check of ${source} at ${url}:`];
  for (const check of checks) {
    lines.push(
      `${check.feed}: ${check.pages} page(s) read; ${check.passed} pass, ${check.flawed} would be stored with flaws, ` +
        `${check.quarantined} would be quarantined${check.error ? '; FAILED' : ''}`,
    );
    if (check.error) lines.push(`  error: ${check.error}`);
    const list = (title: string, counts: Record<string, number>) => {
      const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
      if (entries.length === 0) return;
      lines.push(`  ${title}:`);
      for (const [what, count] of entries.slice(0, 10)) lines.push(`    ${count} × ${what}`);
      if (entries.length > 10) lines.push(`    … and ${entries.length - 10} more`);
    };
    list('quarantined because', check.reasons);
    list('flaws', check.flaws);
    list('unknown fields (records carrying them)', check.unknownFields);
  }
  lines.push(
    checkFailed(checks)
      ? 'FAILED: records would be quarantined or a feed could not be read'
      : 'passed (references to units and procedures not checked: no store is read)',
  );
  return lines.join('\n');
}
