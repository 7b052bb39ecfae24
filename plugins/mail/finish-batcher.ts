import { inTransaction, type Store } from '../../runtime/store/store.ts';
import { finishAttempt, type AttemptOutcome } from '../../runtime/store/email-queries.ts';

// Records the outcome of sends that finish close together in one
// transaction: on SQLite one commit (one WAL sync) for many emails instead of
// one each, on PostgreSQL one commit per group. Nothing waits on a timer: a
// write starts at once when none is in progress, and what finishes meanwhile
// goes in the next one.

type Pending = { id: string; changes: AttemptOutcome; done: (held: boolean) => void; failed: (error: unknown) => void };

export type FinishBatcher = (id: string, changes: AttemptOutcome) => Promise<boolean>;

export function createFinishBatcher(store: Store, holder: string, maxBatch = 64): FinishBatcher {
  let pending: Pending[] = [];
  let writing = false;

  async function flush() {
    writing = true;
    while (pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      try {
        const held = await inTransaction(store, async (db) => {
          const out: boolean[] = [];
          for (const p of batch) out.push(await finishAttempt(db, p.id, holder, p.changes));
          return out;
        });
        batch.forEach((p, i) => p.done(held[i]));
      } catch (error) {
        for (const p of batch) p.failed(error);
      }
    }
    writing = false;
  }

  return (id, changes) =>
    new Promise<boolean>((done, failed) => {
      pending.push({ id, changes, done, failed });
      if (!writing) void flush();
    });
}
