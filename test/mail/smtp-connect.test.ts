import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSmtp } from '../../plugins/mail/smtp-connect.ts';
import type { SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import { createTestCert, localhostCert, type TestCert } from '../support/certs.ts';
import { closedPort, startDroppingServer, startNonSmtpServer, startSmtpServer, type TestSmtpServer } from '../support/smtp-servers.ts';

const auth = { username: 'mailer', password: 'correct horse' };
let cert: TestCert;
let plain: TestSmtpServer;
let plainWithAuth: TestSmtpServer;
let starttls: TestSmtpServer;
let starttlsWithAuth: TestSmtpServer;
let implicit: TestSmtpServer;
let implicitWithAuth: TestSmtpServer;
let strangerCert: TestSmtpServer;
let slow: TestSmtpServer;
let tempAuthFailure: TestSmtpServer;
let noAuth: TestSmtpServer;
let web: TestSmtpServer;
let dropping: TestSmtpServer;
let servers: TestSmtpServer[] = [];

beforeAll(async () => {
  cert = localhostCert();
  servers = [
    (plain = await startSmtpServer({ mode: 'plain' })),
    (plainWithAuth = await startSmtpServer({ mode: 'plain', auth, allowInsecureAuth: true })),
    (starttls = await startSmtpServer({ mode: 'starttls' })),
    (starttlsWithAuth = await startSmtpServer({ mode: 'starttls', auth })),
    (implicit = await startSmtpServer({ mode: 'implicit' })),
    (implicitWithAuth = await startSmtpServer({ mode: 'implicit', auth })),
    (strangerCert = await startSmtpServer({ mode: 'implicit', cert: createTestCert() })),
    (slow = await startSmtpServer({ mode: 'plain', greetingDelayMs: 3_000 })),
    (tempAuthFailure = await startSmtpServer({ mode: 'plain', auth, reply: { at: 'auth', code: 454, message: 'Temporary authentication failure' } })),
    (dropping = await startDroppingServer('connect')),
    (noAuth = await startSmtpServer({ mode: 'starttls', disableAuth: true })),
    (web = await startNonSmtpServer()),
  ];
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Settings for a loopback server, trusting the test certificate the way an operator adds a CA. */
function settings(port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: 'localhost',
    port,
    security,
    checked: { address: '127.0.0.1', servername: 'localhost' },
    tlsTrust: { ca: cert.cert },
    timeouts: { connectionMs: 2_000, greetingMs: 700, socketMs: 2_000 },
    ...extra,
  };
}

describe('connectSmtp succeeds', () => {
  it('in plain mode', async () => {
    await expect(connectSmtp(settings(plain.port, 'none'))).resolves.toEqual({ ok: true });
  });

  it('in plain mode with credentials when plaintext auth is allowed explicitly', async () => {
    await expect(connectSmtp(settings(plainWithAuth.port, 'none', { ...auth, allowPlaintextAuth: true }))).resolves.toEqual({ ok: true });
  });

  it('with STARTTLS', async () => {
    await expect(connectSmtp(settings(starttls.port, 'tls'))).resolves.toEqual({ ok: true });
  });

  it('with STARTTLS and a login', async () => {
    await expect(connectSmtp(settings(starttlsWithAuth.port, 'tls', auth))).resolves.toEqual({ ok: true });
  });

  it('with implicit TLS', async () => {
    await expect(connectSmtp(settings(implicit.port, 'ssl'))).resolves.toEqual({ ok: true });
  });

  it('with implicit TLS and a login', async () => {
    await expect(connectSmtp(settings(implicitWithAuth.port, 'ssl', auth))).resolves.toEqual({ ok: true });
  });

  it('against the IP literal named in the certificate', async () => {
    const result = await connectSmtp(settings(implicit.port, 'ssl', { host: '127.0.0.1', checked: { address: '127.0.0.1', servername: '127.0.0.1' } }));
    expect(result).toEqual({ ok: true });
  });
});

describe('connectSmtp explains failures', () => {
  it('SSL against a STARTTLS port is the wrong security for the port', async () => {
    const result = await connectSmtp(settings(starttls.port, 'ssl'));
    expect(result).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
  });

  it('SSL against a plain port is the wrong security for the port', async () => {
    const result = await connectSmtp(settings(plain.port, 'ssl'));
    expect(result).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
  });

  it('STARTTLS against an implicit-TLS port is the wrong security for the port', async () => {
    const result = await connectSmtp(settings(implicit.port, 'tls'));
    expect(result).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
    if (!result.ok) expect(result.message).toMatch(/SSL/);
  });

  it('no encryption against an implicit-TLS port is the wrong security for the port', async () => {
    const result = await connectSmtp(settings(implicit.port, 'none'));
    expect(result).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
  });

  it('a login without encryption on a server that demands STARTTLS first', async () => {
    const result = await connectSmtp(settings(starttlsWithAuth.port, 'none', { ...auth, allowPlaintextAuth: true }));
    expect(result).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
    if (!result.ok) expect(result.message).toMatch(/STARTTLS/);
  });

  it('STARTTLS required but not offered', async () => {
    const result = await connectSmtp(settings(plain.port, 'tls'));
    expect(result).toMatchObject({ ok: false, reason: 'starttls_unavailable', status: 422 });
  });

  it('a certificate nobody vouched for', async () => {
    const result = await connectSmtp(settings(strangerCert.port, 'ssl'));
    expect(result).toMatchObject({ ok: false, reason: 'certificate_invalid', status: 422 });
  });

  it('a trusted certificate issued for another name', async () => {
    const result = await connectSmtp(settings(implicit.port, 'ssl', { host: 'mail.example.test', checked: { address: '127.0.0.1', servername: 'mail.example.test' } }));
    expect(result).toMatchObject({ ok: false, reason: 'certificate_invalid', status: 422 });
    if (!result.ok) expect(result.message).toContain('mail.example.test');
  });

  it('the public roots alone do not vouch for a self-signed certificate over STARTTLS', async () => {
    const result = await connectSmtp(settings(starttls.port, 'tls', { tlsTrust: undefined }));
    expect(result).toMatchObject({ ok: false, reason: 'certificate_invalid' });
  });

  it('a wrong password (535)', async () => {
    const result = await connectSmtp(settings(starttlsWithAuth.port, 'tls', { ...auth, password: 'wrong' }));
    expect(result).toMatchObject({ ok: false, reason: 'auth_failed', status: 422 });
  });

  it('credentials for a server that offers no AUTH are not silently skipped', async () => {
    const result = await connectSmtp(settings(noAuth.port, 'tls', auth));
    expect(result).toMatchObject({ ok: false, reason: 'auth_failed' });
  });

  it('a temporary auth failure (454) is the server, not the password', async () => {
    const result = await connectSmtp(settings(tempAuthFailure.port, 'none', { ...auth, allowPlaintextAuth: true }));
    expect(result).toMatchObject({ ok: false, reason: 'server_rejected', status: 502 });
    if (!result.ok) expect(result.message).toContain('454');
  });

  it('credentials over a plaintext connection without explicit consent', async () => {
    const result = await connectSmtp(settings(plainWithAuth.port, 'none', auth));
    expect(result).toMatchObject({ ok: false, reason: 'plaintext_credentials_refused', status: 422 });
    expect(plainWithAuth.messages).toHaveLength(0);
  });

  it('a greeting that never comes in time', async () => {
    // The server would greet after 3 s: "timeout" means our greeting limit ended the wait first.
    const result = await connectSmtp(settings(slow.port, 'none'));
    expect(result).toMatchObject({ ok: false, reason: 'timeout', status: 502 });
  });

  it('a refused port, reported generically', async () => {
    const result = await connectSmtp(settings(await closedPort(), 'tls'));
    expect(result).toEqual({ ok: false, reason: 'host_unreachable', status: 502, message: 'Could not connect to the SMTP server.' });
  });

  it('something other than SMTP on the port, reported the same way', async () => {
    const result = await connectSmtp(settings(web.port, 'tls'));
    expect(result).toEqual({ ok: false, reason: 'host_unreachable', status: 502, message: 'Could not connect to the SMTP server.' });
  });

  it('a server that hangs up at once, reported the same way', async () => {
    const result = await connectSmtp(settings(dropping.port, 'tls'));
    expect(result).toEqual({ ok: false, reason: 'host_unreachable', status: 502, message: 'Could not connect to the SMTP server.' });
  });
});
