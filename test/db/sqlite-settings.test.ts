import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteDialect } from '../../runtime/store/dialects/sqlite-dialect.ts';

// The durability the README promises: WAL with synchronous = FULL (2), set
// explicitly, because better-sqlite3 opens an existing WAL database at NORMAL
// (1): every restart of the server would quietly run with less.
// (Node 20 has no node:sqlite; the Deno dialect reads the same SQLITE_PRAGMAS.)
const dir = mkdtempSync(join(tmpdir(), 'sqlite-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dialects = {
  'better-sqlite3': (file: string) => createSqliteDialect(file),
};

describe.each(Object.entries(dialects))('%s file database', (name, open) => {
  it('runs WAL with synchronous = FULL, foreign keys on and temporary storage in memory, also when reopened', async () => {
    const file = join(dir, `${name.replace(/\W/g, '')}.db`);
    const first = new Kysely<any>({ dialect: open(file) });
    await sql`create table t (a integer)`.execute(first);
    await first.destroy();
    const db = new Kysely<any>({ dialect: open(file) });
    try {
      const read = async (pragma: string) => Object.values((await sql.raw(`pragma ${pragma}`).execute(db)).rows[0] as object)[0];
      expect(await read('journal_mode')).toBe('wal');
      expect(await read('synchronous')).toBe(2);
      expect(await read('foreign_keys')).toBe(1);
      expect(await read('temp_store')).toBe(2);
    } finally {
      await db.destroy();
    }
  });
});
