/**
 * The shared per-consumer streams: subscribers that may share (sharing.ts) are members of one group, with one
 * `subscribe()`, one context and one serialisation per event, the same bytes written to each member. A member joins
 * a running group from the next event on; when the last one leaves, the group's iterator is returned (schema/live
 * releases its watches).
 *
 * Bounds per member: events written but not yet flushed to its socket (LIVE_QUEUE_MAX, the same bound and the
 * same SLOW_CONSUMER error as schema/live/stream.ts), and its socket's unsent bytes (maxUnsentBytes). A member over
 * either is sent the error and `complete`, and cut if it has not read them within a grace period; the others go on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentNode, ExecutionResult, OperationDefinitionNode } from 'graphql';
import { isAsyncIterable, type YogaServerInstance } from 'graphql-yoga';
import { hubError } from '../../../core/error-codes.ts';
import type { Logger } from '../../../core/logger.ts';
import type { LiveSubscribers } from '../../../live/subscribers.ts';
import type { Context } from '../../../schema/index.ts';
import type { Viewer } from '../../../store/access.ts';
import { requestIdOf, resultWithRequestId } from '../../observability/request-id.ts';
import type { RequestParams } from './request.ts';
import { countingRoutes, deliveryNoticeOf, eventIdOf, lastEventIdOf, liveView, sharingKey } from './sharing.ts';
import { cutUnlessRead, yieldToEventLoop, type Pingable, type Writer } from './writer.ts';
import { errorResult, nextFrame } from './yoga-mirror.ts';

interface Member extends Pingable {
  group: Group;
  /** Decrements `unflushed`: one closure per member, not one per write. */
  flushed: () => void;
  /** The eventId of the last event written to it: where it resumes after a drop. */
  lastEventId: string | null;
}

interface Group {
  key: string;
  label: string;
  members: Set<Member>;
  state: 'opening' | 'open' | 'ended';
  iterator: AsyncIterator<ExecutionResult> | null;
  /** Router entries (schema/live streams) this group holds open: one per subscription. */
  routed: number;
  /** The lastEventId variable the group subscribed with: the resume point before its first event. */
  lastEventId: string | null;
  /** The LIVE_DELIVERY_INTERRUPTED notice sent last, until LIVE_DELIVERY_RESUMED: a member joining meanwhile gets it. */
  interruption: Buffer | null;
}

/** An admitted subscription: what its group is opened with, if it opens one. */
export interface Subscriber {
  request: Request;
  req: IncomingMessage;
  res: ServerResponse;
  params: RequestParams & { query: string };
  viewer: Viewer;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

export interface GroupsOptions {
  // Yoga's server and user context types are the hub's business: this calls getEnveloped.
  yoga: YogaServerInstance<any, any>;
  live: LiveSubscribers;
  logger: Logger;
  writer: Writer;
  maxUnsentBytes: number;
  slowConsumerGraceMs: number;
}

export function createGroups({ yoga, live, logger, writer, maxUnsentBytes, slowConsumerGraceMs }: GroupsOptions) {
  const groups = new Map<string, Group>();
  let memberCount = 0;
  function membersChanged(delta: number) {
    memberCount += delta;
    writer.keepAlive(memberCount);
  }

  function leave(member: Member) {
    if (member.gone) return;
    member.gone = true;
    const { group } = member;
    if (!group.members.delete(member)) return;
    membersChanged(-1);
    if (group.members.size === 0 && group.state === 'open') closeGroup(group);
  }

  /** Ends the group: its members' streams (with `tail` before complete, if any), its iterator, its key. */
  function closeGroup(group: Group, tail?: Buffer) {
    if (group.state === 'ended') return;
    group.state = 'ended';
    if (groups.get(group.key) === group) groups.delete(group.key);
    for (const member of group.members) {
      member.gone = true;
      writer.end(member.res, tail);
    }
    membersChanged(-group.members.size);
    group.members.clear();
    const iterator = group.iterator;
    group.iterator = null;
    void Promise.resolve(iterator?.return?.()).catch((error: unknown) =>
      logger.error({ err: error, subscription: group.label }, 'SSE subscription did not close cleanly'),
    );
  }

  function dropSlowMember(member: Member, reason: string) {
    const { res, group } = member;
    const resume = member.lastEventId ?? group.lastEventId;
    logger.warn(
      { subscription: group.label, queued: member.unflushed, unsentBytes: res.writableLength, lastEventId: resume },
      'SSE subscriber dropped: slow consumer',
    );
    // The same error as schema/live/stream.ts's, so a client resubscribes the same way over either transport.
    const error = hubError(
      'SLOW_CONSUMER',
      `${reason}; the subscription was ended${resume ? `: subscribe again with lastEventId "${resume}" to catch up` : ''}`,
      { queued: member.unflushed, lastEventId: resume },
    );
    leave(member);
    writer.end(res, nextFrame(resultWithRequestId({ errors: [error] }, requestIdOf(res))));
    cutUnlessRead(res, slowConsumerGraceMs);
  }

  /** Writes one event's bytes to a member, or drops the member if it is too far behind. */
  function deliver(member: Member, frame: Buffer, eventId: string | null) {
    const { res } = member;
    if (member.gone || res.destroyed || res.writableEnded) return;
    const { queueMax } = live.settings;
    if (member.unflushed >= queueMax) {
      return dropSlowMember(member, `slow consumer: ${member.unflushed} events queued (LIVE_QUEUE_MAX ${queueMax})`);
    }
    if (res.writableLength > maxUnsentBytes) {
      return dropSlowMember(member, `slow consumer: ${res.writableLength} bytes unsent (limit ${maxUnsentBytes})`);
    }
    member.unflushed++;
    if (eventId !== null) member.lastEventId = eventId;
    res.write(frame, member.flushed);
  }

  /** The group's fan-out: each result serialised once, its bytes written to every member. */
  async function run(group: Group) {
    const iterator = group.iterator!;
    let tail: Buffer | undefined;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done || group.state === 'ended') break;
        const frame = nextFrame(next.value);
        const eventId = eventIdOf(next.value);
        const notice = deliveryNoticeOf(next.value);
        if (notice) group.interruption = notice === 'LIVE_DELIVERY_INTERRUPTED' ? frame : null;
        // A member that joins during the fan-out gets this event too: it was subscribed when it went out.
        for (const member of group.members) {
          deliver(member, frame, eventId);
          if (writer.dueToYield()) await yieldToEventLoop();
        }
      }
    } catch (error) {
      // As Yoga: an error from the stream (SHUTTING_DOWN, SLOW_CONSUMER of the group itself) is a last result.
      tail = nextFrame(errorResult(error, logger));
    }
    closeGroup(group, tail);
  }

  async function openGroup(group: Group, { document, operation: _operation, ...initial }: Subscriber) {
    let result: ExecutionResult | AsyncIterable<ExecutionResult>;
    try {
      const enveloped = yoga.getEnveloped({
        ...initial,
        // A slow group (one whose own stream overflows) ends for all its members with the error, from run().
        dropLive: (reason: string) => logger.warn({ subscription: group.label, reason }, 'SSE group dropped'),
      });
      const contextValue = (await enveloped.contextFactory()) as unknown as Context;
      // The router entries this group opens are counted, so that each member counts as a subscriber.
      if (contextValue.live) contextValue.live = { ...contextValue.live, subscribers: countingRoutes(live, group) };
      result = await enveloped.subscribe({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: initial.params.variables,
        operationName: initial.params.operationName,
      });
    } catch (error) {
      result = errorResult(error, logger);
    }
    if (!isAsyncIterable(result)) {
      // A refusal: every member waiting gets it as its whole response.
      if (groups.get(group.key) === group) groups.delete(group.key);
      group.state = 'ended';
      for (const member of group.members) {
        member.gone = true;
        writer.sendResult(member.res, result);
      }
      membersChanged(-group.members.size);
      group.members.clear();
      return;
    }
    group.iterator = result[Symbol.asyncIterator]();
    group.state = 'open';
    if (group.members.size === 0) return closeGroup(group);
    for (const member of group.members) startMember(member);
    void run(group);
  }

  function startMember(member: Member) {
    member.started = true;
    writer.start(member.res);
  }

  return {
    /** Adds the subscriber to its group, opening the group if it is the first; settles once the group answers. */
    async join(subscriber: Subscriber) {
      const { viewer, params, operation, res } = subscriber;
      const lastEventId = lastEventIdOf(operation, params.variables);
      const key = sharingKey(viewer, params, lastEventId);
      let group = key === null ? undefined : groups.get(key);
      const opening = !group;
      if (!group) {
        const field = operation.selectionSet.selections[0];
        group = {
          key: key ?? `\u0000own\u0000${Math.random()}`,
          label: `${viewer.consumer} ${field?.kind === 'Field' ? field.name.value : 'subscription'}`,
          members: new Set(),
          state: 'opening',
          iterator: null,
          routed: 0,
          lastEventId: lastEventId === 'unknown' ? null : lastEventId,
          interruption: null,
        };
        groups.set(group.key, group);
      }
      const member: Member = {
        res,
        group,
        unflushed: 0,
        flushed: () => void member.unflushed--,
        lastEventId: null,
        started: false,
        gone: false,
      };
      group.members.add(member);
      membersChanged(1);
      res.once('close', () => leave(member));
      if (opening) await openGroup(group, subscriber);
      else if (group.state === 'open') {
        startMember(member);
        // Told at once, as a subscriber of its own would be (live/subscribers.ts).
        if (group.interruption) deliver(member, group.interruption, null);
      }
    },
    /** The hub's live subscribers as clients see them: each member of a shared group counts as one. */
    subscribers: liveView(live, () => {
      let shared = 0;
      for (const group of groups.values()) shared += group.routed * Math.max(0, group.members.size - 1);
      return live.size + shared;
    }),
    /** Every member, for the keep-alive timer. */
    *streams(): Iterable<Pingable> {
      for (const group of groups.values()) yield* group.members;
    },
    get groups() {
      return groups.size;
    },
    get members() {
      return memberCount;
    },
  };
}
