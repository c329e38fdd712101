/**
 * The Subscription root, and what its fields share: the scopes they need,
 * the unit argument's checks, the lastEventId argument.
 *
 * Every field takes lastEventId: the eventId of the last event the client
 * received. The subscription then first replays the events after it that
 * match (from the log in PostgreSQL, kept for a retention window), then goes
 * on live, with no gap and no duplicate. If the window has passed (events
 * after lastEventId were purged) it is refused with CATCH_UP_EXPIRED rather
 * than replaying with a hole in it: the client reads the current state with a
 * query and subscribes without lastEventId.
 */
import type { AuthScopeMap } from '@pothos/plugin-scope-auth';
import { vietnamDay } from '../../connectors/common/wire.ts';
import type { Scope } from '../../store/access.ts';
import type { UnitRow } from '../../store/units.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { UnitNode } from '../unit.ts';
import { unknownUnit } from '../unit-access.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

builder.subscriptionType({
  description:
    'Live data for the operations centre, over GraphQL over SSE (POST, or GET with Accept: text/event-stream, one subscription per connection) or GraphQL over WebSocket (graphql-transport-ws) at /graphql. Each needs the subscribe scope and the scope of its data. A client that cannot keep up (LIVE_QUEUE_MAX events waiting) is dropped with a SLOW_CONSUMER error (WebSocket: close code 4499) and can resubscribe with lastEventId. While the hub’s pubsub (Redis) is down, a subscription stays open and is told so: a result with data null and a LIVE_DELIVERY_INTERRUPTED error (extensions.since) when delivery stops (or as it subscribes, if it is stopped already), then, once it is back, the events logged meanwhile and a LIVE_DELIVERY_RESUMED error (extensions.missedEventsDelivered; false: resubscribe with lastEventId to catch up).',
});

/** The scopes of a subscription field: `subscribe` and the scope of the data it carries. */
export const subscriptionScopes = (data: Scope): AuthScopeMap<Types> => ({ $all: { subscribe: true, [data]: true } });

export const LAST_EVENT_ID_DESCRIPTION =
  'The eventId of the last event received: the events after it that match are replayed first (from the log, kept for a retention window), then live ones follow, without gap or duplicate. Refused with CATCH_UP_EXPIRED when events after it have already been purged.';

/** The unit named by unitCode: inside the consumer's subtree, and known to the hub. */
export async function subscribedUnit(ctx: Context, unitCode: string): Promise<UnitRow> {
  await ctx.units.check(unitCode, 'unitCode');
  const unit = await UnitNode.getDataloader(ctx).load(unitCode);
  if (!unit) throw unknownUnit(unitCode, 'unitCode'); // gone since it was checked
  return unit;
}

/** The calendar year in Vietnam now: the default period of indicator subscriptions. */
export const currentVietnamYear = (now = Date.now()) => vietnamDay(now).slice(0, 4);
