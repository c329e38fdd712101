/**
 * Store timings: a Db that times every statement it runs into
 * `lgsp_store_query_duration_seconds` (labels: statement kind and which part
 * of the hub ran it, both a handful of values) and, while a trace is being
 * recorded, makes each statement a span of it. The store modules are not
 * touched: the hub wraps the Db it hands to the graph (and main.ts the one
 * the sync engine writes with).
 *
 * A span carries the statement's text, which is always parameterised (values
 * travel as $1, $2 … and are never recorded), and on failure only the
 * PostgreSQL error code: a constraint message can quote the values.
 */
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import type { Db, Queryable } from '../../store/db.ts';

export const STATEMENT_KINDS = ['select', 'insert', 'update', 'delete', 'other'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** Which part of the hub ran a statement: the GraphQL resolvers, or the sync engine and live producer. */
export type StoreComponent = 'graphql' | 'sync';

export interface StoreInstrumentation {
  duration?: Histogram<'statement' | 'component'> | undefined;
  component: StoreComponent;
  /** When given (tracing on), statements run inside a recorded trace become its spans. */
  tracer?: Tracer | undefined;
}

const LEADING_WORD = /^\s*(?:(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)\s*)*([a-z]+)/i;
const MODIFYING_CTE = /\b(insert\s+into|update\s+[\w."]+\s+(?:as\s+\w+\s+)?set|delete\s+from)\b/i;

/** The hub's statements are a few hundred fixed texts: classified once each (bounded, in case one is not). */
const kinds = new Map<string, StatementKind>();
const KIND_CACHE_MAX = 5_000;

/** select, insert, update or delete (a WITH query by the statement its CTEs modify, else select); other for the rest. */
export function statementKind(sql: string): StatementKind {
  let kind = kinds.get(sql);
  if (kind) return kind;
  const word = LEADING_WORD.exec(sql)?.[1]?.toLowerCase();
  if (word === 'with') {
    const modifying = MODIFYING_CTE.exec(sql)?.[1]?.toLowerCase();
    kind = modifying ? (modifying.split(/\s/)[0] as StatementKind) : 'select';
  } else kind = (STATEMENT_KINDS as readonly string[]).includes(word ?? '') ? (word as StatementKind) : 'other';
  if (kinds.size < KIND_CACHE_MAX) kinds.set(sql, kind);
  return kind;
}

const MAX_QUERY_TEXT = 2_000;

function instrumentQueryable(queryable: Queryable, { duration, component, tracer }: StoreInstrumentation): Queryable {
  async function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const statement = statementKind(sql);
    // Only inside a recorded trace: background work outside any request starts no traces of its own.
    const parent = tracer ? trace.getSpan(context.active()) : undefined;
    const span = parent?.isRecording()
      ? tracer!.startSpan(`store ${statement}`, {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system': 'postgresql',
            'db.operation.name': statement,
            'db.query.text': sql.length > MAX_QUERY_TEXT ? `${sql.slice(0, MAX_QUERY_TEXT)}…` : sql,
            'lgsp.store.component': component,
          },
        })
      : undefined;
    const started = performance.now();
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      span?.setStatus({ code: SpanStatusCode.ERROR });
      span?.setAttribute('error.type', typeof code === 'string' ? code : (error as Error).name);
      throw error;
    } finally {
      duration?.observe({ statement, component }, (performance.now() - started) / 1000);
      span?.end();
    }
  }
  return {
    query: (sql, params) => timed(sql, () => queryable.query(sql, params)),
    exec: (sql) => timed(sql, () => queryable.exec(sql)),
  };
}

/** The Db, its statements (transactions' too) timed and traced; locks and closing pass through. */
export function instrumentDb(db: Db, instrumentation: StoreInstrumentation): Db {
  if (!instrumentation.duration && !instrumentation.tracer) return db;
  const { query, exec } = instrumentQueryable(db, instrumentation);
  return {
    backend: db.backend,
    query,
    exec,
    transaction: (work) => db.transaction((tx) => work(instrumentQueryable(tx, instrumentation))),
    tryLock: (name) => db.tryLock(name),
    close: () => db.close(),
  };
}
