import { backoffMs, type RetryPolicy } from '../mail/retry-policy.ts';

// Webhooks retry longer than mail: a receiver's outage of a day must not lose
// events. Exponential backoff with jitter (the mail policy's curve) from a
// minute up to six hours between attempts, for about three days; then the
// delivery is `failed` and can be redelivered by hand.

const HOUR = 3_600_000;
export const WEBHOOK_RETRY_WINDOW_MS = 72 * HOUR;
export const WEBHOOK_RETRY: RetryPolicy = { maxAttempts: Number.MAX_SAFE_INTEGER, baseMs: 60_000, maxMs: 6 * HOUR };
/** An endpoint whose deliveries have failed without a single success for this long is disabled. */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * HOUR;

/** When to try again after `attempts` attempts, or null once that would pass the delivery's deadline. */
export function nextAttemptAt(attempts: number, now: Date, giveUpAt: string, random?: () => number): string | null {
  const next = new Date(now.getTime() + backoffMs(attempts, WEBHOOK_RETRY, random));
  return next.toISOString() <= giveUpAt ? next.toISOString() : null;
}
