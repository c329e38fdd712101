/**
 * No input string may hold U+0000: PostgreSQL's text cannot store it, and a NUL reaching a statement fails it as an
 * internal error (raising the error metric operators page on, and hiding a FORBIDDEN). Checked once, at the edge,
 * before execution: every string literal of the document and every string in the variables (cursors, which carry
 * their key encoded, are checked where they are decoded: schema/pagination.ts).
 */
import { BREAK, visit, type ASTNode, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { forTransport, requestError } from '../../errors.ts';
import { inputValues } from './input-nesting.ts';

const NUL = '\u0000';

/** Where a NUL is: `argument <name>` of the document, or `variable $<name>`; null when there is none. */
export function nulInput(document: DocumentNode, variables: Record<string, unknown> | null | undefined): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (!node.value.includes(NUL)) return undefined;
      // The parent is not among the ancestors: an argument's own value has the Argument as its parent.
      const argument = [...ancestors, parent]
        .reverse()
        .find((a): a is ASTNode => !Array.isArray(a) && (a as ASTNode).kind === 'Argument');
      found =
        argument && 'name' in argument && argument.name
          ? `argument ${argument.name.value}`
          : 'a string of the document';
      return BREAK;
    },
  });
  if (found) return found;
  for (const [name, value] of Object.entries(variables ?? {})) {
    for (const [item] of inputValues(value))
      if (typeof item === 'string' && item.includes(NUL)) return `variable $${name}`;
  }
  return null;
}

/** The refusal of a document or variables holding a NUL, naming where; null when there is none. */
export function nulRefusal(
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError | null {
  const where = nulInput(document, variables);
  if (!where) return null;
  return requestError(
    'BAD_USER_INPUT',
    `A string in ${where} holds a NUL character (U+0000), which no field accepts`,
    { status: 400, spec: true },
    { input: where },
  );
}

export function useNoNulStrings(): Plugin {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { document: DocumentNode; variableValues?: Record<string, unknown> | null; contextValue: unknown };
    setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
  }) => {
    const refusal = nulRefusal(args.document, args.variableValues);
    if (refusal) setResultAndStopExecution({ errors: [forTransport(refusal, args.contextValue)] });
  };
  return { onExecute: check, onSubscribe: check };
}
