import { MailDeliveryError, type MailFailureKind, type MailTransport } from '../../plugins/types.ts';

// The built-in sender through Cloudflare Email Service (a `send_email`
// binding). Cloudflare builds and DKIM-signs the message for the onboarded
// domain of MAIL_FROM, so a tenant's own DKIM key is not used on this path.

type EmailServiceError = Error & { code?: string };
export type SendEmailBinding = {
  send(message: {
    from: string | { email: string; name: string };
    to: string;
    subject: string;
    html?: string;
    text?: string;
    replyTo?: string;
    /** Allow-listed headers only (List-Unsubscribe and List-Unsubscribe-Post among them). */
    headers?: Record<string, string>;
  }): Promise<{ messageId: string }>;
};

const TRANSIENT = new Set(['E_RATE_LIMIT_EXCEEDED', 'E_DAILY_LIMIT_EXCEEDED', 'E_INTERNAL_SERVER_ERROR', 'E_DELIVERY_FAILED']);
const CONFIG = new Set(['E_SENDER_NOT_VERIFIED', 'E_SENDER_DOMAIN_NOT_AVAILABLE']);

export function createSendEmailTransport(binding: SendEmailBinding): MailTransport {
  return {
    async send(mail) {
      try {
        const result = await binding.send({
          from: mail.from.name ? { email: mail.from.address, name: mail.from.name } : mail.from.address,
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          replyTo: mail.replyTo,
          ...(mail.listUnsubscribe ? { headers: { 'List-Unsubscribe': `<${mail.listUnsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
        });
        return { response: `accepted by Cloudflare Email Service as ${result.messageId}`, messageId: mail.messageId };
      } catch (error) {
        const code = (error as EmailServiceError).code ?? '';
        const kind: MailFailureKind = TRANSIENT.has(code) ? 'transient' : CONFIG.has(code) ? 'config' : code ? 'permanent' : 'transient';
        throw new MailDeliveryError(kind, `${code || 'send_email failed'}: ${(error as Error).message}`);
      }
    },
    async close() {},
  };
}
