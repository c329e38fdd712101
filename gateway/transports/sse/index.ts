/**
 * GraphQL subscriptions over SSE (Yoga's "distinct connections" format), served in front of Yoga because Yoga's
 * own SSE path costs about 42 KB of heap and 110 µs of CPU per subscriber and delivery (docs/benchmarks.md, "Live
 * subscriptions"). Only requests that accept nothing but `text/event-stream`, GET or POST JSON to /graphql, whose
 * operation parses, validates and is a subscription; everything else is handed to Yoga unchanged. For these
 * requests Yoga would answer with its SSE processor, which yoga-mirror.ts reproduces byte for byte.
 * Each request is admitted (gateway/policy/admission.ts) and its subscription shared per consumer (groups.ts);
 * Yoga's machinery (getEnveloped) still runs each group's subscription, so every plugin applies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import { getOperationAST, GraphQLError } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '../../../core/logger.ts';
import type { LiveSubscribers } from '../../../live/subscribers.ts';
import { sendGraphQLError } from '../../errors.ts';
import type { Admission, Checked } from '../../policy/admission.ts';
import { createGroups, type Subscriber } from './groups.ts';
import {
  bodyParams,
  fetchRequest,
  isSseRequest,
  requestUrl,
  toYoga,
  urlParams,
  type RequestParams,
} from './request.ts';
import { createWriter } from './writer.ts';
import { defaultKeepAliveMs, errorResult } from './yoga-mirror.ts';

export { useAcceptedSseRefusals } from './refusals.ts';
export { sseSlowConsumerDrop } from './writer.ts';
export { acceptsOnlyEventStream } from './yoga-mirror.ts';

export interface SseTransportOptions {
  // Yoga's server and user context types are the hub's business; this calls getEnveloped, fetch and handle.
  yoga: YogaServerInstance<any, any>;
  /** The hub's admission: the body's size, the credential, the trusted document and the rate limit. */
  admission: Admission;
  /** The hub's live subscribers: their LIVE_QUEUE_MAX bounds each member's unflushed events. */
  live: LiveSubscribers;
  logger: Logger;
  path?: string;
  /** Keep-alive comment interval; default as Yoga: 12 s, 300 ms when NODE_ENV=test. */
  keepAliveMs?: number;
  /** Unsent bytes a member's socket may hold before it is dropped as a slow consumer. */
  maxUnsentBytes?: number;
  /** How long a dropped member has to read its SLOW_CONSUMER error before its connection is cut. */
  slowConsumerGraceMs?: number;
  /** Socket writes between two yields to the event loop during a fan-out. */
  yieldEvery?: number;
  /** The hub's CORS policy (gateway/policy/cors.ts), as Yoga applies it to everything else. Default Yoga's: any origin. */
  cors?: CORSOptions;
}

export interface SseTransport {
  /**
   * Serves the request when it is an SSE subscription (the returned promise settles when the request is handled,
   * not when the stream ends); null when it is not one of its requests and Yoga should handle it.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | null;
  /** The hub's live subscribers as clients see them: each SSE member of a shared group counts as one. */
  readonly subscribers: LiveSubscribers;
  /** Groups (distinct subscriptions executed) and members (SSE connections) now. */
  readonly groups: number;
  readonly members: number;
}

export function createSseTransport({
  yoga,
  admission,
  live,
  logger,
  path = '/graphql',
  keepAliveMs = defaultKeepAliveMs(),
  maxUnsentBytes = 4 * 1024 * 1024,
  slowConsumerGraceMs = 5_000,
  yieldEvery = 256,
  cors = {},
}: SseTransportOptions): SseTransport {
  const writer = createWriter({ cors, logger, keepAliveMs, yieldEvery, streams: () => groups.streams() });
  const groups = createGroups({ yoga, live, logger, writer, maxUnsentBytes, slowConsumerGraceMs });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = requestUrl(req);
    let body: Buffer<ArrayBuffer> | undefined;
    let given: RequestParams | null;
    if (req.method === 'POST') {
      // Over the limit: refused unread, as on Yoga's path (the connection closes after it).
      const read = await admission.readBody(req);
      if (read instanceof GraphQLError) return sendGraphQLError(res, 413, read);
      body = read;
      given = bodyParams(body);
    } else given = urlParams(url);
    if (!given) return toYoga(yoga, req, res, body);
    const request = fetchRequest(req, url, body);
    if (!request) return toYoga(yoga, req, res, body); // headers fetch refuses: Yoga's own adapter decides

    const decision = await admission.admit({
      request,
      req,
      params: given,
      // Parsed and validated by Yoga's machinery; anything but a valid subscription is Yoga's to answer.
      check(query): Checked<Omit<Subscriber, 'request' | 'req' | 'res' | 'viewer'>, 'yoga'> {
        const params = { ...given, query };
        const enveloped = yoga.getEnveloped({ request, req, res, params });
        let document;
        try {
          document = enveloped.parse(query);
        } catch {
          return { answer: 'yoga' };
        }
        if (enveloped.validate(enveloped.schema, document).length > 0) return { answer: 'yoga' };
        const operation = getOperationAST(document, params.operationName);
        if (operation?.operation !== 'subscription') return { answer: 'yoga' };
        return { run: { params, document, operation } };
      },
    });
    if (decision.outcome === 'answered') return toYoga(yoga, req, res, body);
    if (decision.outcome === 'refused') return writer.sendResult(res, errorResult(decision.error, logger));
    if (res.destroyed) return; // gone while it was admitted
    const subscriber: Subscriber = { request, req, res, viewer: decision.viewer, ...decision.run };
    await groups.join(subscriber);
  }

  return {
    handle: (req, res) => (isSseRequest(req, path) ? serve(req, res) : null),
    subscribers: groups.subscribers,
    get groups() {
      return groups.groups;
    },
    get members() {
      return groups.members;
    },
  };
}
