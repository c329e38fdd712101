/**
 * Unit scoping: a consumer registered for a unit subtree (a district and its
 * communes, say) sees the rows of that subtree only. Lists are narrowed at
 * the store, so pages and totals are right; a unit named in an argument, a
 * record looked up by key, or an object reached through a nested field, is
 * checked here. A unit named in an argument must be known and visible: an
 * unknown unit and one outside the subtree get the same error, byte for byte,
 * so that a bound consumer cannot tell which codes exist elsewhere.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { unitsKnown, unitsWithin, type Viewer } from '../store/access.ts';
import type { Queryable } from '../store/db.ts';

export interface UnitAccess {
  /** The root of the viewer's subtree; null: the whole province. */
  readonly root: string | null;
  /** Whether the unit is inside the viewer's subtree (batched: one statement per tick). */
  canSee(unitCode: string): Promise<boolean>;
  /** Throws BAD_USER_INPUT (unknownUnit) unless the unit named by an argument exists and is inside the viewer's subtree. */
  check(unitCode: string, argument?: string): Promise<void>;
  /**
   * The unit a list is rooted at: the argument, once checked, or else the
   * viewer's root (null when the viewer sees the whole province and no unit was asked).
   */
  listRoot(unitCode: string | null | undefined, argument?: string): Promise<string | null>;
  /**
   * A record a root lookup by key found (unit(code), staffMember(id), dossier(code), node(id), nodes(ids)), or null
   * when it lies outside the viewer's subtree: the same answer as for an unknown key, without an error naming its
   * unit. Otherwise sequential staff ids would tell which records exist across the province.
   */
  visible<T>(typename: string, record: T | null | undefined): Promise<T | null>;
}

/** The unit of a record of each type that belongs to one, by type name (registered by unitRowScopes). */
const unitOfType = new Map<string, (record: never) => string>();

/** Records how to find the unit of a record of `typename`, for UnitAccess.visible. */
export function registerUnitOf<T>(typename: string, unitOf: (record: T) => string): void {
  unitOfType.set(typename, unitOf as (record: never) => string);
}

/**
 * The error for a unit named in an argument that no unit has or that lies outside the viewer's subtree: the same for
 * both (nothing in it depends on which, nor on the viewer), so it tells nobody which codes exist outside their units.
 */
export function unknownUnit(unitCode: string, argument?: string): GraphQLError {
  return new GraphQLError(
    `unknown or not visible unit ${JSON.stringify(unitCode)}${argument ? ` (argument ${argument})` : ''}`,
    { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}), unitCode } },
  );
}

export function createUnitAccess(db: Queryable, viewer: Viewer): UnitAccess {
  const root = viewer.unitCode;
  const within =
    root === null
      ? null
      : new DataLoader<string, boolean>(async (codes) => {
          const inside = await unitsWithin(db, root, codes);
          return codes.map((code) => inside.has(code));
        });
  // For a viewer of the whole province, whether the unit exists at all (the subtree holds known units only).
  const known =
    within ??
    new DataLoader<string, boolean>(async (codes) => {
      const existing = await unitsKnown(db, codes);
      return codes.map((code) => existing.has(code));
    });
  const access: UnitAccess = {
    root,
    canSee: async (unitCode) => (within ? within.load(unitCode) : true),
    async check(unitCode, argument) {
      if (!(await known.load(unitCode))) throw unknownUnit(unitCode, argument);
    },
    async listRoot(unitCode, argument) {
      if (unitCode == null) return root;
      await access.check(unitCode, argument);
      return unitCode;
    },
    async visible(typename, record) {
      if (record == null) return null;
      const unitOf = unitOfType.get(typename);
      return !unitOf || (await access.canSee(unitOf(record as never))) ? record : null;
    },
  };
  return access;
}
