import type { WebhookEndpointTable } from '../../runtime/store/database.ts';
import type { SecretSealer } from '../mail/link-secret.ts';

/** Binds a sealed secret to its tenant and endpoint: copied to another row, it does not open. Both columns share it, so rotation moves the sealed value as is. */
export const secretContext = (e: Pick<WebhookEndpointTable, 'tenant_id' | 'id'>) => ({ tenantId: e.tenant_id, field: `webhook_endpoint:${e.id}` });

/** The secrets that sign a delivery now: the current one, and the previous one while its rotation grace lasts. */
export async function signingSecrets(secrets: SecretSealer, e: WebhookEndpointTable, now: Date): Promise<string[]> {
  const list = [await secrets.open(e.secret_sealed, secretContext(e))];
  if (e.previous_secret_sealed && e.previous_secret_until && e.previous_secret_until > now.toISOString()) {
    list.push(await secrets.open(e.previous_secret_sealed, secretContext(e)));
  }
  return list;
}
