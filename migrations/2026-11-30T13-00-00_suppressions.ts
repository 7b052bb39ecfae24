import type { Kysely } from 'kysely';

// Mail that stays single and clean:
// - emails.lease_holder names the dispatcher holding a claim, so the holder
//   can renew its leases while a slow send is in progress and a finish (or a
//   renewal) by anyone else matches nothing;
// - emails_due_by_tenant serves the per-tenant claims of the fair dispatcher.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('emails').addColumn('lease_holder', 'text').execute();
  await db.schema.createIndex('emails_due_by_tenant').on('emails').columns(['tenant_id', 'status', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('emails_due_by_tenant').execute();
  await db.schema.alterTable('emails').dropColumn('lease_holder').execute();
}
