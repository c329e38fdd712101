/**
 * Field suggestions off (FIELD_SUGGESTIONS off, production): no error the hub sends says "Did you mean …?", which
 * would map the schema, type by type and enum by enum, for whoever probes it with typos. graphql-js suggests in
 * validation ("Cannot query field "sourcs" … Did you mean "sources"?") and in coercing variables at execution ("Did
 * you mean the enum value "CALENDAR"?"), so each is taken off where every transport passes: the results of
 * validation, execution and subscriptions, as Yoga runs them for HTTP and as gateway/transports/sse/ and
 * gateway/transports/websocket.ts run them through `getEnveloped`. The rest of the message stays.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onEveryResult, type ResultMapper } from './every-result.ts';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export const hasSuggestion = (message: string) => message.includes('Did you mean ');

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !hasSuggestion(error.message)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

const strip: ResultMapper = ({ result, setResult }) => {
  if (result.errors?.some((error) => hasSuggestion(error.message))) {
    setResult({ ...result, errors: result.errors.map(withoutSuggestion) });
  }
};

export function useNoSuggestions(): Plugin {
  return {
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.some((error) => hasSuggestion(error.message))) setResult(result.map(withoutSuggestion));
      },
    ...onEveryResult(strip),
  };
}
