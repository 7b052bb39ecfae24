import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimRecords, generateDkimKeyPair, verifyDkimRecord, type DkimKeyPair } from '../../plugins/mail/dkim.ts';
import type { HostResolver } from '../../plugins/mail/smtp-guard.ts';
import { createSmtpTransport } from '../../plugins/mail/transports/smtp-transport.ts';
import { createNodeResolver } from '../../runtime/dns/node-resolver.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';

let keys: DkimKeyPair;
let otherKeys: DkimKeyPair;
let dns: TestDnsServer;
let resolver: HostResolver;
let smtp: TestSmtpServer;

/** What a DNS panel publishes for a long value: character-strings of at most 255 bytes. */
const asTxt = (value: string) => value.match(/.{1,255}/g)!;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([generateDkimKeyPair(), generateDkimKeyPair()]);
  const published = dkimRecords('acme.example', 'adv1', keys.publicKeyBase64, 'spf.advocate.example');
  dns = await startDnsServer({
    'adv1._domainkey.acme.example': { TXT: [asTxt(published[0].value)] },
    'spaced._domainkey.acme.example': { TXT: [['v=DKIM1; k=rsa; p=' + keys.publicKeyBase64.slice(0, 200), ' ' + keys.publicKeyBase64.slice(200)]] },
    'old._domainkey.acme.example': { TXT: [asTxt(`v=DKIM1; k=rsa; p=${otherKeys.publicKeyBase64}`)] },
    'spf-only._domainkey.acme.example': { TXT: [['v=spf1 -all']] },
  });
  resolver = createNodeResolver({ server: dns.server });
  smtp = await startSmtpServer({ mode: 'plain' });
}, 60_000);

afterAll(async () => {
  await Promise.all([dns.close(), smtp.close()]);
});

describe('generateDkimKeyPair', () => {
  it('makes a 2048-bit RSA key pair in PKCS#8 PEM and SPKI base64', async () => {
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END PRIVATE KEY-----\n$/);
    const publicKey = await crypto.subtle.importKey(
      'spki',
      Uint8Array.from(atob(keys.publicKeyBase64), (c) => c.charCodeAt(0)),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    );
    expect((publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(2048);
    expect(keys.publicKeyBase64).not.toBe(otherKeys.publicKeyBase64);
  });
});

describe('dkimRecords', () => {
  it('lists the DKIM key, the SPF include and a DMARC starting point', () => {
    const records = dkimRecords('Acme.Example', 'adv1', keys.publicKeyBase64, 'spf.advocate.example');
    expect(records.map(({ type, name, purpose }) => ({ type, name, purpose }))).toEqual([
      { type: 'TXT', name: 'adv1._domainkey.acme.example', purpose: 'dkim' },
      { type: 'TXT', name: 'acme.example', purpose: 'spf' },
      { type: 'TXT', name: '_dmarc.acme.example', purpose: 'dmarc' },
    ]);
    expect(records[0].value).toBe(`v=DKIM1; k=rsa; p=${keys.publicKeyBase64}`);
    expect(records[1].value).toBe('v=spf1 include:spf.advocate.example ~all');
    expect(records[2].value).toMatch(/^v=DMARC1; p=none/);
  });

  it('leaves SPF out when there is nothing to include', () => {
    expect(dkimRecords('acme.example', 'adv1', keys.publicKeyBase64).map((r) => r.purpose)).toEqual(['dkim', 'dmarc']);
  });

  it('refuses names that would not be a plain DNS name', () => {
    expect(() => dkimRecords('acme.example\nevil', 'adv1', keys.publicKeyBase64)).toThrow();
    expect(() => dkimRecords('acme.example', 'adv1;x', keys.publicKeyBase64)).toThrow();
    expect(() => dkimRecords('localhost', 'adv1', keys.publicKeyBase64)).toThrow();
    expect(() => dkimRecords('acme.example', 'adv1', 'not base64!')).toThrow();
  });
});

describe('verifyDkimRecord', () => {
  it('matches a record split over several strings', async () => {
    await expect(verifyDkimRecord(resolver, 'acme.example', 'adv1', keys.publicKeyBase64)).resolves.toEqual({ ok: true });
  });

  it('ignores the whitespace a DNS panel adds inside p=', async () => {
    await expect(verifyDkimRecord(resolver, 'acme.example', 'spaced', keys.publicKeyBase64)).resolves.toEqual({ ok: true });
  });

  it('reports a different key', async () => {
    await expect(verifyDkimRecord(resolver, 'acme.example', 'old', keys.publicKeyBase64)).resolves.toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('reports a missing record, and a TXT record that is not DKIM', async () => {
    await expect(verifyDkimRecord(resolver, 'acme.example', 'nope', keys.publicKeyBase64)).resolves.toMatchObject({ ok: false, reason: 'not_found' });
    await expect(verifyDkimRecord(resolver, 'acme.example', 'spf-only', keys.publicKeyBase64)).resolves.toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('reports a failed lookup separately from a missing record', async () => {
    const dead = await startDnsServer({});
    await dead.close();
    const deadResolver = createNodeResolver({ server: dead.server, timeoutMs: 200 });
    await expect(verifyDkimRecord(deadResolver, 'acme.example', 'adv1', keys.publicKeyBase64)).resolves.toMatchObject({ ok: false, reason: 'lookup_failed' });
  });
});

describe('DKIM-signed delivery', () => {
  const mailauthResolver = async (name: string, rrtype: string) => {
    if (rrtype !== 'TXT') throw Object.assign(new Error(`no ${rrtype}`), { code: 'ENOTFOUND' });
    const records = await resolver.resolveTxt(name);
    if (records.length === 0) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return records;
  };

  async function sendSigned(selector: string, privateKey: string): Promise<string> {
    const transport = createSmtpTransport({
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      checked: { address: '127.0.0.1', servername: '127.0.0.1' },
    });
    const before = smtp.messages.length;
    await transport.send({
      from: { name: 'Acme Rewards', address: 'rewards@acme.example' },
      to: 'ana@example.com',
      subject: 'Your reward',
      html: '<p>Here is <b>20%</b> off.</p>',
      text: 'Here is 20% off.',
      messageId: `<dkim-${selector}@acme.example>`,
      dkim: { domainName: 'acme.example', keySelector: selector, privateKey },
    });
    await transport.close();
    return smtp.messages[before].raw;
  }

  it('verifies with mailauth against the published record', async () => {
    const raw = await sendSigned('adv1', keys.privateKeyPem);
    expect(raw).toMatch(/^DKIM-Signature: /m);
    const { results } = await dkimVerify(Buffer.from(raw), { resolver: mailauthResolver });
    expect(results).toHaveLength(1);
    expect(results[0].signingDomain).toBe('acme.example');
    expect(results[0].selector).toBe('adv1');
    expect(results[0].status.result).toBe('pass');
  });

  it('fails verification when the body is changed in transit', async () => {
    const raw = await sendSigned('adv1', keys.privateKeyPem);
    const { results } = await dkimVerify(Buffer.from(raw.replace('20% off', '90% off')), { resolver: mailauthResolver });
    expect(results[0].status.result).not.toBe('pass');
  });

  it('fails verification when the record holds another key', async () => {
    const raw = await sendSigned('old', keys.privateKeyPem);
    const { results } = await dkimVerify(Buffer.from(raw), { resolver: mailauthResolver });
    expect(results[0].status.result).toBe('fail');
  });
});
