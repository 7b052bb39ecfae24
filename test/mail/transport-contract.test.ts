import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../../plugins/mail/transports/smtp-transport.ts';
import { createSocketsTransport } from '../../plugins/mail/transports/sockets-transport.ts';
import type { SmtpSettings } from '../../plugins/mail/smtp-driver.ts';
import type { MailTransport } from '../../plugins/types.ts';
import { createTestCert, localhostCert } from '../support/certs.ts';
import { nodeSocketConnector } from '../support/node-socket-connector.ts';
import { deliveryFailure, headerOf, loopbackSettings, mailFactory, serverPool, TEST_AUTH } from '../support/transport-fixtures.ts';
import { closedPort, startDroppingServer, type InjectedReply } from '../support/smtp-servers.ts';

// What every MailTransport promises the dispatcher, whichever socket carries
// it: one suite, looped over each implementation (as Kysely loops its tests
// over dialects), against real SMTP servers on loopback. What only one
// transport does lives in its own file.

type Make = (port: number, security: SmtpSettings['security'], extra?: Partial<SmtpSettings>) => MailTransport;

const trust = localhostCert().cert;
const IMPLEMENTATIONS: [string, Make][] = [
  ['nodemailer (Node, Deno)', (port, security, extra = {}) => createSmtpTransport(loopbackSettings(port, security, { tlsTrust: { ca: trust }, ...extra }))],
  [
    'cloudflare:sockets client (Workers)',
    (port, security, extra = {}) => createSocketsTransport(loopbackSettings(port, security, extra), { connect: nodeSocketConnector({ ca: trust }), clientName: 'mailer.test' }),
  ],
];

const auth = TEST_AUTH;
const servers = serverPool();
const opened: MailTransport[] = [];
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
  await servers.closeAll();
});

describe.each(IMPLEMENTATIONS)('%s', (label, make) => {
  const server = servers.start;
  const transport: Make = (...args) => {
    const t = make(...args);
    opened.push(t);
    return t;
  };
  const mail = mailFactory(label.split(' ')[0].replace(/\W/g, ''));

  describe('sending', () => {
    it.each([
      ['no encryption', 'plain', 'none', false],
      ['STARTTLS', 'starttls', 'tls', true],
      ['implicit TLS', 'implicit', 'ssl', true],
    ] as const)('over %s delivers with the Message-ID it was given', async (_mode, mode, security, secure) => {
      const smtp = await server({ mode });
      const message = mail({ replyTo: 'help@acme.example', text: 'Line one\n.\n.hidden line\nend' });
      const result = await transport(smtp.port, security).send(message);

      expect(result).toEqual({ messageId: message.messageId, response: expect.stringMatching(/^250 /) });
      expect(smtp.messages).toHaveLength(1);
      const [received] = smtp.messages;
      expect(received.secure).toBe(secure);
      expect(received.from).toBe('rewards@acme.example');
      expect(received.to).toEqual(['ana@example.com']);
      expect(headerOf(received.raw, 'Message-ID')).toBe(message.messageId);
      expect(headerOf(received.raw, 'From')).toBe('Acme Rewards <rewards@acme.example>');
      expect(headerOf(received.raw, 'Reply-To')).toBe('help@acme.example');
      expect(headerOf(received.raw, 'Subject')).toBe('You earned a reward');
      // A lone dot in the text must arrive as text, not end the message.
      expect(received.raw).toContain('Line one\r\n.\r\n.hidden line\r\nend');
      expect(received.raw).not.toMatch(/[^\r]\n/);
    });

    it('logs in after STARTTLS', async () => {
      const smtp = await server({ mode: 'starttls', auth });
      await transport(smtp.port, 'tls', auth).send(mail());
      expect(smtp.messages[0].user).toBe('mailer');
    });

    it('logs in over plaintext only with explicit consent', async () => {
      const smtp = await server({ mode: 'plain', auth, allowInsecureAuth: true });
      expect((await deliveryFailure(transport(smtp.port, 'none', auth).send(mail()))).kind).toBe('config');
      expect(smtp.messages).toHaveLength(0);
      await transport(smtp.port, 'none', { ...auth, allowPlaintextAuth: true }).send(mail());
      expect(smtp.messages[0].user).toBe('mailer');
    });

    it('signs with DKIM when the sender carries a key', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const smtp = await server({ mode: 'plain' });
      await transport(smtp.port, 'none').send(mail({ from: { address: 'rewards@acme.example' }, dkim: { domainName: 'acme.example', keySelector: 'ar1', privateKey } }));
      expect(smtp.messages[0].raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=acme\.example;/m);
    });

    it('sends a pooled batch, each message once', async () => {
      const smtp = await server({ mode: 'starttls' });
      const pooled = transport(smtp.port, 'tls', { pool: true });
      const sent = await Promise.all(Array.from({ length: 5 }, () => pooled.send(mail())));
      expect(smtp.messages.map((m) => headerOf(m.raw, 'Message-ID')).sort()).toEqual(sent.map((r) => r.messageId).sort());
    });

    it('refuses a message whose headers or recipients were tampered with, before connecting', async () => {
      const smtp = await server({ mode: 'plain' });
      const t = transport(smtp.port, 'none');
      for (const bad of [
        mail({ subject: 'Hi\r\nBcc: victim@example.com' }),
        mail({ from: { name: 'Acme\nBcc: victim@example.com', address: 'rewards@acme.example' } }),
        mail({ to: 'ana@example.com, victim@example.com' }),
        mail({ to: 'friends: ana@example.com, victim@example.com;' }),
        mail({ replyTo: 'help@acme.example\r\nBcc: victim@example.com' }),
      ]) {
        expect((await deliveryFailure(t.send(bad))).kind).toBe('permanent');
      }
      expect(smtp.messages).toHaveLength(0);
    });
  });

  describe('failure classification', () => {
    const cases: Array<[string, InjectedReply, string, number]> = [
      ['421 at MAIL FROM', { at: 'mail', code: 421, message: 'Too busy, closing' }, 'transient', 421],
      ['451 at MAIL FROM', { at: 'mail', code: 451, message: 'Try again later' }, 'transient', 451],
      ['451 at RCPT TO', { at: 'rcpt', code: 451, message: 'Greylisted' }, 'transient', 451],
      ['451 after DATA', { at: 'data', code: 451, message: 'Local error' }, 'transient', 451],
      ['421 after DATA', { at: 'data', code: 421, message: 'Shutting down' }, 'transient', 421],
      ['550 at MAIL FROM', { at: 'mail', code: 550, message: 'Sender rejected' }, 'permanent', 550],
      ['550 at RCPT TO', { at: 'rcpt', code: 550, message: 'No such user' }, 'permanent', 550],
      ['552 after DATA', { at: 'data', code: 552, message: 'Message too large' }, 'permanent', 552],
      ['554 after DATA', { at: 'data', code: 554, message: 'Spam' }, 'permanent', 554],
      ['535 at AUTH', { at: 'auth', code: 535, message: 'Bad credentials' }, 'auth', 535],
      ['454 at AUTH (the server could not check)', { at: 'auth', code: 454, message: 'Temporary auth failure' }, 'transient', 454],
      ['530 at MAIL FROM', { at: 'mail', code: 530, message: 'Authentication required' }, 'auth', 530],
    ];

    it.each(cases)('%s is %s', async (_case, reply, kind, code) => {
      const smtp = await server({ mode: 'starttls', auth, reply });
      const error = await deliveryFailure(transport(smtp.port, 'tls', auth).send(mail()));
      expect(error.kind).toBe(kind);
      expect(error.responseCode).toBe(code);
      expect(error.response).toContain(reply.message);
      expect(smtp.messages).toHaveLength(0);
    });

    it('a wrong password is auth', async () => {
      const smtp = await server({ mode: 'implicit', auth });
      const error = await deliveryFailure(transport(smtp.port, 'ssl', { ...auth, password: 'nope' }).send(mail()));
      expect(error.kind).toBe('auth');
      expect(error.responseCode).toBe(535);
    });

    it.each(['rcpt', 'data'] as const)('a connection dropped at %s is transient', async (at) => {
      const smtp = servers.adopt(await startDroppingServer(at));
      expect((await deliveryFailure(transport(smtp.port, 'none').send(mail()))).kind).toBe('transient');
    });

    it('a refused port and a greeting that never comes in time are transient', async () => {
      expect((await deliveryFailure(transport(await closedPort(), 'tls').send(mail()))).kind).toBe('transient');
      const slow = await server({ mode: 'plain', greetingDelayMs: 3_000 });
      expect((await deliveryFailure(transport(slow.port, 'none').send(mail()))).kind).toBe('transient');
    });

    it.each([
      ['SSL against a STARTTLS port', 'starttls', 'ssl'],
      ['STARTTLS against a port without it', 'plain', 'tls'],
    ] as const)('%s is config', async (_case, mode, security) => {
      const smtp = await server({ mode });
      expect((await deliveryFailure(transport(smtp.port, security).send(mail()))).kind).toBe('config');
      expect(smtp.messages).toHaveLength(0);
    });

    it('a server that wants STARTTLS before AUTH, reached without encryption, is config', async () => {
      const smtp = await server({ mode: 'starttls', auth });
      const error = await deliveryFailure(transport(smtp.port, 'none', { ...auth, allowPlaintextAuth: true }).send(mail()));
      expect(error.kind).toBe('config');
      expect(error.responseCode).toBe(538);
    });

    it('an untrusted certificate is config, and nothing is sent', async () => {
      const smtp = await server({ mode: 'starttls', cert: createTestCert() });
      expect((await deliveryFailure(transport(smtp.port, 'tls').send(mail()))).kind).toBe('config');
      expect(smtp.messages).toHaveLength(0);
    });
  });
});
