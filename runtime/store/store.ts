import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

export type DialectName = 'sqlite' | 'postgres' | 'd1';

/** The database handle the services receive, with the few facts that differ by dialect. */
export type Store = {
  db: Kysely<Database>;
  dialect: DialectName;
  /** D1 runs statements one by one: exactly-once there rests on unique keys and conditional writes. */
  transactions: boolean;
};

export function createStore(db: Kysely<Database>, dialect: DialectName): Store {
  return { db, dialect, transactions: dialect !== 'd1' };
}

/** A connection or an open transaction: query functions accept either. */
export type Db = Kysely<Database>;

/**
 * Runs `work` in one transaction. On D1, which has no multi-statement
 * transactions, it runs the statements in order and relies on the unique keys
 * and conditional writes each caller uses for exactly-once.
 */
export async function inTransaction<T>(store: Store, work: (db: Db) => Promise<T>): Promise<T> {
  if (!store.transactions) return work(store.db);
  return store.db.transaction().execute(work);
}
