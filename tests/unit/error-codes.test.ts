/**
 * Every error code the hub sends is in the registry (core/error-codes.ts), with its HTTP status: the source
 * folders are searched for the codes they write (`extensions: { code: '…' }`, `requestError('…'`, `hubError('…'`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, hubError, isErrorCode } from '../../core/error-codes.ts';
import { requestError } from '../../gateway/errors.ts';
import { REFUSAL_CODES } from '../../gateway/observability/refusals.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDERS = ['core', 'store', 'connectors', 'indicators', 'live', 'schema', 'gateway'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** The codes written in a source text. */
function codesIn(text: string): string[] {
  const patterns = [
    // An extensions literal's code (no nested object before it).
    /extensions:\s*\{[^{}]*?\bcode:\s*'([A-Z][A-Z0-9_]*)'/g,
    /\b(?:requestError|hubError)\(\s*'([A-Z][A-Z0-9_]*)'/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

describe('the error code registry', () => {
  const used = FOLDERS.flatMap((folder) =>
    [...sourceFiles(join(ROOT, folder))].flatMap((file) =>
      codesIn(readFileSync(file, 'utf8')).map((code) => ({ code, file: file.slice(ROOT.length) })),
    ),
  );

  it('finds the codes the hub writes', () => {
    expect(used.length).toBeGreaterThan(30);
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'RATE_LIMITED', 'SLOW_CONSUMER']) {
      expect(used.map((u) => u.code)).toContain(code);
    }
  });

  it('has every code used in the source folders', () => {
    const missing = used.filter(({ code }) => !isErrorCode(code)).map(({ code, file }) => `${code} (${file})`);
    expect(missing, 'add these codes to core/error-codes.ts, with their HTTP status and meaning').toEqual([]);
  });

  it('has every code lgsp_graphql_refusals_total labels', () => {
    expect([...REFUSAL_CODES].filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('gives each code a status (or none) and a meaning', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(entry.meaning.length).toBeGreaterThan(10);
      if (entry.status !== null) expect(entry.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('builds errors with the registry’s status, and requestError overrides it for one refusal', () => {
    expect(hubError('RATE_LIMITED', 'slow down', { limitPerMinute: 5 }).extensions).toEqual({
      code: 'RATE_LIMITED',
      limitPerMinute: 5,
      http: { status: 429 },
    });
    expect(hubError('QUERY_TOO_DEEP', 'deep').extensions).toEqual({
      code: 'QUERY_TOO_DEEP',
      http: { status: 400, spec: true },
    });
    // A code beside data carries no status: the response keeps its result's.
    expect(hubError('FORBIDDEN', 'no').extensions).toEqual({ code: 'FORBIDDEN' });
    expect(requestError('CSRF_REJECTED', 'csrf').extensions.http).toEqual({ status: 403 });
    expect(
      requestError('PAYLOAD_TOO_LARGE', 'url', { status: 414, headers: { Connection: 'close' } }).extensions.http,
    ).toEqual({ status: 414, headers: { Connection: 'close' } });
    expect(requestError('RATE_LIMITED', 'wait', { headers: { 'Retry-After': '3' } }).extensions.http).toEqual({
      status: 429,
      headers: { 'Retry-After': '3' },
    });
    expect(requestError('BAD_USER_INPUT', 'bad', { status: 400, spec: true }).extensions.http).toEqual({
      status: 400,
      spec: true,
    });
  });
});
