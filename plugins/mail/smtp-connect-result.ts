// What "Connect" answers, shared by every runtime's SMTP client so a tenant
// reads the same reasons whether the check ran on Node, Deno or Workers.

export type SmtpConnectReason =
  | 'wrong_security_for_port'
  | 'starttls_unavailable'
  | 'tls_handshake_failed'
  | 'certificate_invalid'
  | 'auth_failed'
  | 'timeout'
  | 'host_unreachable'
  | 'server_rejected'
  | 'plaintext_credentials_refused';

/** 422: the settings need changing. 502: the server could not be used as configured. */
export type SmtpConnectResult = { ok: true } | { ok: false; reason: SmtpConnectReason; message: string; status: 422 | 502 };

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

export function refuse(reason: SmtpConnectReason, message: string): SmtpConnectResult {
  return { ok: false, reason, message, status: STATUS[reason] };
}

export const PLAINTEXT_REFUSAL = 'Refusing to send the password without encryption: choose STARTTLS or SSL/TLS.';
