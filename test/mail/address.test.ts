import { describe, expect, it } from 'vitest';
import { isSafeHeaderText, isSingleAddress, parseMailbox } from '../../plugins/mail/address.ts';

describe('parseMailbox', () => {
  it('accepts a bare addr-spec and a named mailbox', () => {
    expect(parseMailbox('ana@example.com')).toEqual({ address: 'ana@example.com' });
    expect(parseMailbox('"Ana Ruiz" <ana@example.com>')).toEqual({ address: 'ana@example.com', name: 'Ana Ruiz' });
    expect(parseMailbox('Ana Ruiz <ana@mail.example.co.uk>')).toEqual({ address: 'ana@mail.example.co.uk', name: 'Ana Ruiz' });
    expect(parseMailbox('  ana@example.com  ')).toEqual({ address: 'ana@example.com' });
  });

  it('keeps a quoted local part quoted so the address still names the same mailbox', () => {
    expect(parseMailbox('"ana ruiz"@example.com')).toEqual({ address: '"ana ruiz"@example.com' });
  });

  it('accepts internationalised addresses', () => {
    expect(parseMailbox('Zoë <zoë@exämple.com>')).toEqual({ address: 'zoë@exämple.com', name: 'Zoë' });
  });

  it.each([
    ['a list', 'a@example.com, b@example.com'],
    ['a list with names', 'A <a@example.com>, B <b@example.com>'],
    ['a group', 'friends: a@example.com, b@example.com;'],
    ['an empty group', 'undisclosed-recipients:;'],
    ['CRLF header injection', 'a@example.com\r\nBcc: victim@example.com'],
    ['a bare LF', 'a@example.com\nBcc: victim@example.com'],
    ['a bare CR', 'a@example.com\rBcc: victim@example.com'],
    ['CRLF in the display name', '"Ana\r\nBcc: victim@example.com" <a@example.com>'],
    ['NUL in the display name', 'Ana\0 <a@example.com>'],
    ['an empty local part', '@example.com'],
    ['an empty quoted local part', '""@example.com'],
    ['a domain without a dot', 'root@localhost'],
    ['a domain literal', 'a@[127.0.0.1]'],
    ['a label starting with a hyphen', 'a@-example.com'],
    ['a trailing dot', 'a@example.com.'],
    ['no address at all', 'Ana Ruiz'],
    ['an empty string', ''],
    ['a dangling bracket', 'a@example.com>'],
    ['an over-long local part', `${'a'.repeat(65)}@example.com`],
  ])('refuses %s', (_label, input) => {
    expect(parseMailbox(input)).toBeNull();
    expect(isSingleAddress(input)).toBe(false);
  });

  // A bare address takes a shortcut past the RFC 5322 parser; padded, the same
  // address goes through the parser, so the two readings must agree.
  it.each([
    'ana@example.com',
    "o'brien+tag=x/y@mail.example.co.uk",
    '{weird}|~#$%&*^`@example.com',
    'a.b.c@example.com',
    'A-Z_0-9@EXAMPLE-1.COM',
    'a..b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a@example..com',
    'a@.example.com',
    'a@example.com.',
    'a@example',
    'a@-example.com',
    'a@example-.com',
    `${'a'.repeat(64)}@example.com`,
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(63)}.com`,
    `a@${'b'.repeat(64)}.com`,
    `a@${Array.from({ length: 70 }, () => 'bcd').join('.')}.com`,
  ])('reads %s as the parser does', (input) => {
    expect(parseMailbox(input)).toEqual(parseMailbox(` ${input} `));
  });

  it('refuses non-strings without throwing', () => {
    expect(parseMailbox(undefined as unknown as string)).toBeNull();
  });
});

describe('isSafeHeaderText', () => {
  it('allows ordinary text and refuses line breaks and NUL', () => {
    expect(isSafeHeaderText('Your reward is ready: 20% off')).toBe(true);
    expect(isSafeHeaderText('Hi\r\nBcc: x@example.com')).toBe(false);
    expect(isSafeHeaderText('Hi\nthere')).toBe(false);
    expect(isSafeHeaderText('Hi\0')).toBe(false);
  });
});
