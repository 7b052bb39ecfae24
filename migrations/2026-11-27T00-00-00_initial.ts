import type { Kysely } from 'kysely';

// Dialect-neutral on purpose: only text and integer columns, no dialect
// defaults, so SQLite, PostgreSQL and D1 run the same statements.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('webhook_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('programs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('active_version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('programs_tenant').on('programs').column('tenant_id').execute();

  await db.schema
    .createTable('rule_versions')
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_versions_pk', ['program_id', 'version'])
    .execute();

  await db.schema
    .createTable('templates')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull().references('programs.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('templates_pk', ['program_id', 'key'])
    .execute();

  await db.schema
    .createTable('participants')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('locale', 'text')
    .addColumn('country_code', 'text')
    .addColumn('referred_by', 'text')
    .addColumn('w9_on_file', 'integer', (c) => c.notNull())
    .addColumn('w9_on_file_at', 'text')
    .addColumn('payout_info_complete', 'integer', (c) => c.notNull())
    .addColumn('payout_info_completed_at', 'text')
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('email_verified_at', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('participants_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('participants_email').on('participants').columns(['tenant_id', 'email']).execute();
  await db.schema.createIndex('participants_referred_by').on('participants').columns(['tenant_id', 'referred_by']).execute();

  await db.schema
    .createTable('events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('rewards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('rule_name', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('rewards_once', ['tenant_id', 'event_id', 'rule_name', 'participant_id'])
    .execute();
  await db.schema.createIndex('rewards_participant').on('rewards').columns(['tenant_id', 'participant_id', 'occurred_at']).execute();

  await db.schema
    .createTable('emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text')
    .addColumn('participant_id', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_response', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('sender', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('emails_once', ['tenant_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('emails_due').on('emails').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('emails_log').on('emails').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('email_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('smtp_host', 'text')
    .addColumn('smtp_port', 'integer')
    .addColumn('smtp_security', 'text')
    .addColumn('smtp_username', 'text')
    .addColumn('smtp_password_sealed', 'text')
    .addColumn('smtp_test_from', 'text')
    .addColumn('smtp_allow_plaintext', 'integer')
    .addColumn('smtp_status', 'text')
    .addColumn('smtp_last_error', 'text')
    .addColumn('smtp_connected_at', 'text')
    .addColumn('notifications', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('domain', 'text')
    .addColumn('domain_from', 'text')
    .addColumn('dkim_selector', 'text')
    .addColumn('dkim_private_sealed', 'text')
    .addColumn('dkim_public', 'text')
    .addColumn('domain_status', 'text')
    .addColumn('domain_verified_at', 'text')
    .addColumn('domain_checked_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_participant').on('tokens').columns(['tenant_id', 'participant_id', 'purpose']).execute();

  await db.schema
    .createTable('payout_reminders')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('cycle', 'text', (c) => c.notNull())
    .addColumn('sent_count', 'integer', (c) => c.notNull())
    .addColumn('last_sent_at', 'text')
    .addColumn('next_due_at', 'text')
    .addPrimaryKeyConstraint('payout_reminders_pk', ['tenant_id', 'participant_id', 'program_id'])
    .execute();
  await db.schema.createIndex('payout_reminders_due').on('payout_reminders').column('next_due_at').execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['leases', 'rate_limits', 'payout_reminders', 'tokens', 'email_settings', 'emails', 'rewards', 'events', 'participants', 'templates', 'rule_versions', 'programs', 'tenants']) {
    await db.schema.dropTable(t).execute();
  }
}
