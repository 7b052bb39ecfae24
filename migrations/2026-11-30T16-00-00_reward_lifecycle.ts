import { sql, type Kysely } from 'kysely';

// Rewards get a lifecycle: pending (with reasons) → available → redeemed, or
// cancelled / expired, each transition kept in reward_history. Rows held for
// payout details become `pending` with the reason `payout_info`; every
// existing reward starts its history with one `migrated` entry.
//
// Programs used to store the filled-in default `w9ThresholdCents: 59900`,
// indistinguishable from a deliberate choice; it is removed so the built-in
// table of thresholds per tax year applies (2026: $2,000). A program that set
// any other value keeps it as its override.

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type] of [
    ['pending_reasons', 'text'],
    ['remaining_minor', 'integer'],
    ['hold_until', 'text'],
    ['expires_at', 'text'],
    ['rule_version', 'integer'],
    ['rule_hash', 'text'],
    ['taxable_minor', 'integer'],
    ['trace', 'text'],
  ] as const) {
    await db.schema.alterTable('rewards').addColumn(name, type).execute();
  }
  await db.updateTable('rewards').set({ pending_reasons: '', remaining_minor: sql`amount_minor` }).execute();
  await db.updateTable('rewards').set({ status: 'pending', pending_reasons: 'payout_info' }).where('status', '=', 'pending_payout_info').execute();
  // The scheduler's two scans: holds that end and rewards that expire.
  await db.schema.createIndex('rewards_hold_due').on('rewards').columns(['status', 'hold_until']).execute();
  await db.schema.createIndex('rewards_expiry_due').on('rewards').columns(['status', 'expires_at']).execute();
  await db.schema.createIndex('rewards_event').on('rewards').columns(['tenant_id', 'event_id']).execute();

  await db.schema
    .createTable('reward_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('reward_id', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('pending_reasons', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'integer')
    .addColumn('idempotency_key', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reward_history_reward').on('reward_history').columns(['tenant_id', 'reward_id', 'at']).execute();
  // A redemption retried with its Idempotency-Key finds the first one here.
  await db.schema.createIndex('reward_history_once').on('reward_history').columns(['tenant_id', 'reward_id', 'idempotency_key']).unique().execute();
  await sql`insert into reward_history (id, tenant_id, reward_id, from_status, to_status, pending_reasons, reason, actor, amount_minor, idempotency_key, at)
    select 'migrated-' || id, tenant_id, id, null, status, pending_reasons, 'migrated', 'api', null, null, created_at from rewards`.execute(db);

  const programs = await db.selectFrom('programs').select(['id', 'settings']).execute();
  for (const p of programs) {
    const settings = JSON.parse(p.settings);
    if (settings?.w9ThresholdCents !== 59900) continue;
    delete settings.w9ThresholdCents;
    await db.updateTable('programs').set({ settings: JSON.stringify(settings) }).where('id', '=', p.id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reward_history').execute();
  for (const index of ['rewards_hold_due', 'rewards_expiry_due', 'rewards_event']) await db.schema.dropIndex(index).execute();
  await db.updateTable('rewards').set({ status: 'pending_payout_info' }).where('status', '=', 'pending').where('pending_reasons', 'like', '%payout_info%').execute();
  for (const name of ['pending_reasons', 'remaining_minor', 'hold_until', 'expires_at', 'rule_version', 'rule_hash', 'taxable_minor', 'trace']) {
    await db.schema.alterTable('rewards').dropColumn(name).execute();
  }
}
