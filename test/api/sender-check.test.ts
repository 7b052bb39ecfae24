import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';

// GET /v1/settings/email/smtp/sender-check: the From every email through the
// tenant's server carries, and whether its domain lets that server send,
// asked of a real DNS server on loopback through the configured resolver.

describe.each(DIALECTS)('the SMTP sender check on %s', (dialect) => {
  let h: Harness;
  let smtp: TestSmtpServer;
  let dns: TestDnsServer;

  beforeAll(async () => {
    smtp = await startSmtpServer({ mode: 'plain' });
    dns = await startDnsServer({
      'relay.acme.test': { A: ['127.0.0.1'] },
      'acme.test': { TXT: [['v=spf1 include:_spf.acme.test ~all']] },
      '_spf.acme.test': { TXT: [['v=spf1 a:relay.acme.test -all']] },
      '_dmarc.acme.test': { TXT: [['v=DMARC1; p=reject']] },
      'elsewhere.test': { TXT: [['v=spf1 mx -all']] },
    });
    h = await createHarness(dialect, { env: { ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: String(smtp.port), DNS_RESOLVER: dns.server, MAIL_FROM: 'notifications@operator.test' } });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    await dns?.close();
  });

  const connect = async (token: string, extra: Record<string, unknown>) =>
    expect((await h.request('PUT', '/v1/settings/email/smtp', { token, body: { host: 'relay.acme.test', port: smtp.port, security: 'none', ...extra } })).status).toBe(200);

  it('answers 409 before a server is connected', async () => {
    const { apiKey } = await h.tenant('Nobody');
    const res = await h.request('GET', '/v1/settings/email/smtp/sender-check', { token: apiKey });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it("says when the server would send From the operator's address", async () => {
    const { apiKey } = await h.tenant('No From');
    await connect(apiKey, {});
    const res = await h.request('GET', '/v1/settings/email/smtp/sender-check', { token: apiKey });
    expect(res.body).toMatchObject({ from: 'notifications@operator.test', fromSource: 'operator', spf: 'not_checked', dmarc: 'not_checked' });
    expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual(['operator_from']);
  });

  it('passes a From whose domain lists the server through an include and publishes DMARC', async () => {
    const { apiKey } = await h.tenant('Good');
    await connect(apiKey, { testFromAddress: 'rewards@acme.test' });
    const res = await h.request('GET', '/v1/settings/email/smtp/sender-check', { token: apiKey });
    expect(res.body).toEqual({ from: 'rewards@acme.test', fromSource: 'fromAddress', serverAddresses: ['127.0.0.1'], spf: 'pass', dmarc: 'found', warnings: [] });
  });

  it('warns about a From domain the server cannot be shown to cover', async () => {
    const { apiKey } = await h.tenant('Elsewhere');
    await connect(apiKey, { testFromAddress: 'news@elsewhere.test' });
    const res = await h.request('GET', '/v1/settings/email/smtp/sender-check', { token: apiKey });
    expect(res.body).toMatchObject({ spf: 'unknown', dmarc: 'none' });
    expect(res.body.warnings).toEqual([
      { code: 'spf_unknown', message: 'Could not confirm that the SPF record of elsewhere.test lists relay.acme.test: the SPF record of elsewhere.test uses "mx", which this check does not follow.' },
      { code: 'dmarc_missing', message: 'elsewhere.test publishes no DMARC record (_dmarc.elsewhere.test): large providers file or refuse bulk mail without one.' },
    ]);
  });
});
