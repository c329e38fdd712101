/**
 * Serves the IOC dashboard (`/dashboard`): static files of this folder, as
 * they are (no build step), read once and kept in memory. Only the files
 * listed below are served, so no path can reach anything else on disk.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request path under /dashboard → file of this folder and its type. */
const FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/documents.js': { file: 'documents.js', type: 'text/javascript; charset=utf-8' },
  '/graphql.js': { file: 'graphql.js', type: 'text/javascript; charset=utf-8' },
  '/i18n.js': { file: 'i18n.js', type: 'text/javascript; charset=utf-8' },
  '/sparkline.js': { file: 'sparkline.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * The page loads nothing but its own files and talks to no one but this hub
 * (its queries and subscriptions go to /graphql on the same origin).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

let assets: Map<string, Asset> | undefined;

/** Read on first use: a hub that never serves the page never reads it. */
function loadAssets(): Map<string, Asset> {
  assets ??= new Map(
    Object.entries(FILES).map(([path, { file, type }]) => {
      const body = readFileSync(new URL(file, import.meta.url));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      return [path, { body, type, etag }];
    }),
  );
  return assets;
}

/** True for the paths this module answers: /dashboard and everything below it. */
export const isDashboardPath = (path: string) => path === '/dashboard' || path.startsWith('/dashboard/');

/** Answers a request for /dashboard or one of its files. */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const asset = loadAssets().get(path.slice('/dashboard'.length));
  if (!asset) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return;
  }
  // no-cache: revalidate every time (cheap with the ETag), so a new hub version is picked up by the next reload.
  const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: asset.etag };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}
