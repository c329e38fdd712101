/**
 * A statement the store cancelled for running past its statement timeout
 * (STATEMENT_TIMEOUT_MS; PostgreSQL's error 57014, store/postgres.ts) reaches
 * the client as QUERY_TIMEOUT on the field that waited for it, instead of
 * Yoga's masked "Unexpected error.": the client learns to ask for less. The
 * pool's connection is fine after a cancel, so the hub goes on serving.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onEveryResult, type ResultMapper } from './every-result.ts';
import { hubError } from '../../../core/error-codes.ts';

/** PostgreSQL's query_canceled: a statement timeout (or a cancel request, which the hub never sends). */
const QUERY_CANCELED = '57014';

function cancelledByTimeout(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = (cause as { originalError?: unknown }).originalError) {
    if ((cause as { code?: unknown }).code === QUERY_CANCELED) return true;
    if (!(cause instanceof GraphQLError)) return false;
  }
  return false;
}

function mapped(error: GraphQLError): GraphQLError {
  if (!cancelledByTimeout(error)) return error;
  return hubError(
    'QUERY_TIMEOUT',
    'The store cancelled a statement of this query for running past its statement timeout: ask for less (smaller pages, fewer nested lists, a narrower filter)',
    {},
    { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path },
  );
}

const mapResult: ResultMapper = ({ result, setResult }) => {
  if (result.errors?.some(cancelledByTimeout)) setResult({ ...result, errors: result.errors.map(mapped) });
};

export function useStatementTimeoutErrors(): Plugin {
  return {
    ...onEveryResult(mapResult),
  };
}
