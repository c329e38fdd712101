/**
 * The limits a document meets whatever its variables, for a trusted document's registration (`npm run documents --
 * register`, the dashboard's documents at start): a document every request would refuse is refused when it is
 * registered, with the code and the message a request gets. By the requests' own code: the shape limits' plugin
 * parses and validates it (tokens, depth, aliases, directives), its literals are searched for NUL characters, and
 * each operation is measured with the variables that cost least (pages of 0, empty lists and strings), so that a
 * document refused here costs more than the limit whatever a client sends with it.
 */
import {
  isEnumType,
  Kind,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { costRefusal } from './cost.ts';
import { useDocumentLimits } from './document-limits.ts';
import { nulRefusal } from './nul-strings.ts';
import { limitSettings, type LimitSettings } from './settings.ts';

export interface DocumentCheck {
  /** Parses as a request's document is parsed: throws a syntax error, or TOO_MANY_TOKENS. */
  parse(text: string): DocumentNode;
  /** The validation errors a request's document gets, the shape limits' among them (QUERY_TOO_DEEP …). */
  validate(document: DocumentNode): readonly GraphQLError[];
  /** Why every request of this valid document would be refused before it runs (a NUL, its cost), or null. */
  refusal(document: DocumentNode): GraphQLError | null;
}

/** The least a scalar variable can cost: a page of 0, a search of no word. */
const CHEAPEST_SCALARS: Record<string, unknown> = { Int: 0, Float: 0, String: '', ID: '', Boolean: false };

/**
 * Each variable at the value that costs least: scalars as above, lists empty, enums their first value. Others (an
 * input object, a date) are left out: when the operation needs them, its cost is measured at request time only.
 */
function cheapestVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const { variable, type: declared } of operation.variableDefinitions ?? []) {
    const type = declared.kind === Kind.NON_NULL_TYPE ? declared.type : declared;
    const named = type.kind === Kind.NAMED_TYPE ? schema.getType(type.name.value) : null;
    const value =
      type.kind === Kind.LIST_TYPE
        ? []
        : isEnumType(named)
          ? named.getValues()[0]?.name
          : CHEAPEST_SCALARS[named?.name ?? ''];
    if (value !== undefined) variables[variable.name.value] = value;
  }
  return variables;
}

export function createDocumentCheck(schema: GraphQLSchema, given: Partial<LimitSettings> = {}): DocumentCheck {
  const settings = limitSettings(given);
  const { parse, validate } = createYoga({
    schema,
    logging: false,
    plugins: [useDocumentLimits(settings)],
  }).getEnveloped({});
  return {
    parse: (text) => parse(text),
    validate: (document) => validate(schema, document),
    refusal(document) {
      const nul = nulRefusal(document, {});
      if (nul) return nul;
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
        const refused = costRefusal(
          {
            schema,
            document,
            operationName: operation.name?.value ?? null,
            variableValues: cheapestVariables(schema, operation),
          },
          settings.maxCost,
        );
        if (refused) return refused;
      }
      return null;
    },
  };
}
