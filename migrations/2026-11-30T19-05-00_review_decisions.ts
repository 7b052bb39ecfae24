import type { Kysely } from 'kysely';

// A reviewer's decision carries a note, kept in the reward's history with the
// transition it made. The review queue lists a tenant's pending rewards newest
// first: without this index that is a walk over all of the tenant's rewards.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reward_history').addColumn('note', 'text').execute();
  await db.schema.createIndex('rewards_status_created').on('rewards').columns(['tenant_id', 'status', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('rewards_status_created').execute();
  await db.schema.alterTable('reward_history').dropColumn('note').execute();
}
