/**
 * Resolver timings for the root fields only (Query.*, Mutation.*, and the setup of Subscription.*): the fields that
 * start every request's work, a few dozen label values in all. Nested fields load through batching loaders, where one
 * field's time says little; their store time is in lgsp_store_query_duration_seconds. Not the Prometheus plugin's
 * resolver metric: it wraps every field of the schema in place, once per plugin instance, and the schema is built
 * once per process, so every hub a process creates (the tests create dozens) would add another wrapper around every
 * resolver. Here the root fields are wrapped once per schema, and a request is timed only when its context was
 * registered (by the hub's metrics plugin) with an observer.
 */
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

export type ResolverObserver = (typeName: string, fieldName: string, seconds: number) => void;

const observers = new WeakMap<object, ResolverObserver>();
const wrapped = new WeakSet<GraphQLSchema>();

/** Times the root fields of the request whose context this is. */
export function observeResolvers(contextValue: object, observe: ResolverObserver): void {
  observers.set(contextValue, observe);
}

function timed(
  typeName: string,
  fieldName: string,
  resolve: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, contextValue, info) => {
    const observe = typeof contextValue === 'object' && contextValue ? observers.get(contextValue) : undefined;
    if (!observe) return resolve(source, args, contextValue, info);
    const started = performance.now();
    const done = () => observe(typeName, fieldName, (performance.now() - started) / 1000);
    let result: unknown;
    try {
      result = resolve(source, args, contextValue, info);
    } catch (error) {
      done();
      throw error;
    }
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
}

/** Wraps the schema's root fields, once per schema object (it is shared by every hub in the process). */
export function timeRootResolvers(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      field.resolve = timed(type!.name, field.name, field.resolve ?? defaultFieldResolver);
    }
  }
  const subscription = schema.getSubscriptionType();
  for (const field of Object.values(subscription?.getFields() ?? {})) {
    // A subscription's work is setting up its stream; its resolve maps each event and is not a request's cost.
    if (field.subscribe) field.subscribe = timed(subscription!.name, field.name, field.subscribe);
  }
}
