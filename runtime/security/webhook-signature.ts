import { constantTimeEqual, hmacSha256Hex } from './hashing.ts';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, as senders compute it. */
export async function signPayload(secret: string, body: string, at: Date): Promise<string> {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${body}`)}`;
}

export async function verifySignature(header: string | undefined, body: string, secret: string | null, now: Date): Promise<boolean> {
  const parts = new Map((header ?? '').split(',').map((kv) => kv.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!secret || !Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > SIGNATURE_TOLERANCE_SECONDS) return false;
  return constantTimeEqual(given, await hmacSha256Hex(secret, `${t}.${body}`));
}
