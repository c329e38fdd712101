/**
 * Introspection off (production mode): `__schema` and `__type` are refused at
 * validation with INTROSPECTION_DISABLED (HTTP 400). `__typename` stays
 * allowed (clients need it); the schema is published as schema.graphql.
 *
 * Why not @graphql-yoga/plugin-disable-introspection: it decides per HTTP
 * request in onRequestParse, a hook the WebSocket and SSE transports never
 * run (they call yoga.getEnveloped directly), so a query sent over a
 * WebSocket would still introspect. This plugin adds graphql-js's own rule
 * (NoSchemaIntrospectionCustomRule) to every validation, whatever the
 * transport, and gives its errors our code.
 */
import { hubError } from '../../../core/error-codes.ts';
import {
  NoSchemaIntrospectionCustomRule,
  type GraphQLError,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

function introspectionDisabled(error: GraphQLError): GraphQLError {
  const node = error.nodes?.[0];
  const field = node && 'name' in node && node.name ? node.name.value : 'an introspection field';
  return hubError(
    'INTROSPECTION_DISABLED',
    `Introspection is disabled on this hub (production mode): the query asks for ${field}. ` +
      'The schema is published as schema.graphql.',
    {},
    { nodes: error.nodes ?? null },
  );
}

/** graphql-js's rule, reporting through a context whose errors carry INTROSPECTION_DISABLED. */
export const IntrospectionDisabledRule: ValidationRule = (context) =>
  NoSchemaIntrospectionCustomRule(
    Object.create(context, {
      reportError: { value: (error: GraphQLError) => context.reportError(introspectionDisabled(error)) },
    }) as ValidationContext,
  );

export function useIntrospectionDisabled<Context extends Record<string, any>>(): Plugin<Context> {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(IntrospectionDisabledRule);
    },
  };
}
