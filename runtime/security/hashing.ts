import { toBase64Url, toHex, utf8 } from './encoding.ts';
import { sha256 } from './sha256.ts';

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Inputs up to this many bytes are hashed in JavaScript, synchronously; longer ones by WebCrypto, off the event loop. */
const SYNC_HASH_LIMIT = 4096;

export async function sha256Hex(text: string): Promise<string> {
  const bytes = utf8.encode(text);
  if (bytes.length <= SYNC_HASH_LIMIT) return toHex(sha256(bytes));
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(message))));
}

/** Compares without an early exit, so timing does not reveal the matching prefix. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
