/**
 * Unit scoping: a consumer registered for a unit subtree (a district and its
 * communes, say) sees the rows of that subtree only. Lists are narrowed at
 * the store, so pages and totals are right; a unit named in an argument, a
 * record looked up by key, or an object reached through a nested field, is
 * checked here.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { unitsWithin, type Viewer } from '../store/access.ts';
import type { Queryable } from '../store/db.ts';

export interface UnitAccess {
  /** The root of the viewer's subtree; null: the whole province. */
  readonly root: string | null;
  /** Whether the unit is inside the viewer's subtree (batched: one statement per tick). */
  canSee(unitCode: string): Promise<boolean>;
  /** Throws FORBIDDEN unless the unit named by an argument is inside the viewer's subtree. */
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

export function forbiddenUnit(unitCode: string, root: string, argument?: string): GraphQLError {
  return new GraphQLError(
    `unit ${unitCode}${argument ? ` (argument ${argument})` : ''} is outside this consumer's units (the subtree of ${root})`,
    // `argument` as BAD_USER_INPUT errors carry it, so a client can point at the field at fault.
    { extensions: { code: 'FORBIDDEN', ...(argument ? { argument } : {}) } },
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
  const access: UnitAccess = {
    root,
    canSee: async (unitCode) => (within ? within.load(unitCode) : true),
    async check(unitCode, argument) {
      if (root !== null && !(await access.canSee(unitCode))) throw forbiddenUnit(unitCode, root, argument);
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
