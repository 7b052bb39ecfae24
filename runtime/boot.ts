import type { Config } from './config.ts';
import type { Store } from './store/store.ts';
import { migrateToLatest } from './store/migrate.ts';
import { createSecretBox } from './security/secret-box.ts';
import { createServices, type Services } from './services.ts';
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
};

/** The runtime-neutral half of every entry (Node, Deno, Workers, CLI, tests): migrate, then wire the services. */
export async function bootServices(parts: RuntimeParts): Promise<Services> {
  const { config, store, smtp } = parts;
  await migrateToLatest(store.db);
  const logger = parts.logger ?? createLogger();
  return createServices({
    config,
    store,
    clock: parts.clock ?? systemClock,
    logger,
    secrets: await createSecretBox(config.SECRET_KEY, config.SECRET_KEY_PREVIOUS ? config.SECRET_KEY_PREVIOUS.split(',') : []),
    builtinTransport:
      parts.builtinTransport ?? (config.BUILTIN_SMTP_URL ? createRelayTransport(smtp, config.BUILTIN_SMTP_URL) : announceCaptures(createCaptureTransport(), logger)),
    resolver: parts.resolver,
    smtp,
    webhookHttp: parts.webhookHttp ?? createFetchWebhookClient(),
    retry: { ...DEFAULT_RETRY, baseMs: config.MAIL_RETRY_BASE_MS },
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
