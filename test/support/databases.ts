import { Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../runtime/store/database.ts';
import { createStore, type Store } from '../../runtime/store/store.ts';
import { createSqliteDialect } from '../../runtime/store/dialects/sqlite-dialect.ts';
import { createPostgresDialect } from '../../runtime/store/dialects/postgres-dialect.ts';

// Database tests loop over every dialect we ship, each against the real
// engine: an in-memory SQLite and the PostgreSQL server of this machine
// (PG_TEST_URL, default postgres://postgres@127.0.0.1:5432/test), one fresh
// schema per store so files run in parallel without seeing each other.

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const DIALECTS = (process.env.TEST_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

export type TestStore = Store & { dispose(): Promise<void> };

export async function createTestStore(dialect: 'sqlite' | 'postgres'): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const store = createStore(new Kysely<Database>({ dialect: createSqliteDialect(':memory:') }), 'sqlite');
    return { ...store, dispose: () => store.db.destroy() };
  }
  const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const store = createStore(new Kysely<Database>({ dialect: createPostgresDialect(url.toString(), 20) }), 'postgres');
  return {
    ...store,
    async dispose() {
      await store.db.destroy();
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
