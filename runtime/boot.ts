import type { Config } from './config.ts';
import type { Store } from './store/store.ts';
import { migrateToLatest } from './store/migrate.ts';
import { createSecretBox } from './security/secret-box.ts';
import { createServices, type DispatchLimits, type Services } from './services.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import type { MailTransport } from '../plugins/types.ts';
import type { HostResolver } from '../plugins/mail/smtp-guard.ts';
import type { SmtpDriver } from '../plugins/mail/smtp-driver.ts';
import { createCaptureTransport } from '../plugins/mail/transports/capture-transport.ts';
import { createRelayTransport } from '../plugins/mail/transports/relay-transport.ts';
import { DEFAULT_RETRY } from '../plugins/mail/retry-policy.ts';
import type { WebhookHttpClient } from '../plugins/webhooks/http-client.ts';
import { createFetchWebhookClient } from '../plugins/webhooks/fetch-client.ts';

/** What only the runtime can provide; everything else is built the same way everywhere. */
export type RuntimeParts = {
  config: Config;
  store: Store;
  /** The runtime's SMTP client (nodemailer on Node and Deno, cloudflare:sockets on Workers). */
  smtp: SmtpDriver;
  resolver: HostResolver;
  /** Overrides the built-in sender (tests, Cloudflare's send_email binding); a relay or capture otherwise. */
  builtinTransport?: MailTransport;
  /** The webhook client: Node pins connections to the vetted address; fetch (Workers, Deno) otherwise. */
  webhookHttp?: WebhookHttpClient;
  clock?: Clock;
  logger?: Logger;
  /** The runtime's own bounds on sends in progress (Workers: what one request may hold open). */
  dispatch?: DispatchLimits;
};

/** The database could not be reached or migrated: one line for the operator, no stack trace. */
export class StartupError extends Error {}

/** The database URL without its password, for messages. */
export function describeDatabase(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Migrates, or explains in one line why it could not (and closes the store). Returns the migrations applied. */
export async function migrateOrExplain(store: Store, databaseUrl: string): Promise<string[]> {
  try {
    return await migrateToLatest(store.db);
  } catch (error) {
    await store.db.destroy().catch(() => {});
    const e = error as Error & { code?: string; errors?: Error[] };
    // pg reports a refused connection as an AggregateError with an empty message.
    const reason = e.message || e.errors?.map((x) => x.message).join('; ') || e.code || String(error);
    throw new StartupError(
      `Cannot start: the database ${describeDatabase(databaseUrl)} is unreachable or could not be migrated (${reason.replace(/\s+/g, ' ')}) — check DATABASE_URL, that the database server is running and that this user may create tables`,
    );
  }
}

/** The runtime-neutral half of every entry (Node, Deno, Workers, CLI, tests): migrate, then wire the services. */
export async function bootServices(parts: RuntimeParts): Promise<Services> {
  const { config, store, smtp } = parts;
  await migrateOrExplain(store, config.DATABASE_URL);
  const logger = parts.logger ?? createLogger();
  const warnings: string[] = [];
  if (!parts.builtinTransport && !config.BUILTIN_SMTP_URL && !config.DATABASE_URL.startsWith('sqlite:')) {
    // Only reachable with MAIL_CAPTURE=true (parseConfig refuses it otherwise).
    warnings.push('MAIL_CAPTURE=true: emails are stored and marked sent but never delivered; set BUILTIN_SMTP_URL to deliver them');
    logger.warn(warnings[0]);
  }
  return createServices({
    warnings,
    config,
    store,
    clock: parts.clock ?? systemClock,
    logger,
    secrets: await createSecretBox(config.SECRET_KEY, config.SECRET_KEY_PREVIOUS ? config.SECRET_KEY_PREVIOUS.split(',') : []),
    builtinTransport:
      parts.builtinTransport ?? (config.BUILTIN_SMTP_URL ? createRelayTransport(smtp, config.BUILTIN_SMTP_URL) : announceCaptures(createCaptureTransport({ keep: 100 }), logger)),
    resolver: parts.resolver,
    smtp,
    webhookHttp: parts.webhookHttp ?? createFetchWebhookClient(),
    retry: { ...DEFAULT_RETRY, baseMs: config.MAIL_RETRY_BASE_MS },
    dispatch: parts.dispatch,
  });
}

/** Local use: say where a captured email can be read, so a newcomer sees the whole flow. */
function announceCaptures(capture: MailTransport, logger: Logger): MailTransport {
  return {
    async send(mail) {
      const result = await capture.send(mail);
      logger.info('email captured locally (set BUILTIN_SMTP_URL to deliver); read it with GET /v1/emails', { to: mail.to, subject: mail.subject, messageId: mail.messageId });
      return result;
    },
    close: () => capture.close(),
  };
}

/** For the startup log line: which built-in sender this configuration uses. */
export function builtinSenderName(config: Config, override?: string): string {
  return override ?? (config.BUILTIN_SMTP_URL ? 'relay' : 'capture');
}
