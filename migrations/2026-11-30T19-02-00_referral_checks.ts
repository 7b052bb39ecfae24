import type { Kysely } from 'kysely';

// Referral checks (plugins/referral-checks/): the flags a participant's
// referral raised (JSON array of {check, detail}, null for none), the flags a
// reward was written pending for review with (read by the review queue), a
// tenant's blocked addresses and domains, and an index for the rate check
// (a referrer's referrals created in a window).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('participants').addColumn('referral_flags', 'text').execute();
  await db.schema
    .createTable('referral_blocks')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('referral_blocks_pk', ['tenant_id', 'value'])
    .execute();
  await db.schema.createIndex('participants_referred_created').on('participants').columns(['tenant_id', 'referred_by', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('participants_referred_created').execute();
  await db.schema.dropTable('referral_blocks').execute();
  await db.schema.alterTable('participants').dropColumn('referral_flags').execute();
}
