import { isIP } from 'node:net';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type { SMTPPoolOptions, Transporter } from 'nodemailer';
import { MailDeliveryError, type MailFailureKind, type MailTransport, type OutgoingMail } from '../../types.ts';
import { assertSendable, toMailOptions } from '../outgoing-message.ts';
import type { CheckedSmtpTarget } from '../smtp-guard.ts';

// The one file of the mail plugin that touches sockets: everything Node-only
// about SMTP (nodemailer, TLS, the error shapes it produces) stays here.

export type SmtpSecurity = 'none' | 'tls' | 'ssl';

export type SmtpTimeouts = {
  /** Whole connection setup, TCP through STARTTLS (nodemailer counts the greeting in it too). */
  connectionMs?: number;
  greetingMs?: number;
  /** Inactivity once connected. */
  socketMs?: number;
};

export type SmtpSettings = {
  /** As the operator typed it; only for messages. Connections go to `checked.address`. */
  host: string;
  port: number;
  /** `none` plain, `tls` STARTTLS required, `ssl` implicit TLS. */
  security: SmtpSecurity;
  username?: string;
  password?: string;
  /** The result of checkSmtpTarget for this host and port. */
  checked: CheckedSmtpTarget;
  pool?: boolean;
  timeouts?: SmtpTimeouts;
  /** Extra CA certificates (PEM), added to the public roots, never replacing verification. */
  tlsTrust?: { ca?: string | string[] };
  /** Credentials over an unencrypted connection are refused unless this is set. */
  allowPlaintextAuth?: boolean;
  /** EHLO name; nodemailer uses the machine's host name otherwise. */
  clientName?: string;
};

export const DEFAULT_SMTP_TIMEOUTS: Required<SmtpTimeouts> = { connectionMs: 5_000, greetingMs: 5_000, socketMs: 15_000 };

export function createSmtpTransport(settings: SmtpSettings): MailTransport {
  const transporter = buildTransporter(settings, settings.pool ?? false);
  return {
    async send(mail: OutgoingMail) {
      if (sendsPlaintextCredentials(settings)) {
        throw new MailDeliveryError('config', 'Refusing to send SMTP credentials over an unencrypted connection');
      }
      assertSendable(mail);
      try {
        const info = await transporter.sendMail(toMailOptions(mail));
        return { response: String(info.response), messageId: String(info.messageId) };
      } catch (error) {
        throw toMailDeliveryError(error);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** True when these settings would put a password on the wire in cleartext. */
export function sendsPlaintextCredentials(settings: SmtpSettings): boolean {
  return settings.security === 'none' && Boolean(settings.username) && !settings.allowPlaintextAuth;
}

/** Connects, greets, upgrades and logs in as a send would, then quits. Throws nodemailer's error. */
export async function verifySmtpConnection(settings: SmtpSettings): Promise<void> {
  const transporter = buildTransporter(settings, false);
  try {
    await transporter.verify();
  } finally {
    transporter.close();
  }
}

/**
 * Whether the port completes a TLS handshake (or at least shows a
 * certificate). Used to explain a silent greeting: an implicit-TLS port waits
 * for the client to speak first, which looks exactly like a slow server.
 */
export function speaksImplicitTls(settings: SmtpSettings, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ ...tlsOptions(settings), host: settings.checked.address, port: settings.port, timeout: timeoutMs });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('secureConnect', () => finish(true));
    socket.once('error', (error) => finish(isCertificateError(error)));
    socket.once('timeout', () => finish(false));
  });
}

function buildTransporter(settings: SmtpSettings, pool: boolean): Transporter {
  const timeouts = { ...DEFAULT_SMTP_TIMEOUTS, ...settings.timeouts };
  const options: SMTPPoolOptions = {
    // The vetted IP, so a second DNS answer cannot point the connection elsewhere.
    host: settings.checked.address,
    port: settings.port,
    secure: settings.security === 'ssl',
    requireTLS: settings.security === 'tls',
    ignoreTLS: settings.security === 'none',
    servername: sniName(settings),
    tls: tlsOptions(settings),
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    name: settings.clientName,
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    // Credentials mean "log in": a server that hides AUTH must fail, not relay unauthenticated.
    forceAuth: Boolean(settings.username),
    // Rendered mail never needs files or URLs fetched into it.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
  if (!pool) return nodemailer.createTransport(options);
  // The dispatcher owns retries; a pool that re-queued on its own would hide failures and delay them.
  return nodemailer.createTransport({ ...options, pool: true, maxConnections: 3, maxMessages: 100, maxRequeues: 0 });
}

function tlsOptions(settings: SmtpSettings): tls.ConnectionOptions {
  const extra = settings.tlsTrust?.ca;
  const ca = extra === undefined ? undefined : [...tls.rootCertificates, ...(Array.isArray(extra) ? extra : [extra])];
  return { rejectUnauthorized: true, minVersion: 'TLSv1.2', servername: sniName(settings), ...(ca ? { ca } : {}) };
}

/** SNI carries names only; for an IP literal Node checks the certificate against the IP itself. */
function sniName(settings: SmtpSettings): string | undefined {
  const name = settings.checked.servername;
  return isIP(name) ? undefined : name;
}

// ---- what went wrong ---------------------------------------------------------

/** What a nodemailer failure means, independent of how the caller reports it. */
export type SmtpSymptom =
  | 'tls_met_plaintext' // we opened TLS, the server greeted in plaintext
  | 'garbled_greeting' // the first bytes were not an SMTP greeting
  | 'certificate_invalid'
  | 'tls_failed'
  | 'starttls_unavailable'
  | 'encryption_required' // the server wants TLS before AUTH or MAIL
  | 'auth_failed'
  | 'greeting_timeout'
  | 'timeout'
  | 'unreachable'
  | 'connection_lost'
  | 'rejected' // an SMTP reply code, in responseCode
  | 'invalid_message'
  | 'unknown';

export type SmtpFailure = { symptom: SmtpSymptom; message: string; responseCode?: number; response?: string };

type NodemailerErrorShape = {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  timeoutType?: string;
};

const CERTIFICATE_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|UNABLE_TO_|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH)/;
const CERTIFICATE_TEXT = /self[- ]signed certificate|certificate (has expired|is not yet valid|signature failure)|unable to (get|verify).*(issuer|leaf|certificate)|Hostname\/IP does not match|altnames/i;
// OpenSSL's complaints when the "TLS record" it reads is really "220 smtp.example ESMTP".
const PLAINTEXT_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_RECORD_LAYER_FAILURE']);
const PLAINTEXT_TEXT = /wrong version number|packet length too long|unknown protocol|record layer failure/i;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);
const AUTH_REPLIES = new Set([530, 534, 535]);

function isCertificateError(error: unknown): boolean {
  const e = error as NodemailerErrorShape;
  if (CERTIFICATE_CODES.test(e?.code ?? '') || CERTIFICATE_CODES.test(e?.originalCode ?? '')) return true;
  // The text match is for errors nodemailer re-wraps without the code; a server
  // reply that happens to mention certificates is not one of them.
  return !e?.responseCode && CERTIFICATE_TEXT.test(e?.message ?? '');
}

export function classifySmtpError(error: unknown): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerErrorShape;
  const message = e.message ?? 'SMTP failure';
  const reply = e.responseCode ? { responseCode: e.responseCode, response: e.response } : {};
  const fail = (symptom: SmtpSymptom) => ({ symptom, message, ...reply });
  const systemCode = e.originalCode ?? e.code ?? '';

  // TLS findings first: nodemailer files them under ESOCKET or ETLS alike.
  if (isCertificateError(e)) return fail('certificate_invalid');
  if (PLAINTEXT_CODES.has(systemCode) || (systemCode.startsWith('ERR_SSL') && PLAINTEXT_TEXT.test(message))) return fail('tls_met_plaintext');
  if (e.command === 'STARTTLS' && e.responseCode) return fail('starttls_unavailable');
  if (e.command === 'EHLO' && /STARTTLS/.test(message)) return fail('starttls_unavailable');
  if (e.code === 'ETLS' || systemCode.startsWith('ERR_SSL') || systemCode.startsWith('ERR_TLS')) return fail('tls_failed');

  // 530 means both "log in first" and "STARTTLS first" (RFC 3207); 538 is TLS-before-AUTH.
  if ((e.responseCode === 530 || e.responseCode === 538) && /STARTTLS|TLS|encrypt/i.test(e.response ?? '')) return fail('encryption_required');
  // A 4xx during AUTH (454) is the server failing to check, not the password failing: retry it.
  if (e.code === 'EAUTH' && e.responseCode && e.responseCode < 500) return fail('rejected');
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || (e.responseCode && AUTH_REPLIES.has(e.responseCode))) return fail('auth_failed');

  if (e.code === 'ETIMEDOUT') {
    if (e.timeoutType === 'GREETING_TIMEOUT') return fail('greeting_timeout');
    if (e.timeoutType === 'CONNECT_TIMEOUT') return fail('unreachable');
    return fail('timeout');
  }
  if (e.code === 'EPROTOCOL' && e.command === 'CONN' && !/^\d{3}/.test(e.response ?? '')) return fail('garbled_greeting');
  if (e.responseCode) return fail('rejected');
  if (UNREACHABLE_CODES.has(systemCode) || e.code === 'EDNS') return fail('unreachable');
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET') return fail('connection_lost');
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'EMAXRECIPIENTS') return fail('invalid_message');
  return fail('unknown');
}

const KIND_BY_SYMPTOM: Record<Exclude<SmtpSymptom, 'rejected'>, MailFailureKind> = {
  tls_met_plaintext: 'config',
  garbled_greeting: 'config',
  certificate_invalid: 'config',
  tls_failed: 'config',
  starttls_unavailable: 'config',
  encryption_required: 'config',
  auth_failed: 'auth',
  greeting_timeout: 'transient',
  timeout: 'transient',
  unreachable: 'transient',
  connection_lost: 'transient',
  invalid_message: 'permanent',
  unknown: 'transient',
};

/** Maps any nodemailer failure onto the four kinds the dispatcher acts on. */
export function toMailDeliveryError(error: unknown): MailDeliveryError {
  if (error instanceof MailDeliveryError) return error;
  const failure = classifySmtpError(error);
  const kind =
    failure.symptom === 'rejected'
      ? failure.responseCode! >= 500
        ? 'permanent'
        : 'transient'
      : KIND_BY_SYMPTOM[failure.symptom];
  return new MailDeliveryError(kind, failure.message, failure.responseCode, failure.response);
}
