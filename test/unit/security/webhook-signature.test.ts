import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from '../../../runtime/security/webhook-signature.ts';
import { hmacSha256Hex } from '../../../runtime/security/hashing.ts';

describe('webhook signatures', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('matches an HMAC computed independently with node:crypto', async () => {
    const { createHmac } = await import('node:crypto');
    const t = Math.floor(now.getTime() / 1000);
    expect(await hmacSha256Hex('k', `${t}.body`)).toBe(createHmac('sha256', 'k').update(`${t}.body`).digest('hex'));
    expect(await signPayload('k', 'body', now)).toBe(`t=${t},v1=${createHmac('sha256', 'k').update(`${t}.body`).digest('hex')}`);
  });

  it('accepts within five minutes either way and refuses beyond', async () => {
    const sig = await signPayload('k', 'b', now);
    expect(await verifySignature(sig, 'b', 'k', new Date(now.getTime() + 299_000))).toBe(true);
    expect(await verifySignature(sig, 'b', 'k', new Date(now.getTime() - 299_000))).toBe(true);
    expect(await verifySignature(sig, 'b', 'k', new Date(now.getTime() + 301_000))).toBe(false);
  });

  it('refuses a missing secret, a malformed header and another body', async () => {
    const sig = await signPayload('k', 'b', now);
    expect(await verifySignature(sig, 'b', null, now)).toBe(false);
    expect(await verifySignature('garbage', 'b', 'k', now)).toBe(false);
    expect(await verifySignature(undefined, 'b', 'k', now)).toBe(false);
    expect(await verifySignature(sig, 'b2', 'k', now)).toBe(false);
  });
});
