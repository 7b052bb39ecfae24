// The settings every embedded SQLite connection gets (better-sqlite3 on Node,
// node:sqlite on Deno), and the events benchmark's baseline too:
// - WAL lets readers run beside the one writer.
// - synchronous = FULL: a commit is on disk before the answer leaves. An event
//   answered 201 keeps its rewards and outbox rows through a power loss, so
//   its emails go out once and a retry replays. better-sqlite3 reopens an
//   existing WAL database at NORMAL, which may lose the last commits on a
//   power loss (never corrupts); the service promises more, so it says so.
// - busy_timeout makes a second process wait for the write lock instead of failing at once.
// - temp_store = MEMORY keeps the savepoint journal of group commit
//   (group-commit.ts) in memory: each transaction of a group is a savepoint,
//   and past 64 KiB SQLite would otherwise spill its journal to a temporary
//   file, one more write per page. Sorts and temporary tables live in memory
//   too; the service's queries are bounded (paged lists, capped batches).
/** The commit durability the service promises, and the relaxed one only the outbox's bookkeeping uses (group-commit.ts). */
export const SYNC = { full: 'synchronous = FULL', relaxed: 'synchronous = NORMAL' } as const;

export const SQLITE_PRAGMAS = ['journal_mode = WAL', SYNC.full, 'busy_timeout = 5000', 'foreign_keys = ON', 'temp_store = MEMORY'] as const;

/** Prepared statements kept per connection (the app has a few hundred distinct queries; `in (…)` lists vary). */
export const STATEMENT_CACHE_SIZE = 500;
