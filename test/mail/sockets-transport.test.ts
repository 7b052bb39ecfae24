import { afterAll, describe, expect, it } from 'vitest';
import { checkSocketsConnection } from '../../plugins/mail/sockets-connect.ts';
import type { SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import { commandBytes, dataBytes, pathArgument } from '../../plugins/mail/smtp-wire.ts';
import { createTestCert, localhostCert } from '../support/certs.ts';
import { nodeSocketConnector } from '../support/node-socket-connector.ts';
import { loopbackSettings, serverPool, TEST_AUTH } from '../support/transport-fixtures.ts';
import { closedPort } from '../support/smtp-servers.ts';

// The socket-level SMTP client (the Workers path), driven through a Node
// rebuild of cloudflare:sockets against real SMTP servers on loopback: its
// wire encoding and its Connect check. Sending and failure classes, shared
// with nodemailer, are in transport-contract.test.ts.

const auth = TEST_AUTH;
const servers = serverPool();

afterAll(async () => {
  await servers.closeAll();
});

const server = servers.start;

const settings = loopbackSettings;

const trusting = { connect: nodeSocketConnector({ ca: localhostCert().cert }), clientName: 'mailer.test' };

describe('the wire', () => {
  it('makes every line ending CRLF and doubles leading dots, so one message cannot become two', () => {
    const wire = new TextDecoder().decode(dataBytes('a\n.\nb\rMAIL FROM:<x@y.z>\r\n..c'));
    expect(wire).toBe('a\r\n..\r\nb\r\nMAIL FROM:<x@y.z>\r\n...c\r\n.\r\n');
  });

  it('refuses commands and envelope addresses that would end a line or carry a second address', () => {
    expect(() => commandBytes('RCPT TO:<a@b.example>\r\nRCPT TO:<c@d.example>')).toThrow(/CR, LF/);
    for (const bad of ['a@b.example> SIZE=1', 'a@b.example\r\nDATA', 'Ana <a@b.example>', 'a@b.example, c@d.example', '']) {
      expect(() => pathArgument(bad)).toThrow(/one plain mailbox/);
    }
    expect(pathArgument('ana@example.com')).toBe('<ana@example.com>');
  });
});

describe('Connect over sockets', () => {
  const check = (port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}, hint?: string) =>
    checkSocketsConnection(settings(port, security, extra), { ...trusting, unreachableHint: hint });

  it('accepts working settings in every mode, logging in where asked', async () => {
    const [plain, starttls, implicit] = await Promise.all([server({ mode: 'plain' }), server({ mode: 'starttls', auth }), server({ mode: 'implicit', auth })]);
    await expect(check(plain.port, 'none')).resolves.toEqual({ ok: true });
    await expect(check(starttls.port, 'tls', auth)).resolves.toEqual({ ok: true });
    await expect(check(implicit.port, 'ssl', auth)).resolves.toEqual({ ok: true });
  });

  it('names what to change', async () => {
    const [implicit, plain, starttls, stranger] = await Promise.all([
      server({ mode: 'implicit' }),
      server({ mode: 'plain' }),
      server({ mode: 'starttls', auth }),
      server({ mode: 'implicit', cert: createTestCert() }),
    ]);
    expect(await check(implicit.port, 'tls')).toMatchObject({ ok: false, reason: 'wrong_security_for_port', status: 422 });
    expect(await check(plain.port, 'tls')).toMatchObject({ ok: false, reason: 'starttls_unavailable', status: 422 });
    expect(await check(starttls.port, 'tls', { ...auth, password: 'wrong' })).toMatchObject({ ok: false, reason: 'auth_failed', status: 422 });
    expect(await check(stranger.port, 'ssl')).toMatchObject({ ok: false, reason: 'certificate_invalid', status: 422 });
    expect(await check(plain.port, 'none', auth)).toMatchObject({ ok: false, reason: 'plaintext_credentials_refused' });
  });

  it('says what the runtime cannot reach when nothing answers', async () => {
    const result = await check(await closedPort(), 'tls', {}, 'Cloudflare Workers cannot connect to port 25 or to private addresses.');
    expect(result).toMatchObject({ ok: false, reason: 'host_unreachable', status: 502 });
    expect(result.ok === false && result.message).toContain('Cloudflare Workers cannot connect to port 25');
  });
});
