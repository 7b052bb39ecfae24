import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256 } from '../../../runtime/security/sha256.ts';
import { sha256Hex } from '../../../runtime/security/hashing.ts';
import { toHex } from '../../../runtime/security/encoding.ts';

const webcrypto = async (bytes: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(bytes))));

describe('sha256 in JavaScript', () => {
  it('gives the FIPS 180-4 digests of the standard vectors', () => {
    const hex = (text: string) => toHex(sha256(new TextEncoder().encode(text)));
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with WebCrypto at every length around the block and padding boundaries', async () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(toHex(sha256(bytes)), `length ${length}`).toBe(await webcrypto(bytes));
    }
  });

  it('agrees with WebCrypto on arbitrary bytes and texts, short and long', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => toHex(sha256(bytes)) === (await webcrypto(bytes))));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 6000 }), async (text) => (await sha256Hex(text)) === (await webcrypto(new TextEncoder().encode(text)))),
    );
  });
});
