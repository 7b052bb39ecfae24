import * as v from 'valibot';
import { parseTrustProxy } from './security/trusted-proxy.ts';

// Configuration comes from the environment on every runtime (process.env,
// Deno.env, Worker bindings). parseConfig lists every bad variable at once,
// each with how to fix it, so a misconfigured deploy fails at start (not at the
// first request) and is fixed in one round.

const bool = v.pipe(
  v.optional(v.picklist(['true', 'false', '1', '0'], 'must be true or false'), 'false'),
  v.transform((s) => s === 'true' || s === '1'),
);
const int = (def: string, min: number, max: number) =>
  v.pipe(v.optional(v.string(), def), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));

const ConfigSchema = v.object({
  PORT: int('3000', 0, 65535),
  DATABASE_URL: v.pipe(
    v.optional(v.string(), 'sqlite:./data/advocate.db'),
    v.regex(/^(sqlite:.+|postgres(ql)?:\/\/.+|d1:.+)$/, 'must be sqlite:<file>, postgres://… or d1:<binding>'),
  ),
  ADMIN_TOKEN: v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')),
  SECRET_KEY: v.pipe(v.string(), v.regex(/^([\w-]+:)?[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 bytes, base64-encoded (optionally kid:base64)')),
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
  /** Events a backtest replays per chunk (its progress is stored after each). */
  BACKTEST_CHUNK_EVENTS: int('2000', 1, 10_000),
  /** Capture mail (store it, mark it sent, deliver nothing) where that is not the default: anything but local SQLite. */
  MAIL_CAPTURE: bool,
  /** How long a stop (SIGTERM, SIGINT) may take to finish requests and the sends under way. */
  SHUTDOWN_TIMEOUT_MS: int('10000', 0, 600_000),
  /** Bearer token for GET /metrics; without it /metrics answers 404. */
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
});

export type Config = v.InferOutput<typeof ConfigSchema>;

/** Every setting's name, for launchers that hand the environment on to another process (wrangler). */
export const CONFIG_NAMES: readonly string[] = Object.keys(ConfigSchema.entries);

/** How to fix each setting, said once here and shown beside whatever is wrong with it. */
const FIXES: Record<string, string> = {
  PORT: 'set it to a port number, e.g. PORT=3000',
  DATABASE_URL: 'e.g. DATABASE_URL=postgres://user:password@db-host:5432/advocate or sqlite:./data/advocate.db',
  ADMIN_TOKEN: 'set it to a long random string; `npx advocate-rules secret-key` prints one',
  SECRET_KEY: 'run `npx advocate-rules secret-key` and set SECRET_KEY to what it prints (keep it: it opens the secrets already stored)',
  PUBLIC_URL: 'set it to the address people reach this service at, e.g. https://refer.example.com',
  MAIL_FROM: 'set it to one address, e.g. notifications@example.com',
  BUILTIN_SMTP_URL: 'e.g. smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587',
  METRICS_TOKEN: 'set it to a long random string; `npx advocate-rules secret-key` prints one',
  DNS_RESOLVER: 'e.g. DNS_RESOLVER=1.1.1.1:53, or leave it unset for the system resolver',
  SMTP_PORTS: 'e.g. SMTP_PORTS=25,465,587',
};

export class ConfigError extends Error {}

export type ConfigContext = {
  /** The runtime brings its own built-in sender (Cloudflare Email Service), so no relay is needed. */
  hasMailBinding?: boolean;
  /** A command that sends no mail (the CLI's tenants create, secrets rewrap): no relay needed. */
  sendsNoMail?: boolean;
};

export function parseConfig(env: Record<string, string | undefined>, context: ConfigContext = {}): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(ConfigSchema, present);
  const problems: string[] = [];
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.issues) {
      const name = v.getDotPath(issue) ?? 'configuration';
      if (seen.has(name)) continue;
      seen.add(name);
      // A missing key's issue is valibot's own wording; say it plainly.
      const what = present[name] === undefined ? 'is missing' : issue.message;
      const fix = FIXES[name];
      problems.push(`${name} ${what}${fix ? ` — ${fix}` : ''}`);
    }
  }
  const config = result.success ? result.output : undefined;
  // Capturing mail (stored, marked sent, never delivered) is for trying the
  // service on a laptop. Anywhere else it would be silent loss: ask for a relay
  // or an explicit MAIL_CAPTURE=true.
  const url = String(present.DATABASE_URL ?? 'sqlite:');
  if (!present.BUILTIN_SMTP_URL && !context.hasMailBinding && !context.sendsNoMail && !url.startsWith('sqlite:') && !(config?.MAIL_CAPTURE ?? false)) {
    problems.push(
      'BUILTIN_SMTP_URL is missing — outside local SQLite the built-in sender needs a relay, e.g. smtps://user:password@smtp.example.com:465; ' +
        'set MAIL_CAPTURE=true instead only to store emails without delivering them (testing)',
    );
  }
  if (problems.length === 0) return config!;
  throw new ConfigError(`Invalid configuration (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
