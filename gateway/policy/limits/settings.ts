/**
 * Every limit on what one request may ask of the hub, with its default: the
 * one place tests, gateway/config.ts and docs/configuration.md take them from.
 *
 * The defaults let every legitimate document through with room to spare (the
 * documentation's examples, the dashboard's, GraphiQL's introspection query, the
 * test suites'; tests/unit/limits-documents.test.ts checks the first three) and
 * stop what only an abusive or broken client sends.
 */
export interface LimitSettings {
  /** Nesting of selections (fragments do not add a level; GraphiQL's `__schema` introspection is not counted). */
  maxDepth: number;
  /** Aliased fields in an operation (`__typename` aliases not counted). */
  maxAliases: number;
  /** Lexical tokens in a document: parsing stops at the first one over the limit. */
  maxTokens: number;
  /** Directives in an operation. */
  maxDirectives: number;
  /** Cost of an operation (schema/cost.ts: lists multiply by their page size); 0 = no cost limit. */
  maxCost: number;
  /** Bytes of a request body (Content-Length, or counted as a chunked body streams in). */
  maxBodyBytes: number;
  /** Bytes of a request's URL (a GET request's query string carries its document). */
  maxUrlBytes: number;
  /** Operations in one batched request (a JSON array); 0 = batches refused. */
  maxBatchOperations: number;
  /** Field suggestions ("Did you mean …?") in errors (validation, variables): off in production, where they map the schema. */
  fieldSuggestions: boolean;
}

export const DEFAULT_LIMITS: LimitSettings = {
  // Measured over the documentation's examples, the dashboard's documents and every query of the test suites:
  // the deepest is 7 levels (a dossier's procedure's unit's parent …).
  maxDepth: 12,
  // The test suites alias up to 11 fields in one operation; the dashboard's sparklines 7.
  maxAliases: 30,
  // The dashboard's largest document has 259 tokens, GraphiQL's introspection query 163.
  maxTokens: 2_000,
  // At most 2 in any legitimate document.
  maxDirectives: 20,
  // The heaviest query of the test suites, a page of 100 units each listing its subtree five ways (descendants,
  // SUBTREE_MULTIPLIER 30), costs 15,901; a page of 100 with every tree field and count 11,201. Two nested pages of
  // 100 cost over 30,000, a page of 100 units' descendants' descendants over 90,000.
  maxCost: 20_000,
  maxBodyBytes: 100 * 1024,
  maxUrlBytes: 8 * 1024,
  maxBatchOperations: 10,
  fieldSuggestions: true,
};

/** Operations per consumer per minute (RATE_LIMIT_PER_MINUTE); 0 = no rate limit. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** Failed authentications a client address may make per minute (AUTH_FAILURES_PER_MINUTE); 0 = no limit. */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 20;

/** Longest a store statement of the graph may run (STATEMENT_TIMEOUT_MS), PostgreSQL only; 0 = no timeout. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * The HTTP server's own timeouts (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS): a
 * client that trickles its request in holds a connection and its memory for as long as the server waits. They
 * bound receiving a request only: a response streaming out (an SSE subscription) and a WebSocket are not cut.
 */
export const DEFAULT_HTTP_TIMEOUTS = {
  // A client's headers come in one packet or a few: 10 s allows a poor mobile link (Node's default: 60 s).
  headersMs: 10_000,
  // Headers and body: a body of MAX_BODY_BYTES (100 KB) takes under 30 s at 32 kbit/s (Node's default: 300 s).
  requestMs: 30_000,
  // How long an idle keep-alive connection waits for its next request: Node's default. Behind a load balancer that
  // reuses connections, longer than the balancer's own idle timeout, so the hub never closes one it is about to use.
  keepAliveMs: 5_000,
};

export function limitSettings(given: Partial<LimitSettings> = {}): LimitSettings {
  const settings = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(given) as [keyof LimitSettings, never][]) {
    if (value !== undefined) settings[name] = value;
  }
  return settings;
}
