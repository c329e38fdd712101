/**
 * GraphiQL at GET /graphql (development mode), served whole by the hub: its script, styles and editor workers come
 * inlined in the page (@graphql-yoga/render-graphiql), where Yoga's default page loads them from a public CDN that
 * provincial networks often block. The page (about 9 MB) is built once, on its first request: a hub that never
 * serves it, a production one included, never loads the module.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

const EXAMPLE_QUERY = `# The province's units, with their parents. Try search: "yen the".
{
  units(first: 5) {
    edges { node { code name level kind parent { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export const GRAPHIQL_OPTIONS: GraphiQLOptions = { title: 'lgsp-hub', defaultQuery: EXAMPLE_QUERY };

let page: Promise<string> | undefined;

/** Yoga's `renderGraphiQL`: the self-contained page, the same for every request. */
export function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
  return page;
}

/** The encodings the page is sent in, preferred first, each compressed once and kept. */
const ENCODINGS = {
  // Quality 6 compresses the 9 MB page in about a second; 11 would take most of a minute for a few % more.
  br: (page: string) => promisify(brotliCompress)(page, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } }),
  gzip: (page: string) => promisify(gzip)(page, { level: 9 }),
} as const;
const compressed = new Map<keyof typeof ENCODINGS, Promise<Buffer>>();

/** The first encoding of ENCODINGS that an Accept-Encoding header allows (q=0 refuses one). */
function encodingFor(acceptEncoding: string | null): keyof typeof ENCODINGS | null {
  const accepted = new Map(
    (acceptEncoding ?? '').split(',').map((part) => {
      const [name, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return [name!, q ? Number(q.slice(2)) : 1] as const;
    }),
  );
  const allowed = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return (Object.keys(ENCODINGS) as (keyof typeof ENCODINGS)[]).find(allowed) ?? null;
}

/**
 * Sends the GraphiQL page compressed when the browser accepts it: about 9 MB of inlined script becomes 2.4 MB
 * (gzip) or 1.9 MB (br), each compressed once in about a second, which matters on a provincial network. Yoga renders the page; this replaces its body.
 */
export function useCompressedGraphiQL(): Plugin {
  return {
    onResponse({ request, response, setResponse }) {
      // Only Yoga's GraphiQL answer: the one HTML page of the GraphQL endpoint.
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      if (!/\/graphql\/?$/.test(new URL(request.url).pathname)) return;
      const encoding = encodingFor(request.headers.get('accept-encoding'));
      if (!encoding || !page) return;
      const body = compressed.get(encoding) ?? page.then(ENCODINGS[encoding]);
      compressed.set(encoding, body);
      return body.then((bytes) => {
        const headers = new Headers(response.headers);
        headers.set('content-encoding', encoding);
        headers.set('content-length', String(bytes.byteLength));
        headers.append('vary', 'Accept-Encoding');
        setResponse(new Response(new Uint8Array(bytes), { status: response.status, headers }));
      });
    },
  };
}
