import type { Store } from '../../runtime/store/store.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { WebhookDeliveryTable } from '../../runtime/store/database.ts';
import { claimDueDeliveries, finishDelivery } from '../../runtime/store/webhook-delivery-queries.ts';
import { clearEndpointFailing, disableFailingEndpoint, findEndpoint, markEndpointFailing } from '../../runtime/store/webhook-endpoint-queries.ts';
import type { HostResolver } from '../mail/smtp-guard.ts';
import type { SecretSealer } from '../mail/link-secret.ts';
import type { WebhookHttpClient } from './http-client.ts';
import { checkWebhookDestination, parseWebhookUrl } from './destination.ts';
import { signatureHeaders } from './signature.ts';
import { nextAttemptAt, WEBHOOK_DISABLE_AFTER_MS } from './retry-policy.ts';
import { signingSecrets } from './endpoint-secrets.ts';

export type WebhookDispatcherOptions = {
  store: Store;
  clock: Clock;
  logger: Logger;
  secrets: SecretSealer;
  resolver: HostResolver;
  http: WebhookHttpClient;
  allowPrivate: boolean;
  batchSize?: number;
  /** At most this many deliveries of one tenant per batch (fairness). */
  perTenant?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** How much of a receiver's answer is read and kept. */
  maxResponseBytes?: number;
  /** Jitter source; tests may fix it. */
  random?: () => number;
};

export type WebhookDispatcher = {
  /** Claims one batch and delivers it; returns how many deliveries it handled. */
  runOnce(): Promise<number>;
  /** Delivers until nothing is due (tests, the Workers cron, shutdown). */
  drain(): Promise<number>;
  /** Asks for a run soon; calls arriving during a run coalesce into one more run. */
  kick(): void;
  /** Resolves when no run is in progress or pending. */
  idle(): Promise<void>;
};

type Outcome = { ok: true; status: number; excerpt: string } | { ok: false; status: number | null; excerpt: string | null; error: string };

/**
 * Drains the webhook outbox, as the mail dispatcher drains emails: a claim is
 * a lease (a process dying mid-send leaves the delivery due again, with the
 * same webhook-id, so receivers dedupe), the HTTP client reports what
 * happened, and the retry decision is made here. Each attempt is signed
 * afresh (its timestamp is the attempt's) and its destination checked again.
 */
export function createWebhookDispatcher(o: WebhookDispatcherOptions): WebhookDispatcher {
  const batchSize = o.batchSize ?? 50;
  const perTenant = o.perTenant ?? 10;
  const leaseMs = o.leaseMs ?? 60_000;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxResponseBytes = o.maxResponseBytes ?? 1024;
  let running: Promise<void> | null = null;
  let again = false;

  async function attempt(d: WebhookDeliveryTable, now: Date): Promise<Outcome | 'endpoint_gone'> {
    const endpoint = await findEndpoint(o.store.db, d.tenant_id, d.endpoint_id);
    if (!endpoint || endpoint.status !== 'enabled') return 'endpoint_gone';
    const url = parseWebhookUrl(endpoint.url, o.allowPrivate);
    if (typeof url === 'string') return { ok: false, status: null, excerpt: null, error: `the endpoint URL ${url}` };
    try {
      const { address } = await checkWebhookDestination(url, { resolver: o.resolver, allowPrivate: o.allowPrivate });
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'advocate-rules-webhooks/1',
        ...(await signatureHeaders(await signingSecrets(o.secrets, endpoint, now), d.message_id, now, d.payload)),
      };
      const res = await o.http.post({ url, address, headers, body: d.payload, timeoutMs, maxResponseBytes });
      // The receiver's bytes are the tenant's: PostgreSQL text refuses NUL, and a refused update would leave the delivery leased.
      res.excerpt = res.excerpt.replace(/\u0000/g, '\ufffd');
      // Redirects are not followed (a redirect could point anywhere): a 3xx is a failure like any non-2xx.
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, excerpt: res.excerpt };
      return { ok: false, status: res.status, excerpt: res.excerpt, error: `the receiver answered ${res.status}` };
    } catch (error) {
      const e = error as Error;
      const message = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : e.message;
      return { ok: false, status: null, excerpt: null, error: message.slice(0, 300) };
    }
  }

  async function deliver(d: WebhookDeliveryTable, leaseUntil: string) {
    const now = o.clock.now();
    const nowIso = now.toISOString();
    const outcome = await attempt(d, now);
    if (outcome === 'endpoint_gone') {
      // Disabled (or deleted) between claim and send: back in the queue, sent if the endpoint is enabled again.
      await finishDelivery(o.store.db, d.id, leaseUntil, { status: 'queued', next_attempt_at: null, updated_at: nowIso });
      return;
    }
    if (outcome.ok) {
      await finishDelivery(o.store.db, d.id, leaseUntil, {
        status: 'delivered',
        last_status_code: outcome.status,
        last_response: outcome.excerpt,
        last_error: null,
        delivered_at: nowIso,
        next_attempt_at: null,
        updated_at: nowIso,
      });
      await clearEndpointFailing(o.store.db, d.tenant_id, d.endpoint_id);
      return;
    }
    const next = nextAttemptAt(d.attempts, now, d.give_up_at, o.random);
    await finishDelivery(o.store.db, d.id, leaseUntil, {
      status: next ? 'queued' : 'failed',
      next_attempt_at: next,
      last_status_code: outcome.status,
      last_response: outcome.excerpt,
      last_error: outcome.error,
      updated_at: nowIso,
    });
    await markEndpointFailing(o.store.db, d.tenant_id, d.endpoint_id, nowIso);
    const disabled = await disableFailingEndpoint(o.store.db, d.tenant_id, d.endpoint_id, new Date(now.getTime() - WEBHOOK_DISABLE_AFTER_MS).toISOString(), nowIso);
    if (disabled) o.logger.warn('webhook endpoint disabled after failing for days', { tenantId: d.tenant_id, endpointId: d.endpoint_id });
    o.logger.warn('webhook delivery failed', { deliveryId: d.id, tenantId: d.tenant_id, attempts: d.attempts, retrying: next !== null, status: outcome.status, error: outcome.error });
  }

  async function runOnce(): Promise<number> {
    const now = o.clock.now();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claimed = await claimDueDeliveries(o.store.db, o.store.dialect, now.toISOString(), leaseUntil, batchSize, perTenant);
    await Promise.all(claimed.map((d) => deliver(d, leaseUntil)));
    return claimed.length;
  }

  async function loop() {
    do {
      again = false;
      try {
        while ((await runOnce()) === batchSize) {}
      } catch (error) {
        o.logger.error('webhook dispatcher run failed', { error });
      }
    } while (again);
  }

  return {
    runOnce,
    async drain() {
      while (running) await running;
      let total = 0;
      for (let n = await runOnce(); n > 0; n = await runOnce()) total += n;
      return total;
    },
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = loop().finally(() => {
        running = null;
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
