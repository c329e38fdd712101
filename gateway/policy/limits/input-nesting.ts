/**
 * Client input (variables, extensions) nested past a limit is refused before anything walks it: the audit log's
 * canonical JSON, graphql-js's coercion and the cost measure all recurse, and 5,000 levels (10 KB of JSON) overflow
 * the stack. The measure itself is iterative, so no input can overflow it.
 */
import { requestError } from '../../errors.ts';

/** Levels of arrays and objects a variable or an extension may nest: a real input nests 3 or 4. */
export const MAX_INPUT_NESTING = 32;

/** Every value inside `value`, itself first, with its depth (an object or array at the top is at depth 1). */
export function* inputValues(value: unknown): Generator<[unknown, number]> {
  // Iterative: no input, however deep, can overflow the walk itself.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, above] = stack.pop()!;
    if (item === null || typeof item !== 'object') {
      yield [item, above];
      continue;
    }
    yield [item, above + 1];
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, above + 1]);
  }
}

/** Whether `value` nests arrays and objects deeper than `limit` (stopping at the first too deep). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  for (const [, depth] of inputValues(value)) if (depth > limit) return true;
  return false;
}

/** INPUT_TOO_DEEP (400) for parameters whose variables or extensions nest too deep; null when they do not. */
export function inputNestingRefusal(params: { variables?: unknown; extensions?: unknown }) {
  for (const part of ['variables', 'extensions'] as const) {
    if (nestsDeeperThan(params[part], MAX_INPUT_NESTING)) {
      return requestError(
        'INPUT_TOO_DEEP',
        `The request's ${part} nest arrays and objects more than ${MAX_INPUT_NESTING} levels deep`,
        undefined,
        { limit: MAX_INPUT_NESTING },
      );
    }
  }
  return null;
}
