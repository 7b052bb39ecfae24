import type { Db } from './store.ts';
import type { WebhookEndpointTable } from './database.ts';

export async function insertEndpoint(db: Db, row: WebhookEndpointTable): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function countEndpoints(db: Db, tenantId: string): Promise<number> {
  const row = await db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<number | string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function listEndpoints(db: Db, tenantId: string): Promise<WebhookEndpointTable[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

/** The enabled endpoints of a tenant: read inside the transaction that announces a fact. */
export async function enabledEndpoints(db: Db, tenantId: string): Promise<Pick<WebhookEndpointTable, 'id' | 'events' | 'created_at'>[]> {
  return db.selectFrom('webhook_endpoints').select(['id', 'events', 'created_at']).where('tenant_id', '=', tenantId).where('status', '=', 'enabled').execute();
}

export async function findEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpointTable | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function updateEndpoint(
  db: Db,
  tenantId: string,
  id: string,
  changes: Partial<Omit<WebhookEndpointTable, 'id' | 'tenant_id' | 'created_at'>>,
): Promise<boolean> {
  const result = await db.updateTable('webhook_endpoints').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Deletes the endpoint and its delivery history (foreign keys are not enforced on every SQLite connection). */
export async function deleteEndpoint(db: Db, tenantId: string, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_deliveries').where('tenant_id', '=', tenantId).where('endpoint_id', '=', id).execute();
  const result = await db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0) === 1;
}

/** Marks the start of a run of failures; a success clears it. Conditional, so the first failure's time stays. */
export async function markEndpointFailing(db: Db, tenantId: string, id: string, now: string): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ failing_since: now }).where('tenant_id', '=', tenantId).where('id', '=', id).where('failing_since', 'is', null).execute();
}

export async function clearEndpointFailing(db: Db, tenantId: string, id: string): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ failing_since: null }).where('tenant_id', '=', tenantId).where('id', '=', id).where('failing_since', 'is not', null).execute();
}

/** Disables an endpoint that has failed since before `failingBefore`; returns whether this call did it. */
export async function disableFailingEndpoint(db: Db, tenantId: string, id: string, failingBefore: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ status: 'disabled', disabled_reason: 'failing', updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'enabled')
    .where('failing_since', '<=', failingBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}
