import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { SQLITE_PRAGMAS, STATEMENT_CACHE_SIZE } from './sqlite-settings.ts';
import { createLru } from '../../lru.ts';

// The embedded database where better-sqlite3's native addon is not an option
// (Deno). Kysely's SQLite dialect already speaks to a synchronous driver;
// this only adapts node:sqlite's DatabaseSync to the shape it expects.

/** The part of node:sqlite's DatabaseSync used here (declared so the core needs no node:sqlite types). */
export type DatabaseSyncLike = {
  exec(sql: string): void;
  close(): void;
  prepare(sql: string): {
    columns(): unknown[];
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
    iterate(...params: unknown[]): IterableIterator<unknown>;
  };
};

export function createNodeSqliteDialect(database: DatabaseSyncLike): SqliteDialect {
  // Same settings as the better-sqlite3 dialect (sqlite-settings.ts).
  for (const pragma of SQLITE_PRAGMAS) database.exec(`pragma ${pragma}`);
  // Statements are cached by their SQL text, as in the better-sqlite3 dialect.
  const statements = createLru<string, ReturnType<SqliteDatabase['prepare']>>(STATEMENT_CACHE_SIZE);
  const adapted: SqliteDatabase = {
    close: () => database.close(),
    prepare(sql) {
      const hit = statements.get(sql);
      if (hit) return hit;
      const statement = database.prepare(sql);
      return statements.set(sql, {
        // A statement that yields columns (SELECT, or a write with RETURNING) is read with all().
        reader: statement.columns().length > 0,
        // node:sqlite returns null-prototype rows; plain objects behave like better-sqlite3's everywhere else.
        all: (params) => statement.all(...params).map((row) => ({ ...(row as object) })),
        run: (params) => statement.run(...params),
        iterate: (params) => statement.iterate(...params),
      });
    },
  };
  return new SqliteDialect({ database: adapted });
}
