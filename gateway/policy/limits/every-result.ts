/** Yoga hooks that pass every execution and subscription result, each event of a stream too, through `map`. */
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export type ResultMapper = (payload: { result: ExecutionResult; setResult(result: ExecutionResult): void }) => void;

export function onEveryResult(map: ResultMapper): Pick<Plugin, 'onExecute' | 'onSubscribe'> {
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (isAsyncIterable(result)) return { onNext: map };
        map({ result, setResult });
        return undefined;
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult({ result, setResult }) {
        if (isAsyncIterable(result)) return { onNext: map };
        map({ result, setResult });
        return undefined;
      },
    }),
  };
}
