/**
 * The figures on both bases (store/indicators/scope.ts over unit_ancestry)
 * against a plain recomputation that walks the unit versions and the lineage
 * record by record, written here from the rules of issue 20 without reading
 * unit_ancestry: random reorganisations (mergers into a new unit or into a
 * surviving one, splits, dissolutions with and without successor, parent
 * moves), random dossiers and staff assignments, random roots, periods and
 * hierarchyDates. Seeded: a failure names its seed and case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dossier } from '../../store/model.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { dossierFigures } from '../../store/indicators/dossiers.ts';
import { dossierFiguresFromRollups } from '../../store/indicators/dossier-rollups.ts';
import { staffFigures } from '../../store/indicators/staff.ts';
import { psuFigures } from '../../store/indicators/finance.ts';
import type { HierarchyBasis } from '../../store/indicators/basis.ts';
import type { DayRange } from '../../store/indicators/scope.ts';
import { seededRandom } from '../support/random.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { writeHistory, type AssignmentDraft, type EventDraft, type VersionDraft } from '../support/history-fixture.ts';

const SEEDS = [20_001, 20_002];
const CASES = 12;
const PROCEDURE = '1.000001';

const day = (iso: string, delta: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
const between = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const vnAt = (iso: string, hour: number) => new Date(`${iso}T${String(hour).padStart(2, '0')}:00:00+07:00`);

interface World {
  versions: VersionDraft[];
  events: EventDraft[];
  assignments: AssignmentDraft[];
  dossiers: {
    code: string;
    unit: string;
    received: string;
    finished: string | null;
    left: string | null;
    due: string;
  }[];
}

/** A random province: 3 districts of 3 communes and a school each, then a dozen reorganisations in date order. */
function randomWorld(random: () => number): World {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const versions: VersionDraft[] = [];
  const events: EventDraft[] = [];
  const open = (code: string) => versions.find((v) => v.code === code && v.to === null);
  const add = (
    code: string,
    from: string,
    parent: string | null,
    level: VersionDraft['level'],
    kind: VersionDraft['kind'],
  ) => versions.push({ code, from, to: null, name: `Đơn vị ${code}`, parent, level, kind });
  const P = 'P';
  add(P, '2019-01-01', null, 'PROVINCE', 'PEOPLES_COMMITTEE');
  for (let d = 1; d <= 3; d++) {
    add(`D${d}`, '2019-01-01', P, 'DISTRICT', 'PEOPLES_COMMITTEE');
    add(`S${d}`, '2019-01-01', `D${d}`, 'DISTRICT', 'PUBLIC_SERVICE_UNIT');
    for (let c = 1; c <= 3; c++) add(`C${d}${c}`, '2019-01-01', `D${d}`, 'COMMUNE', 'PEOPLES_COMMITTEE');
  }
  const live = (filter: (v: VersionDraft) => boolean) => versions.filter((v) => v.to === null && filter(v));
  const end = (code: string, on: string) => (open(code)!.to = on);
  const move = (code: string, on: string, parent: string | null) => {
    const v = open(code)!;
    v.to = on;
    versions.push({ ...v, from: on, to: null, parent });
  };
  /** The live children of a unit that ends move to `heir` (or stay, orphaned of their parent, when there is none). */
  const moveChildren = (code: string, on: string, heir: string | null) => {
    for (const child of live((v) => v.parent === code)) if (heir) move(child.code, on, heir);
  };
  let next = 0;
  const days = new Set<string>();
  while (days.size < 12) days.add(day('2021-06-01', Math.floor(random() * 1_800)));
  for (const on of [...days].sort()) {
    const communes = live((v) => v.level === 'COMMUNE');
    const districts = live((v) => v.level === 'DISTRICT' && v.kind === 'PEOPLES_COMMITTEE');
    const id = `E${++next}`;
    const op = pick(['MERGE_NEW', 'MERGE_INTO', 'SPLIT', 'DISSOLVE', 'DISSOLVE_DISTRICT', 'MOVE'] as const);
    if (op === 'MERGE_NEW' && communes.length >= 3) {
      const parts = [...communes].sort(() => random() - 0.5).slice(0, 2 + Math.floor(random() * 2));
      const merged = `N${next}`;
      add(merged, on, pick([...districts.map((v) => v.code), P]), 'COMMUNE', 'PEOPLES_COMMITTEE');
      for (const part of parts) {
        moveChildren(part.code, on, merged);
        end(part.code, on);
      }
      events.push({ id, type: 'MERGER', on, before: parts.map((p) => p.code), after: [merged] });
    } else if (op === 'MERGE_INTO' && communes.length >= 2) {
      const [gone, kept] = [...communes].sort(() => random() - 0.5);
      moveChildren(gone!.code, on, kept!.code);
      end(gone!.code, on);
      events.push({ id, type: 'MERGER', on, before: [gone!.code, kept!.code], after: [kept!.code] });
    } else if (op === 'SPLIT' && communes.length >= 1) {
      const whole = pick(communes);
      const parts = [`A${next}`, `B${next}`];
      for (const part of parts) add(part, on, whole.parent, 'COMMUNE', 'PEOPLES_COMMITTEE');
      moveChildren(whole.code, on, null);
      end(whole.code, on);
      events.push({ id, type: 'SPLIT', on, before: [whole.code], after: parts });
    } else if (op === 'DISSOLVE' && communes.length >= 1) {
      const gone = pick([...communes, ...live((v) => v.kind === 'PUBLIC_SERVICE_UNIT')]);
      end(gone.code, on);
      events.push({ id, type: 'DISSOLUTION', on, before: [gone.code], after: [] });
    } else if (op === 'DISSOLVE_DISTRICT' && districts.length >= 1) {
      const gone = pick(districts);
      moveChildren(gone.code, on, P);
      end(gone.code, on);
      events.push({ id, type: 'DISSOLUTION', on, before: [gone.code], after: [P] });
    } else {
      const school = pick(live((v) => v.kind === 'PUBLIC_SERVICE_UNIT').concat(communes));
      const parents = live((v) => v.kind === 'PEOPLES_COMMITTEE' && v.code !== school.code && v.level !== 'COMMUNE');
      if (school && parents.length > 0 && school.from! < on) move(school.code, on, pick(parents).code);
    }
  }
  // Records: dossiers of every unit over its life, staff assignments moving between units.
  const codes = [...new Set(versions.map((v) => v.code))];
  const lifeOf = (code: string) => {
    const own = versions.filter((v) => v.code === code);
    const from = own.map((v) => v.from!).sort()[0]!;
    const to = own.some((v) => v.to === null)
      ? '2026-12-31'
      : own
          .map((v) => v.to!)
          .sort()
          .at(-1)!;
    return { from: from < '2022-01-01' ? '2022-01-01' : from, to };
  };
  const dossiers: World['dossiers'] = [];
  for (let i = 0; i < 400; i++) {
    const unit = pick(codes);
    const life = lifeOf(unit);
    if (life.to <= life.from) continue;
    const received = day(life.from, Math.floor(random() * between(life.from, life.to)));
    const r = random();
    const finished = r < 0.6 ? day(received, Math.floor(random() * 90)) : null;
    const left = finished === null && r > 0.85 ? day(received, Math.floor(random() * 60)) : null;
    dossiers.push({ code: `d${i}`, unit, received, finished, left, due: day(received, 5 + Math.floor(random() * 30)) });
  }
  const assignments: AssignmentDraft[] = [];
  const categories = ['CADRE', 'CIVIL_SERVANT', 'PUBLIC_EMPLOYEE', 'CONTRACT_WORKER'] as const;
  for (let s = 0; s < 60; s++) {
    let from = day('2020-01-01', Math.floor(random() * 400));
    while (from < '2027-01-01' && random() < 0.8) {
      const to = day(from, 60 + Math.floor(random() * 900));
      assignments.push({
        staffId: `s${s}`,
        from,
        to: random() < 0.2 ? null : to,
        unit: pick(codes),
        category: pick(categories),
      });
      if (assignments.at(-1)!.to === null) break;
      from = to;
    }
  }
  return { versions, events, assignments, dossiers };
}

/**
 * The reference: who holds a unit's records on a day, from the versions and
 * the lineage. The tree of day d: a unit with a version valid on d, its
 * parent on d if that parent has a version valid on d, and so on up. An ended
 * unit (every version closed) passes its records, from the event's day, to
 * its single heir (a MERGER or DISSOLUTION with one successor other than
 * itself), and on along the heir's own heirs; a unit (or the end of such a
 * chain) that ends with no single heir is held from its end by the province
 * that held it on its last day.
 */
function reference(world: World) {
  const versionsOf = new Map<string, VersionDraft[]>();
  for (const v of world.versions) versionsOf.set(v.code, [...(versionsOf.get(v.code) ?? []), v]);
  const versionOn = (code: string, d: string) =>
    versionsOf.get(code)?.find((v) => (v.from === null || v.from <= d) && (v.to === null || d < v.to));
  const endOf = (code: string) => {
    const own = versionsOf.get(code) ?? [];
    return own.length > 0 && own.every((v) => v.to !== null)
      ? own
          .map((v) => v.to!)
          .sort()
          .at(-1)!
      : null;
  };
  const tree = (code: string, d: string): string[] => {
    const chain: string[] = [];
    for (let at: string | null | undefined = code; at && versionOn(at, d) && chain.length < 33;) {
      chain.push(at);
      at = versionOn(at, d)!.parent;
    }
    return chain;
  };
  const heirOf = (code: string): { heir: string; from: string } | null => {
    if (endOf(code) === null) return null;
    const pairs = world.events
      .filter((e) => (e.type === 'MERGER' || e.type === 'DISSOLUTION') && e.before.includes(code))
      .flatMap((e) => e.after.filter((a) => a !== code).map((a) => ({ heir: a, from: e.on })));
    const heirs = new Set(pairs.map((p) => p.heir));
    if (heirs.size !== 1) return null;
    return { heir: [...heirs][0]!, from: pairs.map((p) => p.from).sort()[0]! };
  };
  const provinceOf = (code: string, d: string) => {
    const top = tree(code, d).at(-1);
    const v = top ? versionOn(top, d) : undefined;
    return v && v.level === 'PROVINCE' && v.parent === null ? top! : null;
  };
  const holders = (code: string, d: string): Set<string> => {
    const held = new Set(tree(code, d));
    let at = code;
    let from = '';
    for (let steps = 0; steps < 32; steps++) {
      const end = endOf(at);
      if (end === null) break;
      const next = heirOf(at);
      if (next === null) {
        const province = provinceOf(at, day(end, -1));
        if (province && d >= end) held.add(province);
        break;
      }
      from = next.from > from ? next.from : from;
      if (d >= from) for (const a of tree(next.heir, d)) held.add(a);
      at = next.heir;
    }
    return held;
  };
  return { holders, versionOn };
}

describe.each(testBackends)('the figures on both bases against a walk of the versions, on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(() => store?.dispose());

  it.each(SEEDS)('seed %i: dossiers (raw and rollups), staff and public service units', async (seed) => {
    const random = seededRandom(seed);
    const world = randomWorld(random);
    await store.db.query(
      'TRUNCATE dossiers, units, unit_versions, unit_events, unit_event_units, staff_assignments CASCADE',
    );
    await writeHistory(store.db, world);
    await upsertProcedures(store.db, [
      {
        code: PROCEDURE,
        name: 'Thủ tục',
        fieldCode: 'HT',
        fieldName: 'Hộ tịch',
        levels: ['COMMUNE'],
        onlineService: 'NONE',
        hasFee: false,
      },
    ]);
    const dossiers: Dossier[] = world.dossiers.map((d) => ({
      code: d.code,
      procedureCode: PROCEDURE,
      unitCode: d.unit,
      channel: 'IN_PERSON',
      status: d.finished ? 'PROCESSED' : d.left ? 'WITHDRAWN' : 'PROCESSING',
      applicantName: null,
      applicantPhone: null,
      receivedAt: vnAt(d.received, 9),
      dueAt: vnAt(d.due, 17),
      finishedAt: d.finished ? vnAt(d.finished, 10) : null,
      returnedAt: null,
      fullProcessOnline: false,
      hasFee: false,
      onlinePayment: null,
      digitised: false,
      electronicResult: false,
      sourceUpdatedAt: vnAt(d.finished ?? d.left ?? d.received, 11),
    }));
    await upsertDossiers(store.db, dossiers);
    const { holders, versionOn } = reference(world);
    const codes = [...new Set(world.versions.map((v) => v.code))];

    for (let c = 0; c < CASES; c++) {
      const first = day('2022-06-01', Math.floor(random() * 1_500));
      const range: DayRange = { first, last: day(first, Math.floor(random() * 400)) };
      const roots = ['P', ...[...codes].sort(() => random() - 0.5).slice(0, 6)];
      const hierarchyDate = day('2022-01-01', Math.floor(random() * 1_800));
      for (const basis of [{ hierarchy: 'AS_WAS' }, { hierarchy: 'AS_IS', hierarchyDate }] as HierarchyBasis[]) {
        const holds = (root: string, unit: string, d: string) =>
          holders(unit, basis.hierarchy === 'AS_IS' ? basis.hierarchyDate : d).has(root);
        const inPeriod = (d: string | null) => d !== null && d >= range.first && d <= range.last;
        const expected = roots.map((root) => {
          const mine = world.dossiers;
          const count = (test: (d: World['dossiers'][number]) => boolean) => mine.filter(test).length;
          const openAt = (d: World['dossiers'][number], at: string) =>
            d.received < at && (d.finished === null || d.finished >= at) && !(d.left !== null && d.left < at);
          const atEnd = (d: World['dossiers'][number]) =>
            openAt(d, day(range.last, 1)) && holds(root, d.unit, range.last);
          const serving = world.assignments.filter(
            (a) =>
              a.from <= range.last &&
              (a.to === null || range.last < a.to) &&
              versionOn(a.unit, range.last) &&
              holds(root, a.unit, range.last),
          );
          const psu = (on: string, placedOn: string) =>
            codes.filter(
              (code) =>
                versionOn(code, on)?.kind === 'PUBLIC_SERVICE_UNIT' &&
                holders(code, basis.hierarchy === 'AS_IS' ? basis.hierarchyDate : placedOn).has(root),
            ).length;
          return {
            dossiers: {
              received: count((d) => inPeriod(d.received) && holds(root, d.unit, d.received)),
              carriedOver: count((d) => openAt(d, range.first) && holds(root, d.unit, range.first)),
              resolved: count((d) => inPeriod(d.finished) && holds(root, d.unit, d.finished!)),
              pending: count(atEnd),
              pendingOverdue: count((d) => atEnd(d) && d.due <= range.last),
            },
            serving: serving.length,
            servingCadres: serving.filter((a) => a.category === 'CADRE').length,
            psuCount: psu(range.last, range.last),
            psuCount2021: psu('2021-12-31', '2021-12-31'),
          };
        });
        const [raw, rollups, staff, psus] = await Promise.all([
          dossierFigures(store.db, roots, range, { basis }),
          dossierFiguresFromRollups(store.db, roots, range, { basis }),
          staffFigures(store.db, roots, range, { basis }),
          psuFigures(store.db, roots, range, { basis }),
        ]);
        const actual = roots.map((_, i) => ({
          dossiers: {
            received: raw[i]!.received,
            carriedOver: raw[i]!.carriedOver,
            resolved: raw[i]!.resolved,
            pending: raw[i]!.pending,
            pendingOverdue: raw[i]!.pendingOverdue,
          },
          serving: staff[i]!.serving,
          servingCadres: staff[i]!.servingCadres,
          psuCount: psus[i]!.psuCount,
          psuCount2021: psus[i]!.psuCount2021,
        }));
        const where = `seed ${seed}, case ${c}: ${JSON.stringify({ roots, range, basis })}`;
        expect(actual, where).toEqual(expected);
        expect(rollups, `${where} (rollups against the raw dossiers)`).toEqual(raw);
      }
    }
  });
});
