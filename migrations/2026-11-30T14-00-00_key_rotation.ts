import { sql, type Kysely } from 'kysely';

// Key rotation: a tenant may hold two API keys and two webhook secrets at once
// (create the new one, switch clients, revoke the old). Both move out of the
// tenants row into tables of their own. The tenants columns cannot be dropped
// (SQLite refuses to drop a UNIQUE column), so they are overwritten with
// values that match nothing: any code still reading them fails closed.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_tenant').on('api_keys').column('tenant_id').execute();

  await db.schema
    .createTable('webhook_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_secrets_tenant').on('webhook_secrets').column('tenant_id').execute();

  // Existing credentials keep working: each tenant's key and secret become its first rows
  // (the sealed secret is bound to tenant and field, not to a table, so it moves as is).
  await sql`insert into api_keys (id, tenant_id, key_hash, hint, created_at)
            select 'key_' || id, id, api_key_hash, 'ar_…', created_at from tenants`.execute(db);
  await sql`insert into webhook_secrets (id, tenant_id, secret_sealed, hint, created_at)
            select 'whs_' || id, id, webhook_secret_sealed, 'whsec_…', created_at from tenants`.execute(db);
  await sql`update tenants set api_key_hash = 'moved:' || id, webhook_secret_sealed = ''`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_secrets').execute();
  await db.schema.dropTable('api_keys').execute();
}
