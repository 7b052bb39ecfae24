import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSmtpTarget, classifyAddress, SmtpTargetRefusedError, type HostResolver } from '../../plugins/mail/smtp-guard.ts';
import { createNodeResolver } from '../../runtime/dns/node-resolver.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';

let dns: TestDnsServer;
let resolver: HostResolver;

beforeAll(async () => {
  dns = await startDnsServer({
    'smtp.example.test': { A: ['93.184.216.34'], AAAA: ['2606:2800:220:1:248:1893:25c8:1946'] },
    'v6only.example.test': { AAAA: ['2a00:1450:4001:80b::201a'] },
    'loopback.example.test': { A: ['127.0.0.1'] },
    'ten.example.test': { A: ['10.1.2.3'] },
    'metadata.example.test': { A: ['169.254.169.254'] },
    'mixed.example.test': { A: ['93.184.216.34', '192.168.1.10'] },
    'ula.example.test': { AAAA: ['fd12:3456::1'] },
    'mapped.example.test': { AAAA: ['::ffff:7f00:1'] },
    'localhost': { A: ['127.0.0.1'] },
  });
  resolver = createNodeResolver({ server: dns.server });
});
afterAll(() => dns.close());

const check = (host: string, port = 587, allowPrivate = false) => checkSmtpTarget({ host, port }, { resolver, allowPrivate });

async function refusal(promise: Promise<unknown>): Promise<SmtpTargetRefusedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmtpTargetRefusedError);
  return error as SmtpTargetRefusedError;
}

describe('checkSmtpTarget: literal addresses', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback /8', '127.255.0.9'],
    ['10/8', '10.0.0.1'],
    ['172.16/12 low', '172.16.0.1'],
    ['172.16/12 high', '172.31.255.254'],
    ['192.168/16', '192.168.0.10'],
    ['CGNAT 100.64/10', '100.64.0.1'],
    ['CGNAT 100.64/10 high', '100.127.255.254'],
    ['cloud metadata', '169.254.169.254'],
    ['link-local', '169.254.1.1'],
    ['unspecified', '0.0.0.0'],
    ['this-network', '0.1.2.3'],
    ['broadcast', '255.255.255.255'],
    ['reserved 240/4', '240.0.0.1'],
    ['multicast', '224.0.0.251'],
    ['TEST-NET-1', '192.0.2.10'],
    ['TEST-NET-2', '198.51.100.10'],
    ['TEST-NET-3', '203.0.113.10'],
    ['benchmarking', '198.18.0.1'],
    ['IETF protocol assignments', '192.0.0.8'],
    ['Alibaba metadata inside CGNAT', '100.100.100.200'],
    ['IPv6 loopback', '::1'],
    ['IPv6 loopback bracketed', '[::1]'],
    ['IPv6 unspecified', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local upper bound', 'febf::1'],
    ['IPv6 unique-local fc00', 'fc00::1'],
    ['IPv6 unique-local fd', 'fd00::1'],
    ['AWS metadata over IPv6', 'fd00:ec2::254'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv6 site-local', 'fec0::1'],
    ['documentation 2001:db8::/32', '2001:db8::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback in hex', '::ffff:7f00:1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-mapped private, spelled out', '0:0:0:0:0:ffff:10.0.0.1'],
    ['IPv4-compatible', '::127.0.0.1'],
    ['IPv4-compatible public (deprecated form)', '::8.8.8.8'],
    ['NAT64 of loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 of metadata', '64:ff9b::a9fe:a9fe'],
    ['6to4 of private', '2002:c0a8:0101::1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['discard-only', '100::1'],
  ])('refuses %s (%s)', async (_label, host) => {
    const error = await refusal(check(host));
    expect(error.code).toBe('smtp_host_refused');
    expect(error.reason).toBe('blocked_address');
    expect(error.status).toBe(422);
  });

  it.each([
    ['decimal', '2130706433'],
    ['hex', '0x7f.0.0.1'],
    ['short', '127.1'],
    ['octal', '0177.0.0.1'],
  ])('refuses the %s spelling of loopback', async (_label, host) => {
    const error = await refusal(check(host));
    expect(error.code).toBe('smtp_host_refused');
  });

  it('lets public addresses through unchanged, with the literal as the TLS name', async () => {
    await expect(check('93.184.216.34')).resolves.toEqual({ address: '93.184.216.34', servername: '93.184.216.34' });
    await expect(check('2606:4700::6810:84e5')).resolves.toEqual({ address: '2606:4700::6810:84e5', servername: '2606:4700::6810:84e5' });
    await expect(check('64:ff9b::5db8:d822')).resolves.toMatchObject({ address: '64:ff9b::5db8:d822' });
    await expect(check('2002:5db8:d822::1')).resolves.toMatchObject({ address: '2002:5db8:d822::1' });
  });

  it('dials an IPv4-mapped public address as plain IPv4', async () => {
    await expect(check('::ffff:93.184.216.34')).resolves.toMatchObject({ address: '93.184.216.34' });
  });

  it('lets loopback and private ranges through only with allowPrivate', async () => {
    await expect(check('127.0.0.1', 587, true)).resolves.toEqual({ address: '127.0.0.1', servername: '127.0.0.1' });
    await expect(check('::1', 587, true)).resolves.toMatchObject({ address: '::1' });
    await expect(check('192.168.1.5', 25, true)).resolves.toMatchObject({ address: '192.168.1.5' });
    await expect(check('fd12::1', 25, true)).resolves.toMatchObject({ address: 'fd12::1' });
  });

  it('keeps link-local, metadata and reserved ranges closed even with allowPrivate', async () => {
    for (const host of ['169.254.169.254', '100.100.100.200', 'fe80::1', 'fd00:ec2::254', '0.0.0.0', '255.255.255.255', '224.0.0.1', '::']) {
      const error = await refusal(check(host, 587, true));
      expect(error.reason).toBe('blocked_address');
    }
  });
});

describe('checkSmtpTarget: names', () => {
  it('resolves a public name and keeps the name for TLS', async () => {
    await expect(check('smtp.example.test')).resolves.toEqual({ address: '93.184.216.34', servername: 'smtp.example.test' });
    await expect(check('SMTP.Example.Test.')).resolves.toEqual({ address: '93.184.216.34', servername: 'smtp.example.test' });
    await expect(check('v6only.example.test')).resolves.toEqual({ address: '2a00:1450:4001:80b::201a', servername: 'v6only.example.test' });
  });

  it.each(['loopback.example.test', 'ten.example.test', 'metadata.example.test', 'ula.example.test', 'mapped.example.test'])(
    'refuses %s, which resolves to an internal address',
    async (host) => {
      const error = await refusal(check(host));
      expect(error.reason).toBe('blocked_address');
      expect(error.message).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    },
  );

  it('refuses a name when any one of its addresses is internal', async () => {
    expect((await refusal(check('mixed.example.test'))).reason).toBe('blocked_address');
  });

  it('refuses localhost without asking DNS, and resolves it with allowPrivate', async () => {
    expect((await refusal(check('localhost'))).reason).toBe('blocked_address');
    expect((await refusal(check('mail.localhost'))).reason).toBe('blocked_address');
    await expect(check('localhost', 587, true)).resolves.toEqual({ address: '127.0.0.1', servername: 'localhost' });
  });

  it('refuses names that do not resolve', async () => {
    const error = await refusal(check('nowhere.example.test'));
    expect(error.code).toBe('smtp_host_refused');
    expect(error.reason).toBe('unresolvable');
  });

  it.each(['', ' ', 'user@smtp.example.test', 'smtp.example.test/x', 'smtp example.test', 'a..b', '-bad.example.test', 'smtp.example.test:25', 'fe80::1%eth0', '1.2.3.4.5'])(
    'refuses the malformed host %j',
    async (host) => {
      const error = await refusal(check(host));
      expect(error.code).toBe('smtp_host_refused');
      expect(error.reason).toBe('invalid_host');
    },
  );
});

describe('checkSmtpTarget: names only the machine knows (hosts file, localhost)', () => {
  // A DNS server that knows none of them, as a real one would not.
  let empty: TestDnsServer;
  let local: HostResolver;
  // A name of this machine's hosts file other than localhost (containers list their host name there).
  const hostsName = readFileSync('/etc/hosts', 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter(([ip, ...names]) => (ip === '127.0.0.1' || ip === '::1') && names.length > 0)
    .flatMap(([, ...names]) => names)
    .find((name) => name !== 'localhost' && !name.endsWith('.localhost') && /^[a-z0-9.-]+$/i.test(name));
  beforeAll(async () => {
    empty = await startDnsServer({});
    local = createNodeResolver({ server: empty.server });
  });
  afterAll(() => empty.close());

  it.each(['localhost', hostsName ?? 'localhost'])('connects %s with allowPrivate, and refuses it like its address without', async (name) => {
    const checked = await checkSmtpTarget({ host: name, port: 587 }, { resolver: local, allowPrivate: true });
    expect(checked.servername).toBe(name);
    expect(['127.0.0.1', '::1']).toContain(checked.address);
    const error = await refusal(checkSmtpTarget({ host: name, port: 587 }, { resolver: local }));
    expect(error.reason).toBe('blocked_address');
  });

  it('still refuses a name neither DNS nor the machine knows', async () => {
    expect((await refusal(checkSmtpTarget({ host: 'nowhere.invalid', port: 587 }, { resolver: local, allowPrivate: true }))).reason).toBe('unresolvable');
  });
});

describe('checkSmtpTarget: ports', () => {
  it.each([25, 465, 587, 2525])('allows port %i', async (port) => {
    await expect(check('93.184.216.34', port)).resolves.toMatchObject({ address: '93.184.216.34' });
  });

  it.each([22, 80, 443, 3306, 6379, 0, 65536, 587.5, Number.NaN])('refuses port %s', async (port) => {
    const error = await refusal(check('93.184.216.34', port));
    expect(error.code).toBe('smtp_port_refused');
    expect(error.status).toBe(422);
  });

  it('checks the port before touching DNS', async () => {
    const error = await refusal(check('nowhere.example.test', 8080));
    expect(error.code).toBe('smtp_port_refused');
  });

  it('accepts a widened list', async () => {
    await expect(checkSmtpTarget({ host: '93.184.216.34', port: 10025 }, { resolver, allowedPorts: [587, 10025] })).resolves.toMatchObject({ address: '93.184.216.34' });
    const error = await refusal(checkSmtpTarget({ host: '93.184.216.34', port: 25 }, { resolver, allowedPorts: [587, 10025] }));
    expect(error.code).toBe('smtp_port_refused');
  });
});

describe('classifyAddress', () => {
  it('names the class of each range', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('172.15.255.255')).toBe('public');
    expect(classifyAddress('172.32.0.0')).toBe('public');
    expect(classifyAddress('100.63.255.255')).toBe('public');
    expect(classifyAddress('100.128.0.0')).toBe('public');
    expect(classifyAddress('192.169.0.1')).toBe('public');
    expect(classifyAddress('223.255.255.255')).toBe('public');
    expect(classifyAddress('10.0.0.1')).toBe('private');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('169.254.169.254')).toBe('metadata');
    expect(classifyAddress('169.254.0.1')).toBe('link_local');
    expect(classifyAddress('2a00:1450::1')).toBe('public');
    expect(classifyAddress('fc00::')).toBe('private');
    expect(classifyAddress('fe80::')).toBe('link_local');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('1:2:3:4:5:6:7:8')).toBe('reserved');
    expect(classifyAddress('2001:db8:0:0:0:0:0:1')).toBe('reserved');
  });

  it('returns null for text that is not an address', () => {
    for (const text of ['', 'example.com', '1.2.3', '256.1.1.1', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', ':::', '12345::', '::1.2.3']) {
      expect(classifyAddress(text)).toBeNull();
    }
  });
});
