import type { Queryable } from '../store/db.ts';

/** What every resolver receives: one per request (loaders are cached per context object). */
export interface Context {
  db: Queryable;
}
