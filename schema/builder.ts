import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { SCOPES, type Scope } from '../store/access.ts';
import type { Context } from './context.ts';
import { fieldCost } from './cost.ts';
import { decodeGlobalId } from './pagination.ts';

/** Names what a refused request lacked: "needs the read:pii scope", "unit X is outside …". */
function describeFailure(failure: AuthFailure): string {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      // Not naming the unit: which unit a record belongs to is itself what the consumer may not see.
      if (failure.scope === 'unit') return "the object's unit is outside this consumer's units";
      return `needs the ${failure.scope} scope`;
    case AuthScopeFailureType.AnyAuthScopes:
      return failure.failures.map(describeFailure).join(' or ');
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(describeFailure).join(' and ');
    case AuthScopeFailureType.AuthScopeFunction:
      return failure.error?.message ?? 'not allowed for this consumer';
    case AuthScopeFailureType.GrantedScope:
      return `needs the ${failure.scope} grant`;
    default:
      return 'not allowed for this consumer';
  }
}

export const builder = new SchemaBuilder<{
  Context: Context;
  // Fields are non-null unless a field says otherwise: nullability is a decision, not a default.
  DefaultFieldNullability: false;
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    VND: { Input: string; Output: string };
  };
  /** The consumer's scopes (store/access.ts), and `unit`: the unit code is inside the consumer's subtree. */
  AuthScopes: Record<Scope, boolean> & { unit: string };
}>({
  // Relay first, so node(id) checks see parsed ids; scope-auth before the dataloader wraps resolvers.
  plugins: [RelayPlugin, ScopeAuthPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // Each field's cost (schema/cost.ts), for the cost limit that gateway/policy/limits/cost.ts checks before an operation
  // runs, with its request's variables; so the plugin's own check in the root resolvers is off.
  complexity: { fieldComplexity: fieldCost, disabled: true },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    decodeGlobalID: decodeGlobalId,
    // An object outside the subtree of a consumer bound to one is answered as an unknown id (UnitAccess.visible).
    nodeQueryOptions: {
      description:
        'Any object by its global ID (Relay); null when none has it, or when it is outside the subtree of a consumer bound to one.',
      resolve: async (_root, args, ctx, _info, resolveNode) =>
        ctx.units.visible(args.id.typename, await resolveNode(args.id)),
    },
    nodesQueryOptions: {
      description:
        'Objects by their global IDs, in order; null for each unknown one, and for each outside the subtree of a consumer bound to one.',
      resolve: async (_root, args, ctx, _info, resolveNodes) => {
        const found = await resolveNodes(args.ids);
        return Promise.all(args.ids.map((id, i) => ctx.units.visible(id.typename, found[i])));
      },
    },
  },
  scopeAuth: {
    // A subscription is refused when it starts, not event by event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      ...(Object.fromEntries(SCOPES.map((scope) => [scope, ctx.viewer.scopes.has(scope)])) as Record<Scope, boolean>),
      unit: (unitCode: string) => ctx.units.canSee(unitCode),
    }),
    // Yoga masks errors that are not GraphQLErrors: a refusal must reach the client with its reason and code.
    unauthorizedError: (_parent, ctx, info, result) =>
      new GraphQLError(`${info.parentType.name}.${info.fieldName}: ${describeFailure(result.failure)}`, {
        extensions: { code: 'FORBIDDEN', consumer: ctx.viewer.consumer },
      }),
  },
});

builder.queryType({
  description: 'The province in one graph: units, procedures, dossiers, staff, finance, and the sync.',
});
