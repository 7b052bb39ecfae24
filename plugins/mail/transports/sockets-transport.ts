import { MailDeliveryError, type MailFailureKind, type MailTransport } from '../../types.ts';
import type { SmtpSettings } from './smtp-transport.ts';
import { openSession, SmtpSessionError, type SessionOptions, type SocketConnector } from '../smtp-session.ts';
import { buildRawMessage } from '../mime-message.ts';

// SMTP over a Web-streams socket (cloudflare:sockets on Workers): the same
// MailTransport (and, in sockets-connect.ts, Connect answers) as the
// nodemailer transport, from a client small enough to read in one sitting. One connection per message:
// a Workers socket belongs to the request that opened it, so nothing can be
// pooled across the dispatcher's runs.

export type SocketsSmtpOptions = {
  connect: SocketConnector;
  /** EHLO name. */
  clientName?: string;
  /** Concurrent sessions per transport (a pooled transport); Workers allow six open connections per request. */
  maxConnections?: number;
  /** Appended to "could not connect" answers: what this runtime cannot reach. */
  unreachableHint?: string;
  /** Appended to failed-handshake answers: which certificates this runtime trusts. */
  tlsHint?: string;
};

const TIMEOUTS = { connectionMs: 5_000, greetingMs: 5_000, socketMs: 15_000 };

export function createSocketsTransport(settings: SmtpSettings, o: SocketsSmtpOptions): MailTransport {
  const gate = createGate(settings.pool ? (o.maxConnections ?? 3) : 1);
  return {
    async send(mail) {
      if (plaintextCredentials(settings)) throw new MailDeliveryError('config', 'Refusing to send SMTP credentials over an unencrypted connection');
      const raw = await buildRawMessage(mail);
      return gate(async () => {
        let session;
        try {
          session = await openSession(sessionOptions(settings, o));
          const response = await session.send(raw.envelope, raw.message);
          await session.quit();
          return { response, messageId: mail.messageId };
        } catch (error) {
          session?.abort();
          throw toDeliveryError(error);
        }
      });
    },
    async close() {},
  };
}

export function plaintextCredentials(settings: SmtpSettings): boolean {
  return settings.security === 'none' && Boolean(settings.username) && !settings.allowPlaintextAuth;
}

export function sessionOptions(settings: SmtpSettings, o: SocketsSmtpOptions): SessionOptions {
  return {
    connect: o.connect,
    // A socket checks the certificate against the name it dials and takes no
    // separate SNI name, so TLS dials the vetted host by name; plaintext dials
    // the vetted address, so a second DNS answer cannot move it.
    hostname: settings.security === 'none' ? settings.checked.address : settings.checked.servername,
    port: settings.port,
    security: settings.security,
    username: settings.username,
    password: settings.password,
    clientName: settings.clientName ?? o.clientName ?? '[127.0.0.1]',
    timeouts: { ...TIMEOUTS, ...settings.timeouts },
  };
}

export const AUTH_CODES = new Set([530, 534, 535]);

function toDeliveryError(error: unknown): MailDeliveryError {
  if (error instanceof MailDeliveryError) return error;
  if (!(error instanceof SmtpSessionError)) return new MailDeliveryError('transient', (error as Error)?.message ?? String(error));
  const code = error.reply?.code;
  const response = error.reply ? `${code} ${error.reply.lines.join(' ')}` : undefined;
  return new MailDeliveryError(kindOf(error), error.message, code, response);
}

function kindOf(error: SmtpSessionError): MailFailureKind {
  const code = error.reply?.code ?? 0;
  switch (error.fault) {
    case 'reply':
      if (error.stage === 'starttls') return 'config';
      // 530 and 538 during AUTH also mean "encrypt first" (RFC 3207): the settings, not the password.
      if (error.stage === 'auth' && (code === 530 || code === 538) && /STARTTLS|TLS|encrypt/i.test(error.reply!.lines.join(' '))) return 'config';
      if (AUTH_CODES.has(code)) return 'auth';
      return code >= 500 ? 'permanent' : 'transient';
    case 'no_auth':
      return 'auth';
    case 'tls':
    case 'no_starttls':
    case 'garbled':
      return 'config';
    case 'unsafe':
      return 'permanent';
    default:
      return 'transient'; // unreachable, closed, timeout
  }
}

/** At most `size` sessions at once; the rest wait their turn. */
function createGate(size: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing session hands its slot straight to the next in line, so a newcomer cannot slip in between.
    if (active < size) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
