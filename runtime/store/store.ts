import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

export type DialectName = 'sqlite' | 'postgres' | 'd1';

/** The database handle the services receive, with the few facts that differ by dialect. */
export type Store = {
  db: Kysely<Database>;
  dialect: DialectName;
  /** D1 runs statements one by one: exactly-once there rests on unique keys and conditional writes. */
  transactions: boolean;
  /**
   * Resolves once everything written so far is on disk. The embedded SQLite
   * commits transactions in groups (dialects/group-commit.ts), so a finished
   * transaction may still be waiting for its group's COMMIT; elsewhere a
   * finished transaction is committed and this resolves at once.
   */
  durable(): Promise<void>;
  /** Whether `inTransaction(…, { relaxed: true })` commits without waiting for fsync here (the embedded SQLite on Node). */
  relaxedCommits: boolean;
  /** Marks the transaction in progress relaxed; `inTransaction` calls it. */
  relax(): void;
};

/** How a dialect commits when it is not one transaction per COMMIT (dialects/group-commit.ts). */
export type Commits = { durable(): Promise<void>; relax(): void };

const oneByOne: Commits = { durable: () => Promise.resolve(), relax: () => {} };

export function createStore(db: Kysely<Database>, dialect: DialectName, commits?: Commits): Store {
  const { durable, relax } = commits ?? oneByOne;
  return { db, dialect, transactions: dialect !== 'd1', durable, relax, relaxedCommits: commits !== undefined };
}

/** A connection or an open transaction: query functions accept either. */
export type Db = Kysely<Database>;

/**
 * Runs `work` in one transaction. On D1, which has no multi-statement
 * transactions, it runs the statements in order, and each write that must
 * happen once carries its own guard, so a retry or a concurrent duplicate
 * writes nothing twice:
 * - the event claim is an insert on the (tenant, event id) key; a claim left
 *   without a response by a request that died is taken over only once it is
 *   stale (event-queries.ts);
 * - rewards insert-or-ignore on (tenant, event, rule, participant), emails on
 *   (tenant, idempotency key), so a re-run adds only what is missing;
 * - the outbox claim and its finish are conditional updates on status and
 *   lease, payout reminder cycles move on only from the sent count they read,
 *   rule versions take the next number under the (program, version) key.
 * What D1 cannot give is all-or-nothing: after a failure mid-way the effects
 * written so far stay, and a retry once the claim is stale completes them.
 *
 * `relaxed`: the commit may be lost on a power failure (never on a process
 * crash, never half of it) where the store has relaxed commits. Only for
 * writes whose loss repeats what the README already allows: the outbox's
 * claims and send outcomes (an email sent again with the same Message-ID).
 */
export async function inTransaction<T>(store: Store, work: (db: Db) => Promise<T>, o: { relaxed?: boolean } = {}): Promise<T> {
  if (!store.transactions) return work(store.db);
  if (!o.relaxed) return store.db.transaction().execute(work);
  return store.db.transaction().execute((tx) => {
    store.relax();
    return work(tx);
  });
}
