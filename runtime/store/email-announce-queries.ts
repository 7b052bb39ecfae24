import type { Db } from './store.ts';
import type { EmailTable } from './database.ts';

/**
 * Finished emails whose status was not announced yet, of tenants with an
 * enabled endpoint subscribed to email events (others are left alone, and
 * their history is skipped by endpoint creation time when they subscribe).
 */
export async function emailsToAnnounce(db: Db, limit: number): Promise<EmailTable[]> {
  return db
    .selectFrom('emails')
    .selectAll()
    .where('status', 'in', ['sent', 'failed'])
    .where((eb) => eb.or([eb('announced_status', 'is', null), eb('announced_status', '!=', eb.ref('status'))]))
    .where('tenant_id', 'in', (eb) =>
      eb
        .selectFrom('webhook_endpoints')
        .select('webhook_endpoints.tenant_id')
        .where('webhook_endpoints.status', '=', 'enabled')
        .where((w) => w.or([w('webhook_endpoints.events', 'like', '%"email.sent"%'), w('webhook_endpoints.events', 'like', '%"email.failed"%')])),
    )
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Records the announced status, only if the email is still in it (a retry may have moved it on). */
export async function markEmailAnnounced(db: Db, id: string, status: string): Promise<void> {
  await db.updateTable('emails').set({ announced_status: status }).where('id', '=', id).where('status', '=', status as EmailTable['status']).execute();
}
