import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findEmailSettings } from '../store/email-settings-queries.ts';
import { insertEmailOnce } from '../store/email-queries.ts';
import { MailDeliveryError } from '../../plugins/types.ts';
import { messageIdFor } from '../../plugins/mail/compose.ts';
import { mailboxDomain } from '../../plugins/mail/address.ts';

/**
 * "Send a test": one real message through the tenant's server, right now, with
 * the server's answer shown. It is logged like any other email (type
 * smtp-test) so it can be found in the email log.
 */
export async function sendSmtpTest(services: Services, tenant: Tenant, to: string) {
  const row = await findEmailSettings(services.store.db, tenant.id);
  if (!row?.smtp_host || row.smtp_status === null) throw new AppError('conflict', 'connect an SMTP server first (PUT /v1/settings/email/smtp)');
  const sender = await services.senders.senderFor(tenant.id);
  const now = services.clock.now().toISOString();
  const key = `smtp-test:${crypto.randomUUID()}`;
  const subject = `Test email from ${tenant.name} via advocate-rules`;
  const text = `This test confirms that ${row.smtp_host}:${row.smtp_port} delivers mail for ${tenant.name}.`;
  const html = `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`;
  const messageId = await messageIdFor(tenant.id, key, mailboxDomain(sender.from.address) ?? 'advocate-rules.local');
  let status: 'sent' | 'failed' = 'sent';
  let response: string;
  try {
    response = (await sender.transport.send({ from: sender.from, to, subject, html, text, messageId })).response;
  } catch (error) {
    status = 'failed';
    response = error instanceof MailDeliveryError ? (error.response ?? error.message) : (error as Error).message;
  }
  await insertEmailOnce(services.store.db, {
    id: crypto.randomUUID(),
    tenant_id: tenant.id,
    program_id: null,
    participant_id: null,
    idempotency_key: key,
    type: 'smtp-test',
    template: 'smtp-test',
    to_address: to,
    subject,
    html,
    text,
    status,
    attempts: 1,
    next_attempt_at: null,
    lease_until: null,
    last_response: response.slice(0, 1000),
    message_id: messageId,
    sender: sender.name,
    created_at: now,
    updated_at: now,
    sent_at: status === 'sent' ? now : null,
  });
  if (status === 'failed') throw new AppError('smtp_unreachable', `The server did not accept the test email: ${response}`, [], { response });
  return { sent: true, to, from: sender.from.address, response, messageId };
}
