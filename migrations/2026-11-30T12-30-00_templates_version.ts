import type { Kysely } from 'kysely';

// A counter every template write of a program increments in the same
// transaction: the key under which instances cache the program's templates.
// A count with the latest write time missed a rewrite within one millisecond
// (or under a stopped clock); a counter cannot.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('programs').addColumn('templates_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('programs').dropColumn('templates_version').execute();
}
