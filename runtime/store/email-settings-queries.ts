import type { Db } from './store.ts';
import type { EmailSettingsTable } from './database.ts';

export async function findEmailSettings(db: Db, tenantId: string) {
  return db.selectFrom('email_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/**
 * What choosing a tenant's sender reads, per email, in one statement: the
 * tenant's name (shown in From) and its email settings (undefined when it has
 * none yet).
 */
export async function findSenderSettings(db: Db, tenantId: string): Promise<{ tenantName: string | undefined; settings: EmailSettingsTable | undefined }> {
  const row = await db
    .selectFrom('tenants as t')
    .leftJoin('email_settings as es', 'es.tenant_id', 't.id')
    .select('t.name as tenant_name')
    .selectAll('es')
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return { tenantName: undefined, settings: undefined };
  const { tenant_name, ...settings } = row;
  return { tenantName: tenant_name, settings: settings.tenant_id === null ? undefined : (settings as EmailSettingsTable) };
}

/** Writes some settings columns, creating the tenant's row on first use. */
export async function saveEmailSettings(db: Db, tenantId: string, changes: Partial<Omit<EmailSettingsTable, 'tenant_id'>>, now: string) {
  await db
    .insertInto('email_settings')
    .values({ tenant_id: tenantId, notifications: '{}', ...changes, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...changes, updated_at: now }))
    .execute();
}

/** Every sealed value in email settings, for re-encryption under a new SECRET_KEY. */
export async function allSealedEmailSettings(db: Db) {
  return db
    .selectFrom('email_settings')
    .select(['tenant_id', 'smtp_password_sealed', 'dkim_private_sealed'])
    .where((eb) => eb.or([eb('smtp_password_sealed', 'is not', null), eb('dkim_private_sealed', 'is not', null)]))
    .execute();
}

/** Replaces one sealed column only if it still holds the value read (a concurrent settings change wins). */
export async function replaceSealedEmailSetting(db: Db, tenantId: string, column: 'smtp_password_sealed' | 'dkim_private_sealed', from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('email_settings').set({ [column]: to }).where('tenant_id', '=', tenantId).where(column, '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0) === 1;
}
