import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { countEndpoints, deleteEndpoint, findEndpoint, insertEndpoint, listEndpoints, updateEndpoint } from '../store/webhook-endpoint-queries.ts';
import type { WebhookEndpointTable } from '../store/database.ts';
import { makeEndpointDeliveriesDue } from '../store/webhook-delivery-queries.ts';
import { checkWebhookDestination, parseWebhookUrl, WebhookDestinationRefusedError } from '../../plugins/webhooks/destination.ts';
import { generateWebhookSecret } from '../../plugins/webhooks/signature.ts';
import { secretContext } from '../../plugins/webhooks/endpoint-secrets.ts';
import { webhookEndpointView } from './webhook-views.ts';

/** A tenant's endpoints are few; the cap bounds the rows every announcement writes. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

export type EndpointInput = { url: string; events: string[]; description?: string | null };

/** Refuses a URL the dispatcher would refuse, naming the field, before anything is saved. */
async function vetUrl(services: Services, raw: string): Promise<string> {
  const allowPrivate = services.config.ALLOW_PRIVATE_WEBHOOK_HOSTS;
  const url = parseWebhookUrl(raw, allowPrivate);
  const refuse = (message: string) => new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/url', message }]);
  if (typeof url === 'string') throw refuse(url);
  try {
    await checkWebhookDestination(url, { resolver: services.resolver, allowPrivate });
  } catch (error) {
    if (error instanceof WebhookDestinationRefusedError) throw refuse(error.message);
    throw error;
  }
  return url.toString();
}

async function mustFind(services: Services, tenant: Tenant, id: string): Promise<WebhookEndpointTable> {
  const row = await findEndpoint(services.store.db, tenant.id, id);
  if (!row) throw new AppError('not_found', 'webhook endpoint not found');
  return row;
}

/** The signing secret is in the answer here and at rotation, never again. */
export async function createEndpoint(services: Services, tenant: Tenant, input: EndpointInput) {
  const url = await vetUrl(services, input.url);
  if ((await countEndpoints(services.store.db, tenant.id)) >= MAX_ENDPOINTS_PER_TENANT) {
    throw new AppError('conflict', `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first`);
  }
  const now = services.clock.now().toISOString();
  const id = `we_${crypto.randomUUID().replace(/-/g, '')}`;
  const secret = generateWebhookSecret();
  const row: WebhookEndpointTable = {
    id,
    tenant_id: tenant.id,
    url,
    description: input.description ?? null,
    events: JSON.stringify(input.events),
    secret_sealed: await services.secrets.seal(secret, secretContext({ tenant_id: tenant.id, id })),
    previous_secret_sealed: null,
    previous_secret_until: null,
    status: 'enabled',
    disabled_reason: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await insertEndpoint(services.store.db, row);
  return { ...webhookEndpointView(row), secret };
}

export async function listTenantEndpoints(services: Services, tenant: Tenant) {
  return (await listEndpoints(services.store.db, tenant.id)).map(webhookEndpointView);
}

export async function getEndpoint(services: Services, tenant: Tenant, id: string) {
  return webhookEndpointView(await mustFind(services, tenant, id));
}

export async function changeEndpoint(services: Services, tenant: Tenant, id: string, input: Partial<EndpointInput>) {
  await mustFind(services, tenant, id);
  const changes: Partial<WebhookEndpointTable> = { updated_at: services.clock.now().toISOString() };
  if (input.url !== undefined) changes.url = await vetUrl(services, input.url);
  if (input.events !== undefined) changes.events = JSON.stringify(input.events);
  if (input.description !== undefined) changes.description = input.description;
  await updateEndpoint(services.store.db, tenant.id, id, changes);
  return getEndpoint(services, tenant, id);
}

/** Disabled by hand or for failing: nothing is sent, deliveries wait. Enabling starts afresh: the failure run is forgotten and what waited is due at once. */
export async function setEndpointEnabled(services: Services, tenant: Tenant, id: string, enabled: boolean) {
  await mustFind(services, tenant, id);
  const now = services.clock.now().toISOString();
  await updateEndpoint(services.store.db, tenant.id, id, enabled ? { status: 'enabled', disabled_reason: null, failing_since: null, updated_at: now } : { status: 'disabled', disabled_reason: 'tenant', updated_at: now });
  if (enabled) {
    await makeEndpointDeliveriesDue(services.store.db, tenant.id, id, now);
    services.webhooks.kick();
  }
  return getEndpoint(services, tenant, id);
}

export async function removeEndpoint(services: Services, tenant: Tenant, id: string): Promise<void> {
  if (!(await deleteEndpoint(services.store.db, tenant.id, id))) throw new AppError('not_found', 'webhook endpoint not found');
}

/**
 * A new secret, returned once. The old one keeps signing for `graceSeconds`
 * (each delivery carries both signatures), so receivers can switch without
 * dropping a message; a rotation during a rotation ends the older grace.
 */
export async function rotateEndpointSecret(services: Services, tenant: Tenant, id: string, graceSeconds: number) {
  const row = await mustFind(services, tenant, id);
  const now = services.clock.now();
  const secret = generateWebhookSecret();
  await updateEndpoint(services.store.db, tenant.id, id, {
    secret_sealed: await services.secrets.seal(secret, secretContext(row)),
    previous_secret_sealed: graceSeconds > 0 ? row.secret_sealed : null,
    previous_secret_until: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000).toISOString() : null,
    updated_at: now.toISOString(),
  });
  return { ...(await getEndpoint(services, tenant, id)), secret };
}
