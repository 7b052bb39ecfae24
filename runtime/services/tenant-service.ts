import type { Services } from '../services.ts';
import { insertTenant } from '../store/tenant-queries.ts';
import { inTransaction } from '../store/store.ts';
import { addApiKey, addWebhookSecret } from './credential-service.ts';

/** The API key and webhook secret are returned here once; the key is kept only as a hash, the secret sealed. */
export async function createTenant(services: Services, name: string) {
  const id = crypto.randomUUID();
  return inTransaction(services.store, async (db) => {
    // The tenants row's own key columns are superseded by api_keys and webhook_secrets (key rotation).
    await insertTenant(db, { id, name, api_key_hash: `moved:${id}`, webhook_secret_sealed: '', created_at: services.clock.now().toISOString() });
    const { apiKey } = await addApiKey(services, db, id);
    const { webhookSecret } = await addWebhookSecret(services, db, id);
    return { id, name, apiKey, webhookSecret };
  });
}
