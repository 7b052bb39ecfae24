import type { Kysely } from 'kysely';

// Program-wide reward limits count a program's rewards in a period: without
// this index that is a scan of the tenant's rewards on every event.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('rewards_program').on('rewards').columns(['tenant_id', 'program_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rewards_program').execute();
}
