import { fromBase64Url, toBase64Url, utf8 } from './encoding.ts';

// Microsite passwords: PBKDF2-SHA256 through WebCrypto, the one slow KDF every
// runtime has. Workers refuse more than 100,000 iterations, so that is the
// ceiling. The encoded form carries its parameters
// (`pbkdf2-sha256$<iterations>$<salt>$<hash>`), so raising them later only
// needs a rehash at the next successful login.

export const PASSWORD_ITERATIONS = 100_000;
export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase; bounded so a request cannot make us hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PREFIX = 'pbkdf2-sha256';

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, bytes * 8));
}

export async function hashPassword(password: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, HASH_BYTES);
  return `${PREFIX}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

type Parsed = { iterations: number; salt: Uint8Array<ArrayBuffer>; hash: Uint8Array };

function parse(encoded: string): Parsed | null {
  const [prefix, iter, salt, hash, ...rest] = encoded.split('$');
  if (prefix !== PREFIX || rest.length > 0 || !/^\d+$/.test(iter ?? '') || !salt || !hash) return null;
  const iterations = Number(iter);
  if (iterations < 1 || iterations > PASSWORD_ITERATIONS) return null;
  try {
    return { iterations, salt: fromBase64Url(salt), hash: fromBase64Url(hash) };
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export type PasswordCheck = { ok: boolean; needsRehash: boolean };

/**
 * Checks a password against a stored hash. With no stored hash (unknown
 * address, no password set) it still derives once, so the answer takes as
 * long as a real check and does not reveal which addresses exist.
 */
export async function verifyPassword(password: string, encoded: string | null | undefined): Promise<PasswordCheck> {
  const parsed = encoded ? parse(encoded) : null;
  if (!parsed) {
    await derive(password, new Uint8Array(SALT_BYTES), PASSWORD_ITERATIONS, HASH_BYTES);
    return { ok: false, needsRehash: false };
  }
  const candidate = await derive(password, parsed.salt, parsed.iterations, parsed.hash.length);
  const ok = sameBytes(candidate, parsed.hash);
  return { ok, needsRehash: ok && (parsed.iterations !== PASSWORD_ITERATIONS || parsed.salt.length !== SALT_BYTES || parsed.hash.length !== HASH_BYTES) };
}
