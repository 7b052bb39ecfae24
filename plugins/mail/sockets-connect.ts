import type { SmtpSettings } from './transports/smtp-transport.ts';
import { PLAINTEXT_REFUSAL, refuse, type SmtpConnectResult } from './smtp-connect-result.ts';
import { openSession, SmtpSessionError } from './smtp-session.ts';
import { withTimeout } from './smtp-wire.ts';
import { AUTH_CODES, plaintextCredentials, sessionOptions, type SocketsSmtpOptions } from './transports/sockets-transport.ts';

// "Test connection" over the socket-level client (Workers): the same reasons
// and statuses as smtp-connect.ts gives for nodemailer, worked out from the
// session's own account of which step failed.

/** Connect's check: a real session up to the login, then QUIT. */
export async function checkSocketsConnection(settings: SmtpSettings, o: SocketsSmtpOptions): Promise<SmtpConnectResult> {
  if (plaintextCredentials(settings)) {
    return refuse('plaintext_credentials_refused', PLAINTEXT_REFUSAL);
  }
  try {
    const session = await openSession(sessionOptions(settings, o));
    await session.quit();
    return { ok: true };
  } catch (error) {
    return explain(settings, o, error);
  }
}



async function explain(settings: SmtpSettings, o: SocketsSmtpOptions, error: unknown): Promise<SmtpConnectResult> {
  const { port } = settings;
  const unreachable = () => refuse('host_unreachable', `Could not connect to the SMTP server.${o.unreachableHint ? ` ${o.unreachableHint}` : ''}`);
  if (!(error instanceof SmtpSessionError)) return unreachable();
  const code = error.reply?.code ?? 0;
  const text = error.reply?.lines.join(' ') ?? '';
  const handshakeFailed = (message: string) => refuse('tls_handshake_failed', `${message}${o.tlsHint ? ` ${o.tlsHint}` : ''}`);
  switch (error.fault) {
    case 'unreachable':
      // Some sockets (Workers') report a failed implicit-TLS handshake as a failed connection: a plain probe tells them apart.
      if (settings.security === 'ssl' && (await tcpReachable(settings, o))) {
        return handshakeFailed(`Port ${port} accepted the connection but the TLS handshake failed: the certificate is not trusted, or the port starts in plaintext (then choose STARTTLS, usually port 587).`);
      }
      return unreachable();
    case 'tls':
      if (/certificate|cert_|self.signed|issuer|verify/i.test(error.message)) {
        return refuse('certificate_invalid', `The server's TLS certificate is not valid for ${settings.checked.servername} (untrusted issuer, expired, or issued for another name).`);
      }
      if (settings.security === 'ssl') return refuse('wrong_security_for_port', `Port ${port} did not complete a TLS handshake: if it starts in plaintext, choose STARTTLS (usually port 587) or None.`);
      return handshakeFailed('The TLS handshake with the server failed.');
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

async function tcpReachable(settings: SmtpSettings, o: SocketsSmtpOptions): Promise<boolean> {
  const socket = o.connect({ hostname: settings.checked.address, port: settings.port }, { secureTransport: 'off', allowHalfOpen: false });
  try {
    await withTimeout(socket.opened, 3_000);
    return true;
  } catch {
    return false;
  } finally {
    void socket.close().catch(() => {});
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
