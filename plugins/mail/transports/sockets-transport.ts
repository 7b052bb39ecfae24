import { MailDeliveryError, type MailFailureKind, type MailTransport } from '../../types.ts';
import type { SmtpSettings } from './smtp-transport.ts';
import type { SmtpConnectReason, SmtpConnectResult } from '../smtp-connect.ts';
import { openSession, SmtpSessionError, type SessionOptions, type SocketConnector } from '../smtp-session.ts';
import { buildRawMessage } from '../mime-message.ts';

// SMTP over a Web-streams socket (cloudflare:sockets on Workers): the same
// MailTransport and Connect answers as the nodemailer transport, from a
// client small enough to read in one sitting. One connection per message:
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

/** Connect's check: a real session up to the login, then QUIT. */
export async function checkSocketsConnection(settings: SmtpSettings, o: SocketsSmtpOptions): Promise<SmtpConnectResult> {
  if (plaintextCredentials(settings)) {
    return refuse('plaintext_credentials_refused', 'Refusing to send the password without encryption: choose STARTTLS or SSL/TLS.');
  }
  try {
    const session = await openSession(sessionOptions(settings, o));
    await session.quit();
    return { ok: true };
  } catch (error) {
    return explain(settings, o, error);
  }
}

function plaintextCredentials(settings: SmtpSettings): boolean {
  return settings.security === 'none' && Boolean(settings.username) && !settings.allowPlaintextAuth;
}

function sessionOptions(settings: SmtpSettings, o: SocketsSmtpOptions): SessionOptions {
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

const AUTH_CODES = new Set([530, 534, 535]);

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

const STATUS: Record<SmtpConnectReason, 422 | 502> = {
  wrong_security_for_port: 422,
  starttls_unavailable: 422,
  certificate_invalid: 422,
  auth_failed: 422,
  plaintext_credentials_refused: 422,
  tls_handshake_failed: 502,
  timeout: 502,
  host_unreachable: 502,
  server_rejected: 502,
};

function refuse(reason: SmtpConnectReason, message: string): SmtpConnectResult {
  return { ok: false, reason, message, status: STATUS[reason] };
}

async function explain(settings: SmtpSettings, o: SocketsSmtpOptions, error: unknown): Promise<SmtpConnectResult> {
  const { port } = settings;
  const unreachable = () => refuse('host_unreachable', `Could not connect to the SMTP server.${o.unreachableHint ? ` ${o.unreachableHint}` : ''}`);
  if (!(error instanceof SmtpSessionError)) return unreachable();
  const code = error.reply?.code ?? 0;
  const text = error.reply?.lines.join(' ') ?? '';
  switch (error.fault) {
    case 'unreachable':
      return unreachable();
    case 'tls':
      if (/certificate|cert_|self.signed|issuer|verify/i.test(error.message)) {
        return refuse('certificate_invalid', `The server's TLS certificate is not valid for ${settings.checked.servername} (untrusted issuer, expired, or issued for another name).`);
      }
      if (settings.security === 'ssl') return refuse('wrong_security_for_port', `Port ${port} did not complete a TLS handshake: if it starts in plaintext, choose STARTTLS (usually port 587) or no encryption.`);
      return refuse('tls_handshake_failed', 'The TLS handshake with the server failed.');
    case 'no_starttls':
      return refuse('starttls_unavailable', 'The server does not offer STARTTLS on this port: choose SSL/TLS (usually port 465) or ask the provider to enable STARTTLS.');
    case 'no_auth':
      return refuse('auth_failed', 'The server does not accept a login on this connection: check the port and security, or remove the username.');
    case 'timeout':
      if (error.stage === 'greeting' && settings.security !== 'ssl' && (await speaksImplicitTls(settings, o))) {
        return refuse('wrong_security_for_port', `Port ${port} expects TLS from the first byte: choose SSL/TLS (implicit TLS, usually port 465).`);
      }
      return refuse('timeout', error.stage === 'greeting' ? 'The server accepted the connection but did not greet in time.' : 'The server stopped answering before the session was set up.');
    case 'reply':
      if (error.stage === 'starttls') return refuse('starttls_unavailable', `The server refused STARTTLS (reply ${code}).`);
      if (error.stage === 'auth') {
        if ((code === 530 || code === 538) && /STARTTLS|TLS|encrypt/i.test(text)) {
          return refuse('wrong_security_for_port', 'The server only accepts a login over an encrypted connection: choose STARTTLS (or SSL/TLS on port 465).');
        }
        if (code >= 500 && code <= 504) return refuse('auth_failed', 'The server does not accept a login on this connection: check the port and security, or remove the username.');
        if (AUTH_CODES.has(code)) return refuse('auth_failed', 'The server refused the username or password.');
      }
      return refuse('server_rejected', `The server refused the session (reply ${code}).`);
    default:
      return unreachable();
  }
}

/** A silent greeting often means the port waits for our TLS handshake: one short probe tells. */
async function speaksImplicitTls(settings: SmtpSettings, o: SocketsSmtpOptions): Promise<boolean> {
  try {
    const probe = await openSession({ ...sessionOptions({ ...settings, security: 'ssl', username: undefined }, o), timeouts: { connectionMs: 3_000, greetingMs: 3_000, socketMs: 3_000 } });
    probe.abort();
    return true;
  } catch (error) {
    return error instanceof SmtpSessionError && error.fault === 'tls' && /certificate|cert_|self.signed|issuer|verify/i.test(error.message);
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
