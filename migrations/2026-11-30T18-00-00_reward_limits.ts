import type { Kysely } from 'kysely';

// Program-wide reward limits count a program's rewards in a period: without
// this index that is a scan of the tenant's rewards on every event. The
// history fact eventCount counts one participant's events: the same for events.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('rewards_program').on('rewards').columns(['tenant_id', 'program_id', 'occurred_at']).execute();
  await db.schema.createIndex('events_participant').on('events').columns(['tenant_id', 'participant_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_participant').execute();
  await db.schema.dropIndex('rewards_program').execute();
}
