import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The request being served, for every log line written while serving it; in a sync pass, the pass and the feed
 * being read (so that the HTTP client's retries name the feed they delay).
 */
export const requestScope = new AsyncLocalStorage<{ requestId: string; feed?: string }>();

/**
 * Structured JSON logs, one object a line (stdout unless a destination is given).
 * Every line written inside a request, by any module, carries its requestId (and, in a sync pass, its feed).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lgsp-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const scope = requestScope.getStore();
        if (!scope) return {};
        return scope.feed ? { requestId: scope.requestId, feed: scope.feed } : { requestId: scope.requestId };
      },
    },
    destination,
  );
}
