import { describe, expect, it } from 'vitest';
import { createSecretBox, generateSecretKey } from '../../../runtime/security/secret-box.ts';

describe('secret box', () => {
  const ctx = { tenantId: 't1', field: 'smtp_password' };

  it('round-trips and uses a fresh IV each time', async () => {
    const box = await createSecretBox(generateSecretKey());
    const a = await box.seal('hunter2', ctx);
    const b = await box.seal('hunter2', ctx);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(await box.open(a, ctx)).toBe('hunter2');
  });

  it('binds the tenant and field: a value moved elsewhere does not open', async () => {
    const box = await createSecretBox(generateSecretKey());
    const sealed = await box.seal('hunter2', ctx);
    await expect(box.open(sealed, { tenantId: 't2', field: 'smtp_password' })).rejects.toThrow();
    await expect(box.open(sealed, { tenantId: 't1', field: 'dkim_private' })).rejects.toThrow();
  });

  it('opens values sealed under a previous key after rotation', async () => {
    const oldKey = generateSecretKey();
    const sealed = await (await createSecretBox(oldKey)).seal('s3cret', ctx);
    const rotated = await createSecretBox(generateSecretKey(), [oldKey]);
    expect(await rotated.open(sealed, ctx)).toBe('s3cret');
    expect((await rotated.seal('x', ctx)).split('.')[1]).toBe(rotated.keyId);
    await expect((await createSecretBox(generateSecretKey())).open(sealed, ctx)).rejects.toThrow(/unreadable/);
  });

  it('refuses keys of the wrong size', async () => {
    await expect(createSecretBox('c2hvcnQ')).rejects.toThrow(/32 bytes/);
  });
});
