import type { Db } from './store.ts';
import type { ApiKeyTable, WebhookSecretTable } from './database.ts';

// A tenant's API keys and webhook secrets. At most MAX_PER_TENANT of each:
// a writer inserts, then counts, and takes its row back if that made too many
// (so two concurrent creations cannot leave three behind, D1 included).

export const MAX_PER_TENANT = 2;

export async function insertApiKey(db: Db, row: ApiKeyTable): Promise<boolean> {
  await db.insertInto('api_keys').values(row).execute();
  const { n } = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', row.tenant_id).executeTakeFirstOrThrow();
  if (Number(n) <= MAX_PER_TENANT) return true;
  await db.deleteFrom('api_keys').where('id', '=', row.id).execute();
  return false;
}

export async function listApiKeys(db: Db, tenantId: string) {
  return db.selectFrom('api_keys').select(['id', 'hint', 'created_at', 'key_hash']).where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

/** Deletes the key unless it is the tenant's last one. */
export async function deleteApiKey(db: Db, tenantId: string, id: string): Promise<'deleted' | 'not_found' | 'last'> {
  const keys = await db.selectFrom('api_keys').select('id').where('tenant_id', '=', tenantId).execute();
  if (!keys.some((k) => k.id === id)) return 'not_found';
  if (keys.length <= 1) return 'last';
  // Conditional on another key remaining, so two concurrent revocations cannot remove both.
  const result = await db
    .deleteFrom('api_keys')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where((eb) => eb.exists(eb.selectFrom('api_keys as other').select('other.id').where('other.tenant_id', '=', tenantId).where('other.id', '!=', id)))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0) === 1 ? 'deleted' : 'last';
}

export async function insertWebhookSecret(db: Db, row: WebhookSecretTable): Promise<boolean> {
  await db.insertInto('webhook_secrets').values(row).execute();
  const { n } = await db.selectFrom('webhook_secrets').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', row.tenant_id).executeTakeFirstOrThrow();
  if (Number(n) <= MAX_PER_TENANT) return true;
  await db.deleteFrom('webhook_secrets').where('id', '=', row.id).execute();
  return false;
}

export async function listWebhookSecrets(db: Db, tenantId: string) {
  return db.selectFrom('webhook_secrets').select(['id', 'hint', 'created_at', 'secret_sealed']).where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

export async function deleteWebhookSecret(db: Db, tenantId: string, id: string): Promise<'deleted' | 'not_found' | 'last'> {
  const secrets = await db.selectFrom('webhook_secrets').select('id').where('tenant_id', '=', tenantId).execute();
  if (!secrets.some((s) => s.id === id)) return 'not_found';
  if (secrets.length <= 1) return 'last';
  const result = await db
    .deleteFrom('webhook_secrets')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where((eb) => eb.exists(eb.selectFrom('webhook_secrets as other').select('other.id').where('other.tenant_id', '=', tenantId).where('other.id', '!=', id)))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0) === 1 ? 'deleted' : 'last';
}

/** Every sealed webhook secret, for re-encryption under a new SECRET_KEY. */
export async function allWebhookSecrets(db: Db) {
  return db.selectFrom('webhook_secrets').select(['id', 'tenant_id', 'secret_sealed']).execute();
}

/** Replaces a sealed value only if it is still the one read (a concurrent rotation wins). */
export async function replaceWebhookSecretSealed(db: Db, id: string, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('webhook_secrets').set({ secret_sealed: to }).where('id', '=', id).where('secret_sealed', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}
