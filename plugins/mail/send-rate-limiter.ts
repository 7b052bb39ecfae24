// A per-tenant pace, per process: one tenant's burst cannot take the whole
// dispatcher, and a tenant's own server is not flooded. It is a token bucket
// written as GCRA (the "virtual scheduling" form): each tenant keeps one
// number, the time its next send would be due at the steady rate, so a take
// computes its slot at once and sleeps exactly until then, once. No waiter
// polls, so a queue of N emails costs N timers firing once each, not a wake-up
// of every waiting email every few milliseconds. It paces on the monotonic
// clock, not the business clock, because it is about real seconds.

export type SendRateLimiter = { take(tenantId: string): Promise<void> };

export type RateLimiterOptions = {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createSendRateLimiter(perSecond: number, o: RateLimiterOptions = {}): SendRateLimiter {
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? wait;
  const interval = 1000 / perSecond;
  // A full second's worth may go at once (the bucket's capacity), then the steady rate.
  const burst = (Math.max(1, perSecond) - 1) * interval;
  const due = new Map<string, number>();
  return {
    async take(tenantId) {
      const t = now();
      const theoretical = Math.max(due.get(tenantId) ?? t, t);
      const slot = Math.max(t, theoretical - burst);
      due.set(tenantId, theoretical + interval);
      // Tenants that have been quiet for a while need no memory: their next take starts fresh.
      if (due.size > 10_000) for (const [id, at] of due) if (at <= t) due.delete(id);
      if (slot > t) await sleep(slot - t);
    },
  };
}
