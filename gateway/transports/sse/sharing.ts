/**
 * Which SSE subscribers share one execution: the same document, operation name, variables and extensions, as the
 * same consumer (everything of the viewer that can change what a resolver returns). Never a read:pii viewer, and
 * never a request that resumes (lastEventId). And how shared subscriptions are counted: each member as one.
 */
import { Kind, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { LiveSubscribers, RoutedSubscriber } from '../../../live/subscribers.ts';
import type { Viewer } from '../../../store/access.ts';
import { canonicalJson } from '../../../store/audit.ts';

/** The consumer as far as sharing goes, or null when the viewer's subscriptions are never shared. */
function consumerKey(viewer: Viewer): string | null {
  // Personal data is never shared: a read:pii viewer gets a group of its own, so every delivery of personal
  // data is executed in its own context, reaches only its connection, and its audit entry names its own
  // request (client address, request id). A shared group would record one entry for all of its members.
  if (viewer.scopes.has('read:pii')) return null;
  // The credential too: a group's stream ends when its credential is revoked or expires (schema/live/stream.ts),
  // which must not end the streams of the consumer's other keys.
  return JSON.stringify([
    viewer.consumer,
    viewer.consumerId,
    viewer.credential,
    viewer.credentialId ?? null,
    [...viewer.scopes].sort(),
    viewer.unitCode,
  ]);
}

/**
 * The lastEventId argument of the subscription's field as the request gives it (a literal, or a variable: its
 * value, else its default), as text; null when absent or null. A root selection other than a plain field (a
 * fragment) counts as giving one ('unknown'): such a request is never shared.
 */
export function lastEventIdOf(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): string | null {
  const field = operation.selectionSet.selections[0];
  if (operation.selectionSet.selections.length !== 1 || field?.kind !== Kind.FIELD) return 'unknown';
  const argument = field.arguments?.find((arg) => arg.name.value === 'lastEventId');
  if (!argument) return null;
  let value = argument.value;
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    const given = variables?.[name];
    if (given !== undefined) return given === null ? null : String(given);
    const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
    if (!fallback) return null;
    value = fallback;
  }
  if (value.kind === Kind.NULL) return null;
  return value.kind === Kind.STRING || value.kind === Kind.INT ? value.value : 'unknown';
}

/** What a subscription is shared by; null when it gets a group of its own. */
export function sharingKey(
  viewer: Viewer,
  params: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    extensions?: Record<string, unknown> | null;
  },
  lastEventId: string | null,
): string | null {
  // A request that resumes is never shared: a running group has replayed and moved past ranges that this one has
  // not seen, and a new group's replay would be given to members that did not ask for it.
  const consumer = lastEventId === null ? consumerKey(viewer) : null;
  if (consumer === null) return null;
  const { query, operationName, variables, extensions } = params;
  return `${consumer}\u0000${query}\u0000${operationName ?? ''}\u0000${canonicalJson(variables ?? {})}\u0000${canonicalJson(extensions ?? {})}`;
}

/** The eventId of an event's result (every live payload has one), to tell a dropped member where to resume. */
export function eventIdOf(result: ExecutionResult): string | null {
  const data = result.data as Record<string, unknown> | null | undefined;
  if (!data) return null;
  for (const key in data) {
    const value = data[key] as { eventId?: unknown } | null;
    return value && typeof value.eventId === 'string' ? value.eventId : null;
  }
  return null;
}

/** The delivery notice a result carries in place of an event (schema/live/stream.ts liveEventOf), if it is one. */
export function deliveryNoticeOf(
  result: ExecutionResult,
): 'LIVE_DELIVERY_INTERRUPTED' | 'LIVE_DELIVERY_RESUMED' | null {
  const code = result.errors?.[0]?.extensions?.code;
  return code === 'LIVE_DELIVERY_INTERRUPTED' || code === 'LIVE_DELIVERY_RESUMED' ? code : null;
}

/** A view of the hub's live subscribers with a `size` (and an `add`) of its own. */
export function liveView(
  live: LiveSubscribers,
  size: () => number,
  add = (subscriber: RoutedSubscriber) => live.add(subscriber),
): LiveSubscribers {
  return {
    get settings() {
      return live.settings;
    },
    get log() {
      return live.log;
    },
    get size() {
      return size();
    },
    add,
    watch: (unitCode, period, hierarchyDate) => live.watch(unitCode, period, hierarchyDate),
    close: () => live.close(),
  };
}

/** A group's view of the live subscribers: counts the router entries it opens in `group.routed`. */
export function countingRoutes(live: LiveSubscribers, group: { routed: number }): LiveSubscribers {
  return liveView(
    live,
    () => live.size,
    (subscriber) => {
      const remove = live.add(subscriber);
      group.routed++;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        group.routed--;
        remove();
      };
    },
  );
}
