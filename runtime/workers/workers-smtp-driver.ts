import { connect } from 'cloudflare:sockets';
import type { SmtpDriver } from '../../plugins/mail/smtp-driver.ts';
import type { SocketConnector } from '../../plugins/mail/smtp-session.ts';
import { createSocketsTransport, type SocketsSmtpOptions } from '../../plugins/mail/transports/sockets-transport.ts';
import { checkSocketsConnection } from '../../plugins/mail/sockets-connect.ts';

const LIMITS = 'Cloudflare Workers cannot connect to port 25 or to private or internal addresses.';

/**
 * SMTP on Workers: nodemailer's TLS connections fail on workerd, so mail goes
 * through the socket-level client over cloudflare:sockets. Certificates are
 * checked by Cloudflare against the public roots; extra CAs cannot be added.
 */
export function createWorkersSmtpDriver(o: { clientName?: string } = {}): SmtpDriver {
  const options: SocketsSmtpOptions = {
    connect: connect as unknown as SocketConnector,
    clientName: o.clientName,
    maxConnections: 3,
    unreachableHint: LIMITS,
    tlsHint: 'Workers trust only certificates issued by public certificate authorities.',
  };
  return {
    createTransport: (settings) => createSocketsTransport(settings, options),
    connect: (settings) => checkSocketsConnection(settings, options),
    refuse: ({ port }) => (port === 25 ? `${LIMITS} Use port 587 (STARTTLS) or 465 (SSL/TLS).` : null),
  };
}
