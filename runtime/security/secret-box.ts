import { fromBase64Url, toBase64Url, utf8 } from './encoding.ts';
import { sha256Hex } from './hashing.ts';

// Secrets at rest (webhook secrets, SMTP passwords, DKIM keys) are sealed with
// AES-256-GCM: a fresh IV each time, the tenant and field bound as additional
// data (a sealed value copied to another row or column fails to open), and the
// key id in the envelope so SECRET_KEY can be rotated while old values still open.

export type SecretBox = {
  seal(plaintext: string, context: { tenantId: string; field: string }): Promise<string>;
  open(sealed: string, context: { tenantId: string; field: string }): Promise<string>;
  readonly keyId: string;
};

type Key = { id: string; key: CryptoKey };

/** `raw` is 32 bytes as base64/base64url, optionally prefixed `kid:`. */
export async function importSecretKey(raw: string): Promise<Key> {
  const [id, material] = raw.includes(':') ? raw.split(':', 2) : [undefined, raw];
  const bytes = fromBase64Url(material.trim());
  if (bytes.length !== 32) throw new Error('a secret key must be 32 bytes, base64-encoded');
  const key = await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { id: id ?? (await sha256Hex(material)).slice(0, 8), key };
}

/** The id of the key a sealed value was sealed with (`v1.<kid>.…`), or null if it is not one. */
export function sealedKeyId(sealed: string): string | null {
  const [version, kid] = sealed.split('.');
  return version === 'v1' && kid ? kid : null;
}

export function generateSecretKey(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function createSecretBox(current: string, previous: string[] = []): Promise<SecretBox> {
  const active = await importSecretKey(current);
  const keys = new Map<string, CryptoKey>([[active.id, active.key]]);
  for (const p of previous) {
    const k = await importSecretKey(p);
    keys.set(k.id, k.key);
  }
  const aad = (c: { tenantId: string; field: string }) => utf8.encode(`${c.tenantId}\u0000${c.field}`);
  return {
    keyId: active.id,
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(context) }, active.key, utf8.encode(plaintext));
      return `v1.${active.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
    },
    async open(sealed, context) {
      const [version, kid, iv, ct] = sealed.split('.');
      const key = keys.get(kid);
      if (version !== 'v1' || !key || !iv || !ct) throw new Error('sealed secret is unreadable with the configured keys');
      const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: aad(context) }, key, fromBase64Url(ct));
      return new TextDecoder().decode(pt);
    },
  };
}
