/**
 * The cost limit: an operation is measured (@pothos/plugin-complexity, with the field costs of schema/cost.ts: lists
 * multiply by their page size) once its request is authenticated and before it runs; over `maxCost` it is refused
 * whole, QUERY_TOO_COMPLEX. The limit is per operation: each operation of a batch is measured on its own. Not a
 * validation rule: Yoga caches validation per document, and the cost depends on the variables (`first: $n`).
 */
import { createComplexityRule } from '@pothos/plugin-complexity';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LIST_MULTIPLIER, SUBTREE_MULTIPLIER } from '../../../schema/cost.ts';
import { DEFAULT_PAGE_SIZE } from '../../../schema/pagination.ts';
import { forTransport, requestError } from '../../errors.ts';

/** BAD_USER_INPUT, otherwise beside data, refuses the request here: 400 (200 for application/json clients). */
const AS_VALIDATION = { status: 400, spec: true } as const;

export interface Measured {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

export interface Measure {
  /** The costs of the operations measured (the named one only, when named), in document order. */
  costs: number[];
  /** Why an operation could not be measured (an argument that cannot be read, variables that do not coerce). */
  errors: readonly GraphQLError[];
}

/**
 * Measures the document's operations (the named one only, when named). Throws the page size error
 * (schema/cost.ts) for a page out of range.
 */
export function measure({ schema, document, variableValues, operationName, contextValue }: Measured): Measure {
  const costs: number[] = [];
  const rule = createComplexityRule({
    context: (contextValue ?? {}) as object,
    variableValues: variableValues ?? {},
    operationName,
    validate: ({ complexity }) => void costs.push(complexity),
  });
  const errors = validate(schema, document, [rule]);
  return { costs, errors };
}

/** The costs of the document's operations (the named one only, when named), in document order. */
export const operationCosts = (measured: Measured): number[] => measure(measured).costs;

/**
 * Why the operation may not run (too costly, or it could not be measured), or null. Measuring reads every argument as
 * the resolvers will, and an operation that cannot be measured does not run: a page size out of range or an argument
 * that cannot be read (an invalid global ID) refuses it as BAD_USER_INPUT, so that a bad argument in one field cannot
 * hide the cost of the rest; one the measure did not reach, as QUERY_TOO_COMPLEX. Only what execution refuses before
 * running anything (no such operation, variables that do not coerce) is left to execution, in its own words.
 */
export function costRefusal(measured: Measured, maxCost: number): GraphQLError | null {
  if (maxCost <= 0) return null;
  const { schema, document, variableValues, operationName } = measured;
  // What execution refuses before it runs anything, it refuses itself.
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}).errors) return null;

  let result: Measure;
  try {
    // The operation execution will run, by its name when it has one (an anonymous one is the document's only one).
    result = measure({ ...measured, operationName: operation.name?.value ?? null });
  } catch (error) {
    if (error instanceof GraphQLError) {
      return new GraphQLError(error.message, { extensions: { ...error.extensions, http: AS_VALIDATION } });
    }
    throw error;
  }
  const [unreadable] = result.errors;
  if (unreadable) {
    return requestError(
      'BAD_USER_INPUT',
      `An argument of this operation cannot be read, so its cost cannot be measured: ${unreadable.message}`,
      AS_VALIDATION,
    );
  }
  if (result.costs.length !== 1) {
    return requestError(
      'QUERY_TOO_COMPLEX',
      'The cost of this operation could not be measured, so it does not run',
      undefined,
      { limit: maxCost },
    );
  }
  const cost = result.costs[0]!;
  if (cost <= maxCost) return null;
  return requestError(
    'QUERY_TOO_COMPLEX',
    `Query cost ${cost} exceeds the limit of ${maxCost}: each field costs 1, and a list multiplies what it ` +
      `selects by its page size (first or last, ${DEFAULT_PAGE_SIZE} when not given; ${SUBTREE_MULTIPLIER} for a ` +
      `unit's descendants, ${LIST_MULTIPLIER} for other lists without pages). Ask for smaller pages or fewer ` +
      `nested lists.`,
    undefined,
    { cost, limit: maxCost },
  );
}

export function useCostLimit(maxCost: number): Plugin {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: Measured;
    setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
  }) => {
    const refusal = costRefusal(args, maxCost);
    if (refusal) setResultAndStopExecution({ errors: [forTransport(refusal, args.contextValue)] });
  };
  return { onExecute: check, onSubscribe: check };
}
