/**
 * A hub mutation that ran invalidates the response caches of every instance: setIndicatorTarget and
 * removeIndicatorTarget change what indicator answers say (targets, gaps, scores), syncNow writes what a sync writes.
 * Only one that ran: a mutation refused before anything was written (no scope: FORBIDDEN, RATE_LIMITED,
 * QUERY_TOO_COMPLEX …) changes nothing, and flushing for it would let any consumer keep every instance's cache empty
 * by repeating it. Installed on every hub, cache on or off: another instance's cache must hear of a mutation run here.
 */
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type SelectionSetNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import type { ResponseCacheBus } from './bus.ts';

/** The root fields an operation selects, by response key (alias or name), fragments included; __typename not. */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, fields = new Map<string, string>()) {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename')
        fields.set(selection.alias?.value ?? selection.name.value, selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFields(document, selection.selectionSet, fields);
    } else {
      const fragment = document.definitions.find(
        (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) rootFields(document, fragment.selectionSet, fields);
    }
  }
  return fields;
}

/**
 * The root fields that ran: in the result's data, without an error at their path. A failing resolver fails before it
 * writes (a target is one statement; what a syncNow pass commits before failing is announced by the sync engine
 * itself, batch by batch and at the pass's end).
 */
function fieldsThatRan(fields: Map<string, string>, result: ExecutionResult): string[] {
  if (!result.data) return []; // refused before execution (limits) or failed as a whole
  const failed = new Set((result.errors ?? []).map((error) => error.path?.[0]));
  return [...fields].flatMap(([key, name]) => (key in result.data! && !failed.has(key) ? [name] : []));
}

export function useMutationInvalidation(bus: ResponseCacheBus): Plugin<Context> {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const fields = rootFields(args.document, operation.selectionSet);
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          const ran = fieldsThatRan(fields, result);
          if (ran.length > 0) bus.invalidate(`mutation ${ran.join(',')}`);
        },
      };
    },
  };
}
