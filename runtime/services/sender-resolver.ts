import type { Sender, SenderResolver } from '../../plugins/mail/sender.ts';
import type { MailTransport } from '../../plugins/types.ts';
import type { ServiceParts } from '../services.ts';
import { findSenderSettings, saveEmailSettings } from '../store/email-settings-queries.ts';
import type { EmailSettingsTable } from '../store/database.ts';
import { checkSmtpTarget, SmtpTargetRefusedError } from '../../plugins/mail/smtp-guard.ts';
import { MailDeliveryError } from '../../plugins/types.ts';
import { mailboxDomain, parseMailbox } from '../../plugins/mail/address.ts';

/**
 * Chooses who carries a tenant's mail, per message:
 * - the tenant's own SMTP server while that integration is on (never the
 *   built-in sender for that tenant then);
 * - otherwise the built-in sender: From the tenant's verified custom domain,
 *   DKIM-signed with the tenant's key; or From the operator's MAIL_FROM with
 *   the tenant's name shown and the tenant's Reply-To.
 * Tenant transports are pooled and kept until the settings change.
 */
export function createSenderResolver(parts: ServiceParts): SenderResolver & { forget(tenantId: string): void } {
  // Promises, not transports: a batch asks for one tenant's transport many
  // times at once, and while the first build awaits (DNS, unsealing the
  // password) every other ask would miss the cache, open its own pool and leak
  // it, so the tenant's server saw more connections than one pool allows.
  const pools = new Map<string, { version: string; transport: Promise<MailTransport> }>();
  const release = (transport: Promise<MailTransport>) => void transport.then((t) => t.close(), () => {});

  function tenantTransport(row: EmailSettingsTable): Promise<MailTransport> {
    const version = `${row.smtp_connected_at}|${row.updated_at}`;
    const cached = pools.get(row.tenant_id);
    if (cached?.version === version) return cached.transport;
    if (cached) release(cached.transport);
    const transport = buildTenantTransport(row);
    pools.set(row.tenant_id, { version, transport });
    // A failed build is not kept: the next email vets the host again.
    transport.catch(() => {
      if (pools.get(row.tenant_id)?.transport === transport) pools.delete(row.tenant_id);
    });
    return transport;
  }

  async function buildTenantTransport(row: EmailSettingsTable): Promise<MailTransport> {
    // The address is vetted again at every (re)build: DNS may have changed since Connect.
    let checked;
    try {
      checked = await checkSmtpTarget(
        { host: row.smtp_host!, port: row.smtp_port! },
        { resolver: parts.resolver, allowPrivate: parts.config.ALLOW_PRIVATE_SMTP_HOSTS, allowedPorts: parts.config.SMTP_PORTS },
      );
    } catch (error) {
      // A host that passed at Connect but now resolves somewhere refused is a
      // settings problem, not a passing fault: fail the email, do not retry.
      if (error instanceof SmtpTargetRefusedError) throw new MailDeliveryError('config', error.message);
      throw error;
    }
    const password = row.smtp_password_sealed ? await parts.secrets.open(row.smtp_password_sealed, { tenantId: row.tenant_id, field: 'smtp_password' }) : undefined;
    return parts.smtp.createTransport({
      host: row.smtp_host!,
      port: row.smtp_port!,
      security: row.smtp_security as 'none' | 'tls' | 'ssl',
      username: row.smtp_username ?? undefined,
      password,
      allowPlaintextAuth: row.smtp_allow_plaintext === 1,
      checked,
      pool: true,
    });
  }

  return {
    async senderFor(tenantId): Promise<Sender> {
      const { tenantName: name, settings: row } = await findSenderSettings(parts.store.db, tenantId);
      if (row?.smtp_host && (row.smtp_status === 'connected' || row.smtp_status === 'needs_attention')) {
        const from = parseMailbox(row.smtp_test_from ?? '') ?? parseMailbox(row.smtp_username ?? '') ?? { address: parts.config.MAIL_FROM };
        return { name: 'smtp', transport: await tenantTransport(row), from: { name, address: from.address } };
      }
      // Checked again here: a From outside the signed domain would carry the tenant's DKIM
      // signature for someone else's domain (rows stored before the parsed-domain check).
      if (row?.domain && row.domain_status === 'verified' && row.dkim_private_sealed && row.domain_from && mailboxDomain(row.domain_from) === row.domain) {
        return {
          name: 'builtin',
          transport: parts.builtinTransport,
          from: { name, address: row.domain_from },
          replyTo: row.reply_to ?? undefined,
          dkim: {
            domainName: row.domain,
            keySelector: row.dkim_selector!,
            privateKey: await parts.secrets.open(row.dkim_private_sealed, { tenantId, field: 'dkim_private' }),
          },
        };
      }
      return { name: 'builtin', transport: parts.builtinTransport, from: { name, address: parts.config.MAIL_FROM }, replyTo: row?.reply_to ?? undefined };
    },
    async onAuthFailure(tenantId, message) {
      await saveEmailSettings(parts.store.db, tenantId, { smtp_status: 'needs_attention', smtp_last_error: message.slice(0, 500) }, parts.clock.now().toISOString());
    },
    forget(tenantId) {
      const cached = pools.get(tenantId);
      pools.delete(tenantId);
      if (cached) release(cached.transport);
    },
  };
}
