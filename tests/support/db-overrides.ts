/**
 * A store with some of its methods replaced, for tests of what the hub does
 * when the store misbehaves (a statement fails, closing fails) or of a hub
 * that must not close the store it shares (a hub's stop closes its Db).
 */
import type { Db } from '../../store/db.ts';

/** `db` with `overrides` in place of its own methods; every other method is the store's. */
export function overriding(db: Db, overrides: Partial<Db>): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Db];
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The store for one more hub of a test: that hub's stop leaves it open for the rest of the test. */
export const sharedStore = (db: Db) => overriding(db, { close: async () => {} });

/** The store, but statements whose text matches `failing` fail with `message`; closing is left to the test. */
export function failingStatements(db: Db, failing: RegExp, message: (sql: string) => string): Db {
  return overriding(db, {
    close: async () => {},
    query: (async (sql: string, params?: readonly unknown[]) => {
      if (failing.test(sql)) throw new Error(message(sql));
      return db.query(sql, params);
    }) as Db['query'],
  });
}
