import type { Services } from '../services.ts';
import { AppError } from '../errors.ts';
import { hitRateLimit } from '../store/rate-limit-queries.ts';
import { sha256Hex } from '../security/hashing.ts';

// Fixed-window limits over the rate_limits table, so every instance counts
// into the same window. Keys are hashed: the table holds no addresses or IPs.

export type RateLimit = { name: string; limit: number; windowMs: number };

const MINUTE = 60_000;

/** The limits of the public participant endpoints, per address and per client. */
export const LIMITS = {
  resetPerAddress: { name: 'reset:address', limit: 5, windowMs: 60 * MINUTE },
  resetPerClient: { name: 'reset:client', limit: 20, windowMs: 60 * MINUTE },
  resetConfirmPerClient: { name: 'reset-confirm:client', limit: 20, windowMs: 60 * MINUTE },
  loginPerAddress: { name: 'login:address', limit: 10, windowMs: 15 * MINUTE },
  loginPerClient: { name: 'login:client', limit: 50, windowMs: 15 * MINUTE },
  verifyConfirmPerClient: { name: 'verify-confirm:client', limit: 30, windowMs: 60 * MINUTE },
  consoleSignInPerClient: { name: 'console-sign-in:client', limit: 30, windowMs: 15 * MINUTE },
} satisfies Record<string, RateLimit>;

/**
 * Counts one attempt against each limit and throws 429 rate_limited, with
 * Retry-After in seconds, when any is over. A null subject skips that limit
 * (no client address known).
 */
export async function enforceRateLimits(services: Services, checks: { limit: RateLimit; subject: string | null }[], setHeader: (name: string, value: string) => void) {
  const now = services.clock.now().getTime();
  let retryAfter = 0;
  for (const { limit, subject } of checks) {
    if (subject === null) continue;
    const windowStart = Math.floor(now / limit.windowMs) * limit.windowMs;
    const key = `${limit.name}:${await sha256Hex(subject)}`;
    const count = await hitRateLimit(services.store.db, key, new Date(windowStart).toISOString());
    if (count > limit.limit) retryAfter = Math.max(retryAfter, Math.ceil((windowStart + limit.windowMs - now) / 1000));
  }
  if (retryAfter > 0) {
    services.metrics.rateLimited();
    setHeader('Retry-After', String(retryAfter));
    throw new AppError('rate_limited', 'too many attempts; try again later', [], { retryAfterSeconds: retryAfter });
  }
}
