import type { Services } from '../services.ts';
import { sealedKeyId } from '../security/secret-box.ts';
import { allWebhookSecrets, replaceWebhookSecretSealed } from '../store/credential-queries.ts';
import { allSealedEmailSettings, replaceSealedEmailSetting } from '../store/email-settings-queries.ts';

// `advocate-rules secrets rewrap`: every secret sealed at rest (webhook
// secrets, SMTP passwords, DKIM keys) re-encrypted under the current
// SECRET_KEY, so a key listed in SECRET_KEY_PREVIOUS can then be removed.
// Values already under the current key are left alone; each write is
// conditional on the value read, so a concurrent change is not overwritten.

export type RewrapReport = { keyId: string; rewrapped: number; alreadyCurrent: number; changedMeanwhile: number };

export async function rewrapSecrets(services: Services): Promise<RewrapReport> {
  const { secrets } = services;
  const report: RewrapReport = { keyId: secrets.keyId, rewrapped: 0, alreadyCurrent: 0, changedMeanwhile: 0 };
  const rewrap = async (sealed: string, context: { tenantId: string; field: string }, replace: (to: string) => Promise<boolean>) => {
    if (sealedKeyId(sealed) === secrets.keyId) {
      report.alreadyCurrent++;
      return;
    }
    const resealed = await secrets.seal(await secrets.open(sealed, context), context);
    if (await replace(resealed)) report.rewrapped++;
    else report.changedMeanwhile++;
  };

  for (const row of await allWebhookSecrets(services.store.db)) {
    await rewrap(row.secret_sealed, { tenantId: row.tenant_id, field: 'webhook_secret' }, (to) => replaceWebhookSecretSealed(services.store.db, row.id, row.secret_sealed, to));
  }
  for (const row of await allSealedEmailSettings(services.store.db)) {
    if (row.smtp_password_sealed) {
      const from = row.smtp_password_sealed;
      await rewrap(from, { tenantId: row.tenant_id, field: 'smtp_password' }, (to) => replaceSealedEmailSetting(services.store.db, row.tenant_id, 'smtp_password_sealed', from, to));
    }
    if (row.dkim_private_sealed) {
      const from = row.dkim_private_sealed;
      await rewrap(from, { tenantId: row.tenant_id, field: 'dkim_private' }, (to) => replaceSealedEmailSetting(services.store.db, row.tenant_id, 'dkim_private_sealed', from, to));
    }
  }
  return report;
}
