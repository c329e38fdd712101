import type { YogaLogger } from '@graphql-yoga/logger';
import type { Logger } from '../../core/logger.ts';

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
