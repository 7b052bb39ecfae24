import type { Store } from '../../runtime/store/store.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EmailTable } from '../../runtime/store/database.ts';
import { claimDueEmails, finishAttempt, releaseClaim } from '../../runtime/store/email-queries.ts';
import { MailDeliveryError } from '../types.ts';
import type { SenderResolver } from './sender.ts';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy } from './retry-policy.ts';
import type { SendRateLimiter } from './send-rate-limiter.ts';
import { buildOutgoingMail } from './outgoing-message.ts';
import type { SecretSealer } from './link-secret.ts';

export type DispatcherOptions = {
  store: Store;
  clock: Clock;
  logger: Logger;
  senders: SenderResolver;
  batchSize?: number;
  leaseMs?: number;
  retry?: RetryPolicy;
  rateLimiter?: SendRateLimiter;
  /** Opens the sealed token of a link (verification, password reset) as the message is built. */
  secrets?: SecretSealer;
};

export type Dispatcher = {
  /** Claims one batch and delivers it; returns how many emails it handled. */
  runOnce(): Promise<number>;
  /** Delivers until nothing is due (tests, the Workers cron, shutdown). */
  drain(): Promise<number>;
  /** Asks for a run soon; calls arriving during a run coalesce into one more run. */
  kick(): void;
  /** Resolves when no run is in progress or pending. */
  idle(): Promise<void>;
  /** Shutdown: claims nothing more, hands back claimed emails not yet being sent, waits for the sends under way. */
  stop(): Promise<void>;
};

/**
 * Drains the outbox. A claim is a lease: if this process dies mid-send the
 * lease expires and another run sends the email again with the same
 * Message-ID. The transport reports what happened; the retry decision is here.
 */
export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const batchSize = o.batchSize ?? 50;
  const leaseMs = o.leaseMs ?? 60_000;
  const retry = o.retry ?? DEFAULT_RETRY;
  let running: Promise<void> | null = null;
  let again = false;
  let stopping = false;

  async function deliver(email: EmailTable, leaseUntil: string) {
    const now = () => o.clock.now().toISOString();
    let sender;
    try {
      sender = await o.senders.senderFor(email.tenant_id);
      await o.rateLimiter?.take(email.tenant_id);
      if (stopping) return void (await releaseClaim(o.store.db, email.id, leaseUntil, now()));
      const result = await sender.transport.send(await buildOutgoingMail(email, sender, o.secrets));
      await finishAttempt(o.store.db, email.id, leaseUntil, { status: 'sent', last_response: result.response, sent_at: now(), sender: sender.name, updated_at: now() });
    } catch (error) {
      const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError('transient', (error as Error).message);
      const retryable = failure.kind === 'transient' && email.attempts < retry.maxAttempts;
      const answer = failure.response ?? failure.message;
      await finishAttempt(o.store.db, email.id, leaseUntil, {
        status: retryable ? 'queued' : 'failed',
        last_response: answer.slice(0, 1000),
        next_attempt_at: retryable ? new Date(o.clock.now().getTime() + backoffMs(email.attempts, retry)).toISOString() : null,
        sender: sender?.name ?? null,
        updated_at: now(),
      });
      if (failure.kind === 'auth') await o.senders.onAuthFailure?.(email.tenant_id, answer);
      o.logger.warn('email delivery failed', { emailId: email.id, tenantId: email.tenant_id, kind: failure.kind, attempts: email.attempts, retryable, response: answer.slice(0, 200) });
    }
  }

  async function runOnce(): Promise<number> {
    const now = o.clock.now();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const claimed = await claimDueEmails(o.store.db, o.store.dialect, now.toISOString(), leaseUntil, batchSize);
    await Promise.all(claimed.map((email) => deliver(email, leaseUntil)));
    return claimed.length;
  }

  async function loop() {
    do {
      again = false;
      try {
        while (!stopping && (await runOnce()) === batchSize) {}
      } catch (error) {
        o.logger.error('dispatcher run failed', { error });
      }
    } while (again && !stopping);
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
      if (stopping) return;
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
    async stop() {
      stopping = true;
      while (running) await running;
    },
  };
}
