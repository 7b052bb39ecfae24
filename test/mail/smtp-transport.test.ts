import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpTransport, type SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import type { MailTransport } from '../../plugins/types.ts';
import { localhostCert } from '../support/certs.ts';
import { deliveryFailure, headerOf, loopbackSettings, mailFactory, serverPool } from '../support/transport-fixtures.ts';
import { startDroppingServer } from '../support/smtp-servers.ts';

// What only the nodemailer transport does: its connection pool. The
// behaviour every transport shares is in transport-contract.test.ts.

const servers = serverPool();
const transports: MailTransport[] = [];

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await servers.closeAll();
});

function transport(port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}): MailTransport {
  const t = createSmtpTransport(loopbackSettings(port, security, { tlsTrust: { ca: localhostCert().cert }, ...extra }));
  transports.push(t);
  return t;
}

const mail = mailFactory('idem');

describe('the nodemailer pool', () => {
  it('reuses pooled connections and closes them', async () => {
    const smtp = await servers.start({ mode: 'starttls' });
    const pooled = transport(smtp.port, 'tls', { pool: true });
    const sent = await Promise.all([mail(), mail(), mail()].map((m) => pooled.send(m)));
    expect(smtp.messages.map((m) => headerOf(m.raw, 'Message-ID')).sort()).toEqual(sent.map((r) => r.messageId).sort());
    await pooled.close();
  });

  it('a connection dropped in a pool is transient and not retried behind our back', async () => {
    const smtp = servers.adopt(await startDroppingServer('data'));
    const error = await deliveryFailure(transport(smtp.port, 'none', { pool: true }).send(mail()));
    expect(error.kind).toBe('transient');
    // Retrying is the dispatcher's decision, with backoff: the pool must not reconnect on its own.
    expect(smtp.connections()).toBe(1);
  });
});
