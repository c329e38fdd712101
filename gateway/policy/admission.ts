/**
 * Admission: the one step every operation passes before it runs, over HTTP, SSE and WebSocket alike. In order:
 * 1. size: a request's URL and body, or a WebSocket message (limits/request-size.ts), and input nested too deep
 *    (limits/input-nesting.ts);
 * 2. credential: who asks (`authenticate`, once per Request), before any lookup, so a stranger costs none; an
 *    address over its failed authentications (limits/auth-failures.ts) is refused before its credential is checked;
 * 3. trusted document: the text it runs, as the policy allows (documents/policy.ts); a refusal costs a point of 4,
 *    and is RATE_LIMITED once over the limit;
 * 4. rate limit: one point per operation (limits/rate-limit.ts).
 * Between 3 and 4 the document is parsed and validated: one refused for its shape costs nothing. A document that
 * needs no lookup (a text, trusted documents not enforced) has its credential checked after that, where the context is built.
 * SSE and WebSocket call `admit`; HTTP runs the same steps at Yoga's hooks (admission-http.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../../store/access.ts';
import { sendGraphQLError } from '../errors.ts';
import { useAdmission, type AdmissionSteps } from './admission-http.ts';
import {
  namedDocument,
  trustedText,
  type DocumentParams,
  type DocumentPolicy,
  type HubMode,
} from './documents/policy.ts';
import type { AuthenticateFrom, Limits } from './limits/index.ts';
import { inputNestingRefusal } from './limits/input-nesting.ts';
import { bodyTooLarge, oversizedRequest, readBody } from './limits/request-size.ts';

export interface AdmissionOptions extends DocumentPolicy {
  /** The hub's mode: production turns introspection off (documents/plugins.ts). */
  mode: HubMode;
  /**
   * The hub's authentication, once per Request (response-cache/session.ts oncePerRequest), guarded by
   * `limits.authFailures`: an address over its failed authentications is refused before its credential is checked.
   */
  authenticate: AuthenticateFrom;
  /** The size limits' settings, the rate limit's counter and the failed authentications' limit. */
  limits: Pick<Limits, 'settings' | 'countOperation' | 'authFailures'>;
}

/** The transport's verdict on a document: it may run (and be counted), or the transport answers it itself. */
export type Checked<Run, Answer> = { run: Run } | { answer: Answer };

/** One operation to admit: its credential's request, the client under it, and what names its document. */
export interface Operation<Run, Answer> {
  /** A Request of its own (a WebSocket builds one per message): the credential it acts with. */
  request: Request;
  /** The HTTP request (or WebSocket upgrade) under it: the anonymous developer is counted by its address. */
  req?: IncomingMessage | undefined;
  params: DocumentParams;
  /**
   * The transport's parse and validation of the text to run (the named document's, else the query as given):
   * `run` goes on to the rate limit; `answer` ends admission with the transport's own answer, at no cost.
   */
  check(query: string): Checked<Run, Answer> | Promise<Checked<Run, Answer>>;
}

export type Decision<Run, Answer> =
  | { outcome: 'admitted'; viewer: Viewer; query: string; run: Run }
  /** `error` is the refusal (a GraphQLError), or what failed unexpectedly (the credential's or the registry's store). */
  | { outcome: 'refused'; stage: 'credential' | 'document'; error: unknown }
  /** Over the rate limit, once checked: `run` is what would have run. */
  | { outcome: 'refused'; stage: 'rate'; error: GraphQLError; run: Run }
  | { outcome: 'answered'; answer: Answer };

export interface Admission {
  readonly mode: HubMode;
  /** Step 1 over HTTP, before anything reads the request: answers a URL or declared body over the limits (true). */
  refuseOversized(req: IncomingMessage, res: ServerResponse): boolean;
  /** Step 1 for a body read whole (SSE): the body, or PAYLOAD_TOO_LARGE at the first byte over the limit. */
  readBody(req: IncomingMessage): Promise<Buffer<ArrayBuffer> | GraphQLError>;
  /** Step 1 for a WebSocket: the largest message (MAX_BODY_BYTES); `ws` closes the socket with 1009 past it. */
  readonly maxMessageBytes: number;
  /** Step 2's guard alone, at a WebSocket upgrade: the refusal of an address over its failed authentications. */
  refuseFailingAddress(req: IncomingMessage): Promise<GraphQLError | null>;
  /** Step 2 alone: a WebSocket's connection_init. */
  authenticate(request: Request, req: IncomingMessage): Promise<Viewer>;
  /** Steps 2 to 4 for one operation (SSE, WebSocket). */
  admit<Run, Answer>(operation: Operation<Run, Answer>): Promise<Decision<Run, Answer>>;
  /** Step 4 alone, for an answer that runs nothing (a response-cache hit): it costs its point all the same. */
  countAnswered(request: Request, req: IncomingMessage | undefined): Promise<GraphQLError | null>;
  /** The same steps on Yoga's HTTP path (admission-http.ts), among the hub's document plugins. */
  readonly plugins: Plugin[];
}

export function createAdmission({ mode, enforced, registry, authenticate, limits }: AdmissionOptions): Admission {
  const { maxBodyBytes } = limits.settings;
  /** Requests whose operations a transport counted: the execution hooks must not count them again. */
  const admitted = new WeakSet<Request>();
  const policy: DocumentPolicy = { enforced, registry };

  const steps: AdmissionSteps = {
    maxBodyBytes,
    credential: authenticate,
    looksUp: (named) => 'id' in named || enforced,
    async document(named, viewer, req) {
      const trusted = await trustedText(policy, named);
      if ('text' in trusted) return trusted.text;
      throw (await limits.countOperation(viewer, req)) ?? trusted.refusal;
    },
    rate: (viewer, req) => limits.countOperation(viewer, req),
    admitted: (request) => admitted.has(request),
  };

  return {
    mode,
    refuseOversized(req, res) {
      const refusal = oversizedRequest(req, limits.settings);
      if (refusal) sendGraphQLError(res, (refusal.extensions.http as { status: number }).status, refusal);
      return refusal !== null;
    },
    async readBody(req) {
      return (await readBody(req, maxBodyBytes)) ?? bodyTooLarge(maxBodyBytes);
    },
    maxMessageBytes: maxBodyBytes,
    refuseFailingAddress: (req) => limits.authFailures.refusal(req),
    authenticate,
    async admit({ request, req, params, check }) {
      const tooDeep = inputNestingRefusal(params);
      if (tooDeep) return { outcome: 'refused', stage: 'document', error: tooDeep };
      const named = namedDocument(params);
      let query = typeof params.query === 'string' ? params.query : '';
      let viewer: Viewer | undefined;
      if (named && steps.looksUp(named)) {
        try {
          viewer = await steps.credential(request, req);
          query = await steps.document(named, viewer, req);
        } catch (error) {
          return { outcome: 'refused', stage: viewer ? 'document' : 'credential', error };
        }
      }
      const checked = await check(query);
      if ('answer' in checked) return { outcome: 'answered', answer: checked.answer };
      if (!viewer) {
        try {
          viewer = await steps.credential(request, req);
        } catch (error) {
          return { outcome: 'refused', stage: 'credential', error };
        }
      }
      admitted.add(request);
      const refusal = await steps.rate(viewer, req);
      if (refusal) return { outcome: 'refused', stage: 'rate', error: refusal, run: checked.run };
      return { outcome: 'admitted', viewer, query, run: checked.run };
    },
    async countAnswered(request, req) {
      return steps.rate(await authenticate(request, req), req);
    },
    plugins: useAdmission(steps),
  };
}
