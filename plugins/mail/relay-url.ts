import type { SmtpSecurity } from './transports/smtp-transport.ts';

export type RelayTarget = { host: string; port: number; security: SmtpSecurity; username?: string; password?: string };

/**
 * BUILTIN_SMTP_URL: `smtps://user:pass@host:465` is implicit TLS;
 * `smtp://user:pass@host:587` requires STARTTLS; `smtp://host:25?starttls=off`
 * sends in clear, for a relay on loopback or a private network the operator trusts.
 */
export function parseRelayUrl(url: string): RelayTarget {
  const u = new URL(url);
  const ssl = u.protocol === 'smtps:';
  const plain = !ssl && u.searchParams.get('starttls') === 'off';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (ssl ? 465 : 587)),
    security: ssl ? 'ssl' : plain ? 'none' : 'tls',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}
