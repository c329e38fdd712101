/**
 * GraphiQL at GET /graphql (development mode), served whole by the hub: its script, styles and editor workers come
 * inlined in the page (@graphql-yoga/render-graphiql), where Yoga's default page loads them from a public CDN that
 * provincial networks often block. The page (about 9 MB) is built once, on its first request: a hub that never
 * serves it, a production one included, never loads the module.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

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
