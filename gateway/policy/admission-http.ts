/**
 * Admission (admission.ts) on Yoga's HTTP path: GET, POST, each operation of a batch, and the SSE requests the SSE
 * transport hands to Yoga. Each step at the hook where Yoga has what it needs:
 * - size: a chunked body counted as Yoga's parser reads it (the URL and a declared length are refused before Yoga),
 *   and input nested too deep once the parameters are parsed;
 * - credential and trusted document once the parameters are parsed (onParams), for an operation whose document
 *   needs a lookup (an id; a text in production); an id's text becomes params.query, so the audit log hashes the
 *   text that ran. Any other operation's credential is checked where Yoga builds its context;
 * - rate limit where the operation is about to run, Yoga having parsed and validated it (onExecute, onSubscribe),
 *   unless a transport admitted it (and counted it) already.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../../store/access.ts';
import { forTransport } from '../errors.ts';
import type { NamedDocument } from './documents/policy.ts';
import { documentOfRequest } from './documents/trusted-documents-plugin.ts';
import type { AuthenticateFrom } from './limits/index.ts';
import { inputNestingRefusal } from './limits/input-nesting.ts';
import { useBodyLimit } from './limits/request-size.ts';

/** Admission's steps, as this plugin runs them. */
export interface AdmissionSteps {
  maxBodyBytes: number;
  credential: AuthenticateFrom;
  /** Whether the document needs the registry (an id; a text in production): the credential is checked first. */
  looksUp(named: NamedDocument): boolean;
  /** The text the named document runs; throws its refusal, counted (or RATE_LIMITED). */
  document(named: NamedDocument, viewer: Viewer, req: IncomingMessage | undefined): Promise<string>;
  rate(viewer: Viewer, req: IncomingMessage | undefined): Promise<GraphQLError | null>;
  /** Whether a transport admitted (and counted) the operations of this Request already. */
  admitted(request: Request): boolean;
}

/** What Yoga's context holds of the request (over node:http, `req` is its IncomingMessage) and, once built, the viewer. */
interface ServedContext {
  request?: Request;
  req?: IncomingMessage;
  viewer?: Viewer;
}

export function useAdmission(steps: AdmissionSteps): Plugin[] {
  const rateLimit = async ({
    args,
    setResultAndStopExecution,
  }: {
    args: { contextValue: unknown };
    setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
  }) => {
    const context = args.contextValue as ServedContext;
    if (!context.viewer || (context.request && steps.admitted(context.request))) return;
    const refusal = await steps.rate(context.viewer, context.req);
    if (refusal) setResultAndStopExecution({ errors: [forTransport(refusal, context)] });
  };
  return [
    useBodyLimit(steps.maxBodyBytes),
    {
      async onParams({ params, request, context, setParams }) {
        const tooDeep = inputNestingRefusal(params);
        if (tooDeep) throw tooDeep;
        const named = documentOfRequest(params, request);
        if (!named || !steps.looksUp(named)) return;
        const req = (context as ServedContext | undefined)?.req;
        const text = await steps.document(named, await steps.credential(request, req), req);
        if (text === params.query) return;
        const { operationName, variables, extensions } = params;
        setParams({ query: text, operationName, variables, extensions });
      },
      onExecute: rateLimit,
      onSubscribe: rateLimit,
    },
  ];
}
