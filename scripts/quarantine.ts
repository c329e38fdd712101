/**
 * `npm run quarantine -- list|show|retry|discard` (see USAGE): what an
 * operator does with the records the sync could not accept, on the hub's
 * store (DATABASE_URL or PGLITE_DIR; an embedded PGlite directory serves one
 * process at a time, so stop the hub first). `retry` queues entries for the
 * next sync pass; `discard` closes them for good, keeping who, when and why.
 * Both are written to the audit log in the change's transaction, as the
 * retryQuarantined and discardQuarantined mutations are. Payloads are shown
 * with their personal data masked as the graph masks it for consumers without
 * `read:pii`. Exit codes: admin-command.ts.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { FEED_CONTRACTS } from '../connectors/contracts.ts';
import type { PersonalKind } from '../connectors/common/flaws.ts';
import { SOURCE_NAMES, sourceNamed, type SourceName } from '../connectors/feed.ts';
import { FEEDS_OF_SOURCE } from '../connectors/sync/feeds.ts';
import { maskBirthDate, maskName, maskPhone } from '../schema/masks.ts';
import { appendAuditEntryIn } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import {
  discardQuarantined,
  listOpenQuarantine,
  readQuarantined,
  requeueQuarantined,
  type QuarantinedRecordRow,
} from '../store/sync.ts';
import { runAdminCommand, table, UsageError } from './admin-command.ts';

const USAGE = `usage:
  npm run quarantine -- list [--source ${SOURCE_NAMES.join('|')}] [--limit N] [--before ID]
  npm run quarantine -- show <id>
  npm run quarantine -- retry <id…> | --source <source>
  npm run quarantine -- discard <id…> --reason TEXT [--by NAME]
list: open entries, newest first (--before pages on: the last id shown); show: one entry, open or closed, with its
payload (personal data masked); retry: the next sync pass reads them again; discard: closed for good (who, when, why
kept; a changed version of the record from the upstream opens the entry again).`;

/** Something the operator asked that the store says cannot be done: the message is the whole story. */
class QuarantineCommandError extends Error {}

type Command =
  | { name: 'list'; sources: readonly SourceName[]; limit: number; before: string | null }
  | { name: 'show'; id: string }
  | { name: 'retry'; ids: string[] | null; source: SourceName | null; auditKey?: string | undefined }
  | { name: 'discard'; ids: string[]; reason: string; by: string; auditKey?: string | undefined };

const ID = /^\d{1,18}$/;

function sourceOf(text: string): SourceName {
  const source = sourceNamed(text);
  if (!source) throw new UsageError(`--source must be one of ${SOURCE_NAMES.join(', ')}, not ${JSON.stringify(text)}`);
  return source;
}

function idsOf(texts: readonly string[]): string[] {
  const bad = texts.filter((id) => !ID.test(id));
  if (bad.length) throw new UsageError(`not quarantine ids: ${bad.join(' ')}`);
  return [...new Set(texts)];
}

function command(): Command {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [name, ...rest] = positionals;
  const allowed: Record<string, readonly string[]> = {
    list: ['source', 'limit', 'before'],
    show: [],
    retry: ['source'],
    discard: ['reason', 'by'],
  };
  if (name && allowed[name]) {
    for (const option of ['source', 'limit', 'before', 'reason', 'by'] as const) {
      if (values[option] !== undefined && !allowed[name]!.includes(option)) {
        throw new UsageError(`--${option} is not an option of ${name}`);
      }
    }
  }
  switch (name) {
    case 'list': {
      if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      const limit = Number(values.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be 1 to 1000');
      if (values.before !== undefined && !ID.test(values.before)) throw new UsageError('--before must be an id');
      const sources = values.source ? [sourceOf(values.source)] : SOURCE_NAMES;
      return { name, sources, limit, before: values.before ?? null };
    }
    case 'show':
      if (rest.length !== 1) throw new UsageError('show needs one id');
      return { name, id: idsOf(rest)[0]! };
    case 'retry':
      if (rest.length > 0 === (values.source !== undefined)) throw new UsageError('retry needs ids or --source');
      return rest.length
        ? { name, ids: idsOf(rest), source: null }
        : { name, ids: null, source: sourceOf(values.source!) };
    case 'discard': {
      if (rest.length === 0) throw new UsageError('discard needs ids');
      const reason = values.reason?.normalize('NFC').trim() ?? '';
      if (reason.length === 0 || reason.length > 500)
        throw new UsageError('discard needs --reason (1 to 500 characters)');
      const by = values.by?.trim() || userInfo().username;
      return { name, ids: idsOf(rest), reason, by };
    }
    default:
      throw new UsageError(name ? `unknown command ${JSON.stringify(name)}` : 'no command given');
  }
}

const MASKS: Record<PersonalKind, (value: string) => string | null> = {
  name: maskName,
  phone: maskPhone,
  birthDate: maskBirthDate,
};

/** The payload with the personal fields its feed's contract declares masked (a CSV row holds none). */
export function maskedPayload(feed: string, raw: string): string {
  const contract = FEED_CONTRACTS.find((c) => c.feed === feed)?.contract;
  const personal = Object.entries(contract?.personal ?? {}) as [string, PersonalKind][];
  if (personal.length === 0) return raw;
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    // Not JSON: nothing can tell which part is personal, so none of it is shown.
    return '(not JSON; hidden as it may hold personal data)';
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return raw;
  const masked: Record<string, unknown> = { ...record };
  for (const [field, kind] of personal) {
    const value = masked[field];
    if (typeof value === 'string' && value !== '') masked[field] = MASKS[kind](value);
    else if (value !== undefined && value !== null && value !== '') masked[field] = '***';
  }
  return JSON.stringify(masked);
}

const at = (date: Date | null) => date?.toISOString() ?? '';

/** Writes the operator's change and its audit entry in one transaction. */
async function audited<T>(
  db: Db,
  operation: string,
  by: string,
  auditKey: string | undefined,
  change: (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await change(tx);
    await appendAuditEntryIn(
      tx,
      {
        at: new Date(),
        consumer: `cli:${by}`,
        consumerId: null,
        credential: 'ANONYMOUS',
        operationName: `npm run quarantine -- ${operation}`,
        documentHash: createHash('sha256').update(process.argv.slice(2).join(' ')).digest('hex'),
        personalData: {},
        adminOperations: [operation === 'retry' ? 'retryQuarantined' : 'discardQuarantined'],
        clientAddress: null,
        requestId: null,
      },
      auditKey,
    );
    return result;
  });
}

async function checkOpen(db: Db, ids: readonly string[], open: (row: QuarantinedRecordRow) => boolean) {
  const rows = await readQuarantined(db, ids);
  const unknown = ids.filter((id) => !rows.some((row) => row.id === id));
  if (unknown.length) throw new QuarantineCommandError(`no quarantine entry with id ${unknown.join(', ')}`);
  const closed = rows.filter((row) => !open(row));
  if (closed.length) {
    throw new QuarantineCommandError(
      `not open: ${closed.map((row) => `${row.id} (${row.discardedAt ? 'discarded' : 'resolved'})`).join(', ')}`,
    );
  }
}

async function run(db: Db, cmd: Command): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (cmd.name) {
    case 'list': {
      const rows = await listOpenQuarantine(
        db,
        cmd.sources.flatMap((source) => FEEDS_OF_SOURCE[source]),
        cmd.before,
        cmd.limit,
      );
      if (rows.length === 0) {
        out(cmd.before ? `no open entries before ${cmd.before}` : 'no open entries: quarantine is empty');
        return;
      }
      out(
        table([
          ['ID', 'FEED', 'KEY', 'RETRYABLE', 'ATTEMPTS', 'LAST SEEN', 'REASON'],
          ...rows.map((r) => [
            r.id,
            r.feed,
            r.key,
            r.retryable ? 'yes' : 'no',
            String(r.attempts),
            at(r.lastSeenAt),
            r.reason,
          ]),
        ]),
      );
      if (rows.length === cmd.limit) out(`more: npm run quarantine -- list --before ${rows.at(-1)!.id}`);
      return;
    }
    case 'show': {
      const [row] = await readQuarantined(db, [cmd.id]);
      if (!row) throw new QuarantineCommandError(`no quarantine entry with id ${cmd.id}`);
      const state = row.discardedAt && row.resolvedAt ? 'discarded' : row.resolvedAt ? 'resolved' : 'open';
      const lines: [string, string][] = [
        ['id', row.id],
        ['feed', row.feed],
        ['key', row.key],
        ['state', state],
        ['reason', row.reason],
        ['retryable', row.retryable ? 'yes' : 'no'],
        ['attempts', String(row.attempts)],
        ['first seen', at(row.firstSeenAt)],
        ['last seen', at(row.lastSeenAt)],
      ];
      if (row.resolvedAt) lines.push(['closed at', at(row.resolvedAt)]);
      if (row.discardedAt) {
        lines.push(['discarded at', at(row.discardedAt)], ['discarded by', row.discardedBy ?? '']);
        lines.push(['discard reason', row.discardReason ?? '']);
      }
      lines.push(['payload', maskedPayload(row.feed, row.rawPayload)]);
      for (const [name, value] of lines) out(`${`${name}:`.padEnd(16)}${value}`);
      return;
    }
    case 'retry': {
      const user = userInfo().username;
      if (cmd.ids) await checkOpen(db, cmd.ids, (row) => row.resolvedAt === null || row.discardedAt !== null);
      const selection = cmd.ids ? { ids: cmd.ids } : { feeds: FEEDS_OF_SOURCE[cmd.source!] };
      const queued = await audited(db, 'retry', user, cmd.auditKey, (tx) => requeueQuarantined(tx, selection));
      out(
        queued.length
          ? `queued ${queued.length} for the next sync pass: ${queued.join(' ')}`
          : 'nothing to queue: no open entries',
      );
      return;
    }
    case 'discard': {
      await checkOpen(db, cmd.ids, (row) => row.resolvedAt === null);
      const discarded = await audited(db, 'discard', cmd.by, cmd.auditKey, (tx) =>
        discardQuarantined(tx, cmd.ids, cmd.by, cmd.reason),
      );
      out(`discarded ${discarded.length} by ${cmd.by}: ${discarded.join(' ')}`);
      return;
    }
  }
}

await runAdminCommand({
  name: 'quarantine',
  usage: USAGE,
  parse: command,
  prepare(cmd, config) {
    if (cmd.name === 'retry' || cmd.name === 'discard') cmd.auditKey = config.AUDIT_KEY;
  },
  run,
  isExpected: (error) => error instanceof QuarantineCommandError,
});
