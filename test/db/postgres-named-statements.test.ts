import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, sql } from 'kysely';
import { createPostgresDialect } from '../../runtime/store/dialects/postgres-dialect.ts';
import { DIALECTS, freshPostgresSchema } from '../support/databases.ts';

// The PostgreSQL dialect sends a statement that comes again as a named
// prepared statement; one connection (max 1) so every run shares the
// session whose pg_prepared_statements shows what the server keeps.

describe.runIf(DIALECTS.includes('postgres'))('PostgreSQL named statements', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let db: Kysely<unknown>;
  const prepared = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

  beforeAll(async () => {
    schema = await freshPostgresSchema('named');
    db = new Kysely<unknown>({ dialect: createPostgresDialect(schema.url, 1) });
  });
  afterAll(async () => {
    await db?.destroy();
    await schema?.drop();
  });

  it('prepares a statement with parameters the second time it comes, and answers the same', async () => {
    const once = sql<{ n: number }>`select ${41}::int + 1 as n`;
    expect((await once.execute(db)).rows).toEqual([{ n: 42 }]);
    expect(await prepared()).not.toContain('select $1::int + 1 as n');
    for (let i = 0; i < 3; i++) expect((await sql<{ n: number }>`select ${i}::int + 1 as n`.execute(db)).rows).toEqual([{ n: i + 1 }]);
    expect((await prepared()).filter((s) => s === 'select $1::int + 1 as n')).toHaveLength(1);
  });

  it('never names a text without parameters, so a script of several statements still runs', async () => {
    for (let i = 0; i < 3; i++) await sql`create table if not exists t_named (id int); insert into t_named values (1)`.execute(db);
    expect((await sql<{ c: string }>`select count(*) as c from t_named where id = ${1}`.execute(db)).rows[0]!.c).toBe('3');
    expect((await prepared()).some((s) => s.includes('create table'))).toBe(false);
  });
});
