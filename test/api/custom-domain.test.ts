import { Resolver } from 'node:dns/promises';
import { checkExchanges } from '../support/openapi-check.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimVerify } from 'mailauth';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startDnsServer, type TestDnsServer, type TestZone } from '../support/dns-server.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { createLogger } from '../../runtime/logger.ts';
import { generateDkimKeyPair } from '../../plugins/mail/dkim.ts';

// A tenant's custom From domain end to end: the records the API hands out, the
// check against a DNS server on loopback, and the built-in sender relaying to
// a loopback SMTP server, where the DKIM signature is checked by an
// independent verifier (mailauth) reading the same zone.

const DOMAIN = 'mail.acme.test';
const FROM = `hello@${DOMAIN}`;
const MAIL_FROM = 'notifications@refer.example.com';
const REPLY_TO = 'support@acme.test';

/** The message's header fields, unfolded, by lower-case name (first occurrence). */
function headersOf(raw: string): Record<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const fields: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    fields[name] ??= line.slice(colon + 1).trim();
  }
  return fields;
}

describe.each(DIALECTS)('custom sending domain on %s', (dialect) => {
  const zone: TestZone = {};
  let dns: TestDnsServer;
  let sink: TestSmtpServer;
  let h: Harness;
  let token: string;
  let tenantId: string;
  let programId: string;
  let selector: string;
  let dkimName: string;
  let events = 0;
  const answers: unknown[] = [];
  const logLines: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await h.request(method, path, { token, body });
    answers.push(res.body);
    return res;
  };
  /** Fires an event whose rule mails p1, delivers it, and returns what the sink received. */
  const mailOnce = async () => {
    const before = sink.messages.length;
    expect((await api('POST', `/v1/programs/${programId}/events`, { id: `e${++events}`, type: 'x', participantId: 'p1' })).status).toBe(201);
    await h.services.dispatcher.drain();
    const got = sink.messages.slice(before);
    expect(got).toHaveLength(1);
    return got[0];
  };
  const resolver = () => {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([dns.server]);
    return (name: string, rrtype: string) => r.resolve(name, rrtype as 'TXT');
  };

  beforeAll(async () => {
    dns = await startDnsServer(zone);
    sink = await startSmtpServer({ mode: 'plain' });
    h = await createHarness(dialect, {
      env: {
        DNS_RESOLVER: dns.server,
        BUILTIN_SMTP_URL: `smtp://127.0.0.1:${sink.port}?starttls=off`,
        MAIL_FROM,
        SPF_INCLUDE: 'spf.refer.example.com',
        MAIL_RATE_PER_SECOND: '1000',
      },
      logger: createLogger((line) => logLines.push(line)),
    });
    ({ id: tenantId, apiKey: token } = await h.tenant('Acme'));
    programId = (await api('POST', '/v1/programs', { name: 'P' })).body.id;
    await api('PUT', `/v1/programs/${programId}/rules`, {
      rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello there' } } } }],
    });
    await api('PUT', '/v1/participants/p1', { email: 'p1@example.com' });
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
    await dns?.close();
  });

  it('refuses a From address outside the domain', async () => {
    const res = await api('PUT', '/v1/settings/email/domain', { domain: DOMAIN, fromAddress: 'hello@elsewhere.test' });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].pointer).toBe('/fromAddress');
  });

  it('answers the DKIM, SPF and DMARC records to publish', async () => {
    const res = await api('PUT', '/v1/settings/email/domain', { domain: DOMAIN, fromAddress: FROM });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('builtin');
    expect(res.body.domain).toMatchObject({ domain: DOMAIN, fromAddress: FROM, status: 'pending', verifiedAt: null });
    selector = res.body.domain.selector;
    dkimName = `${selector}._domainkey.${DOMAIN}`;
    const byPurpose = Object.fromEntries(res.body.domain.records.map((r: { purpose: string }) => [r.purpose, r]));
    expect(byPurpose.dkim).toMatchObject({ type: 'TXT', name: dkimName });
    expect(byPurpose.dkim.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}={0,2}$/);
    expect(byPurpose.spf).toMatchObject({ type: 'TXT', name: DOMAIN, value: 'v=spf1 include:spf.refer.example.com ~all' });
    expect(byPurpose.dmarc).toMatchObject({ type: 'TXT', name: `_dmarc.${DOMAIN}` });
    expect(byPurpose.dmarc.value).toMatch(/^v=DMARC1;/);
  });

  it('fails verification with not_found before the record is published', async () => {
    const res = await api('POST', '/v1/settings/email/domain/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verified: false, reason: 'not_found', settings: { domain: { status: 'failed' } } });
  });

  it('fails verification when the published key is not ours', async () => {
    const stranger = await generateDkimKeyPair();
    zone[dkimName] = { TXT: [`v=DKIM1; k=rsa; p=${stranger.publicKeyBase64}`.match(/.{1,255}/g)!] };
    const res = await api('POST', '/v1/settings/email/domain/verify');
    expect(res.body).toMatchObject({ verified: false, reason: 'mismatch', settings: { domain: { status: 'failed', verifiedAt: null } } });
  });

  it('sends From MAIL_FROM, in the tenant name, with its Reply-To, while the domain is unverified', async () => {
    const replyTo = await api('PUT', '/v1/settings/email/reply-to', { replyTo: REPLY_TO });
    expect(replyTo.body.replyTo).toBe(REPLY_TO);
    const message = await mailOnce();
    const headers = headersOf(message.raw);
    expect(message.from).toBe(MAIL_FROM);
    expect(headers.from).toMatch(/^"?Acme"? <notifications@refer\.example\.com>$/);
    expect(headers['reply-to']).toBe(REPLY_TO);
    expect(headers['dkim-signature']).toBeUndefined();
  });

  it('verifies once the real key is published (split into 255-byte strings, as DNS carries it)', async () => {
    const published = (await api('GET', '/v1/settings/email')).body.domain.records.find((r: { purpose: string }) => r.purpose === 'dkim').value as string;
    zone[dkimName] = { TXT: [published.match(/.{1,255}/g)!] };
    const res = await api('POST', '/v1/settings/email/domain/verify');
    expect(res.body.verified).toBe(true);
    expect(res.body.settings.domain).toMatchObject({ status: 'verified', verifiedAt: h.clock.now().toISOString() });
  });

  it('sends rule emails From the tenant address with a DKIM signature that verifies', async () => {
    const message = await mailOnce();
    const headers = headersOf(message.raw);
    expect(message.from).toBe(FROM);
    expect(headers.from).toMatch(/^"?Acme"? <hello@mail\.acme\.test>$/);
    expect(headers['reply-to']).toBe(REPLY_TO);
    expect(headers['dkim-signature']).toContain(`d=${DOMAIN}`);

    const verdict = await dkimVerify(message.raw, { resolver: resolver() });
    expect(verdict.results).toHaveLength(1);
    expect(verdict.results[0]).toMatchObject({ signingDomain: DOMAIN, selector, status: { result: 'pass', aligned: DOMAIN } });

    // The verifier really checks: a body changed in transit no longer passes
    // (mailauth reports a body-hash mismatch as neutral, per RFC 6376 6.1.3).
    const tampered = message.raw.replace('hello there', 'hello th3re');
    expect(tampered).not.toBe(message.raw);
    const broken = (await dkimVerify(tampered, { resolver: resolver() })).results[0].status;
    expect(broken.result).not.toBe('pass');
    expect(JSON.stringify(broken)).toMatch(/body hash/i);
  });

  it("keeps another tenant on MAIL_FROM: one tenant's verified domain is not another's", async () => {
    const beta = await h.tenant('Beta');
    const pid = (await h.request('POST', '/v1/programs', { token: beta.apiKey, body: { name: 'B' } })).body.id;
    await h.request('PUT', `/v1/programs/${pid}/rules`, {
      token: beta.apiKey,
      body: { rules: [{ name: 'hi', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action' } } }] },
    });
    await h.request('PUT', '/v1/participants/q1', { token: beta.apiKey, body: { email: 'q1@example.com' } });
    const before = sink.messages.length;
    await h.request('POST', `/v1/programs/${pid}/events`, { token: beta.apiKey, body: { id: 'b1', type: 'x', participantId: 'q1' } });
    await h.services.dispatcher.drain();
    const [message] = sink.messages.slice(before);
    const headers = headersOf(message.raw);
    expect(message.from).toBe(MAIL_FROM);
    expect(headers.from).toMatch(/^"?Beta"? <notifications@refer\.example\.com>$/);
    expect(headers['reply-to']).toBeUndefined();
    expect(headers['dkim-signature']).toBeUndefined();
  });

  it('never shows the DKIM private key: not in an API answer, the stored row or the logs', async () => {
    answers.push((await api('GET', '/v1/settings/email')).body);
    const row = await h.services.store.db.selectFrom('email_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    const pem = await h.services.secrets.open(row.dkim_private_sealed!, { tenantId, field: 'dkim_private' });
    const lines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(lines.length).toBeGreaterThan(10);
    const exposed = (text: string) => /PRIVATE KEY/.test(text) || lines.some((l) => text.includes(l));
    expect(answers.filter((a) => exposed(JSON.stringify(a)))).toEqual([]);
    expect(exposed(JSON.stringify(row))).toBe(false);
    const emails = await h.services.store.db.selectFrom('emails').selectAll().execute();
    expect(exposed(JSON.stringify(emails))).toBe(false);
    expect(exposed(logLines.join('\n'))).toBe(false);
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
