import type { Kysely } from 'kysely';

// The history fact eventSum reads one participant's newest events of a type
// in a program, newest first, up to a LIMIT: with the type and program in the
// index the scan stops at the limit, however many other events the
// participant has (events_participant alone would read them all to filter).
// eventCount with a type uses it too.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('events_participant_type').on('events').columns(['tenant_id', 'participant_id', 'program_id', 'type', 'occurred_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_participant_type').execute();
}
