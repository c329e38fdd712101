import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUnits, seedDemoProvince } from '../support/fixture-province.ts';
import { countingDb, openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const UNIT_PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: UnitFilter) {
  units(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { code name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

// The communes formed on 2025-07-01, directly under the province.
const MERGED_COMMUNES = [
  '101.00.00.H06',
  '102.00.00.H06',
  '103.00.00.H06',
  '104.00.00.H06',
  '105.00.00.H06',
  '106.00.00.H06',
];

interface Page {
  units: {
    edges: { cursor: string; node: { code: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  };
}

describe.each(testBackends)('the unit graph on %s', (backend) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingDb>;
  let hub: TestHub;
  const all = demoUnits();
  const codesInOrder = all.map((u) => u.code).sort();

  beforeAll(async () => {
    store = await openTestStore(backend);
    expect(await seedDemoProvince(store.db)).toBe(all.length);
    expect(await seedDemoProvince(store.db)).toBe(0); // a store with units is left alone
    counted = countingDb(store.db);
    hub = await startTestHub(counted.db);
  });
  afterAll(async () => {
    await hub.hub.stop(); // closes the store too
    await store.dispose();
  });

  it('answers the README query with Vietnamese names', async () => {
    const result = await hub.gql('{ units(first: 5) { edges { node { code name } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.units.edges.map((e: any) => e.node.code)).toEqual(codesInOrder.slice(0, 5));
    expect(result.data.units.edges[0].node.name).toBe('UBND tỉnh Bắc Giang');
  });

  it('pages forward through every unit with no duplicate and no gap', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { data, errors } = await hub.gql<Page>(UNIT_PAGE, { first: 7, after });
      expect(errors).toBeUndefined();
      const page = data!.units;
      seen.push(...page.edges.map((e) => e.node.code));
      pages += 1;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen).toEqual(codesInOrder);
  });

  it('pages backward with last/before to the same order', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { data } = await hub.gql<Page>(UNIT_PAGE, { last: 10, before });
      const page = data!.units;
      seen.unshift(...page.edges.map((e) => e.node.code));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(seen).toEqual(codesInOrder);
  });

  it('keeps its place when units are added before the cursor between pages', async () => {
    const first = await hub.gql<Page>(UNIT_PAGE, { first: 3 });
    const cursor = first.data!.units.pageInfo.endCursor;
    // A unit that sorts before the cursor arrives: the next page must neither repeat nor skip.
    await store.db.query(
      `INSERT INTO units (code, name, level, kind, source_updated_at) VALUES ('000.00.00.A00', 'Đơn vị thử', 'PROVINCE', 'AGENCY', now())`,
    );
    try {
      const next = await hub.gql<Page>(UNIT_PAGE, { first: 3, after: cursor });
      expect(next.data!.units.edges.map((e) => e.node.code)).toEqual(codesInOrder.slice(3, 6));
    } finally {
      await store.db.query(`DELETE FROM units WHERE code = '000.00.00.A00'`);
    }
  });

  const YEN_THE = [
    '000.00.12.H06',
    '000.30.12.H06',
    '000.31.12.H06',
    '000.32.12.H06',
    '000.60.12.H06',
    '000.61.12.H06',
  ];
  it.each([
    // "Thể thao" folds like "Thế": Tân Yên's sports centre matches "yen the" too.
    ['yen the', [...YEN_THE, '000.61.13.H06', '101.00.00.H06']],
    ['YÊN THẾ', [...YEN_THE, '000.61.13.H06', '101.00.00.H06']],
    ['  Yên   thế  huyện ', [...YEN_THE, '000.61.13.H06']],
    ['Yên Thế'.normalize('NFD'), [...YEN_THE, '000.61.13.H06', '101.00.00.H06']],
    ['dong huu', ['003.12.00.H06']],
    ['phong noi vu', ['000.31.12.H06', '000.31.13.H06', '000.31.14.H06']],
    ['noi vu yen', ['000.31.12.H06', '000.31.13.H06']],
    ['noi vu yen the', ['000.31.12.H06']],
    ['so', ['000.01.00.H06', '000.02.00.H06', '000.03.00.H06', '000.04.00.H06', '000.05.00.H06', '004.12.00.H06']],
    ['ong', []],
    ['100%', []],
    ['_', []],
  ])('search %j finds exactly its units, ignoring case and diacritics', async (search, expected) => {
    const { data, errors } = await hub.gql<Page>(UNIT_PAGE, { first: 100, filter: { search } });
    expect(errors).toBeUndefined();
    expect(data!.units.edges.map((e) => e.node.code)).toEqual(expected);
  });

  it('filters by level, kind, parent and validity day', async () => {
    const codes = async (filter: Record<string, unknown>) =>
      (await hub.gql<Page>(UNIT_PAGE, { first: 100, filter })).data!.units.edges.map((e) => e.node.code);
    const expected = (keep: (u: (typeof all)[number]) => boolean) =>
      all
        .filter(keep)
        .map((u) => u.code)
        .sort();

    expect(await codes({ level: 'DISTRICT', kind: 'PEOPLES_COMMITTEE' })).toEqual([
      '000.00.12.H06',
      '000.00.13.H06',
      '000.00.14.H06',
    ]);
    expect(await codes({ kind: 'PUBLIC_SERVICE_UNIT' })).toEqual(expected((u) => u.kind === 'PUBLIC_SERVICE_UNIT'));
    expect(await codes({ parentCode: '000.00.13.H06', level: 'COMMUNE' })).toEqual([
      '001.13.00.H06',
      '002.13.00.H06',
      '003.13.00.H06',
      '004.13.00.H06',
      '005.13.00.H06',
    ]);
    // Before the 2025 reorganisation: 16 communes under districts; after it, the 6 merged ones.
    expect(await codes({ level: 'COMMUNE', validOn: '2025-06-30' })).toHaveLength(16);
    expect(await codes({ level: 'COMMUNE', validOn: '2025-07-01' })).toEqual(MERGED_COMMUNES);
    expect(await codes({ level: 'DISTRICT', validOn: '2025-07-01' })).toEqual([]);
  });

  it('walks the tree through parent and children', async () => {
    const { data, errors } = await hub.gql(`{
      unit(code: "000.00.12.H06") { name level kind validTo parent { code name } children { code name } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.unit).toMatchObject({
      name: 'UBND huyện Yên Thế',
      level: 'DISTRICT',
      kind: 'PEOPLES_COMMITTEE',
      validTo: '2025-07-01',
    });
    expect(data.unit.parent).toEqual({ code: '000.00.00.H06', name: 'UBND tỉnh Bắc Giang' });
    expect(data.unit.children.map((c: any) => c.code)).toEqual(
      all
        .filter((u) => u.parentCode === '000.00.12.H06')
        .map((u) => u.code)
        .sort(),
    );
    expect(data.unit.children.map((c: any) => c.name)).toContain('Xã Đồng Hưu');
  });

  it('gives the children of the province as they stood on a day, before and after the reorganisation', async () => {
    const { data, errors } = await hub.gql(`{
      unit(code: "000.00.00.H06") {
        before: children(validOn: "2025-06-30") { code }
        after: children(validOn: "2025-07-01") { code }
        all: children { code }
      }
    }`);
    expect(errors).toBeUndefined();
    const agencies = ['000.01.00.H06', '000.02.00.H06', '000.03.00.H06', '000.04.00.H06', '000.05.00.H06'];
    const districts = ['000.00.12.H06', '000.00.13.H06', '000.00.14.H06'];
    const codes = (list: { code: string }[]) => list.map((u) => u.code);
    expect(codes(data.unit.before)).toEqual([...districts, ...agencies]);
    expect(codes(data.unit.after)).toEqual([...agencies, ...MERGED_COMMUNES]);
    expect(codes(data.unit.all)).toEqual([...districts, ...agencies, ...MERGED_COMMUNES]);
  });

  it('counts every unit that matches the filter, whatever the page', async () => {
    const count = async (filter: Record<string, unknown>, first: number) =>
      (
        await hub.gql('query($f: UnitFilter, $n: Int) { units(filter: $f, first: $n) { totalCount } }', {
          f: filter,
          n: first,
        })
      ).data.units.totalCount;
    expect(await count({}, 1)).toBe(all.length);
    expect(await count({ level: 'COMMUNE' }, 5)).toBe(16 + 6);
    expect(await count({ level: 'COMMUNE', validOn: '2025-07-01' }, 1)).toBe(6);
    expect(await count({ search: 'phong noi vu' }, 0)).toBe(3);
  });

  it('returns null for an unknown unit code, not an error', async () => {
    expect(await hub.gql('{ unit(code: "no.such") { name } }')).toEqual({ data: { unit: null } });
  });

  it('round-trips global IDs through node and nodes', async () => {
    const { data } = await hub.gql('{ unit(code: "003.12.00.H06") { id name } }');
    const id = data.unit.id as string;
    expect(id).not.toContain('003.12.00.H06'); // opaque
    const node = await hub.gql('query($id: ID!) { node(id: $id) { id __typename ... on Unit { code name } } }', { id });
    expect(node).toEqual({ data: { node: { id, __typename: 'Unit', code: '003.12.00.H06', name: 'Xã Đồng Hưu' } } });
    const nodes = await hub.gql('query($ids: [ID!]!) { nodes(ids: $ids) { ... on Unit { code } } }', { ids: [id, id] });
    expect(nodes.data.nodes).toEqual([{ code: '003.12.00.H06' }, { code: '003.12.00.H06' }]);
  });

  it.each([5, 40])('loads parents and children of a page of %i in three statements (no N+1)', async (first) => {
    counted.statements.length = 0;
    const { data, errors } = await hub.gql(`{
      units(first: ${first}) { edges { node { code parent { name parent { name } } children { code } } } }
    }`);
    expect(errors).toBeUndefined();
    expect(data.units.edges).toHaveLength(first);
    // the page; every parent and grandparent in one batch per depth (grandparents are cached
    // parents here); every child list in one batch
    const kinds = counted.statements.map((sql) =>
      sql.includes('LIMIT') ? 'page' : sql.includes('parent_code = ANY') ? 'children' : 'units by code',
    );
    expect(kinds.sort()).toEqual(['children', 'page', 'units by code']);
  });

  it('answers bad arguments with precise errors and keeps serving', async () => {
    const tooBig = await hub.gql(UNIT_PAGE, { first: 500 });
    expect(tooBig.errors?.[0]).toMatchObject({
      message: '"first" must be between 0 and 100, got 500',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const badCursor = await hub.gql(UNIT_PAGE, { first: 5, after: 'garbage!' });
    expect(badCursor.errors?.[0]?.message).toMatch(/^Invalid cursor/);
    const badDay = await hub.gql(UNIT_PAGE, { first: 5, filter: { validOn: '2025-02-30' } });
    expect(badDay.errors?.[0]?.message).toMatch(/Date must be a real day written YYYY-MM-DD/);
    const badEnum = await hub.gql(UNIT_PAGE, { first: 5, filter: { level: 'HAMLET' } });
    expect(badEnum.errors?.[0]?.message).toMatch(/HAMLET/);
    const unknownField = await hub.gql('{ units { nope } }');
    expect(unknownField.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    expect((await hub.gql('{ units(first: 1) { edges { node { code } } } }')).errors).toBeUndefined();
  });
});
