import type { Kysely } from 'kysely';

// The program overview counts a program's rewards waiting for a review,
// whatever their age. Without this index that is a scan of every reward the
// program ever made, on every view of the page.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('rewards_program_status').on('rewards').columns(['tenant_id', 'program_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rewards_program_status').execute();
}
