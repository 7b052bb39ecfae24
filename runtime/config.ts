import * as v from 'valibot';
import { parseTrustProxy } from './security/trusted-proxy.ts';

// Configuration comes from the environment on every runtime (process.env,
// Deno.env, Worker bindings). parseConfig names the first bad variable so a
// misconfigured deploy fails at start, not at the first request.

const bool = v.pipe(
  v.optional(v.picklist(['true', 'false', '1', '0']), 'false'),
  v.transform((s) => s === 'true' || s === '1'),
);
const int = (def: string, min: number, max: number) =>
  v.pipe(v.optional(v.string(), def), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(min), v.maxValue(max));

const ConfigSchema = v.object({
  PORT: int('3000', 0, 65535),
  DATABASE_URL: v.pipe(
    v.optional(v.string(), 'sqlite:./data/advocate.db'),
    v.regex(/^(sqlite:.+|postgres(ql)?:\/\/.+|d1:.+)$/, 'must be sqlite:<file>, postgres://… or d1:<binding>'),
  ),
  ADMIN_TOKEN: v.pipe(v.string('is required'), v.minLength(16, 'must be at least 16 characters')),
  SECRET_KEY: v.pipe(v.string('is required'), v.minLength(32, 'must be 32 bytes, base64-encoded')),
  SECRET_KEY_PREVIOUS: v.optional(v.string(), ''),
  PUBLIC_URL: v.pipe(v.optional(v.string(), 'http://localhost:3000'), v.url('must be a URL')),
  MAIL_FROM: v.pipe(v.optional(v.string(), 'notifications@advocate-rules.local'), v.email('must be one email address')),
  BUILTIN_SMTP_URL: v.optional(v.pipe(v.string(), v.regex(/^smtps?:\/\/.+/, 'must be smtp://… or smtps://…'))),
  SPF_INCLUDE: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name'))),
  MAIL_RATE_PER_SECOND: int('20', 1, 10_000),
  /** First retry of a transiently failed email after 50-100% of this; each later one waits twice as long. */
  MAIL_RETRY_BASE_MS: int('30000', 1000, 3_600_000),
  DNS_RESOLVER: v.optional(v.pipe(v.string(), v.regex(/^[^\s:]+:\d+$/, 'must be host:port'))),
  ALLOW_PRIVATE_SMTP_HOSTS: bool,
  /** Lets webhook URLs be loopback/private addresses, plain http:// and any port (tests, self-hosting); separate from SMTP, a different risk. */
  ALLOW_PRIVATE_WEBHOOK_HOSTS: bool,
  SMTP_PORTS: v.pipe(
    v.optional(v.string(), '25,465,587,2525'),
    v.regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of ports'),
    v.transform((s) => s.split(',').map(Number)),
  ),
  /** Who may tell us the client's address: off (the socket's peer), cloudflare, or the proxies' addresses/CIDRs. */
  TRUST_PROXY: v.pipe(
    v.optional(v.string(), 'off'),
    v.check((s) => {
      try {
        parseTrustProxy(s);
        return true;
      } catch {
        return false;
      }
    }, 'must be off, cloudflare, or a comma-separated list of IP addresses and CIDR ranges'),
    v.transform((s: string) => parseTrustProxy(s)),
  ),
  DISPATCH_INTERVAL_MS: int('1000', 50, 3_600_000),
  SCHEDULER_INTERVAL_MS: int('60000', 50, 86_400_000),
});

export type Config = v.InferOutput<typeof ConfigSchema>;

/** Every setting's name, for launchers that hand the environment on to another process (wrangler). */
export const CONFIG_NAMES: readonly string[] = Object.keys(ConfigSchema.entries);

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(ConfigSchema, present);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const name = v.getDotPath(issue) ?? 'configuration';
  throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
}
