import type { MailTransport } from '../types.ts';
import type { SmtpSettings } from './transports/smtp-transport.ts';
import type { SmtpConnectResult } from './smtp-connect-result.ts';

/**
 * How this runtime talks SMTP: nodemailer over node:net/tls on Node and
 * Deno, cloudflare:sockets on Workers. Each entry injects one, so the core
 * never imports a socket API.
 */
export type SmtpDriver = {
  createTransport(settings: SmtpSettings): MailTransport;
  connect(settings: SmtpSettings): Promise<SmtpConnectResult>;
  /** Extra limits of the runtime that Connect should state (e.g. Workers refuse port 25). */
  refuse?(settings: Pick<SmtpSettings, 'port' | 'checked'>): string | null;
};

export type { SmtpSettings };
