/**
 * The graph's authorisation rules in one place (the scopes are in
 * store/access.ts, the scope loaders in builder.ts, the subtree in
 * unit-access.ts). Row types (Dossier, Staff, Finance, PsuAutonomy) carry
 * type-level scopes that run when the object is returned (`runScopesOnType`),
 * so a row the consumer may not read comes back as null with one FORBIDDEN
 * error, whichever way it was reached: node(id), nodes, a root field or a
 * nested one. A consumer bound to a unit subtree also needs the row's unit
 * inside it; a record outside it that is looked up by key (a root field,
 * node(id), nodes) is null without an error, as an unknown key is
 * (UnitAccess.visible), so lookups cannot tell which records exist. Personal
 * data (Decree 13/2023/NĐ-CP) needs `read:pii`, and every value returned is
 * written to the request's audit trail.
 */
import type { AuthScopeMap } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Scope } from '../store/access.ts';
import type { builder } from './builder.ts';
import type { Context } from './context.ts';
import { registerUnitOf } from './unit-access.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export type ScopeMap = AuthScopeMap<Types>;

/** Any of the read scopes: what a unit's name and place in the tree need (every row is labelled by its unit). */
export const ANY_READ_SCOPE: ScopeMap = {
  'read:aggregates': true,
  'read:dossiers': true,
  'read:staff': true,
  'read:finance': true,
};

/**
 * The type-level scopes of a type whose objects belong to a unit: the scope
 * (or any of a map of them) and, for a consumer bound to a subtree, the
 * object's unit in it. A consumer that sees the whole province skips the unit
 * check, which would only cost a promise per object. Registers how to find the
 * unit, so that a root lookup answers a record outside the subtree as unknown
 * (UnitAccess.visible).
 */
export function unitRowScopes<T>(
  typename: string,
  scope: Scope | ScopeMap,
  unitOf: (row: T) => string,
): (row: T, ctx: Context) => ScopeMap {
  registerUnitOf(typename, unitOf);
  const needed = neededMap(scope);
  return (row, ctx) => (ctx.units.root === null ? needed : { $all: { ...needed, unit: unitOf(row) } });
}

// One map object per scope: scope-auth caches a map's result by its identity, once per request.
const neededMaps = new Map<Scope | ScopeMap, ScopeMap>();
function neededMap(scope: Scope | ScopeMap): ScopeMap {
  let map = neededMaps.get(scope);
  if (!map) neededMaps.set(scope, (map = typeof scope === 'string' ? { [scope]: true } : { $any: scope }));
  return map;
}

/** Options of a personal-data field: it needs read:pii, and so is nullable (null and FORBIDDEN without it). */
export const PERSONAL_DATA = { nullable: true, authScopes: { 'read:pii': true } } as const;

/**
 * Returns a personal-data value and records it in the audit trail ("Type.field"
 * and the record's own id); a null value returns nothing personal and is not recorded.
 */
export function personalData<T>(ctx: Context, field: string, recordId: string, value: T | null): T | null {
  if (value !== null) ctx.audit.readPersonalData(field, recordId);
  return value;
}

/** A refusal that names the argument at fault, like the unit checks of unit-access.ts. */
export function forbiddenArgument(argument: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', argument } });
}

/**
 * Refuses (FORBIDDEN) a consumer bound to a unit subtree what concerns the whole province (the audit log, the
 * trusted documents), even with `admin`; `why` says how it does.
 */
export function requireWholeProvince(ctx: Context, field: string, why: string): void {
  if (ctx.units.root !== null) {
    throw new GraphQLError(
      `${field} concerns the whole province (${why}), so it is for consumers that see all of it (this one sees the subtree of ${ctx.units.root})`,
      { extensions: { code: 'FORBIDDEN' } },
    );
  }
}

/**
 * Type options of an aggregate type (indicators, breakdowns, rankings, data
 * quality, sync status): `read:aggregates`, checked when the object is
 * returned. The fields that lead to them check it too; this keeps the rule
 * whatever new field (a subscription, say) returns one.
 */
export const AGGREGATE_TYPE = { runScopesOnType: true, authScopes: { 'read:aggregates': true } } as const;
