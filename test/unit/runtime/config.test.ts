import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../../runtime/config.ts';

const base = { ADMIN_TOKEN: 'a'.repeat(20), SECRET_KEY: 'b'.repeat(43) };

function problems(env: Record<string, string>, context = {}): string {
  try {
    parseConfig(env, context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('parseConfig accepted the configuration');
}

describe('configuration', () => {
  it('fills defaults', () => {
    const c = parseConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('sqlite:./data/advocate.db');
    expect(c.SMTP_PORTS).toEqual([25, 465, 587, 2525]);
    expect(c.ALLOW_PRIVATE_SMTP_HOSTS).toBe(false);
    expect(c.MAIL_CAPTURE).toBe(false);
    expect(c.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    expect(c.METRICS_TOKEN).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ SECRET_KEY: 'not-32-bytes' }, 'SECRET_KEY'],
    [{ MAIL_FROM: 'a@b.c, d@e.f' }, 'MAIL_FROM'],
    [{ ALLOW_PRIVATE_SMTP_HOSTS: 'yes' }, 'ALLOW_PRIVATE_SMTP_HOSTS'],
    [{ DNS_RESOLVER: '127.0.0.1' }, 'DNS_RESOLVER'],
    [{ SHUTDOWN_TIMEOUT_MS: '-1' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
  ])('names the bad variable %j', (override, name) => {
    expect(problems({ ...base, ...override })).toMatch(new RegExp(`^  - ${name} `, 'm'));
  });

  it('lists every problem at once, in plain words, each with how to fix it', () => {
    const message = problems({ PORT: 'eighty', ALLOW_PRIVATE_SMTP_HOSTS: 'yes' });
    expect(message.split('\n')).toEqual([
      'Invalid configuration (4 problems):',
      '  - PORT must be a whole number — set it to a port number, e.g. PORT=3000',
      '  - ADMIN_TOKEN is missing — set it to a long random string; `npx advocate-rules secret-key` prints one',
      '  - SECRET_KEY is missing — run `npx advocate-rules secret-key` and set SECRET_KEY to what it prints (keep it: it opens the secrets already stored)',
      '  - ALLOW_PRIVATE_SMTP_HOSTS must be true or false',
    ]);
    expect(message).not.toMatch(/Invalid key|Expected|received/);
  });

  describe('mail capture', () => {
    const postgres = { ...base, DATABASE_URL: 'postgres://app@db:5432/advocate' };

    it('is the default on local SQLite only', () => {
      expect(parseConfig(base).BUILTIN_SMTP_URL).toBeUndefined();
      expect(problems(postgres)).toMatch(/^  - BUILTIN_SMTP_URL is missing — .*MAIL_CAPTURE=true/m);
      expect(problems({ ...base, DATABASE_URL: 'd1:DB' })).toMatch(/BUILTIN_SMTP_URL is missing/);
    });

    it('runs elsewhere only when asked for, or with a relay or a mail binding', () => {
      expect(parseConfig({ ...postgres, MAIL_CAPTURE: 'true' }).MAIL_CAPTURE).toBe(true);
      expect(problems({ ...postgres, MAIL_CAPTURE: 'false' })).toMatch(/BUILTIN_SMTP_URL is missing/);
      expect(parseConfig({ ...postgres, BUILTIN_SMTP_URL: 'smtps://u:p@smtp.example.com:465' }).BUILTIN_SMTP_URL).toBeDefined();
      expect(parseConfig({ ...base, DATABASE_URL: 'd1:DB' }, { hasMailBinding: true }).DATABASE_URL).toBe('d1:DB');
    });

    it('is listed with the other problems', () => {
      expect(problems({ DATABASE_URL: 'postgres://app@db/advocate' })).toMatch(/^Invalid configuration \(3 problems\)/);
    });
  });
});
