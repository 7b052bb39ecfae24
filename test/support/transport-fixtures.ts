import { expect } from 'vitest';
import type { SmtpSettings } from '../../plugins/mail/transports/smtp-transport.ts';
import { MailDeliveryError, type OutgoingMail } from '../../plugins/types.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-servers.ts';

// What every transport's tests share: loopback settings with short timeouts,
// a message factory with unique Message-IDs, and failure helpers. Each
// transport's file then says only what is particular to it.

export const TEST_AUTH = { username: 'mailer', password: 'correct horse' };

export function loopbackSettings(port: number, security: SmtpSettings['security'], extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: 'localhost',
    port,
    security,
    checked: { address: '127.0.0.1', servername: 'localhost' },
    timeouts: { connectionMs: 2_000, greetingMs: 700, socketMs: 2_000 },
    ...extra,
  };
}

/** A mail factory; `tag` keeps Message-IDs of different files apart. */
export function mailFactory(tag: string) {
  let sequence = 0;
  return (overrides: Partial<OutgoingMail> = {}): OutgoingMail => {
    sequence += 1;
    return {
      from: { name: 'Acme Rewards', address: 'rewards@acme.example' },
      to: 'ana@example.com',
      subject: 'You earned a reward',
      html: '<p>Thanks for the referral!</p>',
      text: 'Thanks for the referral!',
      messageId: `<email-${sequence}.${tag}@acme.example>`,
      ...overrides,
    };
  };
}

/** The MailDeliveryError a send rejected with (fails the test if it resolved or threw anything else). */
export async function deliveryFailure(promise: Promise<unknown>): Promise<MailDeliveryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
}

export const headerOf = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1];

/** Servers a file starts, closed together at its end. */
export function serverPool() {
  const started: TestSmtpServer[] = [];
  return {
    async start(...args: Parameters<typeof startSmtpServer>): Promise<TestSmtpServer> {
      const s = await startSmtpServer(...args);
      started.push(s);
      return s;
    },
    /** Servers started another way (dropping, non-SMTP) close with the rest. */
    adopt<T extends TestSmtpServer>(server: T): T {
      started.push(server);
      return server;
    },
    closeAll: () => Promise.all(started.map((server) => server.close())),
  };
}
