import { classifySmtpError, sendsPlaintextCredentials, speaksImplicitTls, verifySmtpConnection, type SmtpSettings } from './transports/smtp-transport.ts';
import { PLAINTEXT_REFUSAL, refuse, type SmtpConnectResult } from './smtp-connect-result.ts';

export type { SmtpConnectReason, SmtpConnectResult } from './smtp-connect-result.ts';

// "Test connection" for a tenant's SMTP settings. Each failure names what to
// change; where the fault is the network the answer stays generic so the
// endpoint cannot be used to map which hosts and ports answer.

export async function connectSmtp(settings: SmtpSettings): Promise<SmtpConnectResult> {
  if (sendsPlaintextCredentials(settings)) {
    return refuse('plaintext_credentials_refused', PLAINTEXT_REFUSAL);
  }
  try {
    await verifySmtpConnection(settings);
    return { ok: true };
  } catch (error) {
    return explain(settings, error);
  }
}

async function explain(settings: SmtpSettings, error: unknown): Promise<SmtpConnectResult> {
  const failure = classifySmtpError(error);
  const { port } = settings;
  const useSsl = `Port ${port} expects TLS from the first byte: choose SSL/TLS (implicit TLS, usually port 465).`;
  switch (failure.symptom) {
    case 'tls_met_plaintext':
      return refuse('wrong_security_for_port', `Port ${port} does not start with TLS: choose STARTTLS (usually port 587) or None.`);
    case 'garbled_greeting':
    case 'greeting_timeout':
      // An implicit-TLS port waits for our handshake while we wait for its
      // greeting (or answers our silence with TLS bytes); one probe tells
      // that apart from a slow server or something that is not SMTP at all.
      if (settings.security !== 'ssl' && (await speaksImplicitTls(settings))) return refuse('wrong_security_for_port', useSsl);
      if (failure.symptom === 'greeting_timeout') return refuse('timeout', 'The server accepted the connection but did not greet in time.');
      return unreachable();
    case 'certificate_invalid':
      return refuse(
        'certificate_invalid',
        `The server's TLS certificate is not valid for ${settings.checked.servername} (untrusted issuer, expired, or issued for another name).`,
      );
    case 'tls_failed':
      return refuse('tls_handshake_failed', 'The TLS handshake with the server failed.');
    case 'starttls_unavailable':
      return refuse('starttls_unavailable', 'The server does not offer STARTTLS on this port: choose SSL/TLS (usually port 465) or ask the provider to enable STARTTLS.');
    case 'encryption_required':
      return refuse('wrong_security_for_port', 'The server only accepts a login over an encrypted connection: choose STARTTLS (or SSL/TLS on port 465).');
    case 'auth_failed':
      // 500-504 (unknown or unimplemented command) mean AUTH itself is not on offer, not a wrong password.
      if (failure.responseCode && failure.responseCode >= 500 && failure.responseCode <= 504) {
        return refuse('auth_failed', 'The server does not accept a login on this connection: check the port and security, or remove the username.');
      }
      return refuse('auth_failed', 'The server refused the username or password.');
    case 'timeout':
      return refuse('timeout', 'The server stopped answering before the session was set up.');
    case 'rejected':
      return refuse('server_rejected', `The server refused the session (reply ${failure.responseCode}).`);
    default:
      return unreachable();
  }
}


/** One wording for refused, unreachable, hung up and not-SMTP alike. */
function unreachable(): SmtpConnectResult {
  return refuse('host_unreachable', 'Could not connect to the SMTP server.');
}
