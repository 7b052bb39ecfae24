/**
 * Write-behind for send outcomes: the outcomes of sends that finish close
 * together are written in one go (one statement, one commit) instead of one
 * commit each, preferably inside the next claim's transaction (`take`).
 *
 * Why: on SQLite every commit is an fsync, and better-sqlite3 runs it on the
 * event loop, so while it lasts no SMTP reply is read. A commit per send
 * stalled every connection once per message; one commit per window (claim
 * and outcomes together) stalls them once per window's worth of messages.
 *
 * What it costs: a process that dies within the window loses the outcomes of
 * sends the server accepted; their leases expire and they are sent again with
 * the same Message-ID (the documented duplicate, over `windowMs` plus one
 * commit instead of one commit). A clean stop waits while `busy`, so nothing
 * pending is left unwritten.
 */
export type OutcomeBatch<T> = {
  /** Queues an outcome; resolves once it is written (true when the row was still ours to finish). */
  write(id: string, outcome: T): Promise<boolean>;
  /**
   * Hands the pending outcomes to a caller that writes them in a transaction
   * it commits anyway (the next claim), saving a commit. `settle` with the
   * ids written once it committed, or with null when it failed: they are
   * then queued again.
   */
  take(): { outcomes: Outcome<T>[]; settle(written: Set<string> | null): void };
  /** Writes whatever is pending, in batches of its own, until nothing is. */
  flush(): Promise<void>;
  /** True while outcomes wait or are being written. */
  readonly busy: boolean;
};

export type Outcome<T> = { id: string; changes: T };
type Pending<T> = Outcome<T> & { resolve(written: boolean): void; reject(error: unknown): void };

export function createOutcomeBatch<T>(o: {
  write(batch: Outcome<T>[]): Promise<Set<string>>;
  windowMs: number;
  /** Called `windowMs` after the first outcome of a batch: the owner writes it (take or flush) when it is free to. */
  due(): void;
  /** Called when nothing is pending any more. */
  idle(): void;
}): OutcomeBatch<T> {
  let pending: Pending<T>[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing = false;

  function schedule(delayMs = o.windowMs) {
    if (timer || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      o.due();
    }, delayMs);
  }

  // Once what the window waited for is written, the window is over: left
  // running, it kept the batch busy (and idle() waiting) for nothing.
  function cancel() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function settled() {
    if (pending.length === 0 && !writing && !timer) o.idle();
  }

  return {
    write(id, changes) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ id, changes, resolve, reject });
        schedule();
      });
    },
    take() {
      const batch = pending;
      pending = [];
      cancel();
      return {
        outcomes: batch.map((p) => ({ id: p.id, changes: p.changes })),
        settle(written) {
          if (written) for (const p of batch) p.resolve(written.has(p.id));
          else pending.unshift(...batch);
          // After a failed write (the database away), a second later rather than every window.
          schedule(written ? o.windowMs : Math.max(o.windowMs, 1000));
          settled();
        },
      };
    },
    async flush() {
      if (writing) return;
      writing = true;
      try {
        while (pending.length > 0) {
          const batch = pending;
          pending = [];
          cancel();
          try {
            const written = await o.write(batch.map((p) => ({ id: p.id, changes: p.changes })));
            for (const p of batch) p.resolve(written.has(p.id));
          } catch (error) {
            for (const p of batch) p.reject(error);
          }
        }
      } finally {
        writing = false;
        settled();
      }
    },
    get busy() {
      return pending.length > 0 || timer !== null || writing;
    },
  };
}
