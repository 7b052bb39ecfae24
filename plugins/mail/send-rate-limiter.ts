// A token bucket per tenant, per process: one tenant's burst cannot take the
// whole dispatcher, and a tenant's own server is not flooded. It paces on the
// monotonic clock, not the business clock, because it is about real seconds.

export type SendRateLimiter = { take(tenantId: string): Promise<void> };

export function createSendRateLimiter(perSecond: number, now: () => number = () => performance.now()): SendRateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const capacity = Math.max(1, perSecond);
  return {
    async take(tenantId) {
      for (;;) {
        const t = now();
        const b = buckets.get(tenantId) ?? { tokens: capacity, at: t };
        b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * perSecond);
        b.at = t;
        buckets.set(tenantId, b);
        if (b.tokens >= 1) {
          b.tokens -= 1;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - b.tokens) / perSecond) * 1000)));
      }
    },
  };
}
