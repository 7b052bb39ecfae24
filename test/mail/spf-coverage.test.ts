import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { createNodeResolver } from '../../runtime/dns/node-resolver.ts';
import type { HostResolver } from '../../plugins/mail/smtp-guard.ts';
import { dmarcRecord, inCidr, spfCovers } from '../../plugins/mail/spf-coverage.ts';

// SPF and DMARC as a receiver would read them, asked of a real DNS server on
// loopback through the same resolver the app uses.

describe('SPF coverage of a mail server', () => {
  let dns: TestDnsServer;
  let resolver: HostResolver;
  const SERVER = ['192.0.2.25'];

  beforeAll(async () => {
    const loop: Record<string, { TXT: string[][] }> = {};
    // A chain of includes longer than SPF's 10-lookup limit.
    for (let i = 0; i < 12; i++) loop[`hop${i}.test`] = { TXT: [[`v=spf1 include:hop${i + 1}.test -all`]] };
    dns = await startDnsServer({
      'listed.test': { TXT: [['v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.0/24 -all']] },
      'split.test': { TXT: [['v=spf1 ip4:198.51.100.7 ', 'include:provider.test ~all'], ['google-site-verification=abc']] },
      'provider.test': { TXT: [['v=spf1 ip4:192.0.2.16/28 -all']] },
      'unlisted.test': { TXT: [['v=spf1 ip4:198.51.100.7 -all']] },
      'by-a.test': { TXT: [['v=spf1 a:mail.by-a.test -all']] },
      'mail.by-a.test': { A: ['192.0.2.25'] },
      'redirected.test': { TXT: [['v=spf1 redirect=provider.test']] },
      'uses-mx.test': { TXT: [['v=spf1 mx -all']] },
      'v6.test': { TXT: [['v=spf1 ip6:2001:db8::/32 -all']] },
      'two.test': { TXT: [['v=spf1 -all'], ['v=spf1 +all']] },
      'nothing.test': { TXT: [['some-other-record']] },
      ...loop,
      '_dmarc.listed.test': { TXT: [['v=DMARC1; p=reject']] },
      '_dmarc.parent.test': { TXT: [['v=DMARC1; p=none']] },
    });
    resolver = createNodeResolver({ server: dns.server });
  });
  afterAll(() => dns?.close());

  it('passes an address inside a listed network, also through an include split over character-strings', async () => {
    expect(await spfCovers(resolver, 'listed.test', SERVER)).toEqual({ result: 'pass', mechanism: 'ip4:192.0.2.0/24' });
    expect(await spfCovers(resolver, 'split.test', SERVER)).toEqual({ result: 'pass', mechanism: 'include:provider.test' });
    expect(await spfCovers(resolver, 'by-a.test', SERVER)).toEqual({ result: 'pass', mechanism: 'a:mail.by-a.test' });
    expect(await spfCovers(resolver, 'redirected.test', SERVER)).toEqual({ result: 'pass', mechanism: 'ip4:192.0.2.16/28' });
    expect(await spfCovers(resolver, 'v6.test', ['2001:db8:1::25'])).toEqual({ result: 'pass', mechanism: 'ip6:2001:db8::/32' });
  });

  it('fails a server the record does not list, and says none when there is no record', async () => {
    expect(await spfCovers(resolver, 'unlisted.test', SERVER)).toEqual({ result: 'fail' });
    expect(await spfCovers(resolver, 'v6.test', SERVER)).toEqual({ result: 'fail' });
    expect(await spfCovers(resolver, 'nothing.test', SERVER)).toEqual({ result: 'none' });
    expect(await spfCovers(resolver, 'absent.test', SERVER)).toEqual({ result: 'none' });
  });

  it('answers unknown rather than guess: mx, two records, and more than 10 lookups', async () => {
    expect((await spfCovers(resolver, 'uses-mx.test', SERVER)).result).toBe('unknown');
    expect(await spfCovers(resolver, 'two.test', SERVER)).toMatchObject({ result: 'unknown', why: expect.stringContaining('more than one SPF record') });
    expect(await spfCovers(resolver, 'hop0.test', SERVER)).toEqual({ result: 'unknown', why: 'the SPF record needs more than 10 DNS lookups' });
  });

  it('finds DMARC at the domain or its parent', async () => {
    expect(await dmarcRecord(resolver, 'listed.test')).toBe('v=DMARC1; p=reject');
    expect(await dmarcRecord(resolver, 'mail.parent.test')).toBe('v=DMARC1; p=none');
    expect(await dmarcRecord(resolver, 'unlisted.test')).toBeNull();
  });

  it('matches CIDR ranges of both families and never across them', () => {
    expect(inCidr('10.1.2.3', '10.0.0.0', '8')).toBe(true);
    expect(inCidr('11.1.2.3', '10.0.0.0', '8')).toBe(false);
    expect(inCidr('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(inCidr('::ffff:10.1.2.3', '::ffff:10.0.0.0', '104')).toBe(true);
    expect(inCidr('2001:db8::1', '2001:db8::', '64')).toBe(true);
    expect(inCidr('2001:db9::1', '2001:db8::', '32')).toBe(false);
    expect(inCidr('10.1.2.3', '2001:db8::', '0')).toBe(false);
    expect(inCidr('10.1.2.3', '10.0.0.0', '33')).toBe(false);
    expect(inCidr('999.1.2.3', '10.0.0.0', '8')).toBe(false);
  });
});
