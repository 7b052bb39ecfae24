import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/app-harness.ts';
import { DIALECTS } from '../support/databases.ts';
import { checkExchanges } from '../support/openapi-check.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';
import { localhostCert } from '../support/certs.ts';
import { createLogger } from '../../runtime/logger.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(DIALECTS)('tenant SMTP integration on %s', (dialect) => {
  let h: Harness;
  let key: string;
  let programId: string;
  let tenantServer: TestSmtpServer;
  let implicitServer: TestSmtpServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    const cert = localhostCert();
    tenantServer = await startSmtpServer({ mode: 'starttls', cert, auth: { username: 'mailer', password: PASSWORD } });
    implicitServer = await startSmtpServer({ mode: 'implicit', cert, auth: { username: 'mailer', password: PASSWORD } });
    h = await createHarness(dialect, {
      env: { ALLOW_PRIVATE_SMTP_HOSTS: 'true', SMTP_PORTS: `${tenantServer.port},${implicitServer.port},587` },
      smtpCa: [cert.cert],
      logger: createLogger((line) => logLines.push(line)),
    });
    key = (await h.tenant('Acme')).apiKey;
    programId = (await h.request('POST', '/v1/programs', { token: key, body: { name: 'P' } })).body.id;
    await h.request('PUT', `/v1/programs/${programId}/rules`, {
      token: key,
      body: { rules: [{ name: 'hello', conditions: { all: [] }, event: { type: 'email', params: { template: 'email-action', data: { message: 'hello there' } } } }] },
    });
    await h.request('PUT', '/v1/participants/p1', { token: key, body: { email: 'p1@example.com' } });
  });
  afterAll(async () => {
    await h.close();
    await tenantServer.close();
    await implicitServer.close();
  });

  const connect = (body: Record<string, unknown>) => h.request('PUT', '/v1/settings/email/smtp', { token: key, body });

  it('refuses a wrong password and stores nothing', async () => {
    const res = await connect({ host: '127.0.0.1', port: tenantServer.port, security: 'tls', username: 'mailer', password: 'wrong' });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe('auth_failed');
    expect((await h.request('GET', '/v1/settings/email', { token: key })).body.mode).toBe('builtin');
  });

  it('says so when SSL is chosen for a STARTTLS port', async () => {
    const res = await connect({ host: '127.0.0.1', port: tenantServer.port, security: 'ssl', username: 'mailer', password: PASSWORD });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe('wrong_security_for_port');
  });

  it('refuses credentials in clear unless acknowledged', async () => {
    const res = await connect({ host: '127.0.0.1', port: tenantServer.port, security: 'none', username: 'mailer', password: PASSWORD });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe('plaintext_credentials_refused');
  });

  it('connects over implicit TLS', async () => {
    const res = await connect({ host: '127.0.0.1', port: implicitServer.port, security: 'ssl', username: 'mailer', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('connected');
  });

  it('connects over STARTTLS, keeps the password sealed and never returns it', async () => {
    const res = await connect({ host: '127.0.0.1', port: tenantServer.port, security: 'tls', username: 'mailer', password: PASSWORD, testFromAddress: 'hello@acme.test' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'connected', mode: 'smtp', smtp: { host: '127.0.0.1', security: 'tls', username: 'mailer', passwordSet: true } });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    const row = await h.services.store.db.selectFrom('email_settings').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
  });

  it('keeps the stored password when a later Connect omits it', async () => {
    const res = await connect({ host: '127.0.0.1', port: tenantServer.port, security: 'tls', username: 'mailer', testFromAddress: 'hello@acme.test' });
    expect(res.status).toBe(200);
    expect(res.body.smtp.passwordSet).toBe(true);
  });

  it('sends a real test email From the test address', async () => {
    const before = tenantServer.messages.length;
    const res = await h.request('POST', '/v1/settings/email/smtp/test', { token: key, body: { to: 'ops@example.com' } });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatch(/^250/);
    const got = tenantServer.messages.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].from).toBe('hello@acme.test');
    expect(got[0].user).toBe('mailer');
    expect(got[0].secure).toBe(true);
    const log = await h.request('GET', '/v1/emails?type=smtp-test', { token: key });
    expect(log.body.emails[0]).toMatchObject({ status: 'sent', to: 'ops@example.com' });
  });

  it('delivers rule emails through the tenant server, not the built-in sender', async () => {
    const before = tenantServer.messages.length;
    const captured = h.capture.messages.length;
    await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'e-smtp', type: 'x', participantId: 'p1' } });
    await h.services.dispatcher.drain();
    const got = tenantServer.messages.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].to).toEqual(['p1@example.com']);
    expect(got[0].raw).toContain('hello there');
    expect(h.capture.messages.length).toBe(captured);
    const email = (await h.request('GET', '/v1/emails?type=email-action', { token: key })).body.emails[0];
    expect(email).toMatchObject({ status: 'sent', sender: 'smtp', attempts: 1 });
    expect(got[0].raw).toContain(`Message-ID: ${email.messageId}`);
  });

  it('returns to the built-in sender after DELETE', async () => {
    expect((await h.request('DELETE', '/v1/settings/email/smtp', { token: key })).body.mode).toBe('builtin');
    const before = tenantServer.messages.length;
    await h.request('POST', `/v1/programs/${programId}/events`, { token: key, body: { id: 'e-builtin', type: 'x', participantId: 'p1' } });
    await h.services.dispatcher.drain();
    expect(tenantServer.messages.length).toBe(before);
    expect(h.capture.messages.at(-1)!.to).toBe('p1@example.com');
  });

  it('never logs the password', () => {
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });
});

describe('SMTP host checks without the operator override', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await createHarness('sqlite');
    key = (await h.tenant()).apiKey;
  });
  afterAll(() => h.close());

  it.each([
    ['127.0.0.1', 587],
    ['localhost', 587],
    ['169.254.169.254', 587],
    ['10.0.0.5', 587],
    ['[::1]', 587],
    ['::ffff:127.0.0.1', 587],
  ])('refuses %s', async (host, port) => {
    const res = await h.request('PUT', '/v1/settings/email/smtp', { token: key, body: { host, port, security: 'tls' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('smtp_refused');
    expect(res.body.error.details[0].pointer).toBe('/host');
  });

  it('refuses ports outside the allowed list', async () => {
    const res = await h.request('PUT', '/v1/settings/email/smtp', { token: key, body: { host: 'smtp.example.com', port: 22, security: 'tls' } });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].pointer).toBe('/port');
  });

  // Runs last: every answer the tests above received is described by the OpenAPI document.
  it('answered only as the OpenAPI document describes', () => {
    expect(checkExchanges(h.recorded)).toEqual([]);
  });
});
