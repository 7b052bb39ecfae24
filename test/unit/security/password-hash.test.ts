import { describe, expect, it } from 'vitest';
import { pbkdf2Sync } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../../runtime/security/password-hash.ts';
import { fromBase64Url } from '../../../runtime/security/encoding.ts';

describe('password hashing', () => {
  it('is PBKDF2-SHA256 as node:crypto computes it, with a 16-byte salt and the parameters in the string', async () => {
    const encoded = await hashPassword('correct horse battery');
    const [prefix, iterations, salt, hash] = encoded.split('$');
    expect(prefix).toBe('pbkdf2-sha256');
    expect(iterations).toBe('100000');
    expect(fromBase64Url(salt)).toHaveLength(16);
    const expected = pbkdf2Sync('correct horse battery', Buffer.from(fromBase64Url(salt)), 100_000, 32, 'sha256');
    expect(Buffer.from(fromBase64Url(hash)).equals(expected)).toBe(true);
  });

  it('salts each password afresh', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('accepts the password, refuses others and malformed or missing hashes', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', encoded)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword('correct horse batterY', encoded)).ok).toBe(false);
    expect((await verifyPassword('x', null)).ok).toBe(false);
    expect((await verifyPassword('x', 'bcrypt$whatever')).ok).toBe(false);
    expect((await verifyPassword('x', 'pbkdf2-sha256$99999999$AA$AA')).ok).toBe(false);
  });

  it('asks for a rehash when the stored parameters are older', async () => {
    const old = await hashPassword('legacy password', 1000);
    expect(await verifyPassword('legacy password', old)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword('wrong password', old)).toEqual({ ok: false, needsRehash: false });
  });
});
