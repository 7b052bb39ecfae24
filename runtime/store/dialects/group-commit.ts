import type { SqliteDatabase, SqliteStatement } from 'kysely';

// Group commit for the embedded database. With synchronous = FULL every
// COMMIT writes each page the transaction touched to the WAL and waits for
// fsync, on the one thread that also serves requests. Under load several
// requests finish their transactions in the same turn of the event loop;
// committing them together writes the pages they share (the tables' last
// leaves, the time-ordered indexes) once and waits for one fsync.
//
// How: the first transaction opens an outer one (BEGIN) and each Kysely
// transaction runs as a savepoint inside it (its ROLLBACK undoes only its own
// work). The outer transaction commits at the end of the turn (setImmediate),
// or before any write outside a transaction, which keeps its own autocommit
// meaning (committed, and on disk, when it returns).
//
// Relaxed transactions: the outbox's bookkeeping (claims, send outcomes)
// marks its transactions relaxed (`relax()` inside the transaction). A group
// of relaxed transactions only commits with synchronous = NORMAL: no fsync,
// so a power failure (not a process crash) may lose it, and the emails it
// covered are sent again with the same Message-ID, the duplicate the README
// documents. A relaxed transaction joins an open durable group; a durable one
// never joins a relaxed group (that group commits first). SQLite refuses to
// change the safety level inside a transaction, so a member's BEGIN is held
// back until its first statement, when it is known whether it is relaxed.
//
// What it does not change: an answer leaves only after its writes are on
// disk. The transactions' work is visible to this connection at once, but it
// is durable only when `durable()` resolves; the HTTP layer awaits it before
// answering (runtime/app.ts), and a commit that fails answers 503 to every
// request whose work it held, as one failed COMMIT always did. Reads outside a
// transaction may see a group's work before it is on disk; they are answered
// after `durable()` too.

/** The raw connection, for the statements the group issues itself. */
export type GroupCommitTarget = {
  exec(sql: string): void;
  /** Sets the connection's commit durability: `full` waits for fsync (the configured default), `relaxed` does not. */
  sync(level: 'full' | 'relaxed'): void;
  /** False once SQLite has ended the outer transaction on its own (after an I/O error, disk full, …). */
  inTransaction(): boolean;
};

/** What the group needs to know of a statement: a read-only one may run inside an open group. */
export type GroupStatement = SqliteStatement & { readonly?: boolean };

const MEMBER = 'advocate_group_member';

type Group = { members: number; relaxed: boolean; waiters: { resolve(): void; reject(error: unknown): void }[] };

export type GroupCommit = {
  /** Wraps the connection Kysely drives: BEGIN/COMMIT/ROLLBACK become savepoints of the open group. */
  database: SqliteDatabase;
  /** Resolves when every write made so far is committed; rejects with the commit's error if it failed. */
  durable(): Promise<void>;
  /** Commits the open group now (before close, at exit). */
  flush(): void;
  /** Marks the transaction in progress relaxed (see above); call it first in the transaction, before its statements. */
  relax(): void;
};

export function groupCommit(target: GroupCommitTarget, inner: { prepare(sql: string): GroupStatement; close(): void }): GroupCommit {
  let group: Group | null = null;
  let inMember = false;
  // A member whose BEGIN came but none of its statements yet: its savepoint is not open.
  let memberPending = false;
  let memberRelaxed = false;
  let level: 'full' | 'relaxed' = 'full';
  let flushWhenMemberEnds = false;
  let scheduled = false;

  const setLevel = (wanted: 'full' | 'relaxed') => {
    if (level !== wanted) target.sync(wanted);
    level = wanted;
  };

  const settle = (g: Group, error?: unknown) => {
    for (const w of g.waiters) error === undefined ? w.resolve() : w.reject(error);
  };

  function flush() {
    if (!group) return;
    if (inMember && !memberPending) {
      flushWhenMemberEnds = true;
      return;
    }
    const g = group;
    group = null;
    try {
      target.exec('commit');
    } catch (error) {
      // The members' work is gone with the outer transaction: each of their answers says so.
      if (target.inTransaction()) target.exec('rollback');
      settle(g, error);
      return;
    }
    settle(g);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  }

  /** SQLite ended the outer transaction itself: the group's work is lost, and its waiters learn why. */
  function afterError(error: unknown) {
    if (group && !target.inTransaction()) {
      const g = group;
      group = null;
      endMember();
      flushWhenMemberEnds = false;
      settle(g, error);
    }
  }

  /** Runs `work`; after a failure, checks whether SQLite ended the group with it. */
  function checked<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      afterError(error);
      throw error;
    }
  }

  const control = (run: () => void): SqliteStatement => ({
    reader: false,
    all: () => [],
    iterate: () => [][Symbol.iterator](),
    run: () => {
      checked(run);
      return { changes: 0, lastInsertRowid: 0 };
    },
  });

  /** The held-back BEGIN of the member in progress, at its first statement. */
  function openMember() {
    // A durable transaction never rides in a relaxed group: that one commits first, without fsync.
    if (group?.relaxed && !memberRelaxed) flush();
    memberPending = false;
    if (!group) {
      setLevel(memberRelaxed ? 'relaxed' : 'full');
      target.exec('begin');
      group = { members: 0, relaxed: memberRelaxed, waiters: [] };
    }
    target.exec(`savepoint ${MEMBER}`);
  }

  function endMember() {
    inMember = false;
    memberPending = false;
    memberRelaxed = false;
  }

  const begin = control(() => {
    inMember = true;
    memberPending = true;
    memberRelaxed = false;
  });
  const commit = control(() => {
    if (memberPending) return endMember(); // it ran no statement: nothing to keep
    target.exec(`release ${MEMBER}`);
    endMember();
    group!.members++;
    if (flushWhenMemberEnds) {
      flushWhenMemberEnds = false;
      flush();
    } else schedule();
  });
  const rollback = control(() => {
    const opened = !memberPending;
    endMember();
    if (!opened || !group || !target.inTransaction()) return;
    target.exec(`rollback to ${MEMBER}`);
    target.exec(`release ${MEMBER}`);
    // Nothing of this group to keep: end it now rather than hold the write lock to the end of the turn.
    if (group.members === 0) flush();
    else if (flushWhenMemberEnds) {
      flushWhenMemberEnds = false;
      flush();
    }
  });

  // One wrapper per cached statement, not one per execution.
  const guarded = new WeakMap<GroupStatement, SqliteStatement>();
  const guard = (statement: GroupStatement): SqliteStatement => guarded.get(statement) ?? guarded.set(statement, wrap(statement)).get(statement)!;
  const wrap = (statement: GroupStatement): SqliteStatement => {
    const before = () => {
      if (memberPending) return openMember();
      if (inMember || statement.readonly) return;
      // A write outside a transaction is its own commit, durable as it always was: the group goes first.
      if (group) flush();
      setLevel('full');
    };
    return {
      reader: statement.reader,
      all: (parameters) =>
        checked(() => {
          before();
          return statement.all(parameters);
        }),
      run: (parameters) =>
        checked(() => {
          before();
          return statement.run(parameters);
        }),
      iterate: (parameters) => {
        checked(before);
        return statement.iterate(parameters);
      },
    };
  };

  const database: SqliteDatabase = {
    prepare(sql) {
      // Kysely's SqliteDriver sends exactly these three texts for its transactions.
      if (sql === 'begin') return begin;
      if (sql === 'commit') return commit;
      if (sql === 'rollback') return rollback;
      return guard(inner.prepare(sql));
    },
    close() {
      flush();
      inner.close();
    },
  };

  return {
    database,
    flush,
    relax() {
      if (memberPending) memberRelaxed = true;
    },
    durable() {
      if (!group) return Promise.resolve();
      const g = group;
      return new Promise<void>((resolve, reject) => {
        g.waiters.push({ resolve, reject });
        schedule();
      });
    },
  };
}
