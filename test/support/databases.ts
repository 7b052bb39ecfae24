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
    const sqlite = createSqliteDialect(':memory:');
    const store = createStore(new Kysely<Database>({ dialect: sqlite }), 'sqlite', sqlite);
    return { ...store, dispose: () => store.db.destroy() };
  }
  const schema = await freshPostgresSchema('t');
  const store = createStore(new Kysely<Database>({ dialect: createPostgresDialect(schema.url, 20) }), 'postgres');
  return {
    ...store,
    async dispose() {
      await store.db.destroy();
      await schema.drop();
    },
  };
}

/** A fresh schema on the test PostgreSQL, and the connection URL that selects it (also for server processes). */
export async function freshPostgresSchema(prefix = 'rt'): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
