import { sql, type Kysely } from 'kysely';

// Backtests (issue 17): an event keeps the facts it was evaluated with, so a
// candidate ruleset can be replayed on them later, and a backtest keeps its
// progress and partial aggregates, so a job carried chunk by chunk resumes
// after a restart. Events stored before this column are replayed with what
// is known now and reported as approximate.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('facts', 'text').execute();
  // A backtest reads a program's events in a window, keyset by (occurred_at, id).
  await db.schema.createIndex('events_program_time').on('events').columns(['tenant_id', 'program_id', 'occurred_at', 'id']).execute();

  await db.schema
    .createTable('backtests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('candidate', 'text', (c) => c.notNull())
    .addColumn('events_total', 'integer', (c) => c.notNull())
    .addColumn('events_done', 'integer', (c) => c.notNull())
    .addColumn('cursor_occurred_at', 'text')
    .addColumn('cursor_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('report', 'text')
    .addColumn('error', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('backtests_tenant').on('backtests').columns(['tenant_id', 'program_id', 'created_at']).execute();
  // One backtest queued or running per tenant: the database refuses a second, even from two requests at once.
  await sql`create unique index backtests_one_active on backtests (tenant_id) where status in ('queued', 'running')`.execute(db);
  await db.schema.createIndex('backtests_due').on('backtests').columns(['status', 'updated_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backtests').execute();
  await db.schema.dropIndex('events_program_time').execute();
  await db.schema.alterTable('events').dropColumn('facts').execute();
}
