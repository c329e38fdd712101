/**
 * The SSE transport's writes to its sockets: a stream's head, a whole answer for a refusal, one keep-alive timer
 * for every open stream, yields to the event loop during long fan-outs, and the cut of a slow consumer's
 * connection once it was told (or never reads again).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';
import type { ExecutionResult } from 'graphql';
import type { Logger } from '../../../core/logger.ts';
import { requestIdOf, resultWithRequestId } from '../../observability/request-id.ts';
import { refusalStatus } from './refusals.ts';
import { fetchHeaders } from './request.ts';
import { COMPLETE, nextFrame, PING, responseInit, SSE_HEADERS } from './yoga-mirror.ts';

/** A stream the keep-alive timer may ping. */
export interface Pingable {
  res: ServerResponse;
  /** Headers and the opening comment are out. */
  started: boolean;
  gone: boolean;
  /** Events written and not yet flushed to the kernel. */
  unflushed: number;
}

export interface WriterOptions {
  cors: CORSOptions;
  logger: Logger;
  keepAliveMs: number;
  /** Socket writes between two yields to the event loop during a fan-out. */
  yieldEvery: number;
  /** The streams open now, for the keep-alive timer. */
  streams(): Iterable<Pingable>;
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * After a slow consumer was sent its SLOW_CONSUMER error and the end of its stream: it reads them once it reads on;
 * one that has not read them within `graceMs` (it stopped reading altogether) has its connection cut, so a stuck
 * client holds no socket either.
 */
export function cutUnlessRead(res: ServerResponse, graceMs: number) {
  setTimeout(() => {
    if (!res.writableFinished && !res.destroyed) res.destroy();
  }, graceMs).unref();
}

/**
 * How a subscriber of Yoga's own SSE path (a request this transport hands to Yoga, e.g. one whose Accept also
 * names JSON) is cut once its stream was ended as a slow consumer: Yoga writes the error and ends the response,
 * and the connection goes if the client has not read them within `graceMs`.
 */
export function sseSlowConsumerDrop(res: ServerResponse | undefined, logger: Logger, graceMs = 5_000) {
  return (reason: string) => {
    logger.warn({ reason, url: res?.req.url }, 'SSE subscriber dropped: slow consumer');
    if (res) cutUnlessRead(res, graceMs);
  };
}

export function createWriter({ cors, logger, keepAliveMs, yieldEvery, streams }: WriterOptions) {
  let writesSinceYield = 0;
  /**
   * Counts a socket write; true every `yieldEvery` of them, when the writer should let the event loop run (I/O,
   * timers, other requests) before going on. (A plain function: an async one would cost a promise per write.)
   */
  function dueToYield(): boolean {
    if (++writesSinceYield < yieldEvery) return false;
    writesSinceYield = 0;
    return true;
  }

  let pingTimer: NodeJS.Timeout | null = null;
  let pinging = false;
  async function ping() {
    if (pinging) return;
    pinging = true;
    try {
      for (const stream of streams()) {
        // As Yoga: no ping into a stream that has events waiting (they keep it alive).
        if (!stream.started || stream.gone || stream.unflushed > 0 || stream.res.writableNeedDrain) continue;
        stream.res.write(PING);
        if (dueToYield()) await yieldToEventLoop();
      }
    } finally {
      pinging = false;
    }
  }

  /** The CORS headers for the request, by the hub's policy (none without an Origin, none when it is off). */
  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const headers = getCORSHeadersByRequestAndOptions({ headers: fetchHeaders(req) } as Request, cors);
    return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  }

  return {
    dueToYield,
    /** Runs the keep-alive timer while there are streams (`open` > 0), stops it when there are none. */
    keepAlive(open: number) {
      if (open > 0 && !pingTimer) {
        pingTimer = setInterval(
          () => void ping().catch((error) => logger.error({ err: error }, 'SSE ping failed')),
          keepAliveMs,
        );
        pingTimer.unref();
      } else if (open === 0 && pingTimer) {
        clearInterval(pingTimer);
        pingTimer = null;
      }
    },
    /** A stream's head: 200, the headers, and (as Yoga) a comment first, so clients that wait for a byte see it open. */
    start(res: ServerResponse) {
      res.writeHead(200, { ...SSE_HEADERS, ...corsHeaders(res.req) });
      res.write(PING);
    },
    /** A whole response for a result that is not a stream (a refusal): the opening comment, the result, complete. */
    sendResult(res: ServerResponse, result: ExecutionResult) {
      if (res.destroyed || res.writableEnded) return;
      const { status, headers } = responseInit(result);
      res.writeHead(refusalStatus(res.req.method, status), { ...headers, ...corsHeaders(res.req) });
      res.write(PING);
      // Its errors carry this connection's request id (gateway/observability/request-id.ts), as Yoga's answers do.
      res.write(nextFrame(resultWithRequestId(result, requestIdOf(res))));
      res.end(COMPLETE);
    },
    /** Ends a stream: `tail` (a last result) if any, then complete. */
    end(res: ServerResponse, tail?: Buffer) {
      if (res.writableEnded || res.destroyed) return;
      if (tail) res.write(tail);
      res.end(COMPLETE);
    },
  };
}

export type Writer = ReturnType<typeof createWriter>;
