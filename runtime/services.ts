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
import { unsubscribeUrl } from './services/unsubscribe-service.ts';
import { createSendRateLimiter } from '../plugins/mail/send-rate-limiter.ts';
import type { HostResolver } from '../plugins/mail/smtp-guard.ts';
import type { SmtpDriver } from '../plugins/mail/smtp-driver.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.ts';
import { instrumentSenders } from './metrics/instrument-senders.ts';
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
  metrics: ServiceMetrics;
  /** What an operator must know about this configuration (MAIL_CAPTURE): logged at start, shown by /health. */
  warnings: string[];
  /** This runtime's HTTP client for outbound webhooks (pinned to the vetted address on Node, fetch elsewhere). */
  webhookHttp: WebhookHttpClient;
  /** Drains the webhook outbox, as `dispatcher` drains the mail outbox. */
  webhooks: WebhookDispatcher;
};

/** How many sends a dispatcher keeps in progress (per tenant, and in all), and whether it batches their outcomes' writes. */
export type DispatchLimits = { perTenant?: number; maxInFlight?: number; batchOutcomes?: boolean; wakeDelayMs?: number };

export type ServiceParts = Omit<Services, 'senders' | 'dispatcher' | 'webhooks' | 'metrics' | 'warnings'> & {
  retry?: RetryPolicy;
  leaseMs?: number;
  dispatch?: DispatchLimits;
  metrics?: ServiceMetrics;
  warnings?: string[];
};

export function createServices(parts: ServiceParts): Services {
  const senders = createSenderResolver(parts);
  const metrics = parts.metrics ?? createServiceMetrics();
  const dispatcher = createDispatcher({
    store: parts.store,
    clock: parts.clock,
    logger: parts.logger,
    senders: instrumentSenders(senders, metrics),
    retry: parts.retry,
    leaseMs: parts.leaseMs,
    ...parts.dispatch,
    rateLimiter: createSendRateLimiter(parts.config.MAIL_RATE_PER_SECOND),
    secrets: parts.secrets,
    listUnsubscribe: (email) => unsubscribeUrl(parts, email),
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
  return { ...parts, senders, dispatcher, webhooks, metrics, warnings: parts.warnings ?? [] };
}
