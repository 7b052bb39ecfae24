import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';

// An operator running the service next to their own relay names it the way
// their machine does (`localhost`, a hosts-file entry). With
// ALLOW_PRIVATE_SMTP_HOSTS that connects; without it the name is refused for
// the address it stands for, like the address itself.

describe.each(DIALECTS)('Connect to a name only this machine knows on %s', (dialect) => {
  let dns: TestDnsServer;
  let server: TestSmtpServer;
  const harnesses: Harness[] = [];
  const harness = async (allowPrivate: boolean) => {
    const h = await createHarness(dialect, { env: { ALLOW_PRIVATE_SMTP_HOSTS: String(allowPrivate), SMTP_PORTS: String(server.port), DNS_RESOLVER: dns.server } });
    harnesses.push(h);
    return h;
  };

  beforeAll(async () => {
    dns = await startDnsServer({}); // knows none of these names, as public DNS would not
    server = await startSmtpServer({ mode: 'plain' });
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await server?.close();
    await dns?.close();
  });

  it('connects localhost with ALLOW_PRIVATE_SMTP_HOSTS and sends through it', async () => {
    const h = await harness(true);
    const { apiKey: token } = await h.tenant('Local');
    const res = await h.request('PUT', '/v1/settings/email/smtp', { token, body: { host: 'localhost', port: server.port, security: 'none' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await h.request('GET', '/v1/settings/email', { token })).body.smtp).toMatchObject({ host: 'localhost', status: 'connected' });
  });

  it('refuses localhost without it, as a private address', async () => {
    const h = await harness(false);
    const { apiKey: token } = await h.tenant('Local');
    const res = await h.request('PUT', '/v1/settings/email/smtp', { token, body: { host: 'localhost', port: server.port, security: 'none' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('smtp_refused');
    expect(res.body.error.details).toEqual([{ pointer: '/host', message: expect.stringMatching(/private, internal or reserved/) }]);
  });
});
