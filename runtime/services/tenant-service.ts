import type { Services } from '../services.ts';
import { insertTenant } from '../store/tenant-queries.ts';
import { randomToken, sha256Hex } from '../security/hashing.ts';

/** The API key and webhook secret are returned here once; the key is kept only as a hash, the secret sealed. */
export async function createTenant(services: Services, name: string) {
  const id = crypto.randomUUID();
  const apiKey = `ar_${randomToken(24)}`;
  const webhookSecret = `whsec_${randomToken(24)}`;
  await insertTenant(services.store.db, {
    id,
    name,
    api_key_hash: await sha256Hex(apiKey),
    webhook_secret_sealed: await services.secrets.seal(webhookSecret, { tenantId: id, field: 'webhook_secret' }),
    created_at: services.clock.now().toISOString(),
  });
  return { id, name, apiKey, webhookSecret };
}
