import type { SmtpDriver } from '../../plugins/mail/smtp-driver.ts';
import { createSmtpTransport } from '../../plugins/mail/transports/smtp-transport.ts';
import { connectSmtp } from '../../plugins/mail/smtp-connect.ts';

/** nodemailer over node:net/tls (Node and Deno). `ca` adds trusted roots, e.g. a test CA or a private relay's. */
export function createNodeSmtpDriver(o: { ca?: string[] } = {}): SmtpDriver {
  const trust = o.ca?.length ? { ca: o.ca } : undefined;
  return {
    createTransport: (settings) => createSmtpTransport({ ...settings, tlsTrust: settings.tlsTrust ?? trust }),
    connect: (settings) => connectSmtp({ ...settings, tlsTrust: settings.tlsTrust ?? trust }),
  };
}
