/**
 * The mock upstreams serve exactly the upstream contracts, page correctly,
 * follow the world's clock, and inject each fault as it says: over real
 * sockets (startMockUpstreams on free ports) and through the msw handlers,
 * against the hand-written fake world and the generated tiny province.
 */
import { hashKey } from '../../connectors/common/reject.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { setupServer } from 'msw/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  describeIssues,
  formatCompactLocal,
  formatIsoLocal,
  upstreamErrorBody,
  VIETNAM_OFFSET_MS,
} from '../../connectors/common/wire.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { ActiveFault, Injection } from '../../connectors/mock/faults.ts';
import { startMockUpstreams, type UpstreamName } from '../../connectors/mock/server.ts';
import { oneStopShopHandlers } from '../../connectors/one-stop-shop/mock/handlers.ts';
import { cadreDbHandlers } from '../../connectors/cadre-db/mock/handlers.ts';
import { budgetHandlers } from '../../connectors/budget/mock/handlers.ts';
import {
  dossierContract,
  dossierPage,
  dossierRecord,
  DOSSIERS_PATH,
  procedureContract,
  procedurePage,
  procedureRecord,
  PROCEDURES_PATH,
} from '../../connectors/one-stop-shop/contract.ts';
import {
  offsetPage,
  STAFF_PATH,
  staffContract,
  staffRecord,
  UNITS_PATH,
  unitContract,
  unitRecord,
} from '../../connectors/cadre-db/contract.ts';
import { checkRecord, type RecordContract } from '../../connectors/common/flaws.ts';
import {
  BUDGET_EXECUTION_COLUMNS,
  BUDGET_EXECUTION_PATH,
  budgetExecutionRow,
  jsonList,
  PSU_FINANCE_PATH,
  psuFinanceContract,
  psuFinanceRecord,
  PUBLIC_INVESTMENT_PATH,
  publicInvestmentContract,
  publicInvestmentRecord,
} from '../../connectors/budget/contract.ts';
import { createFakeWorld } from '../support/fake-world.ts';

interface Running {
  urls: Record<UpstreamName, string>;
  close(): Promise<void>;
}

const transports: Record<'http' | 'msw', (world: MockWorld) => Promise<Running>> = {
  http: (world) => startMockUpstreams({ world, ports: { oneStopShop: 0, cadreDb: 0, budget: 0 } }),
  async msw(world) {
    const urls = {
      oneStopShop: 'http://one-stop-shop.mock',
      cadreDb: 'http://cadre-db.mock/',
      budget: 'http://budget.mock',
    };
    const server = setupServer(
      ...oneStopShopHandlers(world, urls.oneStopShop),
      ...cadreDbHandlers(world, urls.cadreDb),
      ...budgetHandlers(world, urls.budget),
    );
    server.listen({ onUnhandledRequest: 'error' });
    return { urls: { ...urls, cadreDb: 'http://cadre-db.mock' }, close: async () => server.close() };
  },
};

const worlds: Record<string, () => MockWorld> = {
  fake: createFakeWorld,
  tiny: () => createMockWorld({ scale: 'tiny' }),
};

const cases = Object.keys(transports).flatMap((transport) =>
  Object.keys(worlds).map((world) => ({ transport: transport as keyof typeof transports, world })),
);

type Json = Record<string, unknown>;
const keyOf = (field: string) => (record: unknown) => (record as Json)[field] as string;
const dossierKey = keyOf('MaHoSo');
const unitKey = keyOf('maDinhDanh');
const staffKey = keyOf('soHieu');
const procedureKey = keyOf('MaTTHC');
const ALL = Number.MAX_SAFE_INTEGER;

async function getJson(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function walkProcedures(base: string, pageSize: number, init?: RequestInit): Promise<unknown[]> {
  const records: unknown[] = [];
  for (let page = 1; ; page++) {
    const body = procedurePage.parse(
      await getJson(`${base}${PROCEDURES_PATH}?page=${page}&pageSize=${pageSize}`, init),
    );
    records.push(...body.data);
    if (page * pageSize >= body.total) return records;
  }
}

async function walkDossiers(base: string, params: Record<string, string>, init?: RequestInit): Promise<unknown[]> {
  const records: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const body = dossierPage.parse(await getJson(`${base}${DOSSIERS_PATH}?${query}`, init));
    records.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return records;
}

/** A naive offset pager: trusts offsets and advances by the page's length. */
async function walkOffsets(base: string, path: string, params: Record<string, string>, init?: RequestInit) {
  const records: unknown[] = [];
  for (let offset = 0; ;) {
    const query = new URLSearchParams({ ...params, offset: String(offset) });
    const body = offsetPage.parse(await getJson(`${base}${path}?${query}`, init));
    records.push(...body.items);
    offset += body.items.length;
    if (body.items.length === 0 || offset >= body.total) return records;
  }
}

/** The rows of a budget execution CSV, after checking its byte-order mark and header. */
async function csvRows(response: Response): Promise<string[][]> {
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = new TextDecoder()
    .decode(bytes)
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
  expect(header).toEqual([...BUDGET_EXECUTION_COLUMNS]);
  return rows;
}

const csvRecord = (cells: string[]) => Object.fromEntries(BUDGET_EXECUTION_COLUMNS.map((name, i) => [name, cells[i]]));

function expectAllValid(schema: z.ZodType, records: unknown[]) {
  expect(records.length).toBeGreaterThan(0);
  const problems = records.flatMap((record, i) => {
    const result = schema.safeParse(record);
    return result.success ? [] : [`#${i}: ${describeIssues(result.error)}`];
  });
  expect(problems).toEqual([]);
}

/** The year in progress and the last month that has ended, in Vietnam time. */
function periods(world: MockWorld) {
  const local = new Date(world.now().getTime() + VIETNAM_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth(); // the month before, counted from 1
  return { year, ended: month === 0 ? { year: year - 1, month: 12 } : { year, month } };
}

async function admin(base: string, path: string, method = 'GET', body?: unknown) {
  const response = await fetch(`${base}/__admin/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function faultLog(base: string) {
  return (await admin(base, 'faults')).body as { active: ActiveFault[]; injected: Injection[] };
}

const duplicatesIn = (keys: string[]) => keys.filter((key, i) => keys.indexOf(key) !== i);

describe.each(cases)('mock upstreams over $transport, $world world', ({ transport, world: worldName }) => {
  let world: MockWorld;
  let running: Running | undefined;
  let urls: Record<UpstreamName, string>;

  beforeEach(async () => {
    world = worlds[worldName]!();
    running = await transports[transport](world);
    urls = running.urls;
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('data', () => {
    it('serves only records that pass their contract schema', async () => {
      const { year, ended } = periods(world);
      expectAllValid(procedureRecord, await walkProcedures(urls.oneStopShop, 500));
      expectAllValid(dossierRecord, await walkDossiers(urls.oneStopShop, { limit: '1000' }));
      expectAllValid(unitRecord, await walkOffsets(urls.cadreDb, UNITS_PATH, { limit: '500' }));
      expectAllValid(staffRecord, await walkOffsets(urls.cadreDb, STAFF_PATH, { limit: '500' }));
      const finance = jsonList.parse(await getJson(`${urls.budget}${PSU_FINANCE_PATH}?nam=${year}`));
      expectAllValid(psuFinanceRecord, finance);
      const investment = `${urls.budget}${PUBLIC_INVESTMENT_PATH}?nam=${ended.year}&thang=${ended.month}`;
      expectAllValid(publicInvestmentRecord, jsonList.parse(await getJson(investment)));
      const csv = await fetch(`${urls.budget}${BUDGET_EXECUTION_PATH}?nam=${ended.year}&thang=${ended.month}`);
      expect(csv.status).toBe(200);
      const rows = await csvRows(csv);
      expect(rows.every((cells) => cells.length === BUDGET_EXECUTION_COLUMNS.length)).toBe(true);
      expectAllValid(budgetExecutionRow, rows.map(csvRecord));
      expect(rows).toEqual(world.budgetExecution(ended.year, ended.month));
    });

    it('walks every list page by page exactly once, in the contract order', async () => {
      const procedures = world.procedures().map(procedureKey);
      const served = await walkProcedures(urls.oneStopShop, Math.ceil(procedures.length / 4));
      expect(served.map(procedureKey)).toEqual(procedures);

      const dossiers = world.dossiers(null, null, ALL).records;
      // One record a page puts a page boundary inside every tie on NgayCapNhat (the fake world has ties).
      const limit = String(dossiers.length <= 100 ? 1 : Math.ceil(dossiers.length / 4));
      expect((await walkDossiers(urls.oneStopShop, { limit })).map(dossierKey)).toEqual(dossiers.map(dossierKey));

      for (const [path, list, key] of [
        [UNITS_PATH, world.units(null), unitKey],
        [STAFF_PATH, world.staff(null), staffKey],
      ] as const) {
        const served = await walkOffsets(urls.cadreDb, path, {
          limit: String(Math.min(500, Math.ceil(list.length / 4))),
        });
        expect(served.map(key)).toEqual(list.map(key));
      }
    });

    it('answers a feed with nothing after the mark with no records and nextCursor null', async () => {
      const tomorrow = formatCompactLocal(world.now().getTime() + 86_400_000);
      const body = await getJson(`${urls.oneStopShop}${DOSSIERS_PATH}?updatedFrom=${tomorrow}`);
      expect(body).toEqual({ data: [], nextCursor: null });
    });

    it('after the clock advances, the change feeds carry exactly the records changed since the mark', async () => {
      const snapshot = () => ({
        dossiers: new Map(world.dossiers(null, null, ALL).records.map((d) => [d.MaHoSo, JSON.stringify(d)])),
        cadre: new Map([
          ...world.units(null).map((u) => [u.maDinhDanh, JSON.stringify(u)] as const),
          ...world.staff(null).map((s) => [s.soHieu, JSON.stringify(s)] as const),
        ]),
      });
      const before = snapshot();
      const mark = world.now();
      const advanced = await admin(urls.cadreDb, 'clock', 'POST', { advanceSeconds: 2 * 86_400 });
      expect(advanced.status).toBe(200);
      expect(advanced.body.now).toBe(new Date(mark.getTime() + 2 * 86_400_000).toISOString());
      // One world behind the three servers: the others see the new time too.
      for (const base of [urls.oneStopShop, urls.budget]) {
        expect((await admin(base, 'state')).body).toEqual({
          now: advanced.body.now,
          nowLocal: formatIsoLocal(world.now()),
          scale: world.scale,
          seed: world.seed,
        });
      }
      const after = snapshot();
      const changed = (was: Map<string, string>, is: Map<string, string>) =>
        [...is.keys()].filter((key) => was.get(key) !== is.get(key)).sort();

      const changedDossiers = changed(before.dossiers, after.dossiers);
      expect(changedDossiers.length).toBeGreaterThan(0);
      const feed = await walkDossiers(urls.oneStopShop, { updatedFrom: formatCompactLocal(mark), limit: '7' });
      const feedKeys = feed.map(dossierKey);
      expect(duplicatesIn(feedKeys)).toEqual([]);
      // At or after the mark: a record last changed exactly at the mark is in the feed too.
      const atMark = feed.filter((d) => (d as Json).NgayCapNhat === formatCompactLocal(mark)).map(dossierKey);
      expect([...new Set([...changedDossiers, ...atMark])].sort()).toEqual([...feedKeys].sort());

      const changedCadre = changed(before.cadre, after.cadre);
      expect(changedCadre.length).toBeGreaterThan(0);
      const since = { modifiedSince: formatIsoLocal(mark), limit: '3' };
      const cadreFeed = [
        ...(await walkOffsets(urls.cadreDb, UNITS_PATH, since)),
        ...(await walkOffsets(urls.cadreDb, STAFF_PATH, since)),
      ];
      const cadreAtMark = cadreFeed.filter((r) => (r as Json).ngayCapNhat === formatIsoLocal(mark));
      const cadreKeys = cadreFeed.map((r) => unitKey(r) ?? staffKey(r));
      expect([...new Set([...changedCadre, ...cadreAtMark.map((r) => unitKey(r) ?? staffKey(r))])].sort()).toEqual(
        [...cadreKeys].sort(),
      );
    });

    it('answers bad parameters with 400 naming the parameter, and unknown paths with 404', async () => {
      const { year } = periods(world);
      const bad: [string, string][] = [
        [`${urls.oneStopShop}${PROCEDURES_PATH}?pageSize=501`, 'pageSize'],
        [`${urls.oneStopShop}${PROCEDURES_PATH}?page=0`, 'page'],
        [`${urls.oneStopShop}${DOSSIERS_PATH}?limit=1001`, 'limit'],
        [`${urls.oneStopShop}${DOSSIERS_PATH}?cursor=bm90IGEgY3Vyc29y`, 'cursor'],
        [`${urls.oneStopShop}${DOSSIERS_PATH}?updatedFrom=20240231000000`, 'updatedFrom'],
        [`${urls.cadreDb}${UNITS_PATH}?limit=501`, 'limit'],
        [`${urls.cadreDb}${UNITS_PATH}?modifiedSince=2024-13-01T00:00:00`, 'modifiedSince'],
        [`${urls.cadreDb}${STAFF_PATH}?offset=-1`, 'offset'],
        [`${urls.budget}${PSU_FINANCE_PATH}`, 'nam'],
        [`${urls.budget}${BUDGET_EXECUTION_PATH}?nam=${year}`, 'thang'],
        [`${urls.budget}${PUBLIC_INVESTMENT_PATH}?nam=abc&thang=1`, 'nam'],
        [`${urls.budget}${PSU_FINANCE_PATH}?nam=${year}&mockFault=meteor-strike`, 'mockFault'],
      ];
      for (const [url, parameter] of bad) {
        const response = await fetch(url);
        expect([url, response.status]).toEqual([url, 400]);
        expect(await response.json()).toMatchObject({ error: 'bad parameter', parameter });
      }
      expect((await fetch(`${urls.oneStopShop}/api/nothing`)).status).toBe(404);
      expect((await fetch(`${urls.cadreDb}/__admin/nothing`)).status).toBe(404);
      expect((await fetch(`${urls.oneStopShop}${PROCEDURES_PATH}`, { method: 'POST' })).status).toBe(405);
      const badFault = await admin(urls.budget, 'faults', 'POST', { fault: 'meteor-strike' });
      expect([badFault.status, badFault.body.parameter]).toEqual([400, 'fault']);
      const badClock = await admin(urls.budget, 'clock', 'POST', { advanceSeconds: -1 });
      expect([badClock.status, badClock.body.parameter]).toEqual([400, 'advanceSeconds']);
    });
  });

  describe('faults', () => {
    const dossiersUrl = () => `${urls.oneStopShop}${DOSSIERS_PATH}?limit=5`;

    it('rate-limit: 429 with Retry-After, by query parameter or admin for a number of requests', async () => {
      const limited = await fetch(`${urls.budget}${PSU_FINANCE_PATH}?nam=2024&mockFault=rate-limit`);
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
      await admin(urls.cadreDb, 'faults', 'POST', { fault: 'rate-limit', times: 1, retryAfterSeconds: 7 });
      const first = await fetch(`${urls.cadreDb}${UNITS_PATH}`);
      expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7']);
      expect((await fetch(`${urls.cadreDb}${UNITS_PATH}`)).status).toBe(200);
    });

    it('error-503 and error-500: a burst of `times` requests on one path, nothing elsewhere', async () => {
      const set = await admin(urls.oneStopShop, 'faults', 'POST', {
        fault: 'error-503',
        times: 3,
        path: DOSSIERS_PATH,
      });
      expect(set.status).toBe(201);
      expect(set.body).toMatchObject({ fault: 'error-503', remaining: 3, path: DOSSIERS_PATH });
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await fetch(dossiersUrl())).status);
        expect((await fetch(`${urls.oneStopShop}${PROCEDURES_PATH}`)).status).toBe(200);
      }
      expect(statuses).toEqual([503, 503, 503, 200]);
      // Another server's faults are its own.
      expect((await fetch(`${urls.cadreDb}${UNITS_PATH}`)).status).toBe(200);
      const log = await faultLog(urls.oneStopShop);
      expect(log.active).toEqual([]);
      expect(log.injected.map((i) => [i.fault, i.source, i.path])).toEqual(
        Array(3).fill(['error-503', 'admin', DOSSIERS_PATH]),
      );
      const failed = await fetch(`${urls.cadreDb}${STAFF_PATH}`, { headers: { 'x-mock-fault': 'error-500' } });
      expect(failed.status).toBe(500);
      expect((await admin(urls.oneStopShop, 'faults', 'DELETE')).body).toEqual({ cleared: 0 });
      expect((await faultLog(urls.oneStopShop)).injected).toEqual([]);
    });

    it('latency: the answer comes, late', async () => {
      await admin(urls.cadreDb, 'faults', 'POST', { fault: 'latency', latencyMs: 250, times: 1 });
      const started = performance.now();
      const body = offsetPage.parse(await getJson(`${urls.cadreDb}${STAFF_PATH}?limit=3`));
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
      expect(body.items).toHaveLength(3);
    });

    it('hang: no answer within the client timeout, while the admin endpoints still answer', async () => {
      await admin(urls.cadreDb, 'faults', 'POST', { fault: 'hang', path: UNITS_PATH });
      const hung = fetch(`${urls.cadreDb}${UNITS_PATH}`, { signal: AbortSignal.timeout(200) });
      await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
      expect((await faultLog(urls.cadreDb)).injected.map((i) => i.fault)).toEqual(['hang']);
      const byQuery = fetch(`${urls.budget}${PSU_FINANCE_PATH}?nam=2024&mockFault=hang`, {
        signal: AbortSignal.timeout(200),
      });
      await expect(byQuery).rejects.toMatchObject({ name: 'TimeoutError' });
    });

    it.runIf(transport === 'http')('hang: close() cuts a hung request instead of waiting for it', async () => {
      const hung = fetch(`${urls.cadreDb}${UNITS_PATH}?mockFault=hang`).then(
        () => 'answered',
        () => 'cut',
      );
      while ((await faultLog(urls.cadreDb)).injected.length === 0) await sleep(10);
      const started = performance.now();
      await running!.close();
      running = undefined;
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await hung).toBe('cut');
    });

    it('status-error: HTTP 200 with an error body, on JSON endpoints only', async () => {
      const response = await fetch(`${dossiersUrl()}&mockFault=status-error`);
      expect(response.status).toBe(200);
      expect(upstreamErrorBody.safeParse(await response.json()).success).toBe(true);
      const { ended } = periods(world);
      const csv = await fetch(
        `${urls.budget}${BUDGET_EXECUTION_PATH}?nam=${ended.year}&thang=${ended.month}&mockFault=status-error`,
      );
      expect(await csvRows(csv)).toEqual(world.budgetExecution(ended.year, ended.month));
    });

    it('malformed-json: HTTP 200 with a body that is not JSON', async () => {
      const response = await fetch(`${urls.cadreDb}${UNITS_PATH}`, { headers: { 'x-mock-fault': 'malformed-json' } });
      expect(response.status).toBe(200);
      await expect(response.json()).rejects.toThrow(SyntaxError);
    });

    it('truncated: HTTP 200 whose body fails half-way, JSON or CSV', async () => {
      const { ended } = periods(world);
      for (const url of [
        `${dossiersUrl()}&mockFault=truncated`,
        `${urls.budget}${BUDGET_EXECUTION_PATH}?nam=${ended.year}&thang=${ended.month}&mockFault=truncated`,
      ]) {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
        // At once: a connection left open short of its content-length would only fail at the keep-alive timeout.
        const started = performance.now();
        await expect(response.text()).rejects.toThrow();
        expect(performance.now() - started).toBeLessThan(1000);
      }
    });

    /** Each JSON endpoint, its contract, its key, its records and what a record refers to (unit or parent codes). */
    function jsonEndpoints() {
      const { year, ended } = periods(world);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      type Endpoint = [string, RecordContract<any, any>, (r: unknown) => string, (b: unknown) => unknown[], string[]];
      const endpoints: Endpoint[] = [
        [
          `${urls.oneStopShop}${PROCEDURES_PATH}?pageSize=5`,
          procedureContract,
          procedureKey,
          (b) => (b as Json).data as [],
          [],
        ],
        [
          `${urls.oneStopShop}${DOSSIERS_PATH}?limit=5`,
          dossierContract,
          dossierKey,
          (b) => (b as Json).data as [],
          ['MaDonVi'],
        ],
        [
          `${urls.cadreDb}${UNITS_PATH}?limit=5`,
          unitContract,
          unitKey,
          (b) => (b as Json).items as [],
          ['maDinhDanhCha'],
        ],
        [
          `${urls.cadreDb}${STAFF_PATH}?limit=5`,
          staffContract,
          staffKey,
          (b) => (b as Json).items as [],
          ['maDinhDanhDonVi'],
        ],
        [
          `${urls.budget}${PSU_FINANCE_PATH}?nam=${year}`,
          psuFinanceContract,
          keyOf('maQHNS'),
          (b) => b as [],
          ['maQHNS'],
        ],
        [
          `${urls.budget}${PUBLIC_INVESTMENT_PATH}?nam=${ended.year}&thang=${ended.month}`,
          publicInvestmentContract,
          keyOf('maDuAn'),
          (b) => b as [],
          ['maQHNS'],
        ],
      ];
      return endpoints;
    }

    /** The records a fault adds to a page, and the page without it: the real records must be there, untouched. */
    async function injectedRecords(
      url: string,
      fault: string,
      key: (r: unknown) => string,
      records: (b: unknown) => unknown[],
    ) {
      const clean = records(await getJson(url));
      const faulted = records(await getJson(`${url}&mockFault=${fault}`));
      const injected = (await faultLog(new URL(url).origin)).injected.at(-1)!.records;
      const injectedKeys = new Set(injected.map((r) => r.key));
      expect(injected.length).toBeGreaterThanOrEqual(1);
      expect(injectedKeys.size).toBe(injected.length);
      expect(faulted.filter((r) => !injectedKeys.has(key(r)))).toEqual(clean);
      expect(faulted.filter((r) => injectedKeys.has(key(r)))).toHaveLength(injected.length);
      expect(clean.filter((r) => injectedKeys.has(key(r)))).toEqual([]);
      return injected.map((entry) => ({ ...entry, record: faulted.find((r) => key(r) === entry.key) as Json }));
    }

    it('invalid-records: extra records of their own keys that cannot be placed, listed with reasons', async () => {
      const units = world.units(null);
      const knownCodes = new Set(units.flatMap((u) => [u.maDinhDanh, u.maQHNS ?? '']));
      for (const [url, contract, key, records, references] of jsonEndpoints()) {
        for (const { key: injectedKey, reason, record } of await injectedRecords(
          url,
          'invalid-records',
          key,
          records,
        )) {
          const checked = checkRecord(contract, record);
          // Placeable only if it passes its contract, refers to what exists, and is not its own parent.
          const refersToKnown = references.every(
            (field) => record[field] == null || knownCodes.has(record[field] as string),
          );
          const ownParent = record.maDinhDanhCha !== undefined && record.maDinhDanhCha === record.maDinhDanh;
          expect([injectedKey, reason, checked.ok && refersToKnown && !ownParent]).toEqual([
            injectedKey,
            reason,
            false,
          ]);
        }
      }
      const dossierReasons = (await faultLog(urls.oneStopShop)).injected.at(-1)!.records.map((r) => r.reason);
      expect(dossierReasons.join('; ')).toMatch(/missing NgayTiepNhan.*unknown unit.*impossible date/);
    });

    it('flawed-records: extra placeable records of their own keys, each with the flaws it must be stored with', async () => {
      for (const [url, contract, key, records] of jsonEndpoints().filter(([url]) => !url.includes(PSU_FINANCE_PATH))) {
        for (const { key: injectedKey, flaws, record } of await injectedRecords(url, 'flawed-records', key, records)) {
          const checked = checkRecord(contract, record);
          expect(checked.ok, injectedKey).toBe(true);
          const found = checked.ok ? checked.flaws.map(({ rule, field }) => ({ rule, field })) : [];
          expect(found, injectedKey).toEqual(flaws);
        }
      }
    });

    it('csv-bad-row: extra rows with a wrong column count, a non-digit amount, an unknown maQHNS', async () => {
      const { ended } = periods(world);
      await admin(urls.budget, 'faults', 'POST', { fault: 'csv-bad-row', times: 1 });
      // Where it makes no sense the fault is ignored and not spent.
      const finance = jsonList.parse(await getJson(`${urls.budget}${PSU_FINANCE_PATH}?nam=${ended.year}`));
      expectAllValid(psuFinanceRecord, finance);
      expect((await faultLog(urls.budget)).active).toMatchObject([{ fault: 'csv-bad-row', remaining: 1 }]);

      const url = `${urls.budget}${BUDGET_EXECUTION_PATH}?nam=${ended.year}&thang=${ended.month}`;
      const rows = await csvRows(await fetch(url));
      const clean = world.budgetExecution(ended.year, ended.month);
      expect(rows.slice(0, clean.length)).toEqual(clean);
      const bad = rows.slice(clean.length);
      const log = await faultLog(urls.budget);
      expect(log.active).toEqual([]);
      // Noted under the keys the hub holds them by: the natural key, and for the two that repeat a sound row's key,
      // a hash of their text (never the line number, which moves when a line is added above).
      const natural = (cells: readonly string[]) => cells.slice(0, 6).join('/');
      expect(log.injected.at(-1)!.records.map((r) => r.key)).toEqual([
        `${natural(bad[0]!)}/${hashKey(bad[0]!.join(','))}`,
        `${natural(bad[1]!)}/${hashKey(bad[1]!.join(','))}`,
        natural(bad[2]!),
      ]);
      expect(bad.map((cells) => cells.length)).toEqual([7, 8, 8]);
      expect(budgetExecutionRow.safeParse(csvRecord(bad[1]!)).success).toBe(false);
      const unknown = budgetExecutionRow.parse(csvRecord(bad[2]!));
      expect(world.units(null).some((u) => u.maQHNS === unknown.ma_qhns)).toBe(false);
      expect(await csvRows(await fetch(url))).toEqual(clean);
    });

    it('duplicates: consecutive pages repeat records, and every record is still served', async () => {
      const duplicating = { headers: { 'x-mock-fault': 'duplicates' } };
      const dossiers = world.dossiers(null, null, ALL).records.map(dossierKey);
      const procedures = world.procedures().map(procedureKey);
      const units = world.units(null).map(unitKey);
      const served = {
        dossiers: (
          await walkDossiers(urls.oneStopShop, { limit: String(Math.ceil(dossiers.length / 4)) }, duplicating)
        ).map(dossierKey),
        procedures: (await walkProcedures(urls.oneStopShop, Math.ceil(procedures.length / 4), duplicating)).map(
          procedureKey,
        ),
        units: (
          await walkOffsets(urls.cadreDb, UNITS_PATH, { limit: String(Math.ceil(units.length / 4)) }, duplicating)
        ).map(unitKey),
      };
      for (const [name, all] of [
        ['dossiers', dossiers],
        ['procedures', procedures],
        ['units', units],
      ] as const) {
        expect([name, new Set(served[name]).size]).toEqual([name, all.length]);
        expect([name, duplicatesIn(served[name]).length >= 3]).toEqual([name, true]);
      }
      const repeated = (await faultLog(urls.oneStopShop)).injected.flatMap((i) => i.records.map((r) => r.key));
      expect(repeated.sort()).toEqual([...duplicatesIn(served.dossiers), ...duplicatesIn(served.procedures)].sort());
    });

    it('offset-shift: between pages records move to the end, and a naive offset pager loses some', async () => {
      const staff = world.staff(null).map(staffKey);
      const limit = String(Math.min(500, Math.ceil(staff.length / 5)));
      const served = await walkOffsets(
        urls.cadreDb,
        STAFF_PATH,
        { limit },
        { headers: { 'x-mock-fault': 'offset-shift' } },
      );
      const servedKeys = new Set(served.map(staffKey));
      const lost = staff.filter((key) => !servedKeys.has(key));
      expect(lost.length).toBeGreaterThanOrEqual(4);
      const noted = (await faultLog(urls.cadreDb)).injected.flatMap((i) => i.records);
      const skipped = new Set(noted.filter((r) => r.reason.includes('skipped')).map((r) => r.key));
      expect(lost.filter((key) => !skipped.has(key))).toEqual([]);
      // What moved is served again as changed now, under its own key: nothing is made up.
      const moved = new Set(noted.filter((r) => r.reason.includes('moved')).map((r) => r.key));
      const now = formatIsoLocal(world.now());
      expect(served.some((r) => moved.has(staffKey(r)) && (r as Json).ngayCapNhat === now)).toBe(true);
      expect([...servedKeys].filter((key) => !staff.includes(key))).toEqual([]);
      // Pagers that do not move past offset 0 are unaffected.
      const first = offsetPage.parse(
        await getJson(`${urls.cadreDb}${STAFF_PATH}?limit=${limit}&mockFault=offset-shift`),
      );
      expect(first.items.map(staffKey)).toEqual(staff.slice(0, Number(limit)));
    });

    it('ignores faults that make no sense for an endpoint, and admin requests are never faulted', async () => {
      const clean = await getJson(dossiersUrl());
      expect(await getJson(`${dossiersUrl()}&mockFault=csv-bad-row`)).toEqual(clean);
      expect(await getJson(`${dossiersUrl()}&mockFault=offset-shift`)).toEqual(clean);
      expect((await faultLog(urls.oneStopShop)).injected).toEqual([]);
      const state = await fetch(`${urls.oneStopShop}/__admin/state?mockFault=error-500`);
      expect(state.status).toBe(200);
    });
  });
});
