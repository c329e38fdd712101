/**
 * The `dossiers` list ordered by received, due or finished date, either way, keyset-paged forward and backward over a
 * small fixture with ties and missing dates, against the list sorted here by hand; a cursor is good under its own
 * order only; the list filters (units, channels, statuses) and `period`, which is its pair of receipt days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDossiers } from '../../store/dossiers.ts';
import type { Dossier, DossierChannel, DossierStatus } from '../../store/model.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';
import { startTestHub, testAdmin, type TestHub } from '../support/hub.ts';
import { RECORDED_AT, unit, vn } from '../support/records.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const P = '000.00.00.Q01';
const D = '000.00.11.Q01';
const C1 = '001.11.00.Q01';
const C2 = '002.11.00.Q01';
const PROCEDURE = '1.000009';

/** [code, unit, channel, status, received, due, finished]: ties on every date, and dossiers without due or finish. */
const ROWS: [string, string, DossierChannel, DossierStatus, string, string | null, string | null][] = [
  ['Q-01', C1, 'ONLINE', 'RETURNED', '2024-06-14 23:30', '2024-06-20 17:00', '2024-06-18 10:00'],
  ['Q-02', C1, 'IN_PERSON', 'PROCESSING', '2024-06-14 23:30', '2024-06-20 17:00', null],
  ['Q-03', C2, 'POSTAL', 'RETURNED', '2024-06-15 00:10', null, '2024-06-18 10:00'],
  ['Q-04', C2, 'ONLINE', 'RECEIVED', '2024-06-15 08:00', null, null],
  ['Q-05', D, 'IN_PERSON', 'RETURNED', '2024-01-02 09:00', '2024-01-09 17:00', '2024-01-05 11:00'],
  ['Q-06', D, 'ONLINE', 'PROCESSED', '2024-12-31 23:59', '2025-01-08 17:00', '2025-01-03 08:00'],
  ['Q-07', C1, 'ONLINE', 'PROCESSING', '2024-06-14 23:30', '2024-06-20 17:00', null],
  ['Q-08', C2, 'POSTAL', 'WITHDRAWN', '2023-12-14 12:00', '2023-12-20 17:00', null],
];

const DOSSIERS: Dossier[] = ROWS.map(([code, unitCode, channel, status, received, due, finished]) => ({
  code,
  procedureCode: PROCEDURE,
  unitCode,
  channel,
  status,
  applicantName: null,
  applicantPhone: null,
  receivedAt: vn(received),
  dueAt: due ? vn(due) : null,
  finishedAt: finished ? vn(finished) : null,
  returnedAt: null,
  fullProcessOnline: false,
  hasFee: false,
  onlinePayment: null,
  digitised: false,
  electronicResult: false,
  sourceUpdatedAt: RECORDED_AT,
}));

const FIELDS = { RECEIVED: 'receivedAt', DUE: 'dueAt', FINISHED: 'finishedAt' } as const;

/**
 * The order by hand: by the date, a missing one later than any (last ascending, first descending), then by code in
 * the same direction.
 */
function sortedByHand(field: keyof typeof FIELDS, direction: 'ASC' | 'DESC'): string[] {
  const time = (d: Dossier) => d[FIELDS[field]]?.getTime() ?? Infinity;
  const sign = direction === 'ASC' ? 1 : -1;
  return [...DOSSIERS]
    .sort((a, b) => sign * (time(a) - time(b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)))
    .map((d) => d.code);
}

const PAGE = `query ($first: Int, $last: Int, $after: String, $before: String, $filter: DossierFilter, $orderBy: DossierOrder) {
  dossiers(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { node { code } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe.each(testBackends)('the dossier list, ordered and filtered, on %s', (backend) => {
  let store: TestStore;
  let hub: TestHub;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await upsertUnits(store.db, [
      unit(P, null, 'PROVINCE'),
      unit(D, P, 'DISTRICT'),
      unit(C1, D, 'COMMUNE'),
      unit(C2, D, 'COMMUNE'),
    ]);
    await upsertProcedures(store.db, [
      {
        code: PROCEDURE,
        name: 'Thủ tục thử',
        fieldCode: 'G09-HT',
        fieldName: 'Hộ tịch',
        levels: ['COMMUNE'],
        onlineService: 'NONE',
        hasFee: false,
      },
    ]);
    await upsertDossiers(store.db, DOSSIERS);
    hub = await startTestHub(store.db, { viewers: { admin: testAdmin() } });
  });

  afterAll(async () => {
    await hub?.hub.stop();
    await store?.dispose();
  });

  async function page(variables: Record<string, unknown>) {
    const answer = await hub.gql(PAGE, variables, 'admin');
    expect(answer.errors, JSON.stringify(variables)).toBeUndefined();
    return answer.data.dossiers;
  }

  const codes = (filter: Record<string, unknown>) =>
    page({ first: 100, filter }).then((c) => c.edges.map((e: any) => e.node.code) as string[]);

  describe.each(['RECEIVED', 'DUE', 'FINISHED'] as const)('by %s', (field) => {
    it.each(['ASC', 'DESC'] as const)(
      '%s: forward then backward, two at a time, the list sorted by hand',
      async (direction) => {
        const orderBy = { field, direction };
        const expected = sortedByHand(field, direction);
        const forward: string[] = [];
        let after: string | undefined;
        let last: any;
        do {
          last = await page({ first: 2, after, orderBy });
          forward.push(...last.edges.map((e: any) => e.node.code));
          after = last.pageInfo.endCursor;
        } while (last.pageInfo.hasNextPage);
        expect(forward).toEqual(expected);

        const backward: string[] = [];
        let before: string | undefined;
        do {
          last = await page({ last: 2, before, orderBy });
          backward.unshift(...last.edges.map((e: any) => e.node.code));
          before = last.pageInfo.startCursor;
        } while (last.pageInfo.hasPreviousPage);
        expect(backward).toEqual(expected);

        // From the middle: the page after the third dossier, and the one before it.
        const third = (await page({ first: 3, orderBy })).pageInfo.endCursor;
        const next = await page({ first: 2, after: third, orderBy });
        expect(next.edges.map((e: any) => e.node.code)).toEqual(expected.slice(3, 5));
        const previous = await page({ last: 2, before: next.pageInfo.startCursor, orderBy });
        expect(previous.edges.map((e: any) => e.node.code)).toEqual(expected.slice(1, 3));
      },
    );
  });

  it('defaults to newest received first, and refuses a cursor under another order than its own', async () => {
    expect((await page({ first: 100 })).edges.map((e: any) => e.node.code)).toEqual(sortedByHand('RECEIVED', 'DESC'));
    const cursor = (await page({ first: 1, orderBy: { field: 'DUE', direction: 'ASC' } })).pageInfo.endCursor;
    for (const orderBy of [undefined, { field: 'DUE', direction: 'DESC' }, { field: 'FINISHED', direction: 'ASC' }]) {
      const refused = await hub.gql(PAGE, { first: 2, after: cursor, orderBy }, 'admin');
      expect(refused.errors?.map((e) => [e.extensions?.code, e.extensions?.argument])).toEqual([
        ['BAD_USER_INPUT', 'orderBy'],
      ]);
    }
  });

  it('filters by several units, channels and statuses, each a list of alternatives', async () => {
    expect(await codes({ unitCodes: [C1, C2] })).toEqual(['Q-04', 'Q-03', 'Q-07', 'Q-02', 'Q-01', 'Q-08']);
    // Overlapping subtrees count each dossier once.
    expect((await page({ first: 100, filter: { unitCodes: [D, C1] } })).totalCount).toBe(8);
    expect(await codes({ channels: ['POSTAL', 'IN_PERSON'] })).toEqual(['Q-03', 'Q-02', 'Q-05', 'Q-08']);
    expect(await codes({ statuses: ['PROCESSING', 'RECEIVED'], unitCodes: [C1] })).toEqual(['Q-07', 'Q-02']);
    // The deprecated single values still work.
    expect(await codes({ channel: 'POSTAL', status: 'RETURNED', unitCode: C2 })).toEqual(['Q-03']);
    // A procedure's dossiers take the same lists and period.
    const filter = { unitCodes: [C1, C2], statuses: ['PROCESSING', 'RETURNED'], period: '2024-06' };
    const ofProcedure = await hub.gql(
      `query ($filter: ProcedureDossierFilter) { procedure(code: "${PROCEDURE}") { dossiers(first: 100, filter: $filter) { edges { node { code } } } } }`,
      { filter },
      'admin',
    );
    expect(ofProcedure.data.procedure.dossiers.edges.map((e: any) => e.node.code)).toEqual(await codes(filter));
    expect(await codes(filter)).toEqual(['Q-03', 'Q-07', 'Q-02', 'Q-01']);
  });

  it('refuses a list with its deprecated single value, an unknown unit among several, and a period with days', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ channels: ['ONLINE'], channel: 'POSTAL' }, 'filter.channel'],
      [{ statuses: ['RECEIVED'], status: 'RECEIVED' }, 'filter.status'],
      [{ unitCodes: [C1], unitCode: C2 }, 'filter.unitCode'],
      [{ unitCodes: [C1, 'no.such'] }, 'filter.unitCodes'],
      [{ period: '2024-H1', receivedFrom: '2024-01-01' }, 'filter.period'],
      [{ convention: 'REPORTING' }, 'filter.convention'],
      [{ period: '2024-H3' }, 'filter.period'],
    ];
    for (const [filter, argument] of cases) {
      const refused = await hub.gql(PAGE, { first: 1, filter }, 'admin');
      expect(
        refused.errors?.map((e) => [e.extensions?.code, e.extensions?.argument]),
        JSON.stringify(filter),
      ).toEqual([['BAD_USER_INPUT', argument]]);
    }
  });

  it('filters by a period of receipt exactly as by its first and last day', async () => {
    const pairs: [string, string | undefined, string, string][] = [
      ['2024-H1', undefined, '2024-01-01', '2024-06-30'],
      ['2024-06', 'CALENDAR', '2024-06-01', '2024-06-30'],
      // Reporting periods (Decree 09/2019): 15 May to 14 June, 15 December 2023 to 14 June 2024.
      ['2024-06', 'REPORTING', '2024-05-15', '2024-06-14'],
      ['2024-H1', 'REPORTING', '2023-12-15', '2024-06-14'],
      ['2024', 'CALENDAR', '2024-01-01', '2024-12-31'],
    ];
    for (const [period, convention, receivedFrom, receivedTo] of pairs) {
      const byPeriod = await page({ first: 100, filter: { period, ...(convention ? { convention } : {}) } });
      const byDays = await page({ first: 100, filter: { receivedFrom, receivedTo } });
      expect(byPeriod, `${period} ${convention}`).toEqual(byDays);
    }
    // The 14th / 15th boundary, in Vietnam time: on 14 June at 23:30 are in reporting June, Q-03 is not.
    expect(await codes({ period: '2024-06', convention: 'REPORTING' })).toEqual(['Q-07', 'Q-02', 'Q-01']);
    expect(await codes({ period: '2024-06' })).toEqual(['Q-04', 'Q-03', 'Q-07', 'Q-02', 'Q-01']);
  });
});
