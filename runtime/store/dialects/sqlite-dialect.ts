import { SqliteDialect } from 'kysely';
import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_PRAGMAS, STATEMENT_CACHE_SIZE, SYNC } from './sqlite-settings.ts';
import { groupCommit, type GroupStatement } from './group-commit.ts';
import { createLru } from '../../lru.ts';

/** Kysely's SQLite dialect whose transactions commit in groups (group-commit.ts); `durable()` says when they are on disk. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly durable: () => Promise<void>;
  readonly relax: () => void;
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new Sqlite(file);
    for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
    const cache = withStatementCache(database);
    const group = groupCommit(
      { exec: (sql) => database.exec(sql), sync: (level) => database.pragma(SYNC[level]), inTransaction: () => database.inTransaction },
      { prepare: cache.prepare, close: () => (unflushed.delete(group.flush), database.close()) },
    );
    super({ database: group.database });
    this.durable = group.durable;
    this.relax = group.relax;
    unflushed.add(group.flush);
    if (!exitHooked) {
      exitHooked = true;
      // A process that ends without closing its database (a CLI's exit) still commits what it wrote.
      process.once('exit', () => unflushed.forEach((flush) => flush()));
    }
  }
}

const unflushed = new Set<() => void>();
let exitHooked = false;

// Node's embedded database, with the settings of sqlite-settings.ts.
export function createSqliteDialect(file: string): GroupCommitSqliteDialect {
  return new GroupCommitSqliteDialect(file);
}

/**
 * Kysely prepares every query it runs; preparing costs more than running a
 * small indexed statement. Its SQL text is the key (values are bound), so an
 * event's dozen statements are compiled by SQLite once per process. Kysely
 * runs one statement at a time on this single connection, so a cached
 * statement is never in use twice.
 */
function withStatementCache(database: Sqlite.Database) {
  const statements = createLru<string, GroupStatement>(STATEMENT_CACHE_SIZE);
  return {
    prepare: (sql: string): GroupStatement => statements.get(sql) ?? statements.set(sql, database.prepare(sql)),
  };
}
