import { SqliteDialect, type SqliteDatabase } from 'kysely';
import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_PRAGMAS, STATEMENT_CACHE_SIZE } from './sqlite-settings.ts';
import { createLru } from '../../lru.ts';

// Node's embedded database, with the settings of sqlite-settings.ts.
export function createSqliteDialect(file: string): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Sqlite(file);
  for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
  return new SqliteDialect({ database: withStatementCache(database) });
}

/**
 * Kysely prepares every query it runs; preparing costs more than running a
 * small indexed statement. Its SQL text is the key (values are bound), so an
 * event's dozen statements are compiled by SQLite once per process. Kysely
 * runs one statement at a time on this single connection, so a cached
 * statement is never in use twice.
 */
function withStatementCache(database: Sqlite.Database): SqliteDatabase {
  const statements = createLru<string, ReturnType<Sqlite.Database['prepare']>>(STATEMENT_CACHE_SIZE);
  return {
    close: () => database.close(),
    prepare: (sql) => statements.get(sql) ?? statements.set(sql, database.prepare(sql)),
  };
}
