/**
 * Request size limits, before anything reads a request:
 * - a URL longer than `maxUrlBytes` (a GET request carries its document in
 *   the query string): HTTP 414;
 * - a body whose Content-Length is over `maxBodyBytes`: HTTP 413, answered
 *   at once, without reading a byte of it;
 * - a body without a Content-Length (chunked) is counted as it streams into
 *   Yoga's request parser and refused with 413 at the first byte over the
 *   limit; nothing is buffered beyond what the parser itself holds.
 * Each answer is GraphQL-shaped, `{"errors":[{"message","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}`, and
 * closes the connection, so the rest of an oversized body is not read either.
 *
 * gateway/transports/sse.ts reads an SSE subscription's body before Yoga does, with the
 * same limit and the same answer (bodyTooLarge).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError, sendGraphQLError } from '../../errors.ts';
import type { LimitSettings } from './settings.ts';

function payloadTooLarge(message: string, limit: number, status: 413 | 414): GraphQLError {
  // The body is not read: the connection cannot carry another request after the answer.
  return requestError('PAYLOAD_TOO_LARGE', message, { status, headers: { Connection: 'close' } }, { limit });
}

/** A body past `limit` bytes, found while reading it. */
export const bodyTooLarge = (limit: number) =>
  payloadTooLarge(`The request body exceeds the limit of ${limit} bytes`, limit, 413);

/** Answered outside Yoga: with the request id, and counted as a refusal (gateway/errors.ts). */
const send = (res: ServerResponse, error: GraphQLError) =>
  sendGraphQLError(res, (error.extensions.http as { status: number }).status, error);

/** Answers a request whose URL or declared body is over the limits; true when it did. */
export function refuseOversizedRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { maxBodyBytes, maxUrlBytes }: Pick<LimitSettings, 'maxBodyBytes' | 'maxUrlBytes'>,
): boolean {
  const urlBytes = Buffer.byteLength(req.url ?? '');
  if (urlBytes > maxUrlBytes) {
    send(
      res,
      payloadTooLarge(
        `The request URL is ${urlBytes} bytes, over the limit of ${maxUrlBytes}: send a long document with POST`,
        maxUrlBytes,
        414,
      ),
    );
    return true;
  }
  const declared = Number(req.headers['content-length']);
  if (declared > maxBodyBytes) {
    send(
      res,
      payloadTooLarge(`The request body is ${declared} bytes, over the limit of ${maxBodyBytes}`, maxBodyBytes, 413),
    );
    return true;
  }
  return false;
}

/** Counts a body as Yoga's request parser reads it; past `limit` bytes the parse fails with PAYLOAD_TOO_LARGE. */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      // A declared length was checked before Yoga (refuseOversizedRequest) and Node's parser holds the body to it:
      // only a chunked body needs counting (the extra stream costs a few per cent of a request's CPU).
      if (!requestParser || !request.body || request.headers.has('content-length')) return;
      const parse = requestParser;
      setRequestParser((original) => {
        const body = original.body!;
        // As Yoga's own body limit: the stream class that matches the body's (native or Yoga's fetch ponyfill).
        const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        let read = 0;
        const counted = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > limit) controller.error(bodyTooLarge(limit));
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(original.url, {
            method: original.method,
            headers: original.headers,
            signal: original.signal,
            body: counted,
            // @ts-expect-error Node's fetch needs it for a streamed body; lib.dom's RequestInit does not know it
            duplex: 'half',
          }),
        );
      });
    },
  };
}
