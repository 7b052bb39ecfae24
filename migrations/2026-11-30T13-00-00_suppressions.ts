import type { Kysely } from 'kysely';

// Mail that stays single and clean:
// - emails.lease_holder names the dispatcher holding a claim, so the holder
//   can renew its leases while a slow send is in progress and a finish (or a
//   renewal) by anyone else matches nothing;
// - emails_due_by_tenant serves the per-tenant claims of the fair dispatcher;
// - suppressions: addresses of a tenant that mail must not go to any more
//   (the receiving server said the mailbox does not exist), one row each;
// - participants.unsubscribed_at: when the participant used the one-click
//   unsubscribe link of an email-action email (null: subscribed).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('emails').addColumn('lease_holder', 'text').execute();
  await db.schema.createIndex('emails_due_by_tenant').on('emails').columns(['tenant_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // Lower-cased, so one mailbox is one row however an email spelled it.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('email_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('suppressions_pk', ['tenant_id', 'address'])
    .execute();
  await db.schema.alterTable('participants').addColumn('unsubscribed_at', 'text').execute();
  await db.schema.createIndex('suppressions_log').on('suppressions').columns(['tenant_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('participants').dropColumn('unsubscribed_at').execute();
  await db.schema.dropTable('suppressions').execute();
  await db.schema.dropIndex('emails_due_by_tenant').execute();
  await db.schema.alterTable('emails').dropColumn('lease_holder').execute();
}
