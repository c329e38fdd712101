/**
 * The hub pubsub's topic for response-cache invalidations (live/pubsub.ts
 * carries it beside the live events): a message on it tells every hub
 * instance to drop its cached answers. Its own file, so that the pubsub can
 * name it without importing the cache.
 */
export const RESPONSE_CACHE_TOPIC = 'response-cache:invalidate';

export interface ResponseCacheInvalidation {
  /** The bus that sent it (gateway/response-cache/bus.ts): a bus skips its own invalidations, already applied locally. */
  origin: string;
  /** Why, for the debug log: "sync ONE_STOP_SHOP/dossiers", "mutation setIndicatorTarget" … */
  reason: string;
  /** Set on a bus's delivery probe instead of an invalidation: its own probe coming back proves delivery works. */
  probe?: string;
}
