import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findEmailSettings, saveEmailSettings } from '../store/email-settings-queries.ts';
import { generateDkimKeyPair, verifyDkimRecord } from '../../plugins/mail/dkim.ts';
import { emailSettingsView } from './email-settings-service.ts';
import { mailboxDomain, parseMailbox } from '../../plugins/mail/address.ts';

/**
 * A custom From domain for the built-in sender: a fresh DKIM key pair (the
 * private half sealed at rest), the records to publish, and a check that the
 * published key is ours before any mail goes out From that domain.
 */
export async function setCustomDomain(services: Services, tenant: Tenant, input: { domain: string; fromAddress: string }) {
  const domain = input.domain.toLowerCase().replace(/\.$/, '');
  // The parsed domain, never the text after the first '@': `"x@a.com@"@b.com` is a mailbox at b.com,
  // and it would go out From b.com signed with this tenant's key.
  const from = parseMailbox(input.fromAddress);
  if (!from || mailboxDomain(from.address) !== domain) {
    throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/fromAddress', message: `must be an address at ${domain}` }]);
  }
  const now = services.clock.now();
  const keys = await generateDkimKeyPair();
  // A dated selector lets a tenant publish a new key beside the old one when rotating.
  const selector = `ar${now.toISOString().slice(0, 7).replace('-', '')}`;
  await saveEmailSettings(
    services.store.db,
    tenant.id,
    {
      domain,
      domain_from: from.address,
      dkim_selector: selector,
      dkim_private_sealed: await services.secrets.seal(keys.privateKeyPem, { tenantId: tenant.id, field: 'dkim_private' }),
      dkim_public: keys.publicKeyBase64,
      domain_status: 'pending',
      domain_verified_at: null,
      domain_checked_at: null,
    },
    now.toISOString(),
  );
  return emailSettingsView(await findEmailSettings(services.store.db, tenant.id), services.config.SPF_INCLUDE);
}

export async function verifyCustomDomain(services: Services, tenant: Tenant) {
  const row = await findEmailSettings(services.store.db, tenant.id);
  if (!row?.domain || !row.dkim_selector || !row.dkim_public) throw new AppError('not_found', 'no custom domain is set; PUT /v1/settings/email/domain first');
  const check = await verifyDkimRecord(services.resolver, row.domain, row.dkim_selector, row.dkim_public);
  const now = services.clock.now().toISOString();
  await saveEmailSettings(
    services.store.db,
    tenant.id,
    { domain_status: check.ok ? 'verified' : 'failed', domain_verified_at: check.ok ? now : null, domain_checked_at: now },
    now,
  );
  const view = emailSettingsView(await findEmailSettings(services.store.db, tenant.id), services.config.SPF_INCLUDE);
  return { verified: check.ok, ...(check.ok ? {} : { reason: check.reason, message: check.message }), settings: view };
}
