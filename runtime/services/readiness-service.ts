import type { Services } from '../services.ts';
import { outboxStats, pendingMigrations, type OutboxStats } from '../store/outbox-stats-queries.ts';

/** An email due this long ago and still not sent means no dispatcher is draining the outbox. */
export const OUTBOX_STUCK_AFTER_MS = 15 * 60_000;

export type Readiness = {
  ready: boolean;
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | string[]; outbox: 'ok' | 'stuck' | 'unknown' };
  outbox?: OutboxStats;
};

/** What /readyz answers: can this instance do its work right now. */
export async function checkReadiness(services: Services): Promise<Readiness> {
  let pending: string[];
  try {
    pending = await pendingMigrations(services.store.db);
  } catch {
    return { ready: false, checks: { database: 'unreachable', migrations: [], outbox: 'unknown' } };
  }
  const now = services.clock.now();
  const stats = await outboxStats(services.store.db, now.toISOString());
  const stuckBefore = now.getTime() - OUTBOX_STUCK_AFTER_MS;
  const stuck = [stats.oldestDueAt, stats.expiredLeaseSince].some((at) => at !== null && Date.parse(at) < stuckBefore);
  return {
    ready: pending.length === 0 && !stuck,
    checks: { database: 'ok', migrations: pending.length === 0 ? 'ok' : pending, outbox: stuck ? 'stuck' : 'ok' },
    outbox: stats,
  };
}
