/**
 * Serves a fetch-style app on node:http. Written here rather than taken from
 * @whatwg-node/server because two faults need the socket: `truncated` must
 * reach the client as a connection cut mid-body (a stream error becomes a
 * destroyed socket, never a short but complete answer), and `hang` must end
 * when the client or the server closes the connection (the request's signal
 * aborts when the response closes).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { MockApp } from './app.ts';

async function toRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? 'GET';
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    // Only the admin endpoints take bodies, and they are small.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = new Uint8Array(Buffer.concat(chunks));
  }
  return new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
    method,
    headers,
    body,
    signal,
  });
}

/** Resolves once the chunk has gone to the socket, so that a later destroy cannot swallow it. */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  if (res.destroyed) return; // the client left while a fault held the answer back
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) await write(res, chunk.value);
    res.end();
  } catch {
    res.destroy();
  }
}

export function toNodeListener(app: MockApp): RequestListener {
  return (req, res) => {
    const closed = new AbortController();
    res.once('close', () => closed.abort());
    toRequest(req, closed.signal)
      .then(app)
      .then((response) => send(response, res))
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        // A bug in the mock (or the world) should be visible to whoever is testing against it.
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'internal error', message: (error as Error).message }));
      });
  };
}
