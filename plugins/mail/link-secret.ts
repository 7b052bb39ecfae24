import type { EmailTable } from '../../runtime/store/database.ts';
import { MailDeliveryError } from '../types.ts';

// A single-use token in an emailed link (verification, password reset) is
// never stored in clear: the outbox row holds a random placeholder where the
// token goes and the token sealed beside it (emails.secret_sealed). The token
// is put back only into the message being sent, never into the row, so the
// database, its backups and the email log hold no working link.

/** What sealing needs; services.secrets (runtime/security/secret-box.ts) is one. */
export type SecretSealer = {
  seal(plaintext: string, context: { tenantId: string; field: string }): Promise<string>;
  open(sealed: string, context: { tenantId: string; field: string }): Promise<string>;
};

export type LinkSecret = { placeholder: string; value: string };

/**
 * A placeholder for `value`: hex, so it passes HTML escaping and URL encoding
 * unchanged and the rendered email holds it exactly where the token belongs;
 * random, so template text cannot collide with it.
 */
export function newLinkSecret(value: string): LinkSecret {
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return { placeholder: `sealed${hex}`, value };
}

// Bound to the row: a sealed value copied to another email does not open.
const context = (email: Pick<EmailTable, 'tenant_id' | 'id'>) => ({ tenantId: email.tenant_id, field: `email-secret:${email.id}` });

export function sealLinkSecret(secrets: SecretSealer, email: Pick<EmailTable, 'tenant_id' | 'id'>, secret: LinkSecret): Promise<string> {
  return secrets.seal(JSON.stringify(secret), context(email));
}

/** The subject and bodies to send: the row's, with its sealed token (if any) in place of the placeholder. */
export async function fillLinkSecret(
  secrets: SecretSealer | undefined,
  email: Pick<EmailTable, 'tenant_id' | 'id' | 'subject' | 'html' | 'text' | 'secret_sealed'>,
): Promise<{ subject: string; html: string; text: string }> {
  if (!email.secret_sealed) return { subject: email.subject, html: email.html, text: email.text };
  let secret: LinkSecret;
  try {
    if (!secrets) throw new Error('no key');
    secret = JSON.parse(await secrets.open(email.secret_sealed, context(email))) as LinkSecret;
  } catch {
    // Sending the placeholder would mail a dead link; no retry brings the key back.
    throw new MailDeliveryError('permanent', 'The link in this email cannot be unsealed with the configured SECRET_KEY; ask for a new one');
  }
  const fill = (s: string) => s.split(secret.placeholder).join(secret.value);
  return { subject: fill(email.subject), html: fill(email.html), text: fill(email.text) };
}
