import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findDelivery, listDeliveries, requeueDelivery, type DeliveryFilter } from '../store/webhook-delivery-queries.ts';
import { WEBHOOK_RETRY_WINDOW_MS } from '../../plugins/webhooks/retry-policy.ts';
import { webhookDeliveryView } from './webhook-views.ts';

export async function listTenantDeliveries(services: Services, tenant: Tenant, f: DeliveryFilter) {
  const rows = await listDeliveries(services.store.db, tenant.id, f);
  return { rows, deliveries: rows.map(webhookDeliveryView) };
}

export async function getDelivery(services: Services, tenant: Tenant, id: string) {
  const row = await findDelivery(services.store.db, tenant.id, id);
  if (!row) throw new AppError('not_found', 'webhook delivery not found');
  return { ...webhookDeliveryView(row), payload: JSON.parse(row.payload) as unknown };
}

/** Sends a finished delivery again: the same message id (receivers dedupe on it), a new three-day retry window. */
export async function redeliver(services: Services, tenant: Tenant, id: string) {
  const row = await findDelivery(services.store.db, tenant.id, id);
  if (!row) throw new AppError('not_found', 'webhook delivery not found');
  const now = services.clock.now();
  const giveUpAt = new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS).toISOString();
  if (!(await requeueDelivery(services.store.db, tenant.id, id, now.toISOString(), giveUpAt))) {
    throw new AppError('conflict', `this delivery is ${row.status}; only a delivered or failed one can be redelivered`);
  }
  const queued = webhookDeliveryView((await findDelivery(services.store.db, tenant.id, id))!);
  services.webhooks.kick();
  return queued;
}
