/**
 * Request size limits, the first step of admission (gateway/policy/admission.ts), before anything reads a request:
 * - a URL longer than `maxUrlBytes` (a GET request carries its document in the query string): HTTP 414;
 * - a body whose Content-Length is over `maxBodyBytes`: HTTP 413, answered at once, without reading a byte of it;
 * - a body without a Content-Length (chunked) is counted as it streams in (into Yoga's request parser, or read
 *   whole by the SSE transport) and refused with 413 at the first byte over the limit.
 * Each answer is GraphQL-shaped (PAYLOAD_TOO_LARGE) and closes the connection, so the rest of an oversized body is
 * not read either.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError } from '../../errors.ts';
import type { LimitSettings } from './settings.ts';

function payloadTooLarge(message: string, limit: number, status?: 414): GraphQLError {
  // The body is not read: the connection cannot carry another request after the answer.
  return requestError(
    'PAYLOAD_TOO_LARGE',
    message,
    { ...(status && { status }), headers: { Connection: 'close' } },
    { limit },
  );
}

/** A body past `limit` bytes, found while reading it. */
export const bodyTooLarge = (limit: number) =>
  payloadTooLarge(`The request body exceeds the limit of ${limit} bytes`, limit);

/** The refusal of a request whose URL or declared body is over the limits, or null. */
export function oversizedRequest(
  req: IncomingMessage,
  { maxBodyBytes, maxUrlBytes }: Pick<LimitSettings, 'maxBodyBytes' | 'maxUrlBytes'>,
): GraphQLError | null {
  const urlBytes = Buffer.byteLength(req.url ?? '');
  if (urlBytes > maxUrlBytes) {
    return payloadTooLarge(
      `The request URL is ${urlBytes} bytes, over the limit of ${maxUrlBytes}: send a long document with POST`,
      maxUrlBytes,
      414,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (declared > maxBodyBytes) {
    return payloadTooLarge(`The request body is ${declared} bytes, over the limit of ${maxBodyBytes}`, maxBodyBytes);
  }
  return null;
}

/** Reads a body whole, up to `limit` bytes; past it, stops reading (the request paused) and resolves to null. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        req.pause();
        cleanup();
        resolve(null);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Counts a body as Yoga's request parser reads it; past `limit` bytes the parse fails with PAYLOAD_TOO_LARGE. */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      // A declared length was checked before Yoga (oversizedRequest) and Node's parser holds the body to it:
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
