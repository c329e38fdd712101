/**
 * Record and replay of what the upstreams answered (`npm run sync --
 * --record=DIR`, `--replay=DIR`), so that an incident can be reproduced
 * offline. Recording keeps every exchange a pass makes, one JSON file per
 * request, numbered in the order they were sent; replaying answers each
 * request with the next recorded answer to the same source, path and query,
 * without touching the network. It sits under the client's retries, timeouts
 * and breaker (UpstreamClientOptions.exchange), so a replayed pass takes the
 * same decisions the recorded one took: a recorded 503 is retried again, a
 * recorded timeout fails the attempt again.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactPassword } from '../../core/redact.ts';
import type { SourceName } from '../feed.ts';
import type { Exchange, Exchanged } from './client.ts';

/** The manifest of a recording: which upstream was read at which base URL, and when (the budget feeds' clock). */
export const TAPE_MANIFEST = 'upstreams.json';

export interface TapeManifest {
  recordedAt: string;
  upstreams: Partial<Record<SourceName, string>>;
}

/** One recorded request and what came back: an answer, or the transport failure undici threw. */
export interface TapeEntry {
  seq: number;
  source: SourceName;
  method: 'GET';
  /** Path and query, as sent. */
  request: string;
  status?: number;
  /** The headers that change what the client does: the body's type and Retry-After. */
  headers?: Record<string, string>;
  /** UTF-8 text, or base64 in `bodyBase64` when it is not valid UTF-8. */
  body?: string;
  bodyBase64?: string;
  /** A transport failure: undici's error code (UND_ERR_HEADERS_TIMEOUT …) and message. */
  error?: { code: string | null; message: string };
}

const KEPT_HEADERS = ['content-type', 'retry-after'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A file name a person can read in a directory listing: order, source, path and query. */
function fileName(seq: number, source: SourceName, request: string): string {
  const slug = request
    .replace(/^\//, '')
    .replace(/[^A-Za-z0-9=.&-]+/g, '_')
    .slice(0, 120);
  return `${String(seq).padStart(5, '0')}-${source}-${slug}.json`;
}

const requestOf = (url: URL) => url.pathname + url.search;

export interface Recorder {
  /** The exchange wrapper for one upstream's client. */
  exchange(source: SourceName): (network: Exchange) => Exchange;
  /** Requests recorded so far. */
  readonly count: number;
}

/** Records into `dir` (created if need be), with a manifest naming each upstream's base URL, passwords redacted. */
export function createRecorder(
  dir: string,
  upstreams: Partial<Record<SourceName, string>>,
  now = new Date(),
): Recorder {
  mkdirSync(dir, { recursive: true });
  const manifest: TapeManifest = {
    recordedAt: now.toISOString(),
    upstreams: Object.fromEntries(Object.entries(upstreams).map(([source, url]) => [source, redactPassword(url)])),
  };
  writeFileSync(join(dir, TAPE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  let seq = 0;
  const write = (entry: TapeEntry) =>
    writeFileSync(join(dir, fileName(entry.seq, entry.source, entry.request)), `${JSON.stringify(entry, null, 2)}\n`);
  return {
    get count() {
      return seq;
    },
    exchange: (source) => (network) => async (url, accept, signal) => {
      const entry: TapeEntry = { seq: ++seq, source, method: 'GET', request: requestOf(url) };
      let answer: Exchanged;
      try {
        answer = await network(url, accept, signal);
      } catch (error) {
        // An aborted request is the hub's own doing (it is stopping), not the upstream's answer.
        if (!signal?.aborted) {
          const code = (error as { code?: unknown } | null)?.code;
          const message = error instanceof Error ? error.message || error.name : String(error);
          write({ ...entry, error: { code: typeof code === 'string' ? code : null, message } });
        }
        throw error;
      }
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = answer.headers[name];
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      let text: { body: string } | { bodyBase64: string };
      try {
        text = { body: strictUtf8.decode(answer.body) };
      } catch {
        text = { bodyBase64: Buffer.from(answer.body).toString('base64') };
      }
      write({ ...entry, status: answer.statusCode, headers, ...text });
      return answer;
    },
  };
}

/** A recording could not be read, or a replayed pass asked for what was not recorded. */
export class TapeError extends Error {
  override name = 'TapeError';
  /** A transport error code, so that the client reports it as a network failure of the request. */
  readonly code = 'ERR_NOT_RECORDED';
}

export interface Player {
  readonly manifest: TapeManifest;
  exchange(source: SourceName): (network: Exchange) => Exchange;
  /** Recorded requests not yet replayed. */
  readonly remaining: number;
}

/** Reads a recording made by createRecorder; throws a TapeError naming what is wrong with it. */
export function openRecording(dir: string): Player {
  let manifest: TapeManifest;
  let files: string[];
  try {
    manifest = JSON.parse(readFileSync(join(dir, TAPE_MANIFEST), 'utf8')) as TapeManifest;
    files = readdirSync(dir).filter((name) => /^\d+-.*\.json$/.test(name));
  } catch (error) {
    throw new TapeError(`${dir} is not a recording (${(error as Error).message})`);
  }
  const queues = new Map<string, TapeEntry[]>();
  const entries = files
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as TapeEntry)
    .sort((a, b) => a.seq - b.seq);
  for (const entry of entries) {
    const key = `${entry.source} ${entry.request}`;
    queues.set(key, [...(queues.get(key) ?? []), entry]);
  }
  let remaining = entries.length;
  return {
    manifest,
    get remaining() {
      return remaining;
    },
    exchange: (source) => () => async (url, _accept, signal) => {
      signal?.throwIfAborted();
      const entry = queues.get(`${source} ${requestOf(url)}`)?.shift();
      if (!entry)
        throw new TapeError(`GET ${requestOf(url)} of ${source} is not in the recording (or replayed already)`);
      remaining--;
      if (entry.error) throw Object.assign(new Error(entry.error.message), { code: entry.error.code ?? undefined });
      const body =
        entry.bodyBase64 !== undefined
          ? Buffer.from(entry.bodyBase64, 'base64')
          : Buffer.from(entry.body ?? '', 'utf8');
      return { statusCode: entry.status ?? 200, headers: entry.headers ?? {}, body: new Uint8Array(body) };
    },
  };
}
