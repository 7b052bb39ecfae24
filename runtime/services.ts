import type { Config } from './config.ts';
import type { Store } from './store/store.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { SecretBox } from './security/secret-box.ts';
import type { MailTransport } from '../plugins/types.ts';
import type { SenderResolver } from '../plugins/mail/sender.ts';
import { createDispatcher, type Dispatcher } from '../plugins/mail/dispatcher.ts';
import type { RetryPolicy } from '../plugins/mail/retry-policy.ts';
import { createSenderResolver } from './services/sender-resolver.ts';
import type { LoadedRuleset } from './services/ruleset-service.ts';
import type { FactValues } from '../rules/facts.ts';
import type { FiredRule } from '../rules/evaluate.ts';
import { createSendRateLimiter } from '../plugins/mail/send-rate-limiter.ts';
import type { HostResolver } from '../plugins/mail/smtp-guard.ts';
import type { SmtpDriver } from '../plugins/mail/smtp-driver.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from '../plugins/webhooks/dispatcher.ts';
import type { WebhookHttpClient } from '../plugins/webhooks/http-client.ts';

/** Everything a request handler may use, built once per process or isolate and injected through c.var. */
export type Services = {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  /** The operator's sender: a relay to BUILTIN_SMTP_URL, or local capture. */
  builtinTransport: MailTransport;
  /** DNS for the SMTP guard and the custom-domain check (DNS_RESOLVER, or DNS-over-HTTPS on Workers). */
  resolver: HostResolver;
  /** This runtime's SMTP client, for tenants' own servers. */
  smtp: SmtpDriver;
  senders: SenderResolver;
  dispatcher: Dispatcher;
  /** This runtime's HTTP client for outbound webhooks (pinned to the vetted address on Node, fetch elsewhere). */
  webhookHttp: WebhookHttpClient;
  /** Drains the webhook outbox, as `dispatcher` drains the mail outbox. */
  webhooks: WebhookDispatcher;
  /** Replaces the compiled evaluator; only the benchmark sets it, to measure the reference engine through the same path. */
  evaluate?: (loaded: LoadedRuleset, facts: FactValues) => FiredRule[] | Promise<FiredRule[]>;
};

export type ServiceParts = Omit<Services, 'senders' | 'dispatcher' | 'webhooks'> & { retry?: RetryPolicy; leaseMs?: number };

export function createServices(parts: ServiceParts): Services {
  const senders = createSenderResolver(parts);
  const dispatcher = createDispatcher({
    store: parts.store,
    clock: parts.clock,
    logger: parts.logger,
    senders,
    retry: parts.retry,
    leaseMs: parts.leaseMs,
    rateLimiter: createSendRateLimiter(parts.config.MAIL_RATE_PER_SECOND),
    secrets: parts.secrets,
  });
  const webhooks = createWebhookDispatcher({
    store: parts.store,
    clock: parts.clock,
    logger: parts.logger,
    secrets: parts.secrets,
    resolver: parts.resolver,
    http: parts.webhookHttp,
    allowPrivate: parts.config.ALLOW_PRIVATE_WEBHOOK_HOSTS,
    leaseMs: parts.leaseMs,
  });
  return { ...parts, senders, dispatcher, webhooks };
}
