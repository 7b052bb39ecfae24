import { utf8 } from '../../runtime/security/encoding.ts';

// Standard Webhooks (standardwebhooks.com): the secret is `whsec_` + base64 of
// random bytes; each attempt carries `webhook-id`, `webhook-timestamp` (unix
// seconds) and `webhook-signature`, a space-separated list of
// `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`, one per valid secret,
// so receivers keep verifying while a secret is rotated.

export const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

export async function signatureHeaders(secrets: string[], messageId: string, at: Date, body: string): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signed = utf8.encode(`${messageId}.${timestamp}.${body}`);
  const signatures: string[] = [];
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey('raw', fromBase64(secret.slice(SECRET_PREFIX.length)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    signatures.push(`v1,${toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, signed)))}`);
  }
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
