import { sql, type ExpressionBuilder } from 'kysely';
import type { Db, DialectName } from './store.ts';
import type { Database, WebhookDeliveryStatus, WebhookDeliveryTable } from './database.ts';
import { newestFirst, type Cursor } from './pagination.ts';

/** The outbox write: at most one row per (endpoint, message id), whoever announces the fact first. */
export async function insertDeliveryOnce(db: Db, row: WebhookDeliveryTable): Promise<boolean> {
  const result = await db
    .insertInto('webhook_deliveries')
    .values(row)
    .onConflict((oc) => oc.columns(['endpoint_id', 'message_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export type DeliveryFilter = { endpointId?: string; status?: WebhookDeliveryStatus; limit: number; before?: Cursor };

export async function listDeliveries(db: Db, tenantId: string, f: DeliveryFilter): Promise<WebhookDeliveryTable[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId);
  if (f.endpointId) q = q.where('endpoint_id', '=', f.endpointId);
  if (f.status) q = q.where('status', '=', f.status);
  // (created_at, id): one event announced to several endpoints writes its rows in the same millisecond.
  return newestFirst(q, f.before, f.limit).execute();
}

export async function findDelivery(db: Db, tenantId: string, id: string): Promise<WebhookDeliveryTable | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * Claims due deliveries with a lease, fairly: each tenant gets at most
 * `perTenant` rows of a batch (its oldest), so one tenant's backlog or a dead
 * endpoint cannot hold the others' webhooks back. Only deliveries of enabled
 * endpoints are due. PostgreSQL skips rows another dispatcher holds (window
 * functions cannot take row locks, so the ranking is a subquery of the locking
 * select); SQLite and D1 have one writer, and the conditional UPDATE makes a
 * claim exclusive there. An expired lease makes the delivery due again.
 */
export async function claimDueDeliveries(db: Db, dialect: DialectName, now: string, leaseUntil: string, limit: number, perTenant: number) {
  const due = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>) =>
    eb.and([
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)])]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
      eb('endpoint_id', 'in', eb.selectFrom('webhook_endpoints').select('webhook_endpoints.id').where('webhook_endpoints.status', '=', 'enabled')),
    ]);
  const ranked = db
    .selectFrom((eb) =>
      eb
        .selectFrom('webhook_deliveries')
        .select(['id', 'created_at', sql<number>`row_number() over (partition by tenant_id order by created_at, id)`.as('rank')])
        .where(due)
        .as('ranked'),
    )
    .select('ranked.id')
    .where('ranked.rank', '<=', perTenant)
    .orderBy('ranked.rank')
    .orderBy('ranked.created_at')
    .limit(limit);
  const stillDue = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>) =>
    eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]);
  const claim = { status: 'sending' as const, lease_until: leaseUntil, attempts: sql<number>`attempts + 1`, updated_at: now };
  if (dialect === 'postgres') {
    // Materialized, as in the mail claim: the locking select runs once.
    return db
      .with(
        (cte) => cte('due').materialized(),
        () => db.selectFrom('webhook_deliveries').select('id').where('id', 'in', ranked).forUpdate().skipLocked(),
      )
      .updateTable('webhook_deliveries')
      .set(claim)
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .where(stillDue)
      .returningAll()
      .execute();
  }
  return db.updateTable('webhook_deliveries').set(claim).where('id', 'in', ranked).where(stillDue).returningAll().execute();
}

/** Finishes an attempt, but only while this dispatcher still holds the lease. */
export async function finishDelivery(
  db: Db,
  id: string,
  leaseUntil: string,
  changes: Partial<Pick<WebhookDeliveryTable, 'status' | 'next_attempt_at' | 'last_status_code' | 'last_response' | 'last_error' | 'delivered_at' | 'updated_at'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...changes, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Queues a finished delivery again, with the same message id and a fresh retry window. */
export async function requeueDelivery(db: Db, tenantId: string, id: string, now: string, giveUpAt: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'queued', next_attempt_at: now, give_up_at: giveUpAt, attempts: 0, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', 'in', ['delivered', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}

/** Makes an endpoint's waiting deliveries due now (it was enabled again: its owner says it is fixed). */
export async function makeEndpointDeliveriesDue(db: Db, tenantId: string, endpointId: string, now: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ next_attempt_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpointId).where('status', '=', 'queued').execute();
}
