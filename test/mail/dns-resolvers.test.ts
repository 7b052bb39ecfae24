import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSmtpTarget } from '../../plugins/mail/smtp-guard.ts';
import { createDohResolver, parseTxtData } from '../../runtime/dns/doh-resolver.ts';
import { createNodeResolver } from '../../runtime/dns/node-resolver.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';

const longKey = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + 'x'.repeat(300);

describe('node resolver', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer({
      'both.example.test': { A: ['93.184.216.34', '93.184.216.35'], AAAA: ['2606:2800:220:1::1'] },
      'v4.example.test': { A: ['93.184.216.34'] },
      'txt.example.test': { TXT: [['v=spf1 -all'], [longKey.slice(0, 255), longKey.slice(255)]] },
    });
  });
  afterAll(() => dns.close());

  it('asks the configured server for A and AAAA together', async () => {
    const resolver = createNodeResolver({ server: dns.server });
    expect((await resolver.resolveAddresses('both.example.test')).sort()).toEqual(['2606:2800:220:1::1', '93.184.216.34', '93.184.216.35']);
    expect(await resolver.resolveAddresses('v4.example.test')).toEqual(['93.184.216.34']);
  });

  it('returns TXT records as their character-strings', async () => {
    const resolver = createNodeResolver({ server: dns.server });
    expect(await resolver.resolveTxt('txt.example.test')).toEqual([['v=spf1 -all'], [longKey.slice(0, 255), longKey.slice(255)]]);
  });

  it('answers empty for names that do not exist', async () => {
    const resolver = createNodeResolver({ server: dns.server });
    expect(await resolver.resolveAddresses('missing.example.test')).toEqual([]);
    expect(await resolver.resolveTxt('missing.example.test')).toEqual([]);
  });

  it('throws when the server cannot be asked, so the guard refuses instead of guessing', async () => {
    const dead = await startDnsServer({});
    await dead.close();
    const resolver = createNodeResolver({ server: dead.server, timeoutMs: 200 });
    await expect(resolver.resolveAddresses('v4.example.test')).rejects.toThrow();
    await expect(resolver.resolveTxt('txt.example.test')).rejects.toThrow();
    await expect(checkSmtpTarget({ host: 'v4.example.test', port: 587 }, { resolver })).rejects.toMatchObject({ code: 'smtp_host_refused', reason: 'unresolvable' });
  });

  it('takes ip:port, [ipv6]:port or a bare ip, and refuses names', () => {
    expect(() => createNodeResolver({ server: '127.0.0.1:5353' })).not.toThrow();
    expect(() => createNodeResolver({ server: '[::1]:5353' })).not.toThrow();
    expect(() => createNodeResolver({ server: '1.1.1.1' })).not.toThrow();
    expect(() => createNodeResolver({ server: 'dns.example.test:53' })).toThrow(/DNS_RESOLVER/);
    expect(() => createNodeResolver({ server: '127.0.0.1:99999' })).toThrow(/DNS_RESOLVER/);
  });
});

describe('DNS-over-HTTPS resolver', () => {
  let server: http.Server;
  let endpoint: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // Answers in the shapes real DoH JSON services use: a CNAME before the
    // address, TXT in zone-file quoting (Cloudflare) or bare (Google).
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://doh.test');
      requests.push(`${req.headers.accept} ${url.searchParams.get('name')} ${url.searchParams.get('type')}`);
      const name = url.searchParams.get('name');
      const type = Number(url.searchParams.get('type'));
      const reply = (body: object, status = 200) => {
        res.writeHead(status, { 'content-type': 'application/dns-json' });
        res.end(JSON.stringify(body));
      };
      if (name === 'broken.example.test') return reply({ Status: 2 });
      if (name === 'http-error.example.test') return reply({}, 500);
      if (name === 'www.example.test' && type === 1) {
        return reply({
          Status: 0,
          Answer: [
            { name: 'www.example.test', type: 5, TTL: 60, data: 'edge.example.test.' },
            { name: 'edge.example.test', type: 1, TTL: 60, data: '93.184.216.34' },
          ],
        });
      }
      if (name === 'www.example.test' && type === 28) return reply({ Status: 0, Answer: [{ name, type: 28, TTL: 60, data: '2606:2800:220:1::1' }] });
      if (name === 'dkim.example.test' && type === 16) {
        return reply({
          Status: 0,
          Answer: [
            { name, type: 16, TTL: 60, data: `"v=DKIM1; k=rsa; p=${longKey.slice(0, 200)}" "${longKey.slice(200)}"` },
            { name, type: 16, TTL: 60, data: 'v=spf1 include:spf.example.test ~all' },
          ],
        });
      }
      reply({ Status: 3 });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('resolves addresses through CNAMEs and asks with the dns-json media type', async () => {
    const resolver = createDohResolver({ endpoint });
    expect((await resolver.resolveAddresses('www.example.test')).sort()).toEqual(['2606:2800:220:1::1', '93.184.216.34']);
    expect(requests).toContain('application/dns-json www.example.test 1');
    expect(requests).toContain('application/dns-json www.example.test 28');
  });

  it('reads quoted and bare TXT data into character-strings', async () => {
    const resolver = createDohResolver({ endpoint });
    expect(await resolver.resolveTxt('dkim.example.test')).toEqual([
      [`v=DKIM1; k=rsa; p=${longKey.slice(0, 200)}`, longKey.slice(200)],
      ['v=spf1 include:spf.example.test ~all'],
    ]);
  });

  it('answers empty for NXDOMAIN and throws on server failures', async () => {
    const resolver = createDohResolver({ endpoint });
    expect(await resolver.resolveAddresses('missing.example.test')).toEqual([]);
    expect(await resolver.resolveTxt('missing.example.test')).toEqual([]);
    await expect(resolver.resolveAddresses('broken.example.test')).rejects.toThrow(/rcode 2/);
    await expect(resolver.resolveTxt('http-error.example.test')).rejects.toThrow(/HTTP 500/);
  });

  it('feeds the SMTP guard like any resolver', async () => {
    const resolver = createDohResolver({ endpoint });
    await expect(checkSmtpTarget({ host: 'www.example.test', port: 465 }, { resolver })).resolves.toEqual({
      address: '93.184.216.34',
      servername: 'www.example.test',
    });
  });

  it('unescapes zone-file TXT text', () => {
    expect(parseTxtData('"a \\"quoted\\" word" "semi\\059colon"')).toEqual(['a "quoted" word', 'semi;colon']);
    expect(parseTxtData('plain text')).toEqual(['plain text']);
  });
});
