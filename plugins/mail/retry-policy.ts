// Exponential backoff with full jitter: retries of many failed emails spread
// out instead of hammering a recovering server at the same instant.

export type RetryPolicy = { maxAttempts: number; baseMs: number; maxMs: number };

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseMs: 30_000, maxMs: 3_600_000 };

export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
