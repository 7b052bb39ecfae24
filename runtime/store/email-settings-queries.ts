import type { Db } from './store.ts';
import type { EmailSettingsTable } from './database.ts';

export async function findEmailSettings(db: Db, tenantId: string) {
  return db.selectFrom('email_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Writes some settings columns, creating the tenant's row on first use. */
export async function saveEmailSettings(db: Db, tenantId: string, changes: Partial<Omit<EmailSettingsTable, 'tenant_id'>>, now: string) {
  await db
    .insertInto('email_settings')
    .values({ tenant_id: tenantId, notifications: '{}', ...changes, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...changes, updated_at: now }))
    .execute();
}
