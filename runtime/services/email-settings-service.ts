import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findEmailSettings, saveEmailSettings } from '../store/email-settings-queries.ts';
import type { EmailSettingsTable } from '../store/database.ts';
import { checkSmtpTarget, SmtpTargetRefusedError } from '../../plugins/mail/smtp-guard.ts';
import type { SmtpSettings } from '../../plugins/mail/smtp-driver.ts';
import type { SmtpConnectReason } from '../../plugins/mail/smtp-connect-result.ts';
import { readSwitches, type NotificationSwitches } from '../../plugins/mail/notification-switches.ts';
import { dkimRecords } from '../../plugins/mail/dkim.ts';

export type SmtpInput = {
  host: string;
  port: number;
  security: 'none' | 'tls' | 'ssl';
  username?: string;
  password?: string;
  testFromAddress?: string;
  allowPlaintextAuth?: boolean;
};

/** The setting a failed Connect points at, so a client can show the reason beside that field. */
const REASON_FIELD: Record<SmtpConnectReason, string> = {
  wrong_security_for_port: '/security',
  starttls_unavailable: '/security',
  tls_handshake_failed: '/security',
  certificate_invalid: '/host',
  auth_failed: '/password',
  plaintext_credentials_refused: '/allowPlaintextAuth',
  timeout: '/host',
  host_unreachable: '/host',
  server_rejected: '/host',
};

/** What the API and the console show: never the password or the DKIM private key. */
export function emailSettingsView(row: EmailSettingsTable | undefined, spfInclude?: string) {
  const smtpOn = row?.smtp_status === 'connected' || row?.smtp_status === 'needs_attention';
  return {
    mode: smtpOn ? 'smtp' : 'builtin',
    smtp: row?.smtp_host
      ? {
          host: row.smtp_host,
          port: row.smtp_port,
          security: row.smtp_security,
          username: row.smtp_username,
          passwordSet: row.smtp_password_sealed !== null,
          testFromAddress: row.smtp_test_from,
          allowPlaintextAuth: row.smtp_allow_plaintext === 1,
          status: row.smtp_status ?? 'disconnected',
          lastError: row.smtp_last_error,
          connectedAt: row.smtp_connected_at,
        }
      : null,
    replyTo: row?.reply_to ?? null,
    domain: row?.domain
      ? {
          domain: row.domain,
          fromAddress: row.domain_from,
          selector: row.dkim_selector,
          status: row.domain_status,
          verifiedAt: row.domain_verified_at,
          checkedAt: row.domain_checked_at,
          records: dkimRecords(row.domain, row.dkim_selector!, row.dkim_public!, spfInclude),
        }
      : null,
    notifications: readSwitches(row?.notifications),
  };
}

/** Resolves and vets the host, applying the operator's port and private-range settings. */
export async function vetSmtpTarget(services: Services, host: string, port: number) {
  try {
    return await checkSmtpTarget({ host, port }, { resolver: services.resolver, allowPrivate: services.config.ALLOW_PRIVATE_SMTP_HOSTS, allowedPorts: services.config.SMTP_PORTS });
  } catch (error) {
    if (error instanceof SmtpTargetRefusedError) {
      throw new AppError('smtp_refused', error.message, [{ pointer: error.code === 'smtp_port_refused' ? '/port' : '/host', message: error.message }]);
    }
    throw error;
  }
}

/**
 * "Connect": vet the host, open a real session (greeting, EHLO, TLS, AUTH),
 * and store the settings only when that works. A missing password keeps the
 * stored one, so the console never needs to send it back.
 */
export async function connectTenantSmtp(services: Services, tenant: Tenant, input: SmtpInput) {
  const db = services.store.db;
  const existing = await findEmailSettings(db, tenant.id);
  const password =
    input.password ??
    (existing?.smtp_password_sealed && existing.smtp_username === (input.username ?? null)
      ? await services.secrets.open(existing.smtp_password_sealed, { tenantId: tenant.id, field: 'smtp_password' })
      : undefined);
  if (input.username && !password) {
    throw new AppError('validation_failed', 'The request body is invalid', [{ pointer: '/password', message: 'is required with a username' }]);
  }
  const checked = await vetSmtpTarget(services, input.host, input.port);
  const settings: SmtpSettings = { host: input.host, port: input.port, security: input.security, username: input.username, password, checked, allowPlaintextAuth: input.allowPlaintextAuth };
  const runtimeRefusal = services.smtp.refuse?.(settings);
  if (runtimeRefusal) throw new AppError('smtp_refused', runtimeRefusal, [{ pointer: '/port', message: runtimeRefusal }]);
  const result = await services.smtp.connect(settings);
  const now = services.clock.now().toISOString();
  if (!result.ok) {
    throw new AppError(result.status === 422 ? 'smtp_refused' : 'smtp_unreachable', result.message, [{ pointer: REASON_FIELD[result.reason], message: result.message }], { reason: result.reason });
  }
  await saveEmailSettings(
    db,
    tenant.id,
    {
      smtp_host: input.host,
      smtp_port: input.port,
      smtp_security: input.security,
      smtp_username: input.username ?? null,
      smtp_password_sealed: password ? await services.secrets.seal(password, { tenantId: tenant.id, field: 'smtp_password' }) : null,
      smtp_test_from: input.testFromAddress ?? null,
      smtp_status: 'connected',
      smtp_allow_plaintext: input.allowPlaintextAuth ? 1 : 0,
      smtp_last_error: null,
      smtp_connected_at: now,
    },
    now,
  );
  services.senders.forget?.(tenant.id);
  return emailSettingsView(await findEmailSettings(db, tenant.id), services.config.SPF_INCLUDE);
}

export async function disconnectTenantSmtp(services: Services, tenant: Tenant) {
  const now = services.clock.now().toISOString();
  await saveEmailSettings(
    services.store.db,
    tenant.id,
    { smtp_host: null, smtp_port: null, smtp_security: null, smtp_username: null, smtp_password_sealed: null, smtp_test_from: null, smtp_allow_plaintext: null, smtp_status: null, smtp_last_error: null, smtp_connected_at: null },
    now,
  );
  services.senders.forget?.(tenant.id);
  return emailSettingsView(await findEmailSettings(services.store.db, tenant.id), services.config.SPF_INCLUDE);
}

export async function updateSwitches(services: Services, tenant: Tenant, changes: Partial<NotificationSwitches>) {
  const row = await findEmailSettings(services.store.db, tenant.id);
  const switches = { ...readSwitches(row?.notifications), ...changes };
  await saveEmailSettings(services.store.db, tenant.id, { notifications: JSON.stringify(switches) }, services.clock.now().toISOString());
  return switches;
}
