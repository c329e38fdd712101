import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { YogaLogger } from '@graphql-yoga/logger';

export type { Logger };

/** The request being served, for every log line written while serving it. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Structured JSON logs, one object a line (stdout unless a destination is given).
 * Every line written inside a request, by any module, carries its requestId.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lgsp-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const scope = requestScope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    destination,
  );
}

/** Yoga logs with console-style arguments; pino wants (object, message). */
export function yogaLogger(log: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) log[level]({ err: first }, first.message);
      else log[level]({ detail: rest.length ? rest : undefined }, String(first));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
