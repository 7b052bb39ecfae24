import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSocketsTransport } from '../../plugins/mail/transports/sockets-transport.ts';
import { checkSocketsConnection } from '../../plugins/mail/sockets-connect.ts';
import type { SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import { commandBytes, dataBytes, pathArgument } from '../../plugins/mail/smtp-wire.ts';
import { createTestCert, localhostCert } from '../support/certs.ts';
import { nodeSocketConnector } from '../support/node-socket-connector.ts';
import { deliveryFailure, headerOf, loopbackSettings, mailFactory, serverPool, TEST_AUTH } from '../support/transport-fixtures.ts';
import { closedPort, startDroppingServer, type InjectedReply } from '../support/smtp-servers.ts';

// The socket-level SMTP client (the Workers path), driven through a Node
// rebuild of cloudflare:sockets against real SMTP servers on loopback.

const auth = TEST_AUTH;
const servers = serverPool();

afterAll(async () => {
  await servers.closeAll();
});

const server = servers.start;

const settings = loopbackSettings;

const trusting = { connect: nodeSocketConnector({ ca: localhostCert().cert }), clientName: 'mailer.test' };
const transport = (port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}) => createSocketsTransport(settings(port, security, extra), trusting);

const mail = mailFactory('sockets');
const failure = deliveryFailure;
const header = headerOf;

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

describe('sending', () => {
  it.each([
    ['no encryption', 'plain', 'none', false],
    ['STARTTLS', 'starttls', 'tls', true],
    ['implicit TLS', 'implicit', 'ssl', true],
  ] as const)('over %s delivers with the Message-ID it was given', async (_label, mode, security, secure) => {
    const smtp = await server({ mode });
    const message = mail({ replyTo: 'help@acme.example', text: 'Line one\n.\n.hidden line\nend' });
    const result = await transport(smtp.port, security).send(message);

    expect(result).toEqual({ messageId: message.messageId, response: expect.stringMatching(/^250 /) });
    const [received] = smtp.messages;
    expect(received.secure).toBe(secure);
    expect(received.from).toBe('rewards@acme.example');
    expect(received.to).toEqual(['ana@example.com']);
    expect(header(received.raw, 'Message-ID')).toBe(message.messageId);
    expect(header(received.raw, 'From')).toBe('Acme Rewards <rewards@acme.example>');
    expect(header(received.raw, 'Reply-To')).toBe('help@acme.example');
    expect(received.raw).toContain('Line one\r\n.\r\n.hidden line\r\nend');
    expect(received.raw).not.toMatch(/[^\r]\n/);
  });

  it('logs in with PLAIN after STARTTLS', async () => {
    const smtp = await server({ mode: 'starttls', auth });
    await transport(smtp.port, 'tls', auth).send(mail());
    expect(smtp.messages[0].user).toBe('mailer');
  });

  it('logs in over plaintext only with explicit consent', async () => {
    const smtp = await server({ mode: 'plain', auth, allowInsecureAuth: true });
    expect((await failure(transport(smtp.port, 'none', auth).send(mail()))).kind).toBe('config');
    expect(smtp.messages).toHaveLength(0);
    await transport(smtp.port, 'none', { ...auth, allowPlaintextAuth: true }).send(mail());
    expect(smtp.messages[0].user).toBe('mailer');
  });

  it('signs with DKIM when the sender carries a key (nodemailer builds the message)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const smtp = await server({ mode: 'plain' });
    await transport(smtp.port, 'none').send(mail({ from: { address: 'rewards@acme.example' }, dkim: { domainName: 'acme.example', keySelector: 'ar1', privateKey } }));
    expect(smtp.messages[0].raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=acme\.example;/m);
  });

  it('sends a pooled batch with a bounded number of connections', async () => {
    const smtp = await server({ mode: 'starttls' });
    const pooled = transport(smtp.port, 'tls', { pool: true });
    const sent = await Promise.all(Array.from({ length: 5 }, () => pooled.send(mail())));
    expect(smtp.messages.map((m) => header(m.raw, 'Message-ID')).sort()).toEqual(sent.map((r) => r.messageId).sort());
  });

  it('refuses tampered headers and recipients before connecting', async () => {
    const smtp = await server({ mode: 'plain' });
    const t = transport(smtp.port, 'none');
    for (const bad of [mail({ subject: 'Hi\r\nBcc: victim@example.com' }), mail({ to: 'ana@example.com, victim@example.com' }), mail({ replyTo: 'a@b.example\nBcc: victim@example.com' })]) {
      expect((await failure(t.send(bad))).kind).toBe('permanent');
    }
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('failure classification', () => {
  const cases: Array<[string, InjectedReply, string, number]> = [
    ['451 at MAIL FROM', { at: 'mail', code: 451, message: 'Try again later' }, 'transient', 451],
    ['451 at RCPT TO', { at: 'rcpt', code: 451, message: 'Greylisted' }, 'transient', 451],
    ['421 after DATA', { at: 'data', code: 421, message: 'Shutting down' }, 'transient', 421],
    ['550 at RCPT TO', { at: 'rcpt', code: 550, message: 'No such user' }, 'permanent', 550],
    ['554 after DATA', { at: 'data', code: 554, message: 'Spam' }, 'permanent', 554],
    ['535 at AUTH', { at: 'auth', code: 535, message: 'Bad credentials' }, 'auth', 535],
    ['454 at AUTH', { at: 'auth', code: 454, message: 'Temporary auth failure' }, 'transient', 454],
    ['530 at MAIL FROM', { at: 'mail', code: 530, message: 'Authentication required' }, 'auth', 530],
  ];

  it.each(cases)('%s is %s', async (_label, reply, kind, code) => {
    const smtp = await server({ mode: 'starttls', auth, reply });
    const error = await failure(transport(smtp.port, 'tls', auth).send(mail()));
    expect(error.kind).toBe(kind);
    expect(error.responseCode).toBe(code);
    expect(error.response).toContain(reply.message);
    expect(smtp.messages).toHaveLength(0);
  });

  it.each(['rcpt', 'data'] as const)('a connection dropped at %s is transient', async (at) => {
    const smtp = await startDroppingServer(at);
    servers.adopt(smtp);
    expect((await failure(transport(smtp.port, 'none').send(mail()))).kind).toBe('transient');
  });

  it('a refused port and a silent greeting are transient', async () => {
    expect((await failure(transport(await closedPort(), 'none').send(mail()))).kind).toBe('transient');
    const slow = await server({ mode: 'plain', greetingDelayMs: 3_000 });
    expect((await failure(transport(slow.port, 'none').send(mail()))).kind).toBe('transient');
  });

  it.each([
    ['SSL against a STARTTLS port', 'starttls', 'ssl'],
    ['STARTTLS against a port without it', 'plain', 'tls'],
  ] as const)('%s is config', async (_label, mode, security) => {
    const smtp = await server({ mode });
    expect((await failure(transport(smtp.port, security).send(mail()))).kind).toBe('config');
    expect(smtp.messages).toHaveLength(0);
  });

  it('a server that wants STARTTLS before AUTH, reached without encryption, is config', async () => {
    const smtp = await server({ mode: 'starttls', auth });
    const error = await failure(transport(smtp.port, 'none', { ...auth, allowPlaintextAuth: true }).send(mail()));
    expect(error.kind).toBe('config');
    expect(error.responseCode).toBe(538);
  });

  it('an untrusted certificate is config, and nothing is sent', async () => {
    const smtp = await server({ mode: 'starttls', cert: createTestCert() });
    expect((await failure(transport(smtp.port, 'tls').send(mail()))).kind).toBe('config');
    expect(smtp.messages).toHaveLength(0);
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
