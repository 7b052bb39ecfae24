import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport, type SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import type { MailTransport } from '../../plugins/types.ts';
import { createTestCert, localhostCert, type TestCert } from '../support/certs.ts';
import { deliveryFailure, headerOf, loopbackSettings, mailFactory, serverPool, TEST_AUTH } from '../support/transport-fixtures.ts';
import { closedPort, startDroppingServer, type InjectedReply } from '../support/smtp-servers.ts';

const auth = TEST_AUTH;
let cert: TestCert;
const servers = serverPool();
const transports: MailTransport[] = [];

beforeAll(() => {
  cert = localhostCert();
}, 30_000);

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await servers.closeAll();
});

const server = servers.start;

function transport(port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}): MailTransport {
  const t = createSmtpTransport(loopbackSettings(port, security, { tlsTrust: { ca: cert.cert }, ...extra }));
  transports.push(t);
  return t;
}

const mail = mailFactory('idem');
const failure = deliveryFailure;
const header = headerOf;

describe('sending', () => {
  it.each([
    ['no encryption', 'plain', 'none', false],
    ['STARTTLS', 'starttls', 'tls', true],
    ['implicit TLS', 'implicit', 'ssl', true],
  ] as const)('over %s delivers with the Message-ID it was given', async (_label, mode, security, secure) => {
    const smtp = await server({ mode });
    const message = mail({ replyTo: 'help@acme.example' });
    const result = await transport(smtp.port, security).send(message);

    expect(result).toEqual({ messageId: message.messageId, response: expect.stringMatching(/^250 /) });
    expect(smtp.messages).toHaveLength(1);
    const [received] = smtp.messages;
    expect(received.secure).toBe(secure);
    expect(received.from).toBe('rewards@acme.example');
    expect(received.to).toEqual(['ana@example.com']);
    expect(header(received.raw, 'Message-ID')).toBe(message.messageId);
    expect(header(received.raw, 'From')).toBe('Acme Rewards <rewards@acme.example>');
    expect(header(received.raw, 'Reply-To')).toBe('help@acme.example');
    expect(header(received.raw, 'Subject')).toBe('You earned a reward');
    expect(received.raw).toContain('Thanks for the referral!');
  });

  it('logs in before sending', async () => {
    const smtp = await server({ mode: 'starttls', auth });
    await transport(smtp.port, 'tls', auth).send(mail());
    expect(smtp.messages[0].user).toBe('mailer');
  });

  it('logs in over plaintext only with explicit consent', async () => {
    const smtp = await server({ mode: 'plain', auth, allowInsecureAuth: true });
    const refused = await failure(transport(smtp.port, 'none', auth).send(mail()));
    expect(refused.kind).toBe('config');
    expect(smtp.messages).toHaveLength(0);

    await transport(smtp.port, 'none', { ...auth, allowPlaintextAuth: true }).send(mail());
    expect(smtp.messages[0].user).toBe('mailer');
  });

  it('reuses pooled connections and closes them', async () => {
    const smtp = await server({ mode: 'starttls' });
    const pooled = transport(smtp.port, 'tls', { pool: true });
    const sent = await Promise.all([mail(), mail(), mail()].map((m) => pooled.send(m)));
    expect(smtp.messages.map((m) => header(m.raw, 'Message-ID')).sort()).toEqual(sent.map((r) => r.messageId).sort());
    await pooled.close();
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
      expect((await failure(t.send(bad))).kind).toBe('permanent');
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

  it.each(cases)('%s is %s', async (_label, reply, kind, code) => {
    const smtp = await server({ mode: 'starttls', auth, reply });
    const error = await failure(transport(smtp.port, 'tls', auth).send(mail()));
    expect(error.kind).toBe(kind);
    expect(error.responseCode).toBe(code);
    expect(error.response).toContain(reply.message);
    expect(smtp.messages).toHaveLength(0);
  });

  it('a wrong password is auth', async () => {
    const smtp = await server({ mode: 'implicit', auth });
    const error = await failure(transport(smtp.port, 'ssl', { ...auth, password: 'nope' }).send(mail()));
    expect(error.kind).toBe('auth');
    expect(error.responseCode).toBe(535);
  });

  it.each(['rcpt', 'data'] as const)('a connection dropped at %s is transient', async (at) => {
    const smtp = await startDroppingServer(at);
    servers.adopt(smtp);
    const error = await failure(transport(smtp.port, 'none').send(mail()));
    expect(error.kind).toBe('transient');
  });

  it('a connection dropped in a pool is transient and not retried behind our back', async () => {
    const smtp = await startDroppingServer('data');
    servers.adopt(smtp);
    const begun = Date.now();
    const error = await failure(transport(smtp.port, 'none', { pool: true }).send(mail()));
    expect(error.kind).toBe('transient');
    expect(Date.now() - begun).toBeLessThan(1_500);
  });

  it('a refused port is transient', async () => {
    expect((await failure(transport(await closedPort(), 'tls').send(mail()))).kind).toBe('transient');
  });

  it('a greeting that never comes in time is transient', async () => {
    const smtp = await server({ mode: 'plain', greetingDelayMs: 3_000 });
    expect((await failure(transport(smtp.port, 'none').send(mail()))).kind).toBe('transient');
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
