import type { Services } from './services.ts';
import { sendDuePayoutReminders } from './services/payout-reminder-service.ts';
import { runRewardLifecycle } from './services/reward-lifecycle-service.ts';
import { deleteExpiredTokens } from './store/token-queries.ts';
import { deleteStaleRateLimits } from './store/rate-limit-queries.ts';
import { deleteStaleAdminSessions } from './store/admin-session-queries.ts';
import { deleteOldIdempotencyKeys } from './store/idempotency-queries.ts';
import { announceFinishedEmails } from './services/email-announcer.ts';
import { runDueBacktests } from './services/backtest/job.ts';

// The one scheduler interface: every piece of time-driven work is a job here,
// and runDueJobs runs whatever is due. Node and Deno call it from a timer
// loop (timers.ts), Workers from a Cron Trigger. Jobs decide "due" from the
// database and the clock, never from in-memory state, so several instances
// may run it at once and a run after downtime catches up.

export type ScheduledJob = { name: string; run(services: Services): Promise<number> };

const DAY = 86_400_000;

export const JOBS: ScheduledJob[] = [
  {
    name: 'payout-reminders',
    async run(services) {
      return (await sendDuePayoutReminders(services)).sent;
    },
  },
  {
    // Releases rewards whose hold ended (their emails join the outbox) and expires unredeemed value.
    name: 'reward-lifecycle',
    async run(services) {
      const done = await runRewardLifecycle(services);
      return done.released + done.expired;
    },
  },
  {
    name: 'token-sweep',
    // Kept a day past expiry, so a late click still hears "expired" rather than "unknown".
    run: (services) => deleteExpiredTokens(services.store.db, new Date(services.clock.now().getTime() - DAY).toISOString()),
  },
  {
    name: 'rate-limit-sweep',
    run: (services) => deleteStaleRateLimits(services.store.db, new Date(services.clock.now().getTime() - DAY).toISOString()),
  },
  {
    name: 'admin-session-sweep',
    // An expired record refuses nothing a missing one would not; keep a day, then drop it.
    run: (services) => deleteStaleAdminSessions(services.store.db, new Date(services.clock.now().getTime() - DAY).toISOString()),
  },
  {
    name: 'idempotency-key-sweep',
    run: (services) => deleteOldIdempotencyKeys(services.store.db, new Date(services.clock.now().getTime() - DAY).toISOString()),
  },
  {
    name: 'email-webhooks',
    // email.sent / email.failed for tenants that subscribed; the webhook dispatcher is woken when any were queued.
    run: announceFinishedEmails,
  },
  {
    // Carries backtests forward chunk by chunk within a time budget; a run after a restart resumes at the last stored chunk.
    name: 'backtests',
    run: (services) => runDueBacktests(services),
  },
];

/** Runs every job once; a failing job is logged and does not stop the others. Returns what each did. */
export async function runDueJobs(services: Services, jobs: ScheduledJob[] = JOBS): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  for (const job of jobs) {
    try {
      done[job.name] = await job.run(services);
    } catch (error) {
      services.logger.error('scheduled job failed', { job: job.name, error });
    }
  }
  // Reminders are queued in the outbox; ask the dispatcher to deliver them now.
  if ((done['payout-reminders'] ?? 0) > 0 || (done['reward-lifecycle'] ?? 0) > 0) services.dispatcher.kick();
  return done;
}
