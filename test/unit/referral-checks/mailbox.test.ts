import { describe, expect, it } from 'vitest';
import { domainOf, domainSuffixes, normalizeMailbox } from '../../../plugins/referral-checks/mailbox.ts';
import { isDisposableDomain } from '../../../plugins/referral-checks/disposable-domains.ts';
import { decide } from '../../../plugins/referral-checks/decide.ts';
import { formatFlags, parseFlags } from '../../../plugins/referral-checks/flags.ts';

describe('mailbox normalisation', () => {
  it('folds case and drops a +tag everywhere', () => {
    expect(normalizeMailbox('Alice+Promo@Example.COM')).toBe('alice@example.com');
    expect(normalizeMailbox('  bob+a+b@example.org ')).toBe('bob@example.org');
  });

  it('drops dots only at providers that ignore them, onto one canonical domain', () => {
    expect(normalizeMailbox('J.O.H.N.Doe+x@GoogleMail.com')).toBe('johndoe@gmail.com');
    expect(normalizeMailbox('john.doe@gmail.com')).toBe(normalizeMailbox('johndoe@googlemail.com'));
    // Elsewhere a dot is part of the mailbox: two people.
    expect(normalizeMailbox('john.doe@example.com')).not.toBe(normalizeMailbox('johndoe@example.com'));
  });

  it('keeps a quoted local part literally and survives odd input', () => {
    expect(normalizeMailbox('"a+b.c"@Gmail.com')).toBe('"a+b.c"@gmail.com');
    expect(normalizeMailbox('+tag@example.com')).toBe('+tag@example.com');
    expect(normalizeMailbox('no-at-sign')).toBe('no-at-sign');
    expect(normalizeMailbox('a@b@Example.com')).toBe('a@b@example.com');
    expect(normalizeMailbox('trailing@example.com.')).toBe('trailing@example.com');
    const long = `${'x.'.repeat(5000)}@gmail.com`;
    expect(normalizeMailbox(long)).toBe(`${'x'.repeat(5000)}@gmail.com`);
  });

  it('takes the domain after the last @, and a bounded list of parents', () => {
    expect(domainOf('a@B.Example.com')).toBe('b.example.com');
    expect(domainOf('nobody')).toBe('');
    expect(domainSuffixes('a.b.example.com')).toEqual(['a.b.example.com', 'b.example.com', 'example.com']);
    const deep = domainSuffixes(`${'x.'.repeat(1000)}example.com`);
    expect(deep).toHaveLength(5);
    expect(deep[4]).toBe('example.com');
    expect(domainSuffixes('')).toEqual([]);
  });
});

describe('the disposable list', () => {
  it('knows common temporary-mail domains and not ordinary ones', () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('guerrillamail.com')).toBe(true);
    expect(isDisposableDomain('gmail.com')).toBe(false);
    expect(isDisposableDomain('example.com')).toBe(false);
  });
});

describe('deciding', () => {
  const flags = [
    { check: 'rate' as const, detail: 'r' },
    { check: 'blocked' as const, detail: 'b' },
    { check: 'cycle' as const, detail: 'c' },
  ];
  it('takes the strictest outcome and names the first denying check', () => {
    const outcomes = { rate: 'review', blocked: 'deny', cycle: 'deny' } as const;
    const d = decide(flags, (c) => outcomes[c as keyof typeof outcomes]);
    expect(d.outcome).toBe('deny');
    expect(d.deniedBy).toBe('blocked');
    expect(d.review).toEqual([flags[0]]);
  });
  it('allows when every flagged check allows', () => {
    expect(decide(flags, () => 'allow')).toEqual({ flags, outcome: 'allow', review: [] });
    expect(decide([], () => 'deny').outcome).toBe('allow');
  });
  it('reads stored flags defensively', () => {
    expect(parseFlags(null)).toEqual([]);
    expect(parseFlags('not json')).toEqual([]);
    expect(parseFlags('[{"check":"rate","detail":"x"},{"check":"nope","detail":"y"},null]')).toEqual([{ check: 'rate', detail: 'x' }]);
    // One reader for both columns (participants.referral_flags, rewards.review_flags): what the checks write comes back as written.
    const written = [{ check: 'selfReferral', detail: 'the referrer has the same mailbox' }, { check: 'blocked', detail: 'the referrer\'s domain x.test is blocked' }] as const;
    expect(parseFlags(formatFlags(written))).toEqual(written);
    expect(formatFlags([])).toBeNull();
    // A detail that is not text, a check twice, and a list longer than the checks could write are cut.
    expect(parseFlags('[{"check":"rate","detail":{"n":4}},{"check":"cycle","detail":"a"},{"check":"cycle","detail":"b"}]')).toEqual([{ check: 'cycle', detail: 'a' }]);
    const flood = JSON.stringify(Array.from({ length: 10_000 }, () => ({ check: 'rate', detail: 'x' })));
    expect(parseFlags(flood)).toEqual([{ check: 'rate', detail: 'x' }]);
  });
});
