import type { Kysely } from 'kysely';

// Idempotency-Key on the POSTs that create something: the answer is stored
// with the key (like events store theirs), so a retry gets it back. Also the
// indexes the lists (participants, rewards, a program's events) page on,
// newest first by (created_at, id).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    // '' for the operator's own requests (POST /v1/tenants), which have no tenant.
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // The operation, e.g. "POST /v1/programs": one key may be reused on another operation.
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    // 0 while the first request is still running.
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'scope', 'key'])
    .execute();
  await db.schema.createIndex('participants_created').on('participants').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('rewards_created').on('rewards').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('events_program_created').on('events').columns(['tenant_id', 'program_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_program_created').execute();
  await db.schema.dropIndex('rewards_created').execute();
  await db.schema.dropIndex('participants_created').execute();
  await db.schema.dropTable('idempotency_keys').execute();
}
