import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../runtime/config.ts';

const base = { ADMIN_TOKEN: 'a'.repeat(20), SECRET_KEY: 'b'.repeat(43) };

describe('configuration', () => {
  it('fills defaults', () => {
    const c = parseConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('sqlite:./data/advocate.db');
    expect(c.SMTP_PORTS).toEqual([25, 465, 587, 2525]);
    expect(c.ALLOW_PRIVATE_SMTP_HOSTS).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ MAIL_FROM: 'a@b.c, d@e.f' }, 'MAIL_FROM'],
    [{ ALLOW_PRIVATE_SMTP_HOSTS: 'yes' }, 'ALLOW_PRIVATE_SMTP_HOSTS'],
    [{ DNS_RESOLVER: '127.0.0.1' }, 'DNS_RESOLVER'],
  ])('names the bad variable %j', (override, name) => {
    expect(() => parseConfig({ ...base, ...override })).toThrow(new RegExp(`Invalid configuration: ${name}`));
  });

  it('names a missing required variable', () => {
    expect(() => parseConfig({ SECRET_KEY: base.SECRET_KEY })).toThrow(/ADMIN_TOKEN/);
  });
});
