/**
 * The budget system's feeds for the sync engine: yearly public-service-unit
 * finance, the monthly budget execution CSV and the monthly public
 * investment list. The budget system has no change feed, so each feed walks
 * periods (years or months, in Vietnam time) from its cursor to the current
 * one, one batch per period, and reads the latest period with data again on
 * the next run, as its figures can still change. Units are named by
 * budget-relation code and resolved through the cadre database's crosswalk
 * (Lookups.unitOfBudgetCode), so these feeds run after the cadre database's.
 */
import { z } from 'zod';
import type { BudgetExecutionLine, PsuFinance } from '../../store/model.ts';
import type { Batch, Connector, Feed, Lookups, Reject } from '../feed.ts';
import type { UpstreamClient } from '../http/client.ts';
import { BatchBuilder, checkEnvelope, describeRequest, parseCursor } from '../common/paging.ts';
import {
  hashKey,
  readJsonRecord,
  rejection,
  retryJsonRecord,
  retryResult,
  type JsonRecordSpec,
  type Reading,
} from '../common/reject.ts';
import { checkRecord, placeFlaws } from '../common/flaws.ts';
import { vietnamDay } from '../common/wire.ts';
import {
  BUDGET_EXECUTION_COLUMNS,
  BUDGET_EXECUTION_PATH,
  budgetExecutionContract,
  jsonList,
  PSU_FINANCE_PATH,
  psuFinanceContract,
  PUBLIC_INVESTMENT_PATH,
  publicInvestmentContract,
  type PsuFinanceRecord,
  type PublicInvestmentRecord,
} from './contract.ts';
import { toBudgetExecutionLine, toInvestment, toPsuFinance, type Investment } from './map.ts';

export const PSU_FINANCE_FEED = 'budget/psu-finance';
export const BUDGET_EXECUTION_FEED = 'budget/execution';
export const PUBLIC_INVESTMENT_FEED = 'budget/investment';

/** The first year the hub reads when it has no cursor. */
export const DEFAULT_FIRST_YEAR = 2021;

export interface BudgetOptions {
  /** The first year read when a feed has no cursor; default 2021. */
  firstYear?: number;
  /** The clock deciding the current year and month (Vietnam time); tests pass the mock world's. */
  now?: () => Date;
}

export interface BudgetConnector extends Connector {
  readonly feeds: readonly [Feed<PsuFinance>, Feed<BudgetExecutionLine>, Feed<Investment>];
}

interface Month {
  year: number;
  month: number;
}

const monthText = ({ year, month }: Month) => `${year}-${String(month).padStart(2, '0')}`;
/** The day a monthly record counts on: its month's first. */
const firstDay = (month: Month) => `${monthText(month)}-01`;
const nextMonth = ({ year, month }: Month): Month =>
  month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
const monthsBefore = (a: Month, b: Month) => a.year < b.year || (a.year === b.year && a.month <= b.month);

function currentMonth(now: () => Date): Month {
  const day = vietnamDay(now());
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)) };
}

/** The period a budget reject's key starts with (`YYYY/…` or `YYYY-MM/…`); what a retry reads its record for. */
const YEAR_KEY = /^(\d{4})\//;
const MONTH_KEY = /^(\d{4})-(\d{2})\//;

function unreadableKey(reject: { key: string; raw: string }, expected: string): Reject {
  return { key: reject.key, reason: `the key does not start with ${expected}`, raw: reject.raw, retryable: false };
}

/**
 * Cursor: `{"year": Y}`, the last year that returned rows; null before any. A
 * run reads from that year (default firstYear) to the current year, one batch
 * per year: the current year's figures can still change, so the last year
 * with rows is read again on the next run.
 */
const yearCursor = z.object({ year: z.number().int() });

function psuSpec(year: number, lookups: Lookups): JsonRecordSpec<PsuFinanceRecord, PsuFinance> {
  return {
    // A row of another year in this year's list would be filed under the wrong key.
    check: (item) =>
      checkRecord(psuFinanceContract, item, (record) =>
        record.nam === year ? null : `nam: not the year ${year} that was asked for`,
      ),
    place: (finance) => ({ unitCode: finance.unitCode, day: `${year}-01-01` }),
    keyField: 'maQHNS',
    keyPrefix: `${year}/`,
    map: (record) => toPsuFinance(record, lookups.unitOfBudgetCode),
  };
}

function psuFinanceFeed(client: UpstreamClient, firstYear: number, now: () => Date): Feed<PsuFinance> {
  return {
    name: PSU_FINANCE_FEED,
    source: 'BUDGET',
    async *pull(cursor, lookups, signal): AsyncGenerator<Batch<PsuFinance>> {
      const from = parseCursor(PSU_FINANCE_FEED, yearCursor, cursor)?.year ?? firstYear;
      const until = currentMonth(now).year;
      let lastWithRows = cursor;
      for (let year = from; year <= until; year++) {
        signal?.throwIfAborted();
        const query = { nam: year };
        const request = describeRequest(client, PSU_FINANCE_PATH, query);
        const rows = checkEnvelope(
          PSU_FINANCE_FEED,
          jsonList,
          await client.getJson(PSU_FINANCE_PATH, query, signal),
          request,
        );
        const spec = psuSpec(year, lookups);
        const batch = new BatchBuilder<PsuFinance>();
        for (const item of rows) batch.add(readJsonRecord(spec, item));
        if (rows.length > 0) lastWithRows = JSON.stringify({ year });
        yield batch.batch(lastWithRows);
      }
    },
    retry(reject, lookups) {
      const year = YEAR_KEY.exec(reject.key)?.[1];
      return year ? retryJsonRecord(psuSpec(Number(year), lookups), reject) : unreadableKey(reject, 'YYYY/');
    },
  };
}

/**
 * Cursor of the monthly feeds: `{"year": Y, "month": M}`, the last month that
 * returned data; null before any. A run reads from that month (default
 * January of firstYear) to the current month, one batch per month. A month
 * not yet ended answers empty and leaves the cursor where it was; a month
 * with data moves the cursor to it. The latest month with data is thus read
 * again on the next run (its figures can still be corrected), and the months
 * after it until they have data: simple, and only a few requests.
 */
const monthCursor = z.object({ year: z.number().int(), month: z.number().int().min(1).max(12) });

/** Walks the months of a monthly feed; `read` turns one month's answer into a batch and says whether it had data. */
async function* monthlyPull<T>(
  feed: string,
  cursor: string | null,
  firstYear: number,
  now: () => Date,
  signal: AbortSignal | undefined,
  read: (month: Month) => Promise<{ batch: BatchBuilder<T>; hasData: boolean }>,
): AsyncGenerator<Batch<T>> {
  let lastWithData = cursor;
  const until = currentMonth(now);
  for (
    let month = parseCursor(feed, monthCursor, cursor) ?? { year: firstYear, month: 1 };
    monthsBefore(month, until);
    month = nextMonth(month)
  ) {
    signal?.throwIfAborted();
    const { batch, hasData } = await read(month);
    if (hasData) lastWithData = JSON.stringify({ year: month.year, month: month.month });
    yield batch.batch(lastWithData);
  }
}

/** The columns a row is keyed by (all but the amounts). */
const EXECUTION_KEY_COLUMNS = ['ma_qhns', 'chuong', 'loai_khoan', 'muc', 'tieu_muc', 'thu_chi'] as const;
type ExecutionColumn = (typeof BUDGET_EXECUTION_COLUMNS)[number];

interface Layout {
  columns: Readonly<Record<ExecutionColumn, number>>;
  width: number;
  /** The header's columns the contract does not know (tolerated, and counted as unknown fields of every row). */
  unknown: readonly string[];
}

/**
 * One CSV row. `layout` says where each documented column is (the file may
 * carry more columns, told apart by the header); a row whose cell count is
 * not the header's cannot be read safely at all.
 */
function readExecutionRow(
  row: { text: string; line: number | null; cells: readonly string[] },
  layout: Layout,
  period: Month,
  lookups: Lookups,
): Reading<BudgetExecutionLine> {
  const prefix = `${monthText(period)}/`;
  const cells = Object.fromEntries(
    BUDGET_EXECUTION_COLUMNS.map((column) => [column, row.cells[layout.columns[column]]]),
  );
  const unknown = layout.unknown;
  if (row.cells.length !== layout.width) {
    const at = row.line === null ? '' : `line ${row.line}: `;
    const reason = `${at}${row.cells.length} cells where the header has ${layout.width}`;
    return {
      ...rejection(naturalKey(prefix, cells) ?? prefix + hashKey(row.text), null, row.text, reason, false),
      unknown,
    };
  }
  const key = prefix + EXECUTION_KEY_COLUMNS.map((column) => cells[column]).join('/');
  const checked = checkRecord(budgetExecutionContract, cells);
  if (!checked.ok) return { ...rejection(key, null, row.text, checked.reason, false), unknown };
  const mapped = toBudgetExecutionLine(checked.record, period.year, period.month, lookups.unitOfBudgetCode);
  if (!mapped.ok) return { ...rejection(key, null, row.text, mapped.reason, true), unknown };
  const flaws = placeFlaws(key, checked.flaws, { unitCode: mapped.value.unitCode, day: firstDay(period) });
  return { ok: true, key, version: null, value: mapped.value, flaws, unknown, raw: row.text };
}

/**
 * A row's natural key (its period, budget code, chapter, item, sub-item and
 * direction) when its key cells read as such, whatever the rest of the row:
 * a row keeps its key when lines are added above it. Null when they do not.
 */
function naturalKey(prefix: string, cells: Record<string, string | undefined>): string | null {
  const fields = budgetExecutionContract.fields;
  const sound = EXECUTION_KEY_COLUMNS.every((column) => fields[column].safeParse(cells[column]).success);
  return sound ? prefix + EXECUTION_KEY_COLUMNS.map((column) => cells[column]).join('/') : null;
}

/** Where each documented column is in a file with this header, and how many cells each row must have. */
function layoutOf(header: readonly string[]): Layout {
  const columns = Object.fromEntries(BUDGET_EXECUTION_COLUMNS.map((column) => [column, header.indexOf(column)]));
  const unknown = header.filter(
    (name) => name !== '' && !(BUDGET_EXECUTION_COLUMNS as readonly string[]).includes(name),
  );
  return { columns: columns as Record<ExecutionColumn, number>, width: header.length, unknown };
}

/** The documented layout, for a row read again without its file's header. */
const DOCUMENTED_LAYOUT = layoutOf(BUDGET_EXECUTION_COLUMNS);

// The export has no quoting (its cells are codes and digits, docs/upstreams.md), so a plain
// split on commas is the whole CSV grammar; a quoted cell would show up as a row of the wrong width.
const splitCells = (line: string) => line.split(',');

/** The file's rows with their line numbers (the header is line 1), and where each documented column is. */
function parseExecutionCsv(text: string, request: string) {
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n').map((line) => line.replace(/\r$/, ''));
  const header = splitCells(lines[0] ?? '').map((name) => name.trim());
  const missing = BUDGET_EXECUTION_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `${BUDGET_EXECUTION_FEED}: ${request} answered a file whose header lacks ${missing.join(', ')}: ` +
        JSON.stringify((lines[0] ?? '').slice(0, 200)),
    );
  }
  const layout = layoutOf(header);
  const rows = lines
    .map((line, i) => ({ text: line, line: i + 1, cells: splitCells(line) }))
    .slice(1)
    // Blank lines (the file's trailing line end, or more) carry no row.
    .filter((row) => row.text.trim() !== '');
  return { layout, rows };
}

function budgetExecutionFeed(client: UpstreamClient, firstYear: number, now: () => Date): Feed<BudgetExecutionLine> {
  return {
    name: BUDGET_EXECUTION_FEED,
    source: 'BUDGET',
    pull: (cursor, lookups, signal) =>
      monthlyPull(BUDGET_EXECUTION_FEED, cursor, firstYear, now, signal, async (period) => {
        const query = { nam: period.year, thang: period.month };
        const request = describeRequest(client, BUDGET_EXECUTION_PATH, query);
        const { layout, rows } = parseExecutionCsv(await client.getText(BUDGET_EXECUTION_PATH, query, signal), request);
        const readings = rows.map((row) => ({ row, reading: readExecutionRow(row, layout, period, lookups) }));
        const sound = (reading: Reading<BudgetExecutionLine>) => reading.ok && reading.flaws.length === 0;
        const soundKeys = new Set(readings.filter(({ reading }) => sound(reading)).map(({ reading }) => reading.key));
        const batch = new BatchBuilder<BudgetExecutionLine>();
        for (const { row, reading } of readings) {
          // A broken or flawed row repeating the key of a sound row of the same file is a second, different row
          // whose place is taken: quarantined under its key and a hash of its text (not its line number, which
          // moves when a line is added above), or it would replace the sound one (or, rejected, be resolved by it
          // at once) and nobody would see it.
          if (sound(reading) || !soundKeys.has(reading.key)) batch.add(reading);
          else {
            const reason = reading.ok
              ? `repeats the key of a sound row with ${reading.flaws.map((f) => `${f.field}: ${f.rule}`).join(', ')}`
              : reading.reject.reason;
            const key = `${reading.key}/${hashKey(row.text)}`;
            const retryable = !reading.ok && reading.reject.retryable;
            const at = `line ${row.line}: `;
            batch.add(rejection(key, null, row.text, reason.startsWith(at) ? reason : at + reason, retryable));
          }
        }
        return { batch, hasData: rows.length > 0 };
      }),
    // Read with the documented columns: a file with extra columns leaves rows that only the month's next read resolves.
    retry(reject, lookups) {
      const period = MONTH_KEY.exec(reject.key);
      if (!period) return unreadableKey(reject, 'YYYY-MM/');
      const month = { year: Number(period[1]), month: Number(period[2]) };
      const row = { text: reject.raw, line: null, cells: splitCells(reject.raw) };
      return retryResult(readExecutionRow(row, DOCUMENTED_LAYOUT, month, lookups), reject);
    },
  };
}

function investmentSpec(period: Month, lookups: Lookups): JsonRecordSpec<PublicInvestmentRecord, Investment> {
  return {
    check: (item) => checkRecord(publicInvestmentContract, item),
    place: (investment) => ({ unitCode: investment.project.unitCode, day: firstDay(period) }),
    keyField: 'maDuAn',
    keyPrefix: `${monthText(period)}/`,
    map: (record) => toInvestment(record, period.year, period.month, lookups.unitOfBudgetCode),
  };
}

function publicInvestmentFeed(client: UpstreamClient, firstYear: number, now: () => Date): Feed<Investment> {
  return {
    name: PUBLIC_INVESTMENT_FEED,
    source: 'BUDGET',
    pull: (cursor, lookups, signal) =>
      monthlyPull(PUBLIC_INVESTMENT_FEED, cursor, firstYear, now, signal, async (period) => {
        const query = { nam: period.year, thang: period.month };
        const request = describeRequest(client, PUBLIC_INVESTMENT_PATH, query);
        const body = await client.getJson(PUBLIC_INVESTMENT_PATH, query, signal);
        const items = checkEnvelope(PUBLIC_INVESTMENT_FEED, jsonList, body, request);
        const spec = investmentSpec(period, lookups);
        const batch = new BatchBuilder<Investment>();
        for (const item of items) batch.add(readJsonRecord(spec, item));
        return { batch, hasData: items.length > 0 };
      }),
    retry(reject, lookups) {
      const period = MONTH_KEY.exec(reject.key);
      if (!period) return unreadableKey(reject, 'YYYY-MM/');
      return retryJsonRecord(investmentSpec({ year: Number(period[1]), month: Number(period[2]) }, lookups), reject);
    },
  };
}

export function createBudgetConnector(client: UpstreamClient, options: BudgetOptions = {}): BudgetConnector {
  const firstYear = options.firstYear ?? DEFAULT_FIRST_YEAR;
  if (!Number.isInteger(firstYear) || firstYear < 2000 || firstYear > 2100) {
    throw new Error(`budget: firstYear must be a year from 2000 to 2100, not ${firstYear}`);
  }
  const now = options.now ?? (() => new Date());
  return {
    source: 'BUDGET',
    // Finance, execution and investment refer only to units: one failing does not stop the others.
    independentFeeds: true,
    feeds: [
      psuFinanceFeed(client, firstYear, now),
      budgetExecutionFeed(client, firstYear, now),
      publicInvestmentFeed(client, firstYear, now),
    ],
  };
}
