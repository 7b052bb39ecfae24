import { SqliteDialect } from 'kysely';
import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_PRAGMAS } from './sqlite-settings.ts';

// Node's embedded database, with the settings of sqlite-settings.ts.
export function createSqliteDialect(file: string): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Sqlite(file);
  for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
  return new SqliteDialect({ database });
}
